// SIMD variants: direct NHWC convolution over vectors of 4 output channels, PX output pixels
// at a time (PX*CV accumulators stay under V8's ~12 live v128 registers), over a zero-padded
// copy of the input so the inner loop has no bounds checks. Same summation order as the
// scalar references (bias, then ky, kx, ci), no fused multiply-add: results are identical.
#include <algorithm>
#include <cstring>

#include "nn/kernels.h"
#include "simd/simd.h"

namespace convolens::nn {
namespace {

// Copies `in` into `scratch` with the zero border the geometry reads; returns the padded base.
const float* pad_input(const ConvGeom& g, const float* in, float* scratch, int& pw) {
  pw = g.in_w + g.pad_l + g.pad_r;
  if (g.pad_t == 0 && g.pad_b == 0 && g.pad_l == 0 && g.pad_r == 0) return in;
  const int ph = g.in_h + g.pad_t + g.pad_b;
  const std::size_t row = std::size_t(pw) * g.in_c;
  std::fill(scratch, scratch + std::size_t(g.pad_t) * row, 0.f);
  for (int y = 0; y < g.in_h; ++y) {
    float* d = scratch + (std::size_t(y) + g.pad_t) * row;
    std::fill(d, d + std::size_t(g.pad_l) * g.in_c, 0.f);
    std::memcpy(d + std::size_t(g.pad_l) * g.in_c, in + std::size_t(y) * g.in_w * g.in_c, sizeof(float) * g.in_w * g.in_c);
    std::fill(d + std::size_t(g.pad_l + g.in_w) * g.in_c, d + row, 0.f);
  }
  std::fill(scratch + std::size_t(g.pad_t + g.in_h) * row, scratch + std::size_t(ph) * row, 0.f);
  return scratch;
}

inline v128_t activate(v128_t v, Act act) {
  if (act == Act::Relu) return wasm_f32x4_pmax(wasm_f32x4_splat(0.f), v);
  if (act == Act::Relu6) return wasm_f32x4_pmin(wasm_f32x4_pmax(v, wasm_f32x4_splat(0.f)), wasm_f32x4_splat(6.f));
  return v;
}

// Stores the first n (1..4) lanes.
inline void store_lanes(float* d, v128_t v, int n) {
  if (n == 4) {
    wasm_v128_store(d, v);
    return;
  }
  alignas(16) float t[4];
  wasm_v128_store(t, v);
  for (int i = 0; i < n; ++i) d[i] = t[i];
}

// One block of CV*4 output channels for PX consecutive output pixels of one row.
// `in` points at the padded input of the first pixel's window corner; taps: (rows of `run`
// contiguous floats, `nx` of them per window row at stride `xstep`).
template <int CV, int PX>
__attribute__((noinline)) void conv_tile(const float* in, int pixel_stride, int row_stride, int kh, int nx, int xstep,
                                         int run, const float* w, int wstride, const float* bias, int co_left, Act act,
                                         float* out, int out_pixel_stride) {
  v128_t acc[PX][CV];
  for (int v = 0; v < CV; ++v) {
    v128_t b = wasm_f32x4_splat(0.f);
    if (bias) {
      alignas(16) float t[4] = {0, 0, 0, 0};
      for (int i = 0; i < 4 && v * 4 + i < co_left; ++i) t[i] = bias[v * 4 + i];
      b = wasm_v128_load(t);
    }
    for (int p = 0; p < PX; ++p) acc[p][v] = b;
  }
  for (int ky = 0; ky < kh; ++ky) {
    const float* row = in + std::size_t(ky) * row_stride;
    for (int kx = 0; kx < nx; ++kx) {
      const float* x = row + std::size_t(kx) * xstep;
      for (int j = 0; j < run; ++j) {
        v128_t wv[CV];
        for (int v = 0; v < CV; ++v) wv[v] = wasm_v128_load(w + v * 4);
        for (int p = 0; p < PX; ++p) {
          const v128_t xv = wasm_f32x4_splat(x[std::size_t(p) * pixel_stride + j]);
          for (int v = 0; v < CV; ++v) acc[p][v] = wasm_f32x4_add(acc[p][v], wasm_f32x4_mul(xv, wv[v]));
        }
        w += wstride;
      }
    }
  }
  for (int p = 0; p < PX; ++p)
    for (int v = 0; v < CV; ++v) {
      const int n = std::min(4, co_left - v * 4);
      if (n > 0) store_lanes(out + std::size_t(p) * out_pixel_stride + v * 4, activate(acc[p][v], act), n);
    }
}

template <int CV, int PX>
void conv_block_row(const ConvParams& p, const float* in_row, int pw, int co0, float* out_row) {
  const ConvGeom& g = p.g;
  // With dilation 1 the window row (kx, ci) is one contiguous run of kw*in_c floats.
  const int nx = g.dw == 1 ? 1 : g.kw, run = g.dw == 1 ? g.kw * g.in_c : g.in_c, xstep = g.dw * g.in_c;
  const int pixel_stride = g.sw * g.in_c, row_stride = g.dh * pw * g.in_c;
  const float* w = p.packed + co0;
  const float* bias = p.bias ? p.bias + co0 : nullptr;
  const int co_left = g.out_c - co0;
  int ox = 0;
  for (; ox + PX <= g.out_w; ox += PX)
    conv_tile<CV, PX>(in_row + std::size_t(ox) * pixel_stride, pixel_stride, row_stride, g.kh, nx, xstep, run, w,
                      p.packed_stride, bias, co_left, p.act, out_row + std::size_t(ox) * g.out_c + co0, g.out_c);
  for (; ox < g.out_w; ++ox)
    conv_tile<CV, 1>(in_row + std::size_t(ox) * pixel_stride, pixel_stride, row_stride, g.kh, nx, xstep, run, w,
                     p.packed_stride, bias, co_left, p.act, out_row + std::size_t(ox) * g.out_c + co0, g.out_c);
}

}  // namespace

void conv2d__wasmsimd_direct(const ConvParams& p, const float* in, float* out, float* scratch) {
  const ConvGeom& g = p.g;
  int pw;
  const float* src = pad_input(g, in, scratch, pw);
  for (int oy = 0; oy < g.out_h; ++oy) {
    const float* in_row = src + std::size_t(oy) * g.sh * pw * g.in_c;
    float* out_row = out + std::size_t(oy) * g.out_w * g.out_c;
    int co = 0;
    // Blocks of 16, then 12/8/4 for the rest (the last block may be partial: lanes past out_c
    // use zero-padded weights and are not stored).
    for (; co + 16 <= g.out_c; co += 16) conv_block_row<4, 2>(p, in_row, pw, co, out_row);
    const int left = g.out_c - co;
    if (left > 12) conv_block_row<4, 2>(p, in_row, pw, co, out_row);
    else if (left > 8) conv_block_row<3, 3>(p, in_row, pw, co, out_row);
    else if (left > 4) conv_block_row<2, 4>(p, in_row, pw, co, out_row);
    else if (left > 0) conv_block_row<1, 8>(p, in_row, pw, co, out_row);
  }
}

void depthwise2d__wasmsimd(const ConvParams& p, const float* in, float* out, float* scratch) {
  const ConvGeom& g = p.g;  // supports: mult == 1
  int pw;
  const float* src = pad_input(g, in, scratch, pw);
  const int C = g.out_c;
  for (int oy = 0; oy < g.out_h; ++oy)
    for (int ox = 0; ox < g.out_w; ++ox) {
      const float* base = src + (std::size_t(oy) * g.sh * pw + std::size_t(ox) * g.sw) * C;
      float* o = out + (std::size_t(oy) * g.out_w + ox) * C;
      int c = 0;
      for (; c + 4 <= C; c += 4) {
        v128_t acc = p.bias ? wasm_v128_load(p.bias + c) : wasm_f32x4_splat(0.f);
        for (int ky = 0; ky < g.kh; ++ky)
          for (int kx = 0; kx < g.kw; ++kx) {
            const v128_t x = wasm_v128_load(base + (std::size_t(ky) * g.dh * pw + std::size_t(kx) * g.dw) * C + c);
            const v128_t w = wasm_v128_load(p.kernel + (std::size_t(ky) * g.kw + kx) * C + c);
            acc = wasm_f32x4_add(acc, wasm_f32x4_mul(x, w));
          }
        wasm_v128_store(o + c, activate(acc, p.act));
      }
      for (; c < C; ++c) {
        float acc = p.bias ? p.bias[c] : 0.f;
        for (int ky = 0; ky < g.kh; ++ky)
          for (int kx = 0; kx < g.kw; ++kx)
            acc += base[(std::size_t(ky) * g.dh * pw + std::size_t(kx) * g.dw) * C + c] *
                   p.kernel[(std::size_t(ky) * g.kw + kx) * C + c];
        if (p.act == Act::Relu) acc = acc > 0.f ? acc : 0.f;
        if (p.act == Act::Relu6) acc = std::min(std::max(acc, 0.f), 6.f);
        o[c] = acc;
      }
    }
}

namespace {
template <int CV>
__attribute__((noinline)) void dense_block(const DenseParams& p, const float* x, int n0, float* out) {
  v128_t acc[CV];
  const int left = p.out - n0;
  for (int v = 0; v < CV; ++v) {
    alignas(16) float t[4] = {0, 0, 0, 0};
    if (p.bias)
      for (int i = 0; i < 4 && v * 4 + i < left; ++i) t[i] = p.bias[n0 + v * 4 + i];
    acc[v] = wasm_v128_load(t);
  }
  const float* w = p.packed + n0;
  for (int k = 0; k < p.in; ++k, w += p.packed_stride) {
    const v128_t xv = wasm_f32x4_splat(x[k]);
    for (int v = 0; v < CV; ++v) acc[v] = wasm_f32x4_add(acc[v], wasm_f32x4_mul(xv, wasm_v128_load(w + v * 4)));
  }
  for (int v = 0; v < CV; ++v) {
    const int n = std::min(4, left - v * 4);
    if (n > 0) store_lanes(out + n0 + v * 4, activate(acc[v], p.act), n);
  }
}
}  // namespace

void dense__wasmsimd(const DenseParams& p, const float* in, float* out) {
  for (int r = 0; r < p.rows; ++r) {
    const float* x = in + std::size_t(r) * p.in;
    float* o = out + std::size_t(r) * p.out;
    int n = 0;
    for (; n + 32 <= p.out; n += 32) dense_block<8>(p, x, n, o);
    // The tail reads exactly ceil(left/4) vectors: no further than the packed row.
    switch ((p.out - n + 3) / 4) {
      case 1: dense_block<1>(p, x, n, o); break;
      case 2: dense_block<2>(p, x, n, o); break;
      case 3: dense_block<3>(p, x, n, o); break;
      case 4: dense_block<4>(p, x, n, o); break;
      case 5: dense_block<5>(p, x, n, o); break;
      case 6: dense_block<6>(p, x, n, o); break;
      case 7: dense_block<7>(p, x, n, o); break;
      case 8: dense_block<8>(p, x, n, o); break;
      default: break;
    }
  }
}

// Pooling over channel vectors; the window is clipped to the image once per output pixel
// (padding is never read or counted). Taps in ky, kx order like the reference.
namespace {
// The common MNIST-style case, 2x2 windows at stride 2 without padding: four loads per vector.
void max_pool_2x2s2(const ConvGeom& g, const float* in, float* out) {
  const int C = g.in_c;
  const std::size_t row = std::size_t(g.in_w) * C;
  for (int oy = 0; oy < g.out_h; ++oy)
    for (int ox = 0; ox < g.out_w; ++ox) {
      const float* a = in + (std::size_t(2 * oy) * g.in_w + 2 * ox) * C;
      const float* b = a + row;
      float* o = out + (std::size_t(oy) * g.out_w + ox) * C;
      int c = 0;
      for (; c + 4 <= C; c += 4) {
        // Same order as the reference: -inf, then taps (0,0), (0,1), (1,0), (1,1).
        v128_t m = wasm_f32x4_pmax(wasm_f32x4_splat(-__builtin_inff()), wasm_v128_load(a + c));
        m = wasm_f32x4_pmax(m, wasm_v128_load(a + C + c));
        m = wasm_f32x4_pmax(m, wasm_v128_load(b + c));
        wasm_v128_store(o + c, wasm_f32x4_pmax(m, wasm_v128_load(b + C + c)));
      }
      for (; c < C; ++c) {
        float m = -__builtin_inff();
        for (float v : {a[c], a[C + c], b[c], b[C + c]}) m = m < v ? v : m;
        o[c] = m;
      }
    }
}

template <bool kMax>
void pool(const ConvGeom& g, const float* in, float* out) {
  const int C = g.in_c;
  if (kMax && g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.pad_t + g.pad_l == 0 &&
      g.out_h * 2 <= g.in_h && g.out_w * 2 <= g.in_w)
    return max_pool_2x2s2(g, in, out);
  for (int oy = 0; oy < g.out_h; ++oy) {
    const int y0 = std::max(0, oy * g.sh - g.pad_t), y1 = std::min(g.in_h, oy * g.sh - g.pad_t + g.kh);
    for (int ox = 0; ox < g.out_w; ++ox) {
      const int x0 = std::max(0, ox * g.sw - g.pad_l), x1 = std::min(g.in_w, ox * g.sw - g.pad_l + g.kw);
      float* o = out + (std::size_t(oy) * g.out_w + ox) * C;
      int c = 0;
      for (; c + 4 <= C; c += 4) {
        v128_t acc = wasm_f32x4_splat(kMax ? -__builtin_inff() : 0.f);
        for (int y = y0; y < y1; ++y)
          for (int x = x0; x < x1; ++x) {
            const v128_t v = wasm_v128_load(in + (std::size_t(y) * g.in_w + x) * C + c);
            acc = kMax ? wasm_f32x4_pmax(acc, v) : wasm_f32x4_add(acc, v);
          }
        if (!kMax) acc = wasm_f32x4_div(acc, wasm_f32x4_splat(float((y1 - y0) * (x1 - x0))));
        wasm_v128_store(o + c, acc);
      }
      for (; c < C; ++c) {
        float acc = kMax ? -__builtin_inff() : 0.f;
        for (int y = y0; y < y1; ++y)
          for (int x = x0; x < x1; ++x) {
            const float v = in[(std::size_t(y) * g.in_w + x) * C + c];
            acc = kMax ? (acc < v ? v : acc) : acc + v;
          }
        o[c] = kMax ? acc : acc / float((y1 - y0) * (x1 - x0));
      }
    }
  }
}
}  // namespace

void max_pool__wasmsimd(const ConvGeom& g, const float* in, float* out) { pool<true>(g, in, out); }
void avg_pool__wasmsimd(const ConvGeom& g, const float* in, float* out) { pool<false>(g, in, out); }

}  // namespace convolens::nn
