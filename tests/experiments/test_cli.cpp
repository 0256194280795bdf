// The `wavenet` program as a user meets it: exit codes, one-line errors, help and config show.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>

#include "core/config/config_io.h"
#include "tests/test_support.h"

namespace wn {
namespace {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

RunResult run_wavenet(const std::string& arguments) {
  test::TempDir dir;
  const std::string command = std::string("cd '") + WAVENET_SOURCE_DIR + "' && '" + WAVENET_EXE +
                              "' " + arguments + " > '" + (dir / "out").string() + "' 2> '" +
                              (dir / "err").string() + "'";
  const int status = std::system(command.c_str());
  RunResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = test::read_text(dir / "out");
  result.err = test::read_text(dir / "err");
  return result;
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// A user error: exit 2 and exactly one line on stderr that contains `needle`.
void expect_user_error(const std::string& arguments, const std::string& needle) {
  const RunResult r = run_wavenet(arguments);
  EXPECT_EQ(r.exit_code, 2) << arguments << "\nstderr: " << r.err;
  EXPECT_EQ(count_lines(r.err), 1u) << arguments << "\nstderr: " << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << arguments << "\nstderr: " << r.err;
  EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
}

TEST(Cli, HelpListsSubcommands) {
  const RunResult r = run_wavenet("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("config"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("selfcheck"), std::string::npos) << r.out;
}

TEST(Cli, EverySubcommandHasHelp) {
  for (const std::string sub : {"config", "config show", "selfcheck", "preprocess", "train", "synth", "eval", "demo", "bench",
                                "bench preprocess", "bench loader", "bench train", "bench kernels"}) {
    const RunResult r = run_wavenet(sub + " --help");
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << sub << ": " << r.out;
  }
}

TEST(Cli, VersionNamesProgramAndLibTorch) {
  const RunResult r = run_wavenet("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("wavenet 0."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("LibTorch"), std::string::npos) << r.out;
}

TEST(Cli, BadInvocationsAreOneLineUserErrors) {
  expect_user_error("", "subcommand");
  expect_user_error("--bogus", "--bogus");
  expect_user_error("frobnicate", "frobnicate");
  expect_user_error("--log-level loud config show", "log level");
  expect_user_error("config show --config /no/such.yaml", "/no/such.yaml: config file not found");
  expect_user_error("config show --config nosuchpreset", "'nosuchpreset' is neither a file nor a preset");
  expect_user_error("config show model.kernel_size=5", "model.kernel_size must be 2 or 3, got 5");
  expect_user_error("config show model.layrs=3", "did you mean 'model.layers'?");
  expect_user_error("config show stray", "unexpected argument 'stray'");
}

TEST(Cli, ConfigShowAppliesOverridesToFile) {
  const RunResult r = run_wavenet("config show --config configs/mol24.yaml model.layers=30");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Config shown = config_from_yaml(r.out, "stdout");
  EXPECT_EQ(shown.model.layers, 30);
  EXPECT_EQ(shown.model.output, "mol");
  // Four cycles of dilations 1..64 and two more layers (1, 2), kernel 3: 1 + 2 * 511.
  EXPECT_EQ(r.out.rfind("# wavenet: receptive field 1023 samples", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(config_to_yaml(shown)), std::string::npos) << r.out;
}

TEST(Cli, ConfigShowFindsPresetByName) {
  const RunResult by_name = run_wavenet("config show --config r64k2");
  const RunResult by_path = run_wavenet("config show --config configs/r64k2.yaml");
  ASSERT_EQ(by_name.exit_code, 0) << by_name.err;
  EXPECT_EQ(by_name.out, by_path.out);
  EXPECT_NE(by_name.out.find("receptive field 2047 samples"), std::string::npos) << by_name.out;
}

TEST(Cli, ConfigShowSampleRnnPresetAndAnotherFamilysKey) {
  const RunResult r = run_wavenet("config show --config samplernn");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("# samplernn: frame tiers of 8, 2 samples", 0), 0u) << r.out;
  EXPECT_EQ(config_from_yaml(r.out, "stdout").model.rnn_dim, 1024);
  const RunResult wrong = run_wavenet("config show --config samplernn model.layers=3");
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_EQ(wrong.err, "wavenet: error: model.layers is a wavenet key; model.type is samplernn\n");
}

TEST(Cli, ConfigShowCommentsDescribeKeys) {
  const RunResult r = run_wavenet("config show --comments");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("# dilated conv kernel size: 2 or 3"), std::string::npos);
}

TEST(Cli, PreprocessBadInputIsAUserError) {
  test::TempDir dir;
  test::write_text(dir / "in/a.wav", "not audio");
  expect_user_error("--log-level error preprocess " + (dir / "in").string() + " " + (dir / "out").string(),
                    "no utterance landed");
  EXPECT_NE(test::read_text(dir / "out/report.yaml").find("a.wav"), std::string::npos);
  expect_user_error("preprocess /no/such/corpus " + (dir / "out2").string(), "/no/such/corpus: input not found");
  expect_user_error("preprocess " + (dir / "in").string(), "give INPUT and OUTPUT_DIR (or --merge OUTPUT_DIR)");
}

TEST(Cli, SelfcheckValidatesEveryPreset) {
  const RunResult r = run_wavenet("selfcheck");
  for (const std::string preset : {"demo", "demo-pitch", "demo-voiced", "tiny", "r64k2", "mol24", "mulaw30"}) {
    EXPECT_NE(r.out.find("ok    preset " + preset), std::string::npos) << r.out;
  }
  EXPECT_NE(r.out.find("ok    matmul correctness"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace wn
