// Config files, includes, overrides, unknown keys and the YAML round trip.

#include "core/config/config_io.h"

#include <gtest/gtest.h>

#include "core/errors.h"
#include "tests/test_support.h"

namespace wn {
namespace {

using test::TempDir;
using test::write_text;

// Runs `action`, expecting a ConfigError whose message contains `needle`.
template <class F>
void expect_config_error(F&& action, const std::string& needle) {
  try {
    action();
    FAIL() << "expected a ConfigError containing: " << needle;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << needle;
  }
}

TEST(ConfigLoading, DefaultsWithoutFileAreValid) {
  const Config config = resolve_config(std::nullopt);
  EXPECT_EQ(config.audio.sample_rate, 22050);
  EXPECT_EQ(config.model.layers, 24);
  EXPECT_EQ(config.model.upsample_scales, (std::vector<int>{4, 4, 4, 4}));
}

TEST(ConfigLoading, ReadsEveryFieldTypeFromFile) {
  TempDir dir;
  write_text(dir / "c.yaml",
             "audio: {sample_rate: 16000, n_fft: 512, win_length: 512, hop_length: 128, n_mels: 64,"
             " fmin: 0, fmax: 8000}\n"
             "model: {layers: 12, stacks: 3, kernel_size: 2, upsample_scales: [8, 16],"
             " weight_norm: no, output: softmax}\n"
             "train: {seed: 99, lr: 2.5e-4, device: cuda:1}\n");
  const Config config = resolve_config(dir / "c.yaml");
  EXPECT_EQ(config.audio.sample_rate, 16000);
  EXPECT_DOUBLE_EQ(config.audio.fmax, 8000.0);
  EXPECT_EQ(config.model.layers, 12);
  EXPECT_EQ(config.model.upsample_scales, (std::vector<int>{8, 16}));
  EXPECT_FALSE(config.model.weight_norm);
  EXPECT_EQ(config.model.output, "softmax");
  EXPECT_EQ(config.train.seed, 99);
  EXPECT_DOUBLE_EQ(config.train.lr, 2.5e-4);
  EXPECT_EQ(config.train.device, "cuda:1");
  // Untouched keys keep their defaults.
  EXPECT_EQ(config.model.residual_channels, 128);
}

TEST(ConfigLoading, OverridesApplyAfterFile) {
  TempDir dir;
  write_text(dir / "c.yaml", "model: {layers: 12, stacks: 3}\n");
  const Config config = resolve_config(
      dir / "c.yaml", {"model.layers=30", "model.upsample_scales=16,16", "train.lr=0.01",
                       "model.stacks=3", "train.amp=true", "data.valid_list=ids.txt"});
  EXPECT_EQ(config.model.layers, 30);
  EXPECT_EQ(config.model.upsample_scales, (std::vector<int>{16, 16}));
  EXPECT_DOUBLE_EQ(config.train.lr, 0.01);
  EXPECT_TRUE(config.train.amp);
  EXPECT_EQ(config.data.valid_list, "ids.txt");
}

TEST(ConfigLoading, OverrideAcceptsYamlList) {
  const Config config = resolve_config(std::nullopt, {"model.upsample_scales=[2, 128]"});
  EXPECT_EQ(config.model.upsample_scales, (std::vector<int>{2, 128}));
}

TEST(ConfigLoading, LaterOverrideWins) {
  const Config config = resolve_config(std::nullopt, {"model.layers=12", "model.layers=8"});
  EXPECT_EQ(config.model.layers, 8);
}

TEST(ConfigLoading, MalformedOverrideIsAnError) {
  expect_config_error([] { resolve_config(std::nullopt, {"model.layers"}); }, "key=value");
  expect_config_error([] { resolve_config(std::nullopt, {"=3"}); }, "key=value");
  expect_config_error([] { resolve_config(std::nullopt, {"model..layers=3"}); }, "empty component");
}

TEST(ConfigLoading, IncludeMergesBaseUnderFile) {
  TempDir dir;
  write_text(dir / "base.yaml", "model: {layers: 12, stacks: 3, residual_channels: 32}\n"
                                "train: {lr: 0.5}\n");
  write_text(dir / "child.yaml", "include: base.yaml\nmodel: {layers: 6}\n");
  const Config config = resolve_config(dir / "child.yaml");
  EXPECT_EQ(config.model.layers, 6);              // from the child
  EXPECT_EQ(config.model.stacks, 3);              // from the base, same section
  EXPECT_EQ(config.model.residual_channels, 32);  // from the base
  EXPECT_DOUBLE_EQ(config.train.lr, 0.5);         // from the base, other section
}

TEST(ConfigLoading, IncludeListAppliesInOrderAndNests) {
  TempDir dir;
  write_text(dir / "sub/a.yaml", "model: {layers: 12, stacks: 3}\ntrain: {lr: 0.1}\n");
  write_text(dir / "sub/b.yaml", "include: a.yaml\ntrain: {lr: 0.2, seed: 7}\n");
  write_text(dir / "c.yaml", "include: [sub/b.yaml]\ntrain: {seed: 8}\n");
  const Config config = resolve_config(dir / "c.yaml");
  EXPECT_EQ(config.model.layers, 12);
  EXPECT_DOUBLE_EQ(config.train.lr, 0.2);
  EXPECT_EQ(config.train.seed, 8);
}

TEST(ConfigLoading, IncludeCycleIsAnError) {
  TempDir dir;
  write_text(dir / "a.yaml", "include: b.yaml\n");
  write_text(dir / "b.yaml", "include: a.yaml\n");
  expect_config_error([&] { resolve_config(dir / "a.yaml"); }, "include cycle: a.yaml -> b.yaml -> a.yaml");
}

TEST(ConfigLoading, MissingIncludeNamesIt) {
  TempDir dir;
  write_text(dir / "a.yaml", "include: nowhere.yaml\n");
  expect_config_error([&] { resolve_config(dir / "a.yaml"); }, "included file 'nowhere.yaml' not found");
}

TEST(ConfigLoading, MissingFileNamesIt) {
  expect_config_error([] { resolve_config(std::filesystem::path("/no/such/config.yaml")); },
                      "/no/such/config.yaml: config file not found");
}

TEST(ConfigLoading, SyntaxErrorGivesFileAndLine) {
  TempDir dir;
  write_text(dir / "bad.yaml", "model:\n  layers: [1, 2\n");
  expect_config_error([&] { resolve_config(dir / "bad.yaml"); }, "bad.yaml:");
}

TEST(ConfigLoading, NonMappingFileIsAnError) {
  TempDir dir;
  write_text(dir / "list.yaml", "- 1\n- 2\n");
  expect_config_error([&] { resolve_config(dir / "list.yaml"); }, "must be a YAML mapping");
}

TEST(ConfigLoading, UnknownKeySuggestsClosest) {
  expect_config_error([] { resolve_config(std::nullopt, {"model.layrs=3"}); },
                      "unknown key 'model.layrs' (did you mean 'model.layers'?)");
}

TEST(ConfigLoading, UnknownKeyFarFromAnyHasNoSuggestion) {
  try {
    resolve_config(std::nullopt, {"audio.zzzzzzzz=1"});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown key 'audio.zzzzzzzz'"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("did you mean"), std::string::npos) << e.what();
  }
}

TEST(ConfigLoading, UnknownSectionSuggestsClosest) {
  expect_config_error([] { resolve_config(std::nullopt, {"modle.layers=3"}); },
                      "unknown section 'modle' (did you mean 'model'?)");
}

TEST(ConfigLoading, WrongTypesNameKeyAndValue) {
  expect_config_error([] { resolve_config(std::nullopt, {"model.layers=many"}); },
                      "model.layers must be an integer, got 'many'");
  expect_config_error([] { resolve_config(std::nullopt, {"train.lr=fast"}); },
                      "train.lr must be a number, got 'fast'");
  expect_config_error([] { resolve_config(std::nullopt, {"train.amp=maybe"}); },
                      "train.amp must be true or false, got 'maybe'");
  expect_config_error([] { resolve_config(std::nullopt, {"model.upsample_scales=4,x"}); },
                      "model.upsample_scales must be a list of integers");
  expect_config_error([] { resolve_config(std::nullopt, {"model.layers=2.5"}); },
                      "model.layers must be an integer, got '2.5'");
}

TEST(ConfigLoading, SectionMustBeMapping) {
  expect_config_error([] { resolve_config(std::nullopt, {"model=3"}); },
                      "section 'model' must be a mapping");
}

TEST(ConfigLoading, ReportsEveryProblemAtOnce) {
  try {
    resolve_config(std::nullopt, {"model.layrs=3", "train.lr=fast"});
    FAIL();
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("model.layrs"), std::string::npos) << message;
    EXPECT_NE(message.find("train.lr"), std::string::npos) << message;
  }
}

TEST(ConfigLoading, YamlRoundTripIsExact) {
  const Config original = resolve_config(
      std::nullopt, {"train.lr=0.1", "audio.fmin=33.3", "model.upsample_scales=2,128",
                     "data.valid_list=a b.txt", "model.global_conditioning=true",
                     "engine.temperature=0.7", "train.adam_eps=1e-9"});
  const std::string yaml = config_to_yaml(original);
  const Config reread = config_from_yaml(yaml, "dump");
  EXPECT_EQ(config_to_yaml(reread), yaml);
  EXPECT_DOUBLE_EQ(reread.train.lr, 0.1);
  EXPECT_DOUBLE_EQ(reread.audio.fmin, 33.3);
  EXPECT_DOUBLE_EQ(reread.train.adam_eps, 1e-9);
  EXPECT_EQ(reread.model.upsample_scales, (std::vector<int>{2, 128}));
  EXPECT_EQ(reread.data.valid_list, "a b.txt");
  EXPECT_TRUE(reread.model.global_conditioning);
}

TEST(ConfigLoading, CommentedDumpStillParses) {
  const Config original = resolve_config(std::nullopt, {"model.layers=12", "model.stacks=2"});
  const std::string commented = config_to_yaml(original, /*with_comments=*/true);
  EXPECT_NE(commented.find("# residual blocks in total"), std::string::npos);
  EXPECT_EQ(config_to_yaml(config_from_yaml(commented, "dump")), config_to_yaml(original));
}

TEST(ConfigLoading, DumpIsInvalidWhenEdited) {
  // A resolved config read back goes through validation too.
  const std::string yaml = config_to_yaml(resolve_config(std::nullopt));
  expect_config_error([&] { config_from_yaml(yaml, "dump", {"model.kernel_size=5"}); },
                      "model.kernel_size must be 2 or 3, got 5");
}

TEST(ConfigLoading, IsOverrideRecognisesAssignmentsOnly) {
  EXPECT_TRUE(is_override("model.layers=3"));
  EXPECT_FALSE(is_override("data/dir"));
  EXPECT_FALSE(is_override("./a=b/c"));
  EXPECT_FALSE(is_override("=3"));
}

TEST(ConfigPresets, AllPresetsResolveWithDocumentedShapes) {
  const std::filesystem::path dir = WAVENET_SOURCE_CONFIG_DIR;
  const Config mol24 = resolve_config(dir / "mol24.yaml");
  EXPECT_EQ(mol24.model.layers, 24);
  EXPECT_EQ(mol24.model.stacks, 4);
  EXPECT_EQ(mol24.model.kernel_size, 3);
  EXPECT_EQ(mol24.model.output, "mol");
  EXPECT_EQ(mol24.model.mixture_components, 10);
  EXPECT_EQ(mol24.audio.n_mels, 80);
  EXPECT_EQ(mol24.audio.hop_length, 256);

  const Config r64k2 = resolve_config(dir / "r64k2.yaml");
  EXPECT_EQ(r64k2.model.layers, 20);
  EXPECT_EQ(r64k2.model.stacks, 2);
  EXPECT_EQ(r64k2.model.residual_channels, 64);
  EXPECT_EQ(r64k2.model.gate_channels, 128);
  EXPECT_EQ(r64k2.model.skip_channels, 128);
  EXPECT_EQ(r64k2.model.kernel_size, 2);
  EXPECT_EQ(r64k2.model.output, "softmax");
  EXPECT_EQ(r64k2.model.quantize_channels, 256);

  const Config mulaw30 = resolve_config(dir / "mulaw30.yaml");
  EXPECT_EQ(mulaw30.model.layers, 30);
  EXPECT_EQ(mulaw30.model.stacks, 3);
  EXPECT_EQ(mulaw30.model.residual_channels, 128);
  EXPECT_EQ(mulaw30.model.output, "softmax");
  EXPECT_EQ(mulaw30.audio.sample_rate, 22050);

  const Config tiny = resolve_config(dir / "tiny.yaml");
  EXPECT_LT(tiny.model.residual_channels, mol24.model.residual_channels);
}

}  // namespace
}  // namespace wn
