// Direct 2-D convolution in f32: the general form every kernel admits. Taps are summed in
// row-major order (zero taps skipped), one product added at a time, no FMA, then
// acc * (1/scale) + offset is rounded: the scalar and SIMD variants agree bit for bit.
#include <algorithm>

#include "image/conv_registry.h"
#include "image/kernel_util.h"

namespace convolens {

void conv2d_f32__scalar(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                        Scratch& scratch) {
  const int n = src.width * src.channels;
  const kern::PaddedImage in(src, p.kw(), p.kh(), p.ax(), p.ay(), y0, y1, p.spec.border, p.spec.border_value,
                             scratch.rows);
  scratch.line.resize(std::size_t(n) * sizeof(float));
  float* acc = scratch.line.as<float>();
  for (int y = y0; y < y1; ++y) {
    for (int i = 0; i < n; ++i) acc[i] = 0.f;
    for (const Tap& t : p.nonzero) {  // one tap over the whole row; per pixel, taps in order
      const float w = p.w(t.row, t.col);
      const std::uint8_t* s = in.ptr(t.col - p.ax(), y + t.row - p.ay());
      for (int i = 0; i < n; ++i) acc[i] = acc[i] + w * float(s[i]);
    }
    std::uint8_t* out = dst.row(y);
    for (int i = 0; i < n; ++i) out[i] = kern::finish_f32(acc[i], p.inv_scale, p.spec.kernel.offset);
    kern::restore_alpha(src, dst, y);
  }
}

namespace {

// Ring of f32 copies of padded rows (same virtual row numbering as PaddedRows).
class FloatRows {
 public:
  FloatRows(PaddedRows& rows, int slots, Buffer& storage) : rows_(rows), slots_(slots) {
    len_ = (rows.padded_bytes() + 15) / 16 * 16 + 16;
    storage.resize(std::size_t(len_) * slots * sizeof(float));
    data_ = storage.as<float>();
    for (int s = 0; s < slots; ++s) tags_[s] = INT32_MIN;
  }
  const float* row(int v) {
    const int s = floor_mod(v, slots_);
    float* f = data_ + std::size_t(s) * len_;
    if (tags_[s] != v) {
      const std::uint8_t* u = rows_.row(v);
      for (int b = 0; b + 16 <= len_; b += 16) {
        v128_t q[4];
        kern::u8x16_to_f32(wasm_v128_load(u + b), q);
        for (int i = 0; i < 4; ++i) wasm_v128_store(f + b + 4 * i, q[i]);
      }
      tags_[s] = v;
    }
    return f;
  }

 private:
  PaddedRows& rows_;
  int slots_, len_;
  float* data_;
  int tags_[kMaxKernelSize + 2];
};

}  // namespace

__attribute__((noinline)) void conv2d_f32__wasmsimd(const ImageView& src, const MutableImageView& dst, int y0,
                                                    int y1, const Plan& p, Scratch& scratch) {
  const int C = src.channels, n = src.width * C, kh = p.kh();
  PaddedRows rows(src, p.kw(), kh, p.spec.border, p.spec.border_value, scratch.rows);
  FloatRows frows(rows, kh + 1, scratch.rows_f32);
  const std::size_t nt = p.nonzero.size();
  const v128_t vscale = wasm_f32x4_splat(p.inv_scale), voff = wasm_f32x4_splat(p.spec.kernel.offset);
  const float* line[kMaxKernelSize];
  for (int y = y0; y < y1; ++y) {
    for (int j = 0; j < kh; ++j) line[j] = frows.row(y + j - p.ay());
    const std::uint8_t* centre = rows.row(y) + p.ax() * C;
    std::uint8_t* out = dst.row(y);
    for (int b = 0; b < n; b += 16) {
      v128_t acc[4] = {wasm_f32x4_splat(0.f), wasm_f32x4_splat(0.f), wasm_f32x4_splat(0.f), wasm_f32x4_splat(0.f)};
      for (std::size_t t = 0; t < nt; ++t) {
        const Tap& tap = p.nonzero[t];
        const float* q = line[tap.row] + b + tap.col * C;
        const v128_t wv = wasm_f32x4_splat(p.w(tap.row, tap.col));
        for (int i = 0; i < 4; ++i) acc[i] = wasm_f32x4_add(acc[i], wasm_f32x4_mul(wv, wasm_v128_load(q + 4 * i)));
      }
      v128_t px = kern::finish_f32(acc, vscale, voff);
      if (C == 4) px = kern::keep_alpha(px, wasm_v128_load(centre + b));
      kern::store16(out + b, px, n - b);
    }
  }
}

}  // namespace convolens
