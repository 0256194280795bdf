#pragma once
// A corpus whose listeners' preference is known, for training and testing the rating network
// without real play/like data: short harmonic tones at random pitches whose brightness (how
// slowly the harmonics fall off) is the hidden taste. Each clip gets a play count and a like
// count drawn from that taste plus noise, written as LJSpeech-style metadata
// (`id|played|liked`), so `data.target=popularity` reads them. A few rows carry zero likes or
// plays, as real logs do; preprocess reports and skips them.

#include <cstdint>
#include <filesystem>
#include <vector>

namespace wn::cli {

struct RatingCorpusOptions {
  int clips = 200;
  double seconds = 1.0;
  int sample_rate = 22050;
  uint64_t seed = 7;
  int bad_row_every = 40;  // every Nth row has no likes (0 = none)
};

struct RatingClip {
  double brightness = 0.0;  // the hidden taste, in [0, 1]
  int64_t played = 0, liked = 0;
};

// Writes OUT/wavs/clip_NNNN.wav and OUT/metadata.csv (rewritten atomically; wavs that exist
// are kept: a clip depends only on (seed, index)). Returns the clips in row order.
std::vector<RatingClip> make_rating_corpus(const std::filesystem::path& out, const RatingCorpusOptions& options);

}  // namespace wn::cli
