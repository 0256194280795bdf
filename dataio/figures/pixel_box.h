#pragma once
// A rectangle of a figure's PNG in pixels, so tests (and callers that crop) can find where a plot
// area was drawn without knowing the layout rules.

namespace wn {

// x to the right and y down from the top-left corner; inclusive-exclusive:
// [left, right) x [top, bottom).
struct PixelBox {
  int left = 0, top = 0, right = 0, bottom = 0;
};

}  // namespace wn
