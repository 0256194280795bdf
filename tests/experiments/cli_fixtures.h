#pragma once
// Running the wavenet executable as a user does, and a small trained run to synthesise from.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config/config_io.h"
#include "dataio/audio_io.h"
#include "tests/nets/training_fixtures.h"
#include "tests/test_support.h"

namespace wn {

// Exit status of `wavenet ARGS`, stdout and stderr in `log`.
inline int run(const std::string& args, const std::filesystem::path& log) {
  const std::string command = std::string("'") + WAVENET_EXE + "' " + args + " > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Trains two steps of a small model into dir/run, on a small corpus in dir/data.
inline Config train_small_model(const test::TempDir& dir, const std::vector<std::string>& overrides,
                                Config (*make)(std::vector<std::string>) = test::small_training_config) {
  std::vector<std::string> all = {"train.max_steps=2", "train.checkpoint_every=2"};
  all.insert(all.end(), overrides.begin(), overrides.end());
  const Config config = make(all);
  test::write_small_corpus(dir / "data", config);
  test::write_text(dir / "config.yaml", config_to_yaml(config));
  EXPECT_EQ(run("--log-level warn train --data " + (dir / "data").string() + " --run-dir " + (dir / "run").string() +
                    " --config " + (dir / "config.yaml").string(),
                dir / "train.log"),
            0)
      << test::read_text(dir / "train.log");
  return config;
}

inline std::vector<float> wav_samples(const std::filesystem::path& path) { return read_audio_mono(path).samples; }

}  // namespace wn
