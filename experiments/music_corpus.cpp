#include "experiments/music_corpus.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/log.h"
#include "dataio/audio_io.h"
#include "experiments/improvisation.h"
#include "experiments/midi_file.h"
#include "experiments/soundfont_renderer.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

void validate(const MusicCorpusOptions& options) {
  const int leads = static_cast<int>(lead_instruments().size());
  if (options.instruments < 1 || options.instruments > leads) {
    throw UserError("music corpus: instruments must be 1.." + std::to_string(leads) + ", got " +
                    std::to_string(options.instruments));
  }
  if (options.takes_per_instrument < 0) throw UserError("music corpus: takes per instrument must be >= 0");
  if (!(options.seconds > 0.0 && options.seconds <= 600.0)) {
    throw UserError("music corpus: seconds per take must be in (0, 600], got " + std::to_string(options.seconds));
  }
  if (options.sample_rate < 8000 || options.sample_rate > 96000) {
    throw UserError("music corpus: sample rate must be 8000..96000 Hz, got " + std::to_string(options.sample_rate));
  }
  if (!fs::is_regular_file(options.soundfont)) {
    throw UserError(options.soundfont.string() + ": soundfont not found (package fluid-soundfont-gm; run ./setup.sh)");
  }
}

std::string take_name(const std::string& instrument, int take) {
  char number[16];
  std::snprintf(number, sizeof number, "%03d", take);
  return instrument + "_" + number;
}

// A 10 ms fade, so a note cut off by the end of the take does not end in a click.
void fade_out(std::vector<float>& samples, int sample_rate) {
  const std::size_t n = std::min(samples.size(), static_cast<std::size_t>(sample_rate / 100));
  for (std::size_t i = 0; i < n; ++i) {
    samples[samples.size() - 1 - i] *= static_cast<float>(i) / static_cast<float>(n);
  }
}

// splitmix64's finaliser: nearby inputs (take 3, take 4) give unrelated seeds.
uint64_t scramble(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t music_take_seed(uint64_t corpus_seed, int instrument, int take) {
  return scramble(scramble(scramble(corpus_seed) ^ static_cast<uint64_t>(instrument)) ^ static_cast<uint64_t>(take));
}

int make_music_corpus(const fs::path& out, const MusicCorpusOptions& options) {
  validate(options);
  const int ticks = music_ticks_for_seconds(options.seconds);
  const auto frames = static_cast<int64_t>(std::llround(options.seconds * options.sample_rate));
  std::optional<SoundfontRenderer> renderer;  // loaded at the first missing take: a finished corpus needs none
  int files = 0, rendered = 0;
  for (int i = 0; i < options.instruments; ++i) {
    const LeadInstrument& lead = lead_instruments()[static_cast<std::size_t>(i)];
    fs::create_directories(out / lead.name);
    for (int take = 0; take < options.takes_per_instrument; ++take) {
      const fs::path wav = out / lead.name / (take_name(lead.name, take) + ".wav");
      ++files;
      if (fs::exists(wav)) continue;
      if (!renderer) renderer.emplace(options.soundfont, options.sample_rate);
      const MidiSong song = improvisation_song(lead, ticks, music_take_seed(options.seed, i, take));
      // The .mid first: a wav on disk always has its notes beside it.
      write_midi_file(fs::path(wav).replace_extension(".mid"), song);
      std::vector<float> audio = renderer->render(song, frames);
      fade_out(audio, options.sample_rate);
      write_wav(wav, audio, options.sample_rate);
      ++rendered;
    }
  }
  if (rendered > 0) WN_LOG(info) << "music corpus: rendered " << rendered << " takes into " << out.string();
  return files;
}

}  // namespace wn::cli
