// Integer 2-D convolution in i16 lanes (8 per vector, twice f32's): for kernels whose weights,
// scaled by 2^shift and rounded, stay within the proven error bound (Int16Form, conv_plan.cpp).
//   acc = bias + sum q_t * p_t   (exact: the plan proved no partial sum leaves i16)
//   out = clamp((acc + 2^(shift-1)) >> shift, 0, 255)
// The shift is a q15mulr by 2^(15-shift) (rounds half up, exactly): a multiply by a runtime
// constant, where a vector shift by a runtime count would be scalarised (clang 14 does) and a
// template per shift would multiply the code size.
// Rows: `grouped` takes any number of taps; `tapsN` (N = 1..9, kernels up to 3x3) is the same
// arithmetic with the tap count a compile-time constant, so the loop unrolls and the weight
// vectors stay in registers. Inside a row, only the plan's own arithmetic (shift or none) picks
// the instantiation.
#include "image/conv_registry.h"
#include "image/kernel_util.h"

namespace convolens {

void conv2d_i16__scalar(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                        Scratch& scratch) {
  const int n = src.width * src.channels;
  const kern::PaddedImage in(src, p.kw(), p.kh(), p.ax(), p.ay(), y0, y1, p.spec.border, p.spec.border_value,
                             scratch.rows);
  const Int16Form& f = p.i16;
  scratch.line.resize(std::size_t(n) * sizeof(int));
  int* acc = scratch.line.as<int>();
  for (int y = y0; y < y1; ++y) {
    for (int i = 0; i < n; ++i) acc[i] = f.bias;
    for (const Tap& t : f.taps) {  // one tap over the whole row
      const std::uint8_t* s = in.ptr(t.col - p.ax(), y + t.row - p.ay());
      for (int i = 0; i < n; ++i) acc[i] += t.q * s[i];
    }
    std::uint8_t* out = dst.row(y);
    for (int i = 0; i < n; ++i) {
      int a = acc[i];
      if (f.shift) a = (a + (1 << (f.shift - 1))) >> f.shift;  // = q15mulr(acc, 2^(15-shift))
      out[i] = std::uint8_t(a < 0 ? 0 : a > 255 ? 255 : a);
    }
    kern::restore_alpha(src, dst, y);
  }
}

namespace {

inline v128_t round_shift(v128_t acc, v128_t mul) { return wasm_i16x8_q15mulr_sat(acc, mul); }

// Any number of taps, grouped by weight (runs of equal weight cost one multiply).
template <bool Shift>
__attribute__((noinline)) void i16_grouped_kernel(const ImageView& src, const MutableImageView& dst, int y0, int y1,
                                                  const Plan& p, Scratch& scratch) {
  const TapGroups& g = p.i16.groups;
  const int nt = int(g.taps.size());
  const int C = src.channels, n = src.width * C;
  PaddedRows rows(src, p.kw(), p.kh(), p.spec.border, p.spec.border_value, scratch.rows);
  kern::GroupedTaps& taps = *kern::GroupedTaps::in_scratch(scratch.line, 1);
  taps.init(g);
  const v128_t bias = wasm_i16x8_splat(std::int16_t(p.i16.bias));
  const v128_t mul = wasm_i16x8_splat(std::int16_t(1 << (15 - (p.i16.shift ? p.i16.shift : 1))));
  for (int y = y0; y < y1; ++y) {
    for (int t = 0; t < nt; ++t) taps.ptr[t] = rows.row(y + g.taps[t].row - p.ay()) + g.taps[t].col * C;
    const std::uint8_t* centre = rows.row(y) + p.ax() * C;
    std::uint8_t* out = dst.row(y);
    for (int b = 0; b < n; b += 16) {
      v128_t lo = bias, hi = bias;
      taps.sum(b, lo, hi);
      if constexpr (Shift) {
        lo = round_shift(lo, mul);
        hi = round_shift(hi, mul);
      }
      v128_t px = wasm_u8x16_narrow_i16x8(lo, hi);
      if (C == 4) px = kern::keep_alpha(px, wasm_v128_load(centre + b));
      kern::store16(out + b, px, n - b);
    }
  }
}

// Exactly NT taps (unrolled, weights in registers).
template <int NT, bool Shift>
__attribute__((noinline)) void i16_kernel(const ImageView& src, const MutableImageView& dst, int y0, int y1,
                                          const Plan& p, Scratch& scratch) {
  const Int16Form& f = p.i16;
  constexpr int nt = NT;
  const int C = src.channels, n = src.width * C;
  PaddedRows rows(src, p.kw(), p.kh(), p.spec.border, p.spec.border_value, scratch.rows);
  v128_t qv[NT];
  const std::uint8_t* tp[NT];
  for (int t = 0; t < nt; ++t) qv[t] = wasm_i16x8_splat(std::int16_t(f.taps[t].q));
  const v128_t bias = wasm_i16x8_splat(std::int16_t(f.bias));
  const v128_t mul = wasm_i16x8_splat(std::int16_t(1 << (15 - (f.shift ? f.shift : 1))));
  for (int y = y0; y < y1; ++y) {
    for (int t = 0; t < nt; ++t) tp[t] = rows.row(y + f.taps[t].row - p.ay()) + f.taps[t].col * C;
    const std::uint8_t* centre = rows.row(y) + p.ax() * C;
    std::uint8_t* out = dst.row(y);
    for (int b = 0; b < n; b += 16) {
      v128_t lo = bias, hi = bias;
      for (int t = 0; t < nt; ++t) {  // load8x8: load and widen in one instruction
        lo = wasm_i16x8_add(lo, wasm_i16x8_mul(wasm_u16x8_load8x8(tp[t] + b), qv[t]));
        hi = wasm_i16x8_add(hi, wasm_i16x8_mul(wasm_u16x8_load8x8(tp[t] + b + 8), qv[t]));
      }
      if constexpr (Shift) {
        lo = round_shift(lo, mul);
        hi = round_shift(hi, mul);
      }
      v128_t px = wasm_u8x16_narrow_i16x8(lo, hi);  // saturates: the clamp to 0..255
      if (C == 4) px = kern::keep_alpha(px, wasm_v128_load(centre + b));
      kern::store16(out + b, px, n - b);
    }
  }
}

}  // namespace

void conv2d_i16__grouped_wasmsimd(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                                  Scratch& s) {
  (p.i16.shift > 0 ? i16_grouped_kernel<true> : i16_grouped_kernel<false>)(src, dst, y0, y1, p, s);
}

#define CONVOLENS_I16_TAPS_ROW(N)                                                                          \
  void conv2d_i16__taps##N##_wasmsimd(const ImageView& src, const MutableImageView& dst, int y0, int y1,      \
                                     const Plan& p, Scratch& s) {                                          \
    (p.i16.shift > 0 ? i16_kernel<N, true> : i16_kernel<N, false>)(src, dst, y0, y1, p, s);                 \
  }
CONVOLENS_I16_TAPS_ROW(1)
CONVOLENS_I16_TAPS_ROW(2)
CONVOLENS_I16_TAPS_ROW(3)
CONVOLENS_I16_TAPS_ROW(4)
CONVOLENS_I16_TAPS_ROW(5)
CONVOLENS_I16_TAPS_ROW(6)
CONVOLENS_I16_TAPS_ROW(7)
CONVOLENS_I16_TAPS_ROW(8)
CONVOLENS_I16_TAPS_ROW(9)
#undef CONVOLENS_I16_TAPS_ROW

}  // namespace convolens
