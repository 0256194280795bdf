#pragma once
// Sample-rate conversion with libsoxr at its high-quality setting (not linear interpolation).

#include <vector>

namespace wn {

// Output length is round(input.size() * to_rate / from_rate). Same rates return a copy.
std::vector<float> resample(const std::vector<float>& input, int from_rate, int to_rate);

}  // namespace wn
