// The model.type seam in the config: family-owned keys, one-line errors for another family's
// keys, and output that shows the selected family's keys only.

#include <gtest/gtest.h>

#include "core/config/config_io.h"
#include "core/errors.h"

namespace wn {
namespace {

std::string config_error(const std::vector<std::string>& overrides) {
  try {
    resolve_config(std::nullopt, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigFamilies, WaveNetIsTheDefault) {
  const Config config = resolve_config(std::nullopt, {});
  EXPECT_EQ(config.model.type, "wavenet");
  EXPECT_EQ(config.model.quantization, "mulaw");
}

TEST(ConfigFamilies, AnotherFamilysKeyIsAOneLineError) {
  EXPECT_EQ(config_error({"model.frame_sizes=8,2"}), "model.frame_sizes is a samplernn key; model.type is wavenet");
  EXPECT_EQ(config_error({"model.type=samplernn", "model.layers=3"}), "model.layers is a wavenet key; model.type is samplernn");
}

TEST(ConfigFamilies, UnknownTypeNamesTheFamiliesAndNothingElse) {
  EXPECT_EQ(config_error({"model.type=wavernn", "model.layers=3"}),
            "model.type must be one of wavenet, samplernn, rating, got 'wavernn'");
}

TEST(ConfigFamilies, RatingKeysAreChecked) {
  EXPECT_EQ(config_error({"model.type=rating", "model.conv_width=4"}),
            "model.conv_width must be a positive odd number, got 4");
  EXPECT_EQ(config_error({"model.type=rating", "model.objective=ranking"}),
            "model.objective must be one of regression, classes, got 'ranking'");
  EXPECT_NE(config_error({"model.type=rating", "model.dense_channels=64,0"}).find("model.dense_channels must be positive"),
            std::string::npos);
  EXPECT_NE(config_error({"model.type=wavenet", "model.conv_width=5"}).find("rating"), std::string::npos)
      << "a rating key under another family names its family";
  EXPECT_EQ(config_error({"model.type=rating", "data.target=popularity", "data.liked_column=1"}),
            "data.liked_column must differ from data.played_column, got 1");
}

TEST(ConfigFamilies, OutputShowsTheSelectedFamilysKeysOnly) {
  const std::string wavenet = config_to_yaml(resolve_config(std::nullopt, {}));
  EXPECT_NE(wavenet.find("\n  layers:"), std::string::npos);
  EXPECT_EQ(wavenet.find("frame_sizes:"), std::string::npos);
  const Config samplernn_config = resolve_config(std::nullopt, {"model.type=samplernn", "model.frame_sizes=8,2"});
  const std::string samplernn = config_to_yaml(samplernn_config);
  EXPECT_NE(samplernn.find("frame_sizes: [8, 2]"), std::string::npos);
  EXPECT_EQ(samplernn.find("\n  layers:"), std::string::npos) << samplernn;
  EXPECT_NE(samplernn.find("quantize_channels:"), std::string::npos);  // shared keys stay
  EXPECT_EQ(config_to_yaml(config_from_yaml(samplernn, "round trip")), samplernn);
}

TEST(ConfigFamilies, SampleRnnFrameSizesAreChecked) {
  EXPECT_NE(config_error({"model.type=samplernn", "model.frame_sizes=16,5"}).find("each a multiple of the next"),
            std::string::npos);
  EXPECT_NE(config_error({"model.type=samplernn", "model.frame_sizes=24,4", "model.local_conditioning=true"})
                .find("divides audio.hop_length=256"),
            std::string::npos);
  EXPECT_EQ(config_error({"model.type=samplernn", "model.frame_sizes=16,4", "model.local_conditioning=true"}), "");
  EXPECT_NE(config_error({"model.type=samplernn", "model.rnn_type=rnn"}).find("model.rnn_type must be one of gru, lstm"),
            std::string::npos);
}

TEST(ConfigFamilies, QuantizationIsShared) {
  EXPECT_NE(config_error({"model.quantization=alaw"}).find("model.quantization must be one of mulaw, mulaw_floor, linear"),
            std::string::npos);
  EXPECT_EQ(resolve_config(std::nullopt, {"model.type=samplernn", "model.quantization=linear"}).model.quantization, "linear");
}

}  // namespace
}  // namespace wn
