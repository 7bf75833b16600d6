// Drawing -> the 28x28 image an MNIST network expects, built the way MNIST itself was:
// find the ink, drop stray marks apart from it (stray_ink.h), crop to its bounding box, scale
// to fit 20x20 keeping the aspect ratio (area averaging, no nearest-neighbour aliasing), paste
// into 28x28 with the centre of mass at the centre, white ink on black as floats 0..1.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace convolens::mnist {

enum class InkPolarity { dark_on_light, light_on_dark, alpha };

struct DigitPreprocessInfo {
  bool empty = true;            // nothing (or too little) drawn: no digit to classify
  InkPolarity polarity = InkPolarity::dark_on_light;
  int box_x = 0, box_y = 0, box_w = 0, box_h = 0;  // ink bounding box on the canvas
  int ink_pixels = 0;           // canvas pixels counted as ink
};

// Minimum ink for a digit: at least this fraction of the canvas, and a bounding box whose
// longer side is at least kMinBoxFraction of the canvas's shorter side.
constexpr float kMinInkFraction = 0.0008f;
constexpr float kMinBoxFraction = 0.04f;

// rgba: width*height*4 bytes, rows `stride` bytes apart (stride >= width*4). Writes 784 floats
// to out28 (all zero when empty). Throws RangeError for impossible sizes.
// Polarity: a canvas that is mostly transparent uses alpha as ink; otherwise the median
// luminance of the border decides dark-on-light or light-on-dark.
// `scratch` must hold preprocess_scratch_floats(width, height) floats (callers keep it across
// frames; nothing is allocated here).
DigitPreprocessInfo preprocess_drawing(const std::uint8_t* rgba, int width, int height, int stride, float* out28,
                                       float* scratch);

// The ink plane, then room for the stray-ink fill's queue (one int per pixel) or, later, the
// horizontal resampling pass (20 floats per row).
inline std::size_t preprocess_scratch_floats(int width, int height) {
  return std::size_t(width) * height + std::max(std::size_t(width) * height, std::size_t(20) * height);
}

// Centre of mass of a 28x28 image in pixel-index coordinates. MNIST's digits average (14, 14)
// in these (measured over the test set), so that is where the preprocessing puts the mass.
void centre_of_mass(const float* img28, float* cx, float* cy);

}  // namespace convolens::mnist
