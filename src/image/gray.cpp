#include "image/gray.h"

#include "image/filter_spec.h"
#include "image/kernel_util.h"
#include "simd/dispatch.h"

namespace convolens {

void rgba_to_luma__scalar(const std::uint8_t* rgba, std::uint8_t* luma, int n) {
  for (int i = 0; i < n; ++i) luma[i] = luminance(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]);
}

void luma_to_rgba__scalar(const std::uint8_t* luma, const std::uint8_t* src_rgba, std::uint8_t* out_rgba, int n) {
  for (int i = 0; i < n; ++i) {
    out_rgba[4 * i] = out_rgba[4 * i + 1] = out_rgba[4 * i + 2] = luma[i];
    out_rgba[4 * i + 3] = src_rgba[4 * i + 3];
  }
}

namespace {
// Four RGBA pixels -> their four luminance sums as i32x4. dot_i16x8 adds r*77 + g*150 and
// b*29 + a*0 per pixel; one shuffle pair adds the halves. The same integers as the scalar form.
inline v128_t luma4(const std::uint8_t* p, v128_t weights) {
  const v128_t v = wasm_v128_load(p);
  const v128_t lo = wasm_i32x4_dot_i16x8(wasm_u16x8_extend_low_u8x16(v), weights);
  const v128_t hi = wasm_i32x4_dot_i16x8(wasm_u16x8_extend_high_u8x16(v), weights);
  const v128_t s = wasm_i32x4_add(wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6), wasm_i32x4_shuffle(lo, hi, 1, 3, 5, 7));
  return wasm_u32x4_shr(wasm_i32x4_add(s, wasm_i32x4_splat(128)), 8);
}
}  // namespace

void rgba_to_luma__wasmsimd(const std::uint8_t* rgba, std::uint8_t* luma, int n) {
  const v128_t weights = wasm_i16x8_make(77, 150, 29, 0, 77, 150, 29, 0);
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const std::uint8_t* p = rgba + 4 * i;
    const v128_t a = wasm_i16x8_narrow_i32x4(luma4(p, weights), luma4(p + 16, weights));
    const v128_t b = wasm_i16x8_narrow_i32x4(luma4(p + 32, weights), luma4(p + 48, weights));
    wasm_v128_store(luma + i, wasm_u8x16_narrow_i16x8(a, b));
  }
  rgba_to_luma__scalar(rgba + 4 * i, luma + i, n - i);
}

void luma_to_rgba__wasmsimd(const std::uint8_t* luma, const std::uint8_t* src_rgba, std::uint8_t* out_rgba, int n) {
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t g = wasm_v128_load(luma + i);
    // Each byte of g four times (the alpha byte is replaced from the source below).
    const v128_t q[4] = {wasm_i8x16_shuffle(g, g, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3),
                         wasm_i8x16_shuffle(g, g, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7),
                         wasm_i8x16_shuffle(g, g, 8, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 11, 11, 11, 11),
                         wasm_i8x16_shuffle(g, g, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15)};
    for (int k = 0; k < 4; ++k) {
      const std::size_t o = 4 * std::size_t(i) + 16 * k;
      wasm_v128_store(out_rgba + o, kern::keep_alpha(q[k], wasm_v128_load(src_rgba + o)));
    }
  }
  luma_to_rgba__scalar(luma + i, src_rgba + 4 * i, out_rgba + 4 * i, n - i);
}

void rgba_to_luma(const std::uint8_t* rgba, std::uint8_t* luma, int n) {
  CONVOLENS_SIMD_ROWS ? rgba_to_luma__wasmsimd(rgba, luma, n) : rgba_to_luma__scalar(rgba, luma, n);
}

void luma_to_rgba(const std::uint8_t* luma, const std::uint8_t* src_rgba, std::uint8_t* out_rgba, int n) {
  CONVOLENS_SIMD_ROWS ? luma_to_rgba__wasmsimd(luma, src_rgba, out_rgba, n) : luma_to_rgba__scalar(luma, src_rgba, out_rgba, n);
}

}  // namespace convolens
