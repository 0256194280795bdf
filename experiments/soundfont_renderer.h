#pragma once
// Plays a MidiSong through FluidSynth with a General MIDI soundfont, offline and
// deterministically: no audio driver, no reverb or chorus, and a fresh synthesizer per song so
// a take sounds the same whatever was rendered before it (a resumed corpus matches a fresh one).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "experiments/midi_file.h"

namespace wn::cli {

class SoundfontRenderer {
 public:
  // Loads the soundfont once. Throws UserError naming it if it is missing or FluidSynth cannot
  // load it. Silences FluidSynth's own logging (its errors go to our log as warnings).
  SoundfontRenderer(const std::filesystem::path& soundfont, int sample_rate);
  ~SoundfontRenderer();
  SoundfontRenderer(const SoundfontRenderer&) = delete;
  SoundfontRenderer& operator=(const SoundfontRenderer&) = delete;

  // Exactly `frames` mono samples (left and right averaged) of the song from tick 0; notes
  // still sounding at the end are cut off.
  std::vector<float> render(const MidiSong& song, int64_t frames) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace wn::cli
