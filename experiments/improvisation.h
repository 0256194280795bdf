#pragma once
// The music of the music corpus, as notes (no audio): one fixed backing loop in A minor
// (strings, bass, drums over Am F C G, a chord every two beats at 120 bpm, so the loop is
// 2 bars = 4 s) and seeded random melodies over it. Every take shares the backing, so what a
// model must learn to tell apart is the lead instrument and its line.

#include <cstdint>
#include <string>
#include <vector>

#include "experiments/midi_file.h"

namespace wn::cli {

inline constexpr int kMusicTicksPerQuarter = 480;
inline constexpr double kMusicBpm = 120.0;
inline constexpr int kTicksPerChord = 2 * kMusicTicksPerQuarter;

struct LeadInstrument {
  std::string name;  // folder name, the corpus label
  int program = 0;   // General MIDI program
  int low_pitch = 60;
  int high_pitch = 84;  // inclusive; the melody stays within what the instrument plays well
};

// piano, flute, guitar, sax (in this order; a corpus of N instruments takes the first N).
const std::vector<LeadInstrument>& lead_instruments();

// A natural minor: A B C D E F G. Every chord of the loop lies inside it.
bool in_music_scale(int pitch);

// Pitch classes (0 = C) of the chord sounding at `tick`.
std::vector<int> chord_pitch_classes_at(int tick);

// Ticks in `seconds` at the corpus tempo (at least one eighth note).
int music_ticks_for_seconds(double seconds);

// A random melody of `length_ticks` for `lead`: scale notes only, chord tones favoured on the
// beats (nearly always on the chord changes), eighths to halves with dotted values and rests,
// a random walk in the instrument's range. Same seed, same notes.
std::vector<MidiNote> improvise(const LeadInstrument& lead, int length_ticks, uint64_t seed);

// The backing loop cut to `length_ticks` plus improvise(...) on channel 0.
MidiSong improvisation_song(const LeadInstrument& lead, int length_ticks, uint64_t seed);

}  // namespace wn::cli
