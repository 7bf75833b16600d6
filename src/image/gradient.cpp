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

constexpr int kMaxTaps = kMaxKernelSize * kMaxKernelSize;

// N > 0: exactly N taps, unrolled with the weight vectors hoisted (3x3 operators have 6).
template <int N>
struct TapSet {
  static constexpr int kCap = N ? N : kMaxTaps;
  int n, off[kCap], row[kCap];
  v128_t q[kCap];
  const std::uint8_t* ptr[kCap];
  TapSet(const std::vector<Tap>& taps, int C) : n(N ? N : int(taps.size())) {
    for (int t = 0; t < n; ++t) {
      off[t] = taps[t].col * C;
      row[t] = taps[t].row;
      q[t] = wasm_i16x8_splat(std::int16_t(taps[t].q));
    }
  }
  void bind(const std::uint8_t* const* lines) {
    for (int t = 0; t < n; ++t) ptr[t] = lines[row[t]] + off[t];
  }
  void sum(int b, v128_t& lo, v128_t& hi) const {
    lo = hi = wasm_i16x8_splat(0);
    for (int t = 0; t < (N ? N : n); ++t) {
      const v128_t v = wasm_v128_load(ptr[t] + b);
      lo = wasm_i16x8_add(lo, wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(v), q[t]));
      hi = wasm_i16x8_add(hi, wasm_i16x8_mul(wasm_u16x8_extend_high_u8x16(v), q[t]));
    }
  }
};

template <bool L2, int NX, int NY>
__attribute__((noinline)) void gradient_kernel(const ImageView& src, const MutableImageView& dst, const Plan& p,
                                               Scratch& scratch) {
  const int C = src.channels, n = src.width * C;
  PaddedRows rows(src, p.kw(), p.kh(), p.spec.border, p.spec.border_value, scratch.rows);
  const v128_t vscale = wasm_f32x4_splat(p.inv_scale), voff = wasm_f32x4_splat(p.spec.kernel.offset);
  TapSet<NX> tx(p.grad.tx, C);
  TapSet<NY> ty(p.grad.ty, C);
  const std::uint8_t* line[kMaxKernelSize];
  for (int y = 0; y < src.height; ++y) {
    for (int j = 0; j < p.kh(); ++j) line[j] = rows.row(y + j - p.ay());
    tx.bind(line);
    ty.bind(line);
    const std::uint8_t* centre = line[p.ay()] + p.ax() * C;
    std::uint8_t* out = dst.row(y);
    for (int b = 0; b < n; b += 16) {
      v128_t xl, xh, yl, yh, m[4];
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

template <bool L2>
void gradient_dispatch(const ImageView& src, const MutableImageView& dst, const Plan& p, Scratch& s) {
  if (p.grad.tx.size() == 6 && p.grad.ty.size() == 6)
    gradient_kernel<L2, 6, 6>(src, dst, p, s);  // Sobel, Scharr, Prewitt
  else
    gradient_kernel<L2, 0, 0>(src, dst, p, s);
}

}  // namespace

void gradient_i16__wasmsimd(const ImageView& src, const MutableImageView& dst, const Plan& p, Scratch& s) {
  if (p.spec.gradient == Gradient::MagnitudeL2)
    gradient_dispatch<true>(src, dst, p, s);
  else
    gradient_dispatch<false>(src, dst, p, s);
}

}  // namespace convolens
