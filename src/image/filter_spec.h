// What a filter computes, independent of how: the kernel, border, mode and (for gradient
// operators) the second kernel. Every variant in conv_registry computes this definition:
//
//   acc(x, y) = sum_{j < kh, i < kw} w[j*kw + i] * src(x + i - ax, y + j - ay)
//   out       = clamp(round(acc / scale + offset), 0, 255)      ax = (kw-1)/2, ay = (kh-1)/2
//
// per colour channel (mode Rgb; alpha copied from the source pixel) or on the luminance
// Y = (77 R + 150 G + 29 B + 128) >> 8 (mode Gray; Y written to R, G and B). Pixels outside
// the image come from the border mode. Gradient operators replace acc by the magnitude of
// (acc_x, acc_y): sqrt(ax^2 + ay^2) (L2) or |ax| + |ay| (L1).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "image/image.h"

namespace convolens {

constexpr int kMaxKernelSize = 31;  // per side; the JS API exposes it as maxKernelSize

enum class Mode : int { Rgb = 0, Gray = 1 };
enum class Gradient : int { None = 0, MagnitudeL2 = 1, MagnitudeL1 = 2 };

struct ConvKernel {
  int width = 1;
  int height = 1;
  std::vector<float> weights{1.f};  // row-major, width*height
  float scale = 1.f;                // divisor
  float offset = 0.f;               // added after dividing
};

struct FilterSpec {
  ConvKernel kernel;            // for gradient operators: the x kernel
  ConvKernel kernel_y;          // gradient operators only (scale/offset taken from `kernel`)
  Gradient gradient = Gradient::None;
  Border border = Border::Replicate;
  std::uint8_t border_value = 0;  // Border::Constant
  Mode mode = Mode::Rgb;
};

// Throw RangeError naming the problem (size 0 or > kMaxKernelSize, weight count, non-finite
// numbers, zero scale).
void validate_kernel(const ConvKernel& k, const char* what = "kernel");
void validate_spec(const FilterSpec& s);
// Image checks shared by every entry point: positive size, 1 or 4 channels, same size, no overlap.
void validate_images(const ImageView& src, const MutableImageView& dst);

// Luminance used by Mode::Gray (integer, so every build agrees).
inline std::uint8_t luminance(std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  return static_cast<std::uint8_t>((77 * r + 150 * g + 29 * b + 128) >> 8);
}

const char* border_name(Border b);
Border parse_border(const std::string& name);  // "constant" | "replicate" | "reflect101" | "wrap"
const char* mode_name(Mode m);
Mode parse_mode(const std::string& name);       // "rgb" | "gray"

}  // namespace convolens
