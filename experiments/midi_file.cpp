#include "experiments/midi_file.h"

#include <algorithm>
#include <cmath>

#include "core/atomic_file.h"
#include "core/errors.h"

namespace wn::cli {
namespace {

void require(bool ok, const std::string& where, const std::string& what) {
  if (!ok) throw UserError("MIDI " + where + ": " + what);
}

void validate(const MidiSong& song) {
  require(song.ticks_per_quarter >= 1 && song.ticks_per_quarter <= 0x7fff, "song",
          "ticks per quarter must be 1..32767, got " + std::to_string(song.ticks_per_quarter));
  require(song.bpm >= 1.0 && song.bpm <= 1000.0, "song", "tempo must be 1..1000 bpm");
  require(song.tracks.size() < 0xffff, "song", "too many tracks");
  for (const MidiTrack& t : song.tracks) {
    const std::string where = "track '" + t.name + "'";
    require(t.channel >= 0 && t.channel <= 15, where, "channel must be 0..15");
    require(t.program >= 0 && t.program <= 127, where, "program must be 0..127");
    for (const MidiNote& n : t.notes) {
      require(n.pitch >= 0 && n.pitch <= 127, where, "pitch " + std::to_string(n.pitch) + " is not 0..127");
      require(n.velocity >= 1 && n.velocity <= 127, where, "velocity must be 1..127");
      require(n.start_tick >= 0 && n.duration_ticks >= 0, where, "negative time");
      require(int64_t{n.start_tick} + n.duration_ticks <= 0x0fffffff, where, "note ends too late");
    }
  }
}

void put_be(std::string& out, uint32_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}

// Delta times: 7 bits per byte, most significant group first, high bit set on all but the last.
void put_varlen(std::string& out, uint32_t value) {
  char groups[4];
  int count = 0;
  do {
    groups[count++] = static_cast<char>(value & 0x7f);
    value >>= 7;
  } while (value != 0);
  while (count > 1) out += static_cast<char>(groups[--count] | 0x80);
  out += groups[0];
}

// Appends one event (its delta from the previous one, then its bytes) to a track body.
class TrackWriter {
 public:
  void event(int tick, std::initializer_list<uint8_t> bytes) {
    put_varlen(body_, static_cast<uint32_t>(tick - last_tick_));
    last_tick_ = tick;
    for (uint8_t b : bytes) body_ += static_cast<char>(b);
  }
  void meta(int tick, uint8_t type, const std::string& data) {
    event(tick, {0xff, type});
    put_varlen(body_, static_cast<uint32_t>(data.size()));
    body_ += data;
  }
  // Closes the track and appends it as an MTrk chunk.
  void finish(std::string& file) {
    meta(last_tick_, 0x2f, "");
    file += "MTrk";
    put_be(file, static_cast<uint32_t>(body_.size()), 4);
    file += body_;
  }

 private:
  std::string body_;
  int last_tick_ = 0;
};

// By tick; at equal ticks offs first (see note_events in the header).
void sort_events(std::vector<MidiNoteEvent>& events) {
  std::stable_sort(events.begin(), events.end(), [](const MidiNoteEvent& a, const MidiNoteEvent& b) {
    return a.tick != b.tick ? a.tick < b.tick : (!a.on && b.on);
  });
}

void write_tempo_track(const MidiSong& song, std::string& file) {
  TrackWriter track;
  std::string tempo;
  put_be(tempo, static_cast<uint32_t>(std::lround(60e6 / song.bpm)), 3);  // microseconds per quarter
  track.meta(0, 0x51, tempo);
  track.meta(0, 0x58, std::string{4, 2, 24, 8});  // 4/4, metronome every quarter, 8 32nds per quarter
  track.finish(file);
}

void write_note_track(const MidiTrack& t, std::string& file) {
  TrackWriter track;
  track.meta(0, 0x03, t.name);
  const auto channel = static_cast<uint8_t>(t.channel);
  track.event(0, {static_cast<uint8_t>(0xc0 | channel), static_cast<uint8_t>(t.program)});
  for (const MidiNoteEvent& e : note_events(t)) {
    const auto status = static_cast<uint8_t>((e.on ? 0x90 : 0x80) | channel);
    track.event(e.tick, {status, static_cast<uint8_t>(e.pitch), static_cast<uint8_t>(e.velocity)});
  }
  track.finish(file);
}

}  // namespace

std::vector<MidiNoteEvent> note_events(const MidiTrack& track) {
  std::vector<MidiNoteEvent> events;
  events.reserve(2 * track.notes.size());
  for (const MidiNote& n : track.notes) {
    if (n.duration_ticks <= 0) continue;  // silent anyway, and its off would sort before its on
    events.push_back({n.start_tick, true, track.channel, n.pitch, n.velocity});
    events.push_back({n.start_tick + n.duration_ticks, false, track.channel, n.pitch, 64});
  }
  sort_events(events);
  return events;
}

std::vector<MidiNoteEvent> note_events(const MidiSong& song) {
  std::vector<MidiNoteEvent> events;
  for (const MidiTrack& track : song.tracks) {
    const std::vector<MidiNoteEvent> more = note_events(track);
    events.insert(events.end(), more.begin(), more.end());
  }
  sort_events(events);
  return events;
}

double seconds_per_tick(const MidiSong& song) { return 60.0 / (song.bpm * song.ticks_per_quarter); }

std::string encode_midi_file(const MidiSong& song) {
  validate(song);
  std::string file = "MThd";
  put_be(file, 6, 4);
  put_be(file, 1, 2);  // format 1: simultaneous tracks, the first one holding the tempo
  put_be(file, static_cast<uint32_t>(song.tracks.size() + 1), 2);
  put_be(file, static_cast<uint32_t>(song.ticks_per_quarter), 2);
  write_tempo_track(song, file);
  for (const MidiTrack& track : song.tracks) write_note_track(track, file);
  return file;
}

void write_midi_file(const std::filesystem::path& path, const MidiSong& song) {
  write_file_atomically(path, encode_midi_file(song));
}

}  // namespace wn::cli
