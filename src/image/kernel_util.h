// Small pieces shared by the convolution variants: the one rounding rule (scalar and SIMD
// spellings that agree bit for bit), u8 <-> f32 lane conversions, alpha and tail handling.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>

#include "core/buffer.h"
#include "image/image.h"
#include "simd/simd.h"

namespace convolens::kern {

// Clamp to 0..255, then round to nearest (ties to even) by adding 2^23: the sum's low mantissa
// bits are the rounded integer. Cheaper than nearest + trunc_sat (and SIMDe's trunc_sat natively).
// The scalar spelling does the same IEEE operations, so both agree even for NaN (saturates to 255).
inline std::uint8_t quantize(float v) {
  v = v < 0.f ? 0.f : v;      // f32x4.pmax(v, 0): NaN stays NaN
  v = 255.f < v ? 255.f : v;  // f32x4.pmin(v, 255)
  const float r = v + 8388608.f;
  std::int32_t bits;
  std::memcpy(&bits, &r, 4);
  const std::int32_t q = bits - 0x4B000000;
  return static_cast<std::uint8_t>(q < 0 ? 0 : q > 255 ? 255 : q);  // the narrowing saturation
}

// Round to nearest even by the 2^23 trick, without the clamp: for 0 <= v < 2^22.
inline v128_t round4(v128_t v) {
  return wasm_i32x4_sub(wasm_f32x4_add(v, wasm_f32x4_splat(8388608.f)), wasm_i32x4_splat(0x4B000000));
}

inline v128_t quantize4(v128_t v) {
  return round4(wasm_f32x4_pmin(wasm_f32x4_pmax(v, wasm_f32x4_splat(0.f)), wasm_f32x4_splat(255.f)));
}

// Four i32x4 (each 0..255) -> 16 bytes.
inline v128_t pack_u8(v128_t a, v128_t b, v128_t c, v128_t d) {
  return wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(a, b), wasm_i16x8_narrow_i32x4(c, d));
}

// value * scale + offset for four f32x4, then quantized and packed to 16 bytes.
inline v128_t finish_f32(const v128_t acc[4], v128_t scale, v128_t offset) {
  v128_t q[4];
  for (int i = 0; i < 4; ++i) q[i] = quantize4(wasm_f32x4_add(wasm_f32x4_mul(acc[i], scale), offset));
  return pack_u8(q[0], q[1], q[2], q[3]);
}
inline std::uint8_t finish_f32(float acc, float scale, float offset) {
  const float v = acc * scale;
  return quantize(v + offset);
}

// u16 lanes -> two f32x4 (exact).
inline void u16x8_to_f32(v128_t v, v128_t& lo, v128_t& hi) {
  lo = simd::u32_to_f32_small(wasm_u32x4_extend_low_u16x8(v));
  hi = simd::u32_to_f32_small(wasm_u32x4_extend_high_u16x8(v));
}

// 16 bytes -> four f32x4 (exact).
inline void u8x16_to_f32(v128_t bytes, v128_t f[4]) {
  u16x8_to_f32(wasm_u16x8_extend_low_u8x16(bytes), f[0], f[1]);
  u16x8_to_f32(wasm_u16x8_extend_high_u8x16(bytes), f[2], f[3]);
}

// RGBA: byte 3 of every pixel from `src` (alpha is never filtered).
inline v128_t keep_alpha(v128_t px, v128_t src) {
  return wasm_v128_bitselect(src, px, wasm_i32x4_splat(static_cast<int>(0xFF000000u)));
}

// Stores 16 bytes, or the first n of them at a row's end.
inline void store16(std::uint8_t* p, v128_t v, int n) {
  if (n >= 16) {
    wasm_v128_store(p, v);
  } else {
    alignas(16) std::uint8_t t[16];
    wasm_v128_store(t, v);
    std::memcpy(p, t, n);
  }
}

// Integer taps grouped by weight (TapGroups) over 16 bytes: lo/hi += q_g * sum(pixels of group g).
// ptr[t]: row pointer of tap t (already offset by its column); qv[g]: splat weight of group g.
// ~25 KB: it lives in the band's scratch (in_scratch), not on the stack, and not thread_local:
// in the -pthread build a thread_local is addressed from the thread's TLS base, a mutable wasm
// global that the compiled loop reloads for every tap (custom 7x7 ran 7-11 % slower there).
struct GroupedTaps {
  static constexpr int kCap = 31 * 31;
  int ng = 0;
  int end[kCap], q[kCap];
  v128_t qv[kCap];
  const std::uint8_t* ptr[kCap];
  template <class Groups>
  void init(const Groups& g) {
    ng = int(g.end.size());
    for (int i = 0; i < ng; ++i) {
      end[i] = g.end[i];
      q[i] = g.taps[g.end[i] - 1].q;
      qv[i] = wasm_i16x8_splat(std::int16_t(q[i]));
    }
  }
  // load8x8 widens as it loads: one instruction per half instead of a load and two extends.
  void sum(int b, v128_t& lo, v128_t& hi) const {
    for (int g = 0, t = 0; g < ng; ++g) {
      v128_t sl = wasm_u16x8_load8x8(ptr[t] + b), sh = wasm_u16x8_load8x8(ptr[t] + b + 8);
      for (++t; t < end[g]; ++t) {
        sl = wasm_i16x8_add(sl, wasm_u16x8_load8x8(ptr[t] + b));
        sh = wasm_i16x8_add(sh, wasm_u16x8_load8x8(ptr[t] + b + 8));
      }
      if (q[g] == 1) {
        lo = wasm_i16x8_add(lo, sl);
        hi = wasm_i16x8_add(hi, sh);
      } else if (q[g] == -1) {
        lo = wasm_i16x8_sub(lo, sl);
        hi = wasm_i16x8_sub(hi, sh);
      } else {
        lo = wasm_i16x8_add(lo, wasm_i16x8_mul(sl, qv[g]));
        hi = wasm_i16x8_add(hi, wasm_i16x8_mul(sh, qv[g]));
      }
    }
  }
  // n tables in b (a SIMD grouped row's working storage: those rows use no working line).
  static GroupedTaps* in_scratch(Buffer& b, int n) {
    b.resize(sizeof(GroupedTaps) * std::size_t(n));
    GroupedTaps* t = b.as<GroupedTaps>();
    for (int i = 0; i < n; ++i) new (t + i) GroupedTaps;  // sets ng only: init() fills the rest
    return t;
  }
};

// Reads pixel (x, y) channel c through the border: the scalar references' only pixel access.
struct BorderedReader {
  const std::uint8_t* data;
  std::ptrdiff_t stride;
  int width, height, channels;
  Border border;
  std::uint8_t value;
  int at(int x, int y, int c) const {
    const int yy = border_index(y, height, border), xx = border_index(x, width, border);
    if (yy < 0 || xx < 0) return value;
    return data[yy * stride + xx * channels + c];
  }
};

// The scalar rows' reader: the source rows a band of output rows [y0, y1) reads, copied once
// with a border of the kernel's reach (values from BorderedReader), so taps are plain index
// arithmetic. Same values, same results; this is what makes the scalar rows usable as the plain
// wasm module's kernels.
struct PaddedImage {
  const std::uint8_t* data;
  std::ptrdiff_t stride;
  int channels, ox, oy;  // source pixel (x, y) is padded pixel (x + ox, y + oy)
  PaddedImage(const ImageView& src, int kw, int kh, int ax, int ay, int y0, int y1, Border border,
              std::uint8_t value, Buffer& storage)
      : channels(src.channels), ox(ax), oy(ay - y0) {
    const int C = src.channels, pw = src.width + kw - 1, ph = y1 - y0 + kh - 1;
    stride = std::ptrdiff_t(pw) * C;
    storage.resize(std::size_t(stride) * ph + 1);
    std::uint8_t* out = storage.data();
    const BorderedReader in{src.data, src.stride, src.width, src.height, C, border, value};
    for (int py = 0; py < ph; ++py) {
      std::uint8_t* row = out + py * stride;
      const int y = py - oy;
      const bool inside = y >= 0 && y < src.height;
      for (int px = 0; px < pw; ++px) {
        const int x = px - ax;
        if (inside && x == 0) {  // the row's interior: a copy
          std::memcpy(row + px * C, src.row(y), std::size_t(src.width) * C);
          px += src.width - 1;
          continue;
        }
        for (int c = 0; c < C; ++c) row[px * C + c] = std::uint8_t(in.at(x, y, c));
      }
    }
    data = out;
  }
  // Byte of source pixel (x, y), channel 0, for y0 - ay <= y < y1 + kh - 1 - ay; the rows of the
  // image are contiguous here.
  const std::uint8_t* ptr(int x, int y) const { return data + (y + oy) * stride + (x + ox) * channels; }
};

// The scalar rows compute whole rows (alpha included, as a throwaway channel), then put the
// source alpha back: RGBA alpha is never filtered.
inline void restore_alpha(const ImageView& src, const MutableImageView& dst, int y) {
  if (src.channels != 4) return;
  const std::uint8_t* s = src.row(y);
  std::uint8_t* d = dst.row(y);
  for (int x = 0; x < src.width; ++x) d[x * 4 + 3] = s[x * 4 + 3];
}

}  // namespace convolens::kern
