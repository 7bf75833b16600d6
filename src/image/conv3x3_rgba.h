// 3x3 convolution of RGBA images, replicate border. The first slice of the filter engine:
// a scalar reference and a SIMD variant that must agree bit for bit.
//
// For each of R, G, B: v = sum_{ky,kx} w[ky*3+kx] * p   (f32, taps in row-major order,
// each product added in turn, no FMA), then v = v * (1/scale) + offset, rounded to nearest
// (ties to even) and clamped to 0..255. Alpha is copied from the centre pixel.
#pragma once
#include "image/image.h"

namespace convolens {

struct Kernel3x3 {
  float weights[9];
  float scale = 1.f;   // divisor
  float offset = 0.f;  // added after dividing
};

// Throws RangeError on bad sizes or non-finite weights. dst must not alias src.
void validate_conv3x3(const ImageView& src, const MutableImageView& dst, const Kernel3x3& k);

void conv3x3_rgba__scalar(const ImageView& src, const MutableImageView& dst, const Kernel3x3& k);
void conv3x3_rgba__wasmsimd(const ImageView& src, const MutableImageView& dst, const Kernel3x3& k);

}  // namespace convolens
