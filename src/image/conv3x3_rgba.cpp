#include "image/conv3x3_rgba.h"

#include <cmath>
#include <string>

#include "core/errors.h"
#include "simd/simd.h"

namespace convolens {

void validate_conv3x3(const ImageView& src, const MutableImageView& dst, const Kernel3x3& k) {
  if (src.width <= 0 || src.height <= 0)
    throw RangeError("image size must be positive, got " + std::to_string(src.width) + "x" +
                     std::to_string(src.height));
  if (src.channels != 4 || dst.channels != 4) throw RangeError("conv3x3_rgba needs 4-channel images");
  if (dst.width != src.width || dst.height != src.height)
    throw RangeError("output size must equal input size");
  for (float w : k.weights)
    if (!std::isfinite(w)) throw RangeError("kernel weights must be finite");
  if (!std::isfinite(k.scale) || k.scale == 0.f) throw RangeError("scale must be finite and non-zero");
  if (!std::isfinite(k.offset)) throw RangeError("offset must be finite");
  const auto* s0 = src.data;
  const auto* s1 = src.data + (src.height - 1) * src.stride + src.width * 4;
  if (dst.data < s1 && s0 < dst.data + (dst.height - 1) * dst.stride + dst.width * 4)
    throw RangeError("output must not overlap the input");
}

namespace {

inline std::uint8_t quantize(float v) {
  float r = std::nearbyint(v);  // ties to even, like f32x4.nearest
  r = r < 0.f ? 0.f : r;
  r = r > 255.f ? 255.f : r;
  return static_cast<std::uint8_t>(r);
}

// One output pixel by the definition; used by the scalar variant and the SIMD variant's edges.
inline void pixel_scalar(const std::uint8_t* const rows[3], const int xs[3], std::uint8_t* out,
                         const Kernel3x3& k, float inv_scale) {
  for (int c = 0; c < 3; ++c) {
    float acc = 0.f;
    for (int ky = 0; ky < 3; ++ky)
      for (int kx = 0; kx < 3; ++kx) {
        const float prod = k.weights[ky * 3 + kx] * static_cast<float>(rows[ky][xs[kx] * 4 + c]);
        acc = acc + prod;
      }
    const float scaled = acc * inv_scale;
    out[c] = quantize(scaled + k.offset);
  }
  out[3] = rows[1][xs[1] * 4 + 3];
}

inline void row_pointers(const ImageView& src, int y, const std::uint8_t* rows[3]) {
  for (int d = -1; d <= 1; ++d) rows[d + 1] = src.row(border_index(y + d, src.height, Border::Replicate));
}

}  // namespace

void conv3x3_rgba__scalar(const ImageView& src, const MutableImageView& dst, const Kernel3x3& k) {
  validate_conv3x3(src, dst, k);
  const float inv_scale = 1.f / k.scale;
  for (int y = 0; y < src.height; ++y) {
    const std::uint8_t* rows[3];
    row_pointers(src, y, rows);
    std::uint8_t* out = dst.row(y);
    for (int x = 0; x < src.width; ++x) {
      const int xs[3] = {border_index(x - 1, src.width, Border::Replicate), x,
                         border_index(x + 1, src.width, Border::Replicate)};
      pixel_scalar(rows, xs, out + x * 4, k, inv_scale);
    }
  }
}

namespace {

// 4 RGBA pixels (16 bytes) -> 4 f32x4, one per pixel.
inline void load_4px(const std::uint8_t* p, v128_t f[4]) {
  const v128_t bytes = wasm_v128_load(p);
  const v128_t lo = wasm_u16x8_extend_low_u8x16(bytes);
  const v128_t hi = wasm_u16x8_extend_high_u8x16(bytes);
  f[0] = simd::u32_to_f32_small(wasm_u32x4_extend_low_u16x8(lo));
  f[1] = simd::u32_to_f32_small(wasm_u32x4_extend_high_u16x8(lo));
  f[2] = simd::u32_to_f32_small(wasm_u32x4_extend_low_u16x8(hi));
  f[3] = simd::u32_to_f32_small(wasm_u32x4_extend_high_u16x8(hi));
}

}  // namespace

void conv3x3_rgba__wasmsimd(const ImageView& src, const MutableImageView& dst, const Kernel3x3& k) {
  validate_conv3x3(src, dst, k);
  const int w = src.width;
  const float inv_scale = 1.f / k.scale;
  v128_t wv[9];
  for (int i = 0; i < 9; ++i) wv[i] = wasm_f32x4_splat(k.weights[i]);
  const v128_t vinv = wasm_f32x4_splat(inv_scale);
  const v128_t voff = wasm_f32x4_splat(k.offset);
  const v128_t zero = wasm_f32x4_splat(0.f);
  const v128_t v255 = wasm_f32x4_splat(255.f);
  const v128_t alpha_mask = wasm_i32x4_splat(static_cast<int>(0xFF000000u));

  for (int y = 0; y < src.height; ++y) {
    const std::uint8_t* rows[3];
    row_pointers(src, y, rows);
    std::uint8_t* out = dst.row(y);
    auto edge = [&](int x) {
      const int xs[3] = {border_index(x - 1, w, Border::Replicate), x, border_index(x + 1, w, Border::Replicate)};
      pixel_scalar(rows, xs, out + x * 4, k, inv_scale);
    };
    edge(0);
    int x = 1;
    // Interior: taps x-1 .. x+4 stay inside the row.
    for (; x + 4 < w; x += 4) {
      v128_t acc[4] = {zero, zero, zero, zero};
      for (int ky = 0; ky < 3; ++ky)
        for (int kx = 0; kx < 3; ++kx) {
          v128_t px[4];
          load_4px(rows[ky] + (x + kx - 1) * 4, px);
          for (int i = 0; i < 4; ++i) acc[i] = wasm_f32x4_add(acc[i], wasm_f32x4_mul(wv[ky * 3 + kx], px[i]));
        }
      v128_t q[4];
      for (int i = 0; i < 4; ++i) {
        v128_t v = wasm_f32x4_add(wasm_f32x4_mul(acc[i], vinv), voff);
        v = wasm_f32x4_nearest(v);
        v = wasm_f32x4_pmin(wasm_f32x4_pmax(v, zero), v255);
        q[i] = wasm_i32x4_trunc_sat_f32x4(v);
      }
      const v128_t packed = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(q[0], q[1]), wasm_i16x8_narrow_i32x4(q[2], q[3]));
      const v128_t centre = wasm_v128_load(rows[1] + x * 4);
      wasm_v128_store(out + x * 4, wasm_v128_bitselect(centre, packed, alpha_mask));
    }
    for (; x < w; ++x) edge(x);
  }
}

}  // namespace convolens
