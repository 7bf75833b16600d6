// Gradient magnitude (Sobel, Scharr, Prewitt, or any integer kernel pair): gx and gy are exact
// integers (i16 lanes; the plan checked sum |w| * 255 fits), then
//   L2: m = sqrt(f32(gx*gx + gy*gy))      L1: m = f32(|gx| + |gy|)
//   out = round(m / scale + offset)
// Scalar and SIMD do the same integer sums and the same (correctly rounded) f32 operations.
// Rows: `grouped` takes any operator; `diff3` the 3x3 Sobel family by differences (Diff3Form);
// `diff3_unscaled` the same when scale is 1 and offset 0 (the multiply-add before rounding is
// skipped: x * 1 + 0 == x for every float); `sobel3` Sobel itself, unscaled, by shifts and adds.
// Inside a row, only the norm (L2 or L1, part of the operator) picks the instantiation.
#include <cstdlib>
#include <utility>

#include "image/conv_registry.h"
#include "image/kernel_util.h"

namespace convolens {

void gradient_i16__scalar(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                          Scratch& scratch) {
  const int n = src.width * src.channels;
  const kern::PaddedImage in(src, p.kw(), p.kh(), p.ax(), p.ay(), y0, y1, p.spec.border, p.spec.border_value,
                             scratch.rows);
  const bool l2 = p.spec.gradient == Gradient::MagnitudeL2;
  scratch.line.resize(std::size_t(n) * sizeof(int));
  scratch.line2.resize(std::size_t(n) * sizeof(int));
  int* gx = scratch.line.as<int>();
  int* gy = scratch.line2.as<int>();
  for (int y = y0; y < y1; ++y) {
    for (auto [g, taps] : {std::pair{gx, &p.grad.tx}, std::pair{gy, &p.grad.ty}}) {
      for (int i = 0; i < n; ++i) g[i] = 0;
      for (const Tap& t : *taps) {
        const std::uint8_t* s = in.ptr(t.col - p.ax(), y + t.row - p.ay());
        for (int i = 0; i < n; ++i) g[i] += t.q * s[i];
      }
    }
    std::uint8_t* out = dst.row(y);
    for (int i = 0; i < n; ++i) {
      const float m = l2 ? std::sqrt(float(gx[i] * gx[i] + gy[i] * gy[i])) : float(std::abs(gx[i]) + std::abs(gy[i]));
      out[i] = kern::finish_f32(m, p.inv_scale, p.spec.kernel.offset);
    }
    kern::restore_alpha(src, dst, y);
  }
}

namespace {

template <bool L2>
__attribute__((noinline)) void gradient_kernel(const ImageView& src, const MutableImageView& dst, int y0, int y1,
                                               const Plan& p, Scratch& scratch) {
  const int C = src.channels, n = src.width * C;
  PaddedRows rows(src, p.kw(), p.kh(), p.spec.border, p.spec.border_value, scratch.rows);
  const v128_t vscale = wasm_f32x4_splat(p.inv_scale), voff = wasm_f32x4_splat(p.spec.kernel.offset);
  kern::GroupedTaps* const xy = kern::GroupedTaps::in_scratch(scratch.line, 2);
  kern::GroupedTaps &tx = xy[0], &ty = xy[1];
  tx.init(p.grad.gx);
  ty.init(p.grad.gy);
  const std::uint8_t* line[kMaxKernelSize];
  for (int y = y0; y < y1; ++y) {
    for (int j = 0; j < p.kh(); ++j) line[j] = rows.row(y + j - p.ay());
    for (std::size_t t = 0; t < p.grad.gx.taps.size(); ++t)
      tx.ptr[t] = line[p.grad.gx.taps[t].row] + p.grad.gx.taps[t].col * C;
    for (std::size_t t = 0; t < p.grad.gy.taps.size(); ++t)
      ty.ptr[t] = line[p.grad.gy.taps[t].row] + p.grad.gy.taps[t].col * C;
    const std::uint8_t* centre = line[p.ay()] + p.ax() * C;
    std::uint8_t* out = dst.row(y);
    for (int b = 0; b < n; b += 16) {
      v128_t xl = wasm_i16x8_splat(0), xh = xl, yl = xl, yh = xl, m[4];
      tx.sum(b, xl, xh);
      ty.sum(b, yl, yh);
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

// The Sobel family by differences (Diff3Form). Ident: scale 1 and offset 0, so the multiply-add
// before rounding is skipped; IsSobel: v0 = 1, v1 = 2, multiplied by shifting and adding
// instead of i16x8.mul.
template <bool L2, bool Ident, bool IsSobel>
__attribute__((noinline)) void diff3_kernel(const ImageView& src, const MutableImageView& dst, int y0, int y1,
                                            const Plan& p, Scratch& scratch) {
  const Diff3Form& k = p.grad.diff3;
  const int C = src.channels, n = src.width * C;
  PaddedRows rows(src, 3, 3, p.spec.border, p.spec.border_value, scratch.rows);
  const v128_t vscale = wasm_f32x4_splat(p.inv_scale), voff = wasm_f32x4_splat(p.spec.kernel.offset);
  const v128_t v0 = wasm_i16x8_splat(std::int16_t(k.v0)), v1 = wasm_i16x8_splat(std::int16_t(k.v1));
  for (int y = y0; y < y1; ++y) {
    const std::uint8_t *r0 = rows.row(y - 1), *r1 = rows.row(y), *r2 = rows.row(y + 1);
    std::uint8_t* out = dst.row(y);
    for (int b = 0; b < n; b += 16) {
      const v128_t a0 = wasm_v128_load(r0 + b), a1 = wasm_v128_load(r0 + b + C), a2 = wasm_v128_load(r0 + b + 2 * C);
      const v128_t b0 = wasm_v128_load(r1 + b), b2 = wasm_v128_load(r1 + b + 2 * C);
      const v128_t c0 = wasm_v128_load(r2 + b), c1 = wasm_v128_load(r2 + b + C), c2 = wasm_v128_load(r2 + b + 2 * C);
      v128_t g[4];  // gx lo, gx hi, gy lo, gy hi
      for (int h = 0; h < 2; ++h) {
        const auto e = [h](v128_t v) { return h ? wasm_u16x8_extend_high_u8x16(v) : wasm_u16x8_extend_low_u8x16(v); };
        const v128_t A0 = e(a0), A1 = e(a1), A2 = e(a2), B0 = e(b0), B2 = e(b2), C0 = e(c0), C1 = e(c1), C2 = e(c2);
        const v128_t dx = wasm_i16x8_add(wasm_i16x8_sub(A2, A0), wasm_i16x8_sub(C2, C0));
        const v128_t dy = wasm_i16x8_add(wasm_i16x8_sub(C0, A0), wasm_i16x8_sub(C2, A2));
        if constexpr (IsSobel) {
          g[h] = wasm_i16x8_add(dx, wasm_i16x8_shl(wasm_i16x8_sub(B2, B0), 1));
          g[2 + h] = wasm_i16x8_add(dy, wasm_i16x8_shl(wasm_i16x8_sub(C1, A1), 1));
        } else {
          g[h] = wasm_i16x8_add(wasm_i16x8_mul(dx, v0), wasm_i16x8_mul(wasm_i16x8_sub(B2, B0), v1));
          g[2 + h] = wasm_i16x8_add(wasm_i16x8_mul(dy, v0), wasm_i16x8_mul(wasm_i16x8_sub(C1, A1), v1));
        }
      }
      v128_t m[4];
      if constexpr (L2) {
        for (int h = 0; h < 2; ++h) {
          const v128_t gx = g[h], gy = g[2 + h];
          m[2 * h] = wasm_f32x4_sqrt(wasm_f32x4_convert_i32x4(
              wasm_i32x4_add(wasm_i32x4_extmul_low_i16x8(gx, gx), wasm_i32x4_extmul_low_i16x8(gy, gy))));
          m[2 * h + 1] = wasm_f32x4_sqrt(wasm_f32x4_convert_i32x4(
              wasm_i32x4_add(wasm_i32x4_extmul_high_i16x8(gx, gx), wasm_i32x4_extmul_high_i16x8(gy, gy))));
        }
      } else {
        kern::u16x8_to_f32(wasm_i16x8_add(wasm_i16x8_abs(g[0]), wasm_i16x8_abs(g[2])), m[0], m[1]);
        kern::u16x8_to_f32(wasm_i16x8_add(wasm_i16x8_abs(g[1]), wasm_i16x8_abs(g[3])), m[2], m[3]);
      }
      v128_t px;
      if constexpr (Ident)
        // m >= 0 and pack_u8 saturates above 255: quantize4's clamps would change nothing here.
        px = kern::pack_u8(kern::round4(m[0]), kern::round4(m[1]), kern::round4(m[2]), kern::round4(m[3]));
      else
        px = kern::finish_f32(m, vscale, voff);
      if (C == 4) px = kern::keep_alpha(px, wasm_v128_load(r1 + b + C));
      kern::store16(out + b, px, n - b);
    }
  }
}

}  // namespace

void gradient_i16__grouped_wasmsimd(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                                    Scratch& s) {
  (p.spec.gradient == Gradient::MagnitudeL2 ? gradient_kernel<true> : gradient_kernel<false>)(src, dst, y0, y1, p, s);
}
void gradient_i16__diff3_wasmsimd(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                                  Scratch& s) {
  (p.spec.gradient == Gradient::MagnitudeL2 ? diff3_kernel<true, false, false> : diff3_kernel<false, false, false>)(
      src, dst, y0, y1, p, s);
}
void gradient_i16__diff3_unscaled_wasmsimd(const ImageView& src, const MutableImageView& dst, int y0, int y1,
                                           const Plan& p, Scratch& s) {
  (p.spec.gradient == Gradient::MagnitudeL2 ? diff3_kernel<true, true, false> : diff3_kernel<false, true, false>)(
      src, dst, y0, y1, p, s);
}
void gradient_i16__sobel3_wasmsimd(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                                   Scratch& s) {
  (p.spec.gradient == Gradient::MagnitudeL2 ? diff3_kernel<true, true, true> : diff3_kernel<false, true, true>)(
      src, dst, y0, y1, p, s);
}

}  // namespace convolens
