#include "dataio/mel_conversion.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "dataio/mel.h"

namespace wn {

// A filterbank's non-zero weights by filter, from MelFilterbank's dense matrix.
struct MelConverter::Sparse {
  struct Weight {
    int bin;
    double w;
  };
  std::vector<std::vector<Weight>> rows;
  int bins = 0;
  int first_weighed = 0, last_weighed = -1;  // the bins some filter weighs
  explicit Sparse(const AudioConfig& a) {
    const MelFilterbank fb(a.sample_rate, a.n_fft, a.n_mels, a.fmin, a.fmax);
    const std::vector<float> dense = fb.dense();
    bins = fb.bins();
    rows.resize(static_cast<std::size_t>(fb.n_mels()));
    for (int m = 0; m < fb.n_mels(); ++m) {
      for (int b = 0; b < bins; ++b) {
        const float w = dense[static_cast<std::size_t>(m) * bins + b];
        if (w > 0) rows[m].push_back({b, w});
      }
    }
    first_weighed = bins;
    for (const auto& row : rows) {
      if (row.empty()) continue;
      first_weighed = std::min(first_weighed, row.front().bin);
      last_weighed = std::max(last_weighed, row.back().bin);
    }
  }
  void apply(const std::vector<double>& spectrum, std::vector<double>& mel) const {
    mel.assign(rows.size(), 0.0);
    for (std::size_t m = 0; m < rows.size(); ++m) {
      for (const Weight& x : rows[m]) mel[m] += x.w * spectrum[static_cast<std::size_t>(x.bin)];
    }
  }
  void apply_transposed(const std::vector<double>& mel, std::vector<double>& spectrum) const {
    spectrum.assign(static_cast<std::size_t>(bins), 0.0);
    for (std::size_t m = 0; m < rows.size(); ++m) {
      for (const Weight& x : rows[m]) spectrum[static_cast<std::size_t>(x.bin)] += x.w * mel[m];
    }
  }
};

namespace {

double compress(double value, const AudioConfig& a) {
  const double clamped = std::max(value, a.log_floor);
  if (a.compression == "ln") return std::log(clamped);
  if (a.compression == "db") return (a.power == 2 ? 10.0 : 20.0) * std::log10(clamped);
  return std::log10(clamped);
}

bool same_filterbank(const AudioConfig& a, const AudioConfig& b) {
  return a.sample_rate == b.sample_rate && a.n_fft == b.n_fft && a.win_length == b.win_length && a.n_mels == b.n_mels &&
         a.fmin == b.fmin && a.fmax == b.fmax && a.power == b.power;
}

}  // namespace

MelConverter::MelConverter(MelRecipe from, MelRecipe to, int iterations)
    : from_(std::move(from)), to_(std::move(to)), iterations_(iterations), exact_(same_filterbank(from_.audio, to_.audio)) {
  const AudioConfig &a = from_.audio, &b = to_.audio;
  if (a.sample_rate != b.sample_rate || a.hop_length != b.hop_length) {
    throw UserError("mels of " + from_.name + " (" + std::to_string(a.sample_rate) + " Hz, hop " + std::to_string(a.hop_length) +
                    ") and " + to_.name + " (" + std::to_string(b.sample_rate) + " Hz, hop " + std::to_string(b.hop_length) +
                    ") have different frame rates; make the mels again from the audio");
  }
  if (!exact_) {
    source_ = std::make_unique<Sparse>(a);
    target_ = std::make_unique<Sparse>(b);
  }
}

MelConverter::~MelConverter() = default;

double MelConverter::through_spectrum(const std::vector<double>& source, std::vector<double>& target) const {
  const AudioConfig &a = from_.audio, &b = to_.audio;
  std::vector<double> spectrum, numerator, remade, denominator, spectrum_to;
  // Non-negative least squares by multiplicative updates: s <- s * (A^T m) / (A^T A s).
  source_->apply_transposed(source, numerator);
  spectrum.assign(numerator.size(), 1.0);
  for (int it = 0; it < iterations_; ++it) {
    source_->apply(spectrum, remade);
    source_->apply_transposed(remade, denominator);
    for (std::size_t k = 0; k < spectrum.size(); ++k) spectrum[k] *= numerator[k] / std::max(denominator[k], 1e-300);
  }
  source_->apply(spectrum, remade);
  const double db_per_decade = a.power == 2 ? 10.0 : 20.0;
  double error = 0;
  for (std::size_t m = 0; m < source.size(); ++m) {
    error += std::fabs(db_per_decade * (std::log10(std::max(remade[m], a.log_floor)) - std::log10(std::max(source[m], a.log_floor))));
  }
  // Bins no source filter weighs: the nearest weighed bin's value.
  const int first = source_->first_weighed, last = source_->last_weighed;
  if (first <= last) {
    for (int k = 0; k < first; ++k) spectrum[static_cast<std::size_t>(k)] = spectrum[static_cast<std::size_t>(first)];
    for (std::size_t k = static_cast<std::size_t>(last) + 1; k < spectrum.size(); ++k) spectrum[k] = spectrum[static_cast<std::size_t>(last)];
  }
  // Onto the target's bins (their frequencies, linearly interpolated) and power.
  spectrum_to.assign(static_cast<std::size_t>(target_->bins), 0.0);
  for (std::size_t k = 0; k < spectrum_to.size(); ++k) {
    const double position = static_cast<double>(k) * (spectrum.size() - 1) / std::max<std::size_t>(1, spectrum_to.size() - 1);
    const auto low = static_cast<std::size_t>(position);
    const std::size_t high = std::min(low + 1, spectrum.size() - 1);
    double v = spectrum[low] + (position - static_cast<double>(low)) * (spectrum[high] - spectrum[low]);
    if (a.power != b.power) v = b.power == 2 ? v * v : std::sqrt(v);
    spectrum_to[k] = v;
  }
  target_->apply(spectrum_to, target);
  return error / static_cast<double>(source.size());
}

ConvertedMel MelConverter::convert(const std::vector<float>& mel) const {
  const AudioConfig &a = from_.audio, &b = to_.audio;
  const auto n_from = static_cast<std::size_t>(a.n_mels), n_to = static_cast<std::size_t>(b.n_mels);
  if (mel.empty() || mel.size() % n_from != 0) {
    throw UserError("a mel of " + std::to_string(mel.size()) + " values is not whole rows of " + std::to_string(n_from) + " bands (" +
                    from_.name + ")");
  }
  const std::size_t frames = mel.size() / n_from;
  ConvertedMel out;
  out.exact = exact_;
  out.mel.resize(frames * n_to);
  std::vector<double> source(n_from), target(n_to);
  double error_sum = 0;
  for (std::size_t f = 0; f < frames; ++f) {
    // Back to a mel magnitude (or power): through the normaliser, then the log.
    for (std::size_t m = 0; m < n_from; ++m) {
      double v = mel[f * n_from + m];
      if (!from_.mean.empty()) v = v * from_.scale[m] + from_.mean[m];
      source[m] = decompress_mel(v, a);
    }
    if (exact_) {
      target = source;
    } else {
      error_sum += through_spectrum(source, target);
    }
    for (std::size_t m = 0; m < n_to; ++m) {
      double v = compress(target[m], b);
      if (!to_.mean.empty()) v = (v - to_.mean[m]) / to_.scale[m];
      out.mel[f * n_to + m] = static_cast<float>(v);
    }
  }
  out.fit_error_db = exact_ ? 0.0 : error_sum / static_cast<double>(frames);
  return out;
}

}  // namespace wn
