#pragma once
// A minimal Standard MIDI File writer: format 1, one tempo track plus one track per channel
// with its program and notes. Enough for people to open our generated music in any sequencer,
// and the same note lists drive the synthesizer, so the file is what was heard.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace wn::cli {

struct MidiNote {
  int pitch = 60;  // 0..127, 60 = middle C
  int start_tick = 0;
  int duration_ticks = 0;
  int velocity = 100;  // 1..127
};

struct MidiTrack {
  std::string name;
  int channel = 0;  // 0..15; 9 is the General MIDI drum channel
  int program = 0;  // General MIDI program 0..127 (for the drum channel: the kit)
  std::vector<MidiNote> notes;
};

struct MidiSong {
  int ticks_per_quarter = 480;
  double bpm = 120.0;
  std::vector<MidiTrack> tracks;
};

// A note switching on or off, for writers and players that walk a track in time order.
struct MidiNoteEvent {
  int tick = 0;
  bool on = false;
  int channel = 0;
  int pitch = 0;
  int velocity = 0;
};

// The track's notes as on/off events sorted by tick; at equal ticks offs come first, so a note
// repeated back to back is released before it is struck again.
std::vector<MidiNoteEvent> note_events(const MidiTrack& track);
// Every track's events merged in the same order.
std::vector<MidiNoteEvent> note_events(const MidiSong& song);

// Seconds per tick at the song's tempo.
double seconds_per_tick(const MidiSong& song);

// The complete file's bytes. Throws UserError naming the track for values MIDI cannot hold.
std::string encode_midi_file(const MidiSong& song);

// Writes encode_midi_file(song) atomically (temporary file + rename).
void write_midi_file(const std::filesystem::path& path, const MidiSong& song);

}  // namespace wn::cli
