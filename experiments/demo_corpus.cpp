#include "experiments/demo_corpus.h"

#include <sys/wait.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/log.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kSentences = {
    "The quick brown fox jumps over the lazy dog.",
    "A WaveNet generates raw audio one sample at a time.",
    "Researchers train neural vocoders on large corpora of recorded speech.",
    "Mel spectrograms summarise the energy of speech in perceptual bands.",
    "The dilated convolutions double their reach at every layer.",
    "Caching past activations makes generation fast enough for real time.",
    "She sells sea shells by the sea shore on a sunny afternoon.",
    "Twelve thousand samples every second add up to a lot of arithmetic.",
    "Please call Stella and ask her to bring these things from the store.",
    "The rainbow is a division of white light into many beautiful colours.",
    "An evaluation compares generated audio with the original recording.",
    "Griffin and Lim estimated the phase of a spectrogram by iteration."};

const std::vector<std::string> kVoices = {"en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "de", "fr", "es", "it"};

bool have_espeak() { return std::system("command -v espeak-ng > /dev/null 2>&1") == 0; }

// espeak-ng -v VOICE -s SPEED -w FILE TEXT, without a shell (the text is an argument).
bool speak(const std::string& voice, int speed, const std::string& text, const fs::path& out) {
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string rate = std::to_string(speed);
    execlp("espeak-ng", "espeak-ng", "-v", voice.c_str(), "-s", rate.c_str(), "-w", out.c_str(), text.c_str(),
           static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(out) && fs::file_size(out) > 44;
}

}  // namespace

int make_demo_corpus(const fs::path& dir, const DemoCorpusOptions& options) {
  if (!have_espeak()) throw UserError("espeak-ng not found: the demo speaks its own corpus (run ./setup.sh)");
  int files = 0, voices = 0;
  for (const std::string& voice : kVoices) {
    if (voices == options.voices) break;
    const fs::path voice_dir = dir / voice;
    fs::create_directories(voice_dir);
    int made = 0;
    for (int i = 0; i < options.sentences && i < static_cast<int>(kSentences.size()); ++i) {
      const fs::path wav = voice_dir / (std::to_string(i) + ".wav");
      if (fs::exists(wav) || speak(voice, 140 + 7 * i, kSentences[static_cast<std::size_t>(i)], wav)) ++made;
    }
    if (made == 0) {
      WN_LOG(warn) << "espeak-ng has no voice " << voice << "; skipped";
      fs::remove_all(voice_dir);
      continue;
    }
    files += made;
    ++voices;
  }
  // Real recordings when the machine has them (Debian's alsa-utils ships a few).
  const fs::path alsa = "/usr/share/sounds/alsa";
  if (fs::is_directory(alsa)) {
    fs::create_directories(dir / "alsa");
    for (const auto& e : fs::directory_iterator(alsa)) {
      if (e.path().extension() != ".wav") continue;
      const fs::path target = dir / "alsa" / e.path().filename();
      if (!fs::exists(target)) fs::copy_file(e.path(), target);
      ++files;
    }
  }
  return files;
}

}  // namespace wn::cli
