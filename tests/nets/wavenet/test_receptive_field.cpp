#include "nets/wavenet/receptive_field.h"

#include <gtest/gtest.h>

namespace wn {
namespace {

ModelConfig shape(int layers, int stacks, int kernel) {
  ModelConfig m;
  m.layers = layers;
  m.stacks = stacks;
  m.kernel_size = kernel;
  return m;
}

TEST(ReceptiveField, DilationsCycleEveryStack) {
  EXPECT_EQ(layer_dilations(shape(6, 2, 2)), (std::vector<int64_t>{1, 2, 4, 1, 2, 4}));
}

TEST(ReceptiveField, PartialLastCycle) {
  // 7 layers in 2 stacks: cycles of 3, then one more layer.
  EXPECT_EQ(layer_dilations(shape(7, 2, 2)), (std::vector<int64_t>{1, 2, 4, 1, 2, 4, 1}));
}

TEST(ReceptiveField, KnownPresetSizes) {
  // r64k2: 2 stacks of dilations 1..512, kernel 2: 1 + 2 * 1023.
  EXPECT_EQ(receptive_field_samples(shape(20, 2, 2)), 2047);
  // mol24: 4 stacks of dilations 1..32, kernel 3: 1 + 2 * 4 * 63.
  EXPECT_EQ(receptive_field_samples(shape(24, 4, 3)), 505);
  // mulaw30: 3 stacks of dilations 1..512, kernel 3: 1 + 2 * 3 * 1023.
  EXPECT_EQ(receptive_field_samples(shape(30, 3, 3)), 6139);
}

TEST(ReceptiveField, AgreesWithBruteForceSum) {
  const ModelConfig m = shape(12, 3, 3);
  int64_t expected = 1;
  for (int l = 0; l < 12; ++l) expected += 2 * (1 << (l % 4));
  EXPECT_EQ(receptive_field_samples(m), expected);
}

}  // namespace
}  // namespace wn
