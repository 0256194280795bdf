// The music corpus: melodies (deterministic, in the scale, in range), the MIDI writer's bytes,
// and a small corpus rendered with FluidSynth (lengths, loudness, resume).

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "core/errors.h"
#include "dataio/audio_io.h"
#include "experiments/improvisation.h"
#include "experiments/midi_file.h"
#include "experiments/music_corpus.h"
#include "tests/test_support.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

bool same_notes(const std::vector<MidiNote>& a, const std::vector<MidiNote>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].pitch != b[i].pitch || a[i].start_tick != b[i].start_tick ||
        a[i].duration_ticks != b[i].duration_ticks || a[i].velocity != b[i].velocity) {
      return false;
    }
  }
  return true;
}

uint32_t big_endian(const std::string& bytes, std::size_t at, int count) {
  uint32_t value = 0;
  for (int i = 0; i < count; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[at + static_cast<std::size_t>(i)]);
  return value;
}

TEST(MusicCorpus, ImprovisationIsDeterministicPerSeed) {
  const LeadInstrument& flute = lead_instruments()[1];
  const int ticks = music_ticks_for_seconds(4.0);
  const auto first = improvise(flute, ticks, 7);
  EXPECT_GT(first.size(), 4u);
  EXPECT_TRUE(same_notes(first, improvise(flute, ticks, 7)));
  EXPECT_FALSE(same_notes(first, improvise(flute, ticks, 8)));
  EXPECT_NE(music_take_seed(1, 0, 0), music_take_seed(1, 0, 1));
  EXPECT_NE(music_take_seed(1, 0, 1), music_take_seed(1, 1, 0));
}

TEST(MusicCorpus, LeadNotesStayInScaleRangeAndTake) {
  const std::set<int> a_minor = {9, 11, 0, 2, 4, 5, 7};
  const int ticks = music_ticks_for_seconds(4.0);
  int on_changes = 0, chord_tones_on_changes = 0;
  for (const LeadInstrument& lead : lead_instruments()) {
    for (uint64_t seed = 0; seed < 50; ++seed) {
      for (const MidiNote& n : improvise(lead, ticks, seed)) {
        EXPECT_EQ(a_minor.count(n.pitch % 12), 1u) << lead.name << " pitch " << n.pitch;
        EXPECT_GE(n.pitch, lead.low_pitch) << lead.name;
        EXPECT_LE(n.pitch, lead.high_pitch) << lead.name;
        EXPECT_GT(n.duration_ticks, 0);
        EXPECT_LE(n.start_tick + n.duration_ticks, ticks);
        if (n.start_tick % kTicksPerChord != 0) continue;
        ++on_changes;
        const auto chord = chord_pitch_classes_at(n.start_tick);
        chord_tones_on_changes += std::count(chord.begin(), chord.end(), n.pitch % 12) > 0;
      }
    }
  }
  EXPECT_GT(chord_tones_on_changes, on_changes * 8 / 10) << "chord tones should dominate the chord changes";
}

TEST(MusicCorpus, MidiFileHasValidChunks) {
  test::TempDir dir;
  MidiSong song;  // 480 ticks per quarter, 120 bpm
  song.tracks = {MidiTrack{"lead", 0, 73, {{60, 200, 100, 90}}}, MidiTrack{"drums", 9, 0, {{36, 0, 120, 100}}}};
  const fs::path path = dir / "song.mid";
  write_midi_file(path, song);
  const std::string bytes = test::read_text(path);
  ASSERT_GE(bytes.size(), 14u);
  EXPECT_EQ(bytes.substr(0, 4), "MThd");
  EXPECT_EQ(big_endian(bytes, 4, 4), 6u);
  EXPECT_EQ(big_endian(bytes, 8, 2), 1u);    // format 1
  EXPECT_EQ(big_endian(bytes, 10, 2), 3u);   // tempo track + 2
  EXPECT_EQ(big_endian(bytes, 12, 2), 480u);
  std::vector<std::string> tracks;
  for (std::size_t at = 14; at < bytes.size();) {
    ASSERT_LE(at + 8, bytes.size());
    ASSERT_EQ(bytes.substr(at, 4), "MTrk");
    const uint32_t length = big_endian(bytes, at + 4, 4);
    ASSERT_LE(at + 8 + length, bytes.size()) << "chunk length runs past the file";
    tracks.push_back(bytes.substr(at + 8, length));
    at += 8 + length;
  }
  ASSERT_EQ(tracks.size(), 3u);
  for (const std::string& t : tracks) EXPECT_EQ(t.substr(t.size() - 3), std::string("\xff\x2f\x00", 3));
  EXPECT_EQ(tracks[0].substr(0, 7), std::string("\x00\xff\x51\x03\x07\xa1\x20", 7));  // 500000 us per quarter
  // Name, program 73, note on after a delta of 200 (two varlen bytes), off 100 later, end.
  const std::string lead = std::string("\x00\xff\x03\x04lead\x00\xc0\x49", 11) + "\x81\x48\x90\x3c\x5a" +
                           std::string("\x64\x80\x3c\x40\x00\xff\x2f\x00", 8);
  EXPECT_EQ(tracks[1], lead);
}

TEST(MusicCorpus, RendersLabelledTakesAndResumes) {
  test::TempDir dir;
  MusicCorpusOptions options;
  options.takes_per_instrument = 2;
  options.instruments = 3;
  options.seconds = 1.0;
  ASSERT_EQ(make_music_corpus(dir.path(), options), 6);
  std::vector<fs::path> wavs;
  for (const char* name : {"piano", "flute", "guitar"}) {
    for (const char* take : {"_000", "_001"}) {
      const fs::path wav = dir / (std::string(name) + "/" + name + take + ".wav");
      ASSERT_TRUE(fs::exists(wav)) << wav;
      EXPECT_TRUE(fs::exists(fs::path(wav).replace_extension(".mid"))) << wav;
      wavs.push_back(wav);
    }
  }
  for (const fs::path& wav : wavs) {
    const AudioInfo info = probe_audio(wav);
    EXPECT_EQ(info.frames, 16000) << wav;
    EXPECT_EQ(info.sample_rate, 16000);
    EXPECT_EQ(info.channels, 1);
    double energy = 0;
    for (float s : read_audio_mono(wav).samples) energy += double{s} * s;
    EXPECT_GT(std::sqrt(energy / 16000), 0.02) << wav << " is nearly silent";
  }
  const auto written = fs::last_write_time(wavs[0]);
  const std::string second_take = test::read_text(wavs[1]);
  fs::remove(wavs[1]);
  ASSERT_EQ(make_music_corpus(dir.path(), options), 6);
  EXPECT_EQ(fs::last_write_time(wavs[0]), written) << "an existing take was rewritten";
  EXPECT_EQ(test::read_text(wavs[1]), second_take) << "a resumed take differs from the first run's";
}

TEST(MusicCorpus, MissingSoundfontIsAUserErrorNamingIt) {
  test::TempDir dir;
  MusicCorpusOptions options;
  options.soundfont = dir / "no_such.sf2";
  try {
    make_music_corpus(dir / "out", options);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such.sf2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace wn::cli
