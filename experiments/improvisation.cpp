#include "experiments/improvisation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <random>

#include "core/errors.h"

namespace wn::cli {
namespace {

constexpr int kQuarter = kMusicTicksPerQuarter;
constexpr int kEighth = kQuarter / 2;
constexpr int kBar = 4 * kQuarter;
// The backing is played softly (lower velocities throughout) so the lead, the label, is on top.
constexpr int kPadVelocity = 40;

struct Chord {
  int bass_root;                     // MIDI pitch
  std::array<int, 3> pad;            // MIDI pitches, close voicing
  std::array<int, 3> pitch_classes;  // 0 = C
};

// Am F C G, voiced around middle C so the strings move by step from chord to chord.
const std::array<Chord, 4> kLoop = {{
    {45, {57, 60, 64}, {9, 0, 4}},
    {41, {57, 60, 65}, {5, 9, 0}},
    {48, {55, 60, 64}, {0, 4, 7}},
    {43, {55, 59, 62}, {7, 11, 2}},
}};

const Chord& chord_at(int tick) { return kLoop[static_cast<std::size_t>(tick / kTicksPerChord) % kLoop.size()]; }

// mt19937_64's sequence is fixed by the standard but the std distributions are not, so the
// draws go through these to give the same corpus with any standard library.
class Dice {
 public:
  explicit Dice(uint64_t seed) : engine_(seed) {}
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  int below(int n) { return static_cast<int>(unit() * n); }
  bool chance(double p) { return unit() < p; }
  template <std::size_t N>
  int weighted(const std::array<int, N>& weights) {
    int total = 0;
    for (int w : weights) total += w;
    int r = below(total);
    for (std::size_t i = 0; i < N; ++i) {
      if (r < weights[i]) return static_cast<int>(i);
      r -= weights[i];
    }
    return static_cast<int>(N) - 1;
  }

 private:
  std::mt19937_64 engine_;
};

// Notes are cut at the end of the take; a note that would start after it is dropped.
void add_note(std::vector<MidiNote>& notes, int pitch, int start, int duration, int velocity, int end) {
  if (start >= end) return;
  notes.push_back({pitch, start, std::min(duration, end - start), std::clamp(velocity, 1, 127)});
}

MidiTrack pad_track(int length) {
  MidiTrack track{"strings", 1, 48, {}};
  for (int tick = 0; tick < length; tick += kTicksPerChord) {
    for (int pitch : chord_at(tick).pad) add_note(track.notes, pitch, tick, kTicksPerChord - 20, kPadVelocity, length);
  }
  return track;
}

// Root on the chord change, then fifth and octave as eighths leading into the next chord.
MidiTrack bass_track(int length) {
  MidiTrack track{"bass", 2, 33, {}};
  for (int tick = 0; tick < length; tick += kTicksPerChord) {
    const int root = chord_at(tick).bass_root;
    add_note(track.notes, root, tick, kQuarter - 40, 64, length);
    add_note(track.notes, root + 7, tick + kQuarter, kEighth - 20, 52, length);
    add_note(track.notes, root + 12, tick + kQuarter + kEighth, kEighth - 20, 52, length);
  }
  return track;
}

// Kick on 1 and 3, snare on 2 and 4, closed hi-hat on every eighth.
MidiTrack drum_track(int length) {
  MidiTrack track{"drums", 9, 0, {}};
  constexpr int kKick = 36, kSnare = 38, kHat = 42;
  for (int tick = 0; tick < length; tick += kEighth) {
    const bool on_beat = tick % kQuarter == 0;
    add_note(track.notes, kHat, tick, kEighth / 2, on_beat ? 50 : 35, length);
    if (!on_beat) continue;
    const bool downbeat = (tick % kBar / kQuarter) % 2 == 0;
    add_note(track.notes, downbeat ? kKick : kSnare, tick, kEighth / 2, downbeat ? 85 : 75, length);
  }
  return track;
}

bool is_chord_tone(int pitch, int tick) {
  const auto& classes = chord_at(tick).pitch_classes;
  return std::find(classes.begin(), classes.end(), pitch % 12) != classes.end();
}

// The index nearest `index` in `scale` whose pitch belongs to the chord at `tick`.
int nearest_chord_tone(const std::vector<int>& scale, int index, int tick) {
  const int size = static_cast<int>(scale.size());
  for (int distance = 0; distance < size; ++distance) {
    for (int candidate : {index + distance, index - distance}) {
      if (candidate >= 0 && candidate < size && is_chord_tone(scale[static_cast<std::size_t>(candidate)], tick)) {
        return candidate;
      }
    }
  }
  return index;
}

// One step of the contour: mostly seconds and thirds, now and then a leap, and pulled back
// toward the middle of the range (more strongly the further out it is) so it does not stick to
// an edge.
int walk(Dice& dice, int index, int size) {
  static const std::array<int, 9> kStepWeights = {2, 4, 10, 28, 8, 28, 10, 4, 2};  // -4..+4 scale steps
  int step = dice.weighted(kStepWeights) - 4;
  const int from_middle = index - size / 2;
  if (from_middle * step > 0 && dice.chance(2.0 * std::abs(from_middle) / size)) step = -step;
  const int next = index + step;
  return std::clamp(next >= 0 && next < size ? next : index - step, 0, size - 1);
}

}  // namespace

const std::vector<LeadInstrument>& lead_instruments() {
  static const std::vector<LeadInstrument> leads = {
      {"piano", 0, 60, 84}, {"flute", 73, 67, 91}, {"guitar", 26, 52, 76}, {"sax", 65, 55, 79}};
  return leads;
}

bool in_music_scale(int pitch) {
  static const std::array<bool, 12> kMember = {true,  false, true,  false, true,  true,  // C .. F
                                                false, true,  false, true,  false, true};  // F# .. B
  return pitch >= 0 && kMember[static_cast<std::size_t>(pitch % 12)];
}

std::vector<int> chord_pitch_classes_at(int tick) {
  const auto& classes = chord_at(tick).pitch_classes;
  return {classes.begin(), classes.end()};
}

int music_ticks_for_seconds(double seconds) {
  return std::max(kEighth, static_cast<int>(std::lround(seconds * kMusicBpm / 60.0 * kQuarter)));
}

std::vector<MidiNote> improvise(const LeadInstrument& lead, int length_ticks, uint64_t seed) {
  std::vector<int> scale;
  for (int pitch = lead.low_pitch; pitch <= lead.high_pitch; ++pitch) {
    if (in_music_scale(pitch)) scale.push_back(pitch);
  }
  if (scale.empty()) throw UserError("lead instrument " + lead.name + ": no scale note in its range");
  const int size = static_cast<int>(scale.size());
  // Note values in eighths: eighth, quarter, dotted quarter, half.
  static const std::array<int, 4> kValues = {1, 2, 3, 4};
  static const std::array<int, 4> kValueWeights = {44, 32, 14, 10};
  Dice dice(seed);
  int index = nearest_chord_tone(scale, size / 2, 0);
  std::vector<MidiNote> notes;
  for (int tick = 0; tick < length_ticks;) {
    if (tick > 0 && dice.chance(0.12)) {  // a rest of an eighth or a quarter
      tick += kEighth * (1 + dice.below(2));
      continue;
    }
    const int value = kValues[static_cast<std::size_t>(dice.weighted(kValueWeights))] * kEighth;
    if (!notes.empty()) index = walk(dice, index, size);
    const bool change = tick % kTicksPerChord == 0, beat = tick % kQuarter == 0;
    if (change ? dice.chance(0.9) : beat && dice.chance(0.5)) index = nearest_chord_tone(scale, index, tick);
    const int accent = change ? 112 : beat ? 102 : 92;
    // Nine tenths of the value, so repeated pitches are heard as separate notes.
    add_note(notes, scale[static_cast<std::size_t>(index)], tick, value * 9 / 10, accent + dice.below(13) - 6,
             length_ticks);
    tick += value;
  }
  return notes;
}

MidiSong improvisation_song(const LeadInstrument& lead, int length_ticks, uint64_t seed) {
  MidiSong song;
  song.ticks_per_quarter = kMusicTicksPerQuarter;
  song.bpm = kMusicBpm;
  song.tracks = {MidiTrack{lead.name, 0, lead.program, improvise(lead, length_ticks, seed)}, pad_track(length_ticks),
                 bass_track(length_ticks), drum_track(length_ticks)};
  return song;
}

}  // namespace wn::cli
