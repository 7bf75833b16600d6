// Gradient magnitude (Sobel, Scharr, Prewitt, or any integer kernel pair): gx and gy are exact
// integers (i16 lanes; the plan checked sum |w| * 255 fits), then
//   L2: m = sqrt(f32(gx*gx + gy*gy))      L1: m = f32(|gx| + |gy|)
//   out = round(m / scale + offset)
// Scalar and SIMD do the same integer sums and the same (correctly rounded) f32 operations.
#include <cstdlib>

#include "image/conv_registry.h"
#include "image/kernel_util.h"

namespace convolens {

void gradient_i16__scalar(const ImageView& src, const MutableImageView& dst, const Plan& p, Scratch&) {
  const int C = src.channels;
  const kern::BorderedReader in{src.data, src.stride, src.width, src.height, C, p.spec.border, p.spec.border_value};
  const bool l2 = p.spec.gradient == Gradient::MagnitudeL2;
  for (int y = 0; y < src.height; ++y)
    for (int x = 0; x < src.width; ++x)
      for (int c = 0; c < C; ++c) {
        std::uint8_t& out = dst.row(y)[x * C + c];
        if (C == 4 && c == 3) {
          out = src.row(y)[x * 4 + 3];
          continue;
        }
        int gx = 0, gy = 0;
        for (const Tap& t : p.grad.tx) gx += t.q * in.at(x + t.col - p.ax(), y + t.row - p.ay(), c);
        for (const Tap& t : p.grad.ty) gy += t.q * in.at(x + t.col - p.ax(), y + t.row - p.ay(), c);
        const float m = l2 ? std::sqrt(float(gx * gx + gy * gy)) : float(std::abs(gx) + std::abs(gy));
        out = kern::finish_f32(m, p.inv_scale, p.spec.kernel.offset);
      }
}

namespace {

inline void accumulate(const std::vector<Tap>& taps, const std::uint8_t* const* rows, int b, int C, v128_t& lo,
                       v128_t& hi) {
  lo = hi = wasm_i16x8_splat(0);
  for (const Tap& t : taps) {
    const v128_t v = wasm_v128_load(rows[t.row] + b + t.col * C);
    const v128_t q = wasm_i16x8_splat(std::int16_t(t.q));
    lo = wasm_i16x8_add(lo, wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(v), q));
    hi = wasm_i16x8_add(hi, wasm_i16x8_mul(wasm_u16x8_extend_high_u8x16(v), q));
  }
}

template <bool L2>
__attribute__((noinline)) void gradient_kernel(const ImageView& src, const MutableImageView& dst, const Plan& p,
                                               Scratch& scratch) {
  const int C = src.channels, n = src.width * C;
  PaddedRows rows(src, p.kw(), p.kh(), p.spec.border, p.spec.border_value, scratch.rows);
  const v128_t vscale = wasm_f32x4_splat(p.inv_scale), voff = wasm_f32x4_splat(p.spec.kernel.offset);
  const std::uint8_t* line[kMaxKernelSize];
  for (int y = 0; y < src.height; ++y) {
    for (int j = 0; j < p.kh(); ++j) line[j] = rows.row(y + j - p.ay());
    const std::uint8_t* centre = line[p.ay()] + p.ax() * C;
    std::uint8_t* out = dst.row(y);
    for (int b = 0; b < n; b += 16) {
      v128_t xl, xh, yl, yh, m[4];
      accumulate(p.grad.tx, line, b, C, xl, xh);
      accumulate(p.grad.ty, line, b, C, yl, yh);
      if constexpr (L2) {
        const v128_t sq[4] = {
            wasm_i32x4_add(wasm_i32x4_extmul_low_i16x8(xl, xl), wasm_i32x4_extmul_low_i16x8(yl, yl)),
            wasm_i32x4_add(wasm_i32x4_extmul_high_i16x8(xl, xl), wasm_i32x4_extmul_high_i16x8(yl, yl)),
            wasm_i32x4_add(wasm_i32x4_extmul_low_i16x8(xh, xh), wasm_i32x4_extmul_low_i16x8(yh, yh)),
            wasm_i32x4_add(wasm_i32x4_extmul_high_i16x8(xh, xh), wasm_i32x4_extmul_high_i16x8(yh, yh))};
        for (int i = 0; i < 4; ++i) m[i] = wasm_f32x4_sqrt(wasm_f32x4_convert_i32x4(sq[i]));
      } else {
        // |gx| + |gy| <= 65280: exact in u16 lanes.
        kern::u16x8_to_f32(wasm_i16x8_add(wasm_i16x8_abs(xl), wasm_i16x8_abs(yl)), m[0], m[1]);
        kern::u16x8_to_f32(wasm_i16x8_add(wasm_i16x8_abs(xh), wasm_i16x8_abs(yh)), m[2], m[3]);
      }
      v128_t px = kern::finish_f32(m, vscale, voff);
      if (C == 4) px = kern::keep_alpha(px, wasm_v128_load(centre + b));
      kern::store16(out + b, px, n - b);
    }
  }
}

}  // namespace

void gradient_i16__wasmsimd(const ImageView& src, const MutableImageView& dst, const Plan& p, Scratch& s) {
  if (p.spec.gradient == Gradient::MagnitudeL2)
    gradient_kernel<true>(src, dst, p, s);
  else
    gradient_kernel<false>(src, dst, p, s);
}

}  // namespace convolens
