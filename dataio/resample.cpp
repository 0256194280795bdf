#include "dataio/resample.h"

#include <soxr.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace wn {

std::vector<float> resample(const std::vector<float>& input, int from_rate, int to_rate) {
  if (from_rate == to_rate || input.empty()) return input;
  const auto out_len = static_cast<std::size_t>(
      std::llround(static_cast<double>(input.size()) * to_rate / from_rate));
  std::vector<float> output(out_len);
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  std::size_t done = 0;
  const soxr_error_t error = soxr_oneshot(from_rate, to_rate, 1, input.data(), input.size(),
                                          nullptr, output.data(), out_len, &done, &io, &quality,
                                          nullptr);
  if (error) throw std::runtime_error(std::string("soxr resampling failed: ") + error);
  output.resize(done);
  output.resize(out_len, 0.0f);  // soxr may deliver a sample short of the exact length
  return output;
}

}  // namespace wn
