#pragma once
// A music corpus for training a SampleRNN on a small budget: seeded improvisations by several
// lead instruments over one fixed backing loop (see improvisation.h), rendered with FluidSynth
// and a General MIDI soundfont into one folder per instrument, so instruments become labels.
// Each wav has its .mid beside it, the very notes that were rendered, for anyone to open.

#include <cstdint>
#include <filesystem>

namespace wn::cli {

struct MusicCorpusOptions {
  int takes_per_instrument = 12;
  int instruments = 3;   // the first N of lead_instruments() (at most 4)
  double seconds = 4.0;  // per take; 4 s is the whole backing loop once at 120 bpm
  int sample_rate = 16000;
  uint64_t seed = 1;
  std::filesystem::path soundfont = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
};

// Writes OUT/<instrument>/<instrument>_<NNN>.wav (mono 16-bit) and .mid. Files that already
// exist are kept, and a take's notes depend only on (seed, instrument, take), so a rerun
// resumes an interrupted corpus with the same files a single run would have made. Returns the
// number of wav files present. Throws UserError naming the soundfont if it is missing, and for
// options out of range.
int make_music_corpus(const std::filesystem::path& out, const MusicCorpusOptions& options);

// The seed of one take's melody.
uint64_t music_take_seed(uint64_t corpus_seed, int instrument, int take);

}  // namespace wn::cli
