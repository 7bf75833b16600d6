// Box kernels (all weights equal) by running sums: cost per pixel independent of the size.
// Column sums over the kh window are updated by adding the entering row and subtracting the
// leaving one; each output row then slides a kw window along them. The sum S is an exact
// integer, so out = round(S * factor + offset) is the only rounding and scalar == SIMD.
#include "image/conv_registry.h"
#include "image/kernel_util.h"

namespace convolens {

namespace {
inline std::uint8_t fixed_finish(std::uint32_t s, const BoxForm& f) {
  const int v = (int(s) * f.mul + f.bias) >> 16;
  return std::uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
}
}  // namespace

void box_blur__running_sum_scalar(const ImageView& src, const MutableImageView& dst, const Plan& p, Scratch& scratch) {
  const int C = src.channels, w = src.width, kw = p.kw(), kh = p.kh(), ax = p.ax(), ay = p.ay();
  const kern::PaddedImage in(src, kw, kh, ax, ay, p.spec.border, p.spec.border_value, scratch.rows);
  const int pw = w + kw - 1;  // padded width: padded x = x + ax
  const int pn = pw * C;
  scratch.line.resize(std::size_t(pn) * sizeof(std::uint32_t));
  std::uint32_t* col = scratch.line.as<std::uint32_t>();
  const float factor = p.box.factor, offset = p.spec.kernel.offset;
  for (int y = 0; y < src.height; ++y) {
    if (y == 0) {  // column sums over the first window
      for (int k = 0; k < pn; ++k) col[k] = 0;
      for (int j = 0; j < kh; ++j) {
        const std::uint8_t* r = in.ptr(-ax, j - ay);
        for (int k = 0; k < pn; ++k) col[k] += r[k];
      }
    } else {  // slide down one row
      const std::uint8_t* add = in.ptr(-ax, y + kh - 1 - ay);
      const std::uint8_t* sub = in.ptr(-ax, y - 1 - ay);
      for (int k = 0; k < pn; ++k) col[k] = col[k] + add[k] - sub[k];
    }
    std::uint8_t* out = dst.row(y);
    for (int c = 0; c < C; ++c) {
      if (C == 4 && c == 3) {
        for (int x = 0; x < w; ++x) out[x * 4 + 3] = src.row(y)[x * 4 + 3];
        continue;
      }
      std::uint32_t s = 0;
      for (int i = 0; i < kw; ++i) s += col[i * C + c];
      for (int x = 0; x < w; ++x) {
        out[x * C + c] = p.box.fixed_point ? fixed_finish(s, p.box) : kern::finish_f32(float(s), factor, offset);
        if (x + 1 < w) s = s + col[(x + kw) * C + c] - col[x * C + c];
      }
    }
  }
}

namespace {

template <bool Fixed>
__attribute__((noinline)) void box_kernel(const ImageView& src, const MutableImageView& dst, const Plan& p,
                                          Scratch& scratch) {
  const int C = src.channels, w = src.width, kw = p.kw(), kh = p.kh(), ay = p.ay();
  PaddedRows rows(src, kw, kh, p.spec.border, p.spec.border_value, scratch.rows);
  const int pb = rows.padded_bytes();
  const int clen = (pb + 15) / 16 * 16 + 16;
  scratch.line.resize(std::size_t(clen) * sizeof(std::uint16_t));
  std::uint16_t* col = scratch.line.as<std::uint16_t>();  // kh * 255 <= 7905: u16 is exact
  const float factor = p.box.factor, offset = p.spec.kernel.offset;
  const v128_t vfactor = wasm_f32x4_splat(factor), voff = wasm_f32x4_splat(offset);
  const v128_t vmul = wasm_i32x4_splat(p.box.mul), vbias = wasm_i32x4_splat(p.box.bias);
  for (int y = 0; y < src.height; ++y) {
    if (y == 0) {
      for (int b = 0; b < clen; b += 8) wasm_v128_store(col + b, wasm_i16x8_splat(0));
      for (int j = 0; j < kh; ++j) {
        const std::uint8_t* r = rows.row(j - ay);
        for (int b = 0; b < pb; b += 16) {
          const v128_t v = wasm_v128_load(r + b);
          wasm_v128_store(col + b, wasm_i16x8_add(wasm_v128_load(col + b), wasm_u16x8_extend_low_u8x16(v)));
          wasm_v128_store(col + b + 8, wasm_i16x8_add(wasm_v128_load(col + b + 8), wasm_u16x8_extend_high_u8x16(v)));
        }
      }
    } else {
      const std::uint8_t* add = rows.row(y + kh - 1 - ay);
      const std::uint8_t* sub = rows.row(y - 1 - ay);
      for (int b = 0; b < pb; b += 16) {
        const v128_t a = wasm_v128_load(add + b), s = wasm_v128_load(sub + b);
        const v128_t lo = wasm_i16x8_sub(wasm_u16x8_extend_low_u8x16(a), wasm_u16x8_extend_low_u8x16(s));
        const v128_t hi = wasm_i16x8_sub(wasm_u16x8_extend_high_u8x16(a), wasm_u16x8_extend_high_u8x16(s));
        wasm_v128_store(col + b, wasm_i16x8_add(wasm_v128_load(col + b), lo));
        wasm_v128_store(col + b + 8, wasm_i16x8_add(wasm_v128_load(col + b + 8), hi));
      }
    }
    std::uint8_t* out = dst.row(y);
    if (C == 4) {
      // One pixel per i32x4 (R, G, B, A lanes); four pixels are packed per store.
      const std::uint8_t* centre = rows.row(y) + p.ax() * 4;
      v128_t s = wasm_i32x4_splat(0);
      for (int i = 0; i < kw; ++i) s = wasm_i32x4_add(s, wasm_u32x4_load16x4(col + i * 4));
      // Four pixels per step, unrolled so the four results stay in registers.
      auto step = [&](int x) {
        v128_t q;
        if constexpr (Fixed)  // the narrowing in pack_u8 saturates: the clamp
          q = wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_mul(s, vmul), vbias), 16);
        else
          q = kern::quantize4(wasm_f32x4_add(wasm_f32x4_mul(simd::u32_to_f32_small(s), vfactor), voff));
        // col has slack past the padded row, so the last update reads defined memory (unused).
        s = wasm_i32x4_sub(wasm_i32x4_add(s, wasm_u32x4_load16x4(col + (x + kw) * 4)), wasm_u32x4_load16x4(col + x * 4));
        return q;
      };
      int x = 0;
      for (; x + 4 <= w; x += 4) {
        const v128_t q0 = step(x), q1 = step(x + 1), q2 = step(x + 2), q3 = step(x + 3);
        wasm_v128_store(out + x * 4, kern::keep_alpha(kern::pack_u8(q0, q1, q2, q3), wasm_v128_load(centre + x * 4)));
      }
      if (x < w) {
        v128_t q[4] = {wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0)};
        for (int i = 0; x + i < w; ++i) q[i] = step(x + i);
        kern::store16(out + x * 4, kern::keep_alpha(kern::pack_u8(q[0], q[1], q[2], q[3]), wasm_v128_load(centre + x * 4)),
                      (w - x) * 4);
      }
    } else {
      std::uint32_t s = 0;
      for (int i = 0; i < kw; ++i) s += col[i];
      for (int x = 0; x < w; ++x) {
        out[x] = Fixed ? fixed_finish(s, p.box) : kern::finish_f32(float(s), factor, offset);
        s = s + col[x + kw] - col[x];
      }
    }
  }
}

}  // namespace

void box_blur__running_sum_wasmsimd(const ImageView& src, const MutableImageView& dst, const Plan& p, Scratch& s) {
  if (p.box.fixed_point)
    box_kernel<true>(src, dst, p, s);
  else
    box_kernel<false>(src, dst, p, s);
}

}  // namespace convolens
