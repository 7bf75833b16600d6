#include "train/conv.h"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "train/gemm.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace convolens::train {
namespace {

// Offset of tap t = (ky, kx, ci) from its output pixel's window corner in the image.
inline int tap_offset(const ConvGeom& g, int t) {
  const int run = g.k * g.cin;
  return (t / run) * g.w * g.cin + t % run;
}

}  // namespace

// ---- scalar reference ------------------------------------------------------------------------

void conv_forward__scalar(const ConvGeom& g, int images, const float* x, const float* W, const float* bias, float* y) {
  const int K = g.taps();
  for (int i = 0; i < images; ++i, x += g.in_size(), y += g.out_size())
    for (int oy = 0; oy < g.oh(); ++oy)
      for (int ox = 0; ox < g.ow(); ++ox) {
        const float* corner = x + (oy * g.w + ox) * g.cin;
        for (int f = 0; f < g.n; ++f) {
          float s = 0.f;
          for (int t = 0; t < K; ++t) s += corner[tap_offset(g, t)] * W[t * g.n + f];
          if (bias) s += bias[f];
          y[(oy * g.ow() + ox) * g.n + f] = s;
        }
      }
}

void conv_weight_grad__scalar(const ConvGeom& g, int images, const float* x, const float* dy, float* dW) {
  const int K = g.taps();
  for (int t = 0; t < K; ++t)
    for (int f = 0; f < g.n; ++f) {
      float s = dW[t * g.n + f];
      for (int i = 0; i < images; ++i)
        for (int oy = 0; oy < g.oh(); ++oy)
          for (int ox = 0; ox < g.ow(); ++ox)
            s += x[std::size_t(i) * g.in_size() + (oy * g.w + ox) * g.cin + tap_offset(g, t)] *
                 dy[std::size_t(i) * g.out_size() + (oy * g.ow() + ox) * g.n + f];
      dW[t * g.n + f] = s;
    }
}

void conv_input_grad__scalar(const ConvGeom& g, int images, const float* dy, const float* W, float* dx) {
  const int K = g.taps();
  for (int i = 0; i < images; ++i, dy += g.out_size(), dx += g.in_size()) {
    std::fill(dx, dx + g.in_size(), 0.f);
    for (int oy = 0; oy < g.oh(); ++oy)
      for (int ox = 0; ox < g.ow(); ++ox)
        for (int t = 0; t < K; ++t) {
          float s = 0.f;
          for (int f = 0; f < g.n; ++f) s += dy[(oy * g.ow() + ox) * g.n + f] * W[t * g.n + f];
          dx[(oy * g.w + ox) * g.cin + tap_offset(g, t)] += s;
        }
  }
}

// ---- portable: the gemm (implicit im2col) plus col2im ----------------------------------------

namespace {
struct Tables {
  std::vector<int> pixel, tap;  // column matrix element (p, t) is image[pixel[p] + tap[t]]
};
// Per thread: native training runs chunks on threads.
const Tables& tables(const ConvGeom& g) {
  thread_local Tables tb;
  tb.pixel.resize(std::size_t(g.oh()) * g.ow());
  for (int oy = 0; oy < g.oh(); ++oy)
    for (int ox = 0; ox < g.ow(); ++ox) tb.pixel[std::size_t(oy) * g.ow() + ox] = (oy * g.w + ox) * g.cin;
  tb.tap.resize(g.taps());
  for (int t = 0; t < g.taps(); ++t) tb.tap[t] = tap_offset(g, t);
  return tb;
}
}  // namespace

void conv_forward__portable(const ConvGeom& g, int images, const float* x, const float* W, const float* bias, float* y) {
  const Tables& tb = tables(g);
  const int P = g.oh() * g.ow();
  for (int i = 0; i < images; ++i, x += g.in_size(), y += g.out_size()) {
    gemm({P, g.n, g.taps(), x, 0, W, g.n, y, g.n, false, false, tb.pixel.data(), tb.tap.data()});
    if (bias)
      for (int p = 0; p < P; ++p)
        for (int f = 0; f < g.n; ++f) y[p * g.n + f] += bias[f];
  }
}

void conv_weight_grad__portable(const ConvGeom& g, int images, const float* x, const float* dy, float* dW) {
  const Tables& tb = tables(g);
  const int P = g.oh() * g.ow();
  for (int i = 0; i < images; ++i, x += g.in_size(), dy += g.out_size())
    gemm({g.taps(), g.n, P, x, 0, dy, g.n, dW, g.n, true, true, tb.tap.data(), tb.pixel.data()});
}

void conv_input_grad__portable(const ConvGeom& g, int images, const float* dy, const float* W, float* dx) {
  const int P = g.oh() * g.ow(), K = g.taps(), rowlen = g.k * g.cin;
  thread_local std::vector<float> wt, dcol;
  wt.resize(std::size_t(K) * g.n);
  for (int t = 0; t < K; ++t)
    for (int f = 0; f < g.n; ++f) wt[std::size_t(f) * K + t] = W[t * g.n + f];
  dcol.resize(std::size_t(P) * K);
  for (int i = 0; i < images; ++i, dy += g.out_size(), dx += g.in_size()) {
    gemm({P, K, g.n, dy, g.n, wt.data(), K, dcol.data(), K, false, false});
    std::fill(dx, dx + g.in_size(), 0.f);
    for (int oy = 0; oy < g.oh(); ++oy)
      for (int ox = 0; ox < g.ow(); ++ox) {
        const float* src = dcol.data() + (std::size_t(oy) * g.ow() + ox) * K;
        for (int ky = 0; ky < g.k; ++ky) {
          float* dst = dx + (std::size_t(oy + ky) * g.w + ox) * g.cin;
          for (int j = 0; j < rowlen; ++j) dst[j] += src[ky * rowlen + j];
        }
      }
  }
}

// ---- wasm SIMD: direct kernels ---------------------------------------------------------------

#if defined(__wasm_simd128__)
namespace {

inline int round4(int v) { return (v + 3) & ~3; }

// The first n (1..4) lanes of v to p (never writes past p[n - 1]).
inline void store_first(float* p, v128_t v, int n) {
  if (n == 4) return wasm_v128_store(p, v);
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (n > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (n > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}
inline v128_t load_first(const float* p, int n) {
  if (n == 4) return wasm_v128_load(p);
  v128_t v = wasm_f32x4_make(p[0], 0.f, 0.f, 0.f);
  if (n > 1) v = wasm_f32x4_replace_lane(v, 1, p[1]);
  if (n > 2) v = wasm_f32x4_replace_lane(v, 2, p[2]);
  return v;
}

// Forward: PX consecutive output pixels x CV vectors of filters (f0..f0+4CV of the zero-padded
// kernel wp, row stride ns). Per tap one splat per pixel, CV kernel loads; sums in tap order.
template <int CV, int PX>
__attribute__((noinline)) void fwd_tile(const ConvGeom& g, const float* corner, const float* wp, int ns,
                                        const float* bias, int f0, float* y) {
  v128_t acc[PX][CV];
  for (int p = 0; p < PX; ++p)
    for (int v = 0; v < CV; ++v) acc[p][v] = wasm_f32x4_splat(0.f);
  const int run = g.k * g.cin, row = g.w * g.cin, cin = g.cin;
  const float* w = wp + f0;
  for (int ky = 0; ky < g.k; ++ky) {
    const float* xr = corner + ky * row;
    for (int j = 0; j < run; ++j, w += ns) {
      v128_t wv[CV];
      for (int v = 0; v < CV; ++v) wv[v] = wasm_v128_load(w + 4 * v);
      for (int p = 0; p < PX; ++p) {
        const v128_t xv = wasm_v128_load32_splat(xr + p * cin + j);
        for (int v = 0; v < CV; ++v) acc[p][v] = wasm_f32x4_add(acc[p][v], wasm_f32x4_mul(xv, wv[v]));
      }
    }
  }
  for (int v = 0; v < CV; ++v) {
    const int lanes = std::min(4, g.n - f0 - 4 * v);
    if (lanes <= 0) break;
    const v128_t b = bias ? load_first(bias + f0 + 4 * v, lanes) : wasm_f32x4_splat(0.f);
    for (int p = 0; p < PX; ++p) {
      const v128_t r = bias ? wasm_f32x4_add(acc[p][v], b) : acc[p][v];
      store_first(y + p * g.n + f0 + 4 * v, r, lanes);
    }
  }
}

template <int CV, int PX>
void fwd_block(const ConvGeom& g, const float* x, const float* wp, int ns, const float* bias, int f0, float* y) {
  for (int oy = 0; oy < g.oh(); ++oy) {
    const float* xr = x + oy * g.w * g.cin;
    float* yr = y + oy * g.ow() * g.n;
    int ox = 0;
    for (; ox + PX <= g.ow(); ox += PX) fwd_tile<CV, PX>(g, xr + ox * g.cin, wp, ns, bias, f0, yr + ox * g.n);
    for (; ox < g.ow(); ++ox) fwd_tile<CV, 1>(g, xr + ox * g.cin, wp, ns, bias, f0, yr + ox * g.n);
  }
}

// Weight gradient: T taps x CV vectors of filters of dW stay in registers over all images and
// pixels (dy rows zero-padded to ns floats). Per pixel T splats of x and CV loads of dy.
template <int T, int CV>
__attribute__((noinline)) void dw_tile(const ConvGeom& g, int images, const float* x, const float* dyp, int ns,
                                       int t0, int f0, float* dW) {
  int off[T];
  for (int t = 0; t < T; ++t) off[t] = tap_offset(g, t0 + t);
  v128_t acc[T][CV];
  for (int t = 0; t < T; ++t)
    for (int v = 0; v < CV; ++v) acc[t][v] = wasm_v128_load(dW + (t0 + t) * ns + f0 + 4 * v);
  const int oh = g.oh(), ow = g.ow(), cin = g.cin, row = g.w * g.cin;
  const float* d = dyp + f0;
  for (int i = 0; i < images; ++i, x += g.in_size())
    for (int oy = 0; oy < oh; ++oy) {
      const float* xp = x + oy * row;
      for (int ox = 0; ox < ow; ++ox, xp += cin, d += ns) {
        v128_t dv[CV];
        for (int v = 0; v < CV; ++v) dv[v] = wasm_v128_load(d + 4 * v);
        for (int t = 0; t < T; ++t) {
          const v128_t xv = wasm_v128_load32_splat(xp + off[t]);
          for (int v = 0; v < CV; ++v) acc[t][v] = wasm_f32x4_add(acc[t][v], wasm_f32x4_mul(xv, dv[v]));
        }
      }
    }
  for (int t = 0; t < T; ++t)
    for (int v = 0; v < CV; ++v) wasm_v128_store(dW + (t0 + t) * ns + f0 + 4 * v, acc[t][v]);
}

template <int CV, int T>
void dw_block(const ConvGeom& g, int images, const float* x, const float* dyp, int ns, int f0, float* dW) {
  const int K = g.taps();
  int t = 0;
  for (; t + T <= K; t += T) dw_tile<T, CV>(g, images, x, dyp, ns, t, f0, dW);
  for (; t + 2 <= K; t += 2) dw_tile<2, CV>(g, images, x, dyp, ns, t, f0, dW);
  for (; t < K; ++t) dw_tile<1, CV>(g, images, x, dyp, ns, t, f0, dW);
}

// Input gradient, for one output pixel and one kernel row ky: the run of k*cin floats of dx under
// it gets sum_f dy[p][f] * W[ky][kx, ci][f], vectors v0..v0+VB of the run at a time (wt: the
// kernel as [ky][f][run padded to rs], zero-padded); lanes past the run are not stored.
template <int VB>
__attribute__((noinline)) void dx_block(const float* dyp, int n, const float* wt, int rs, int v0, int run, float* d) {
  v128_t acc[VB];
  for (int v = 0; v < VB; ++v) acc[v] = wasm_f32x4_splat(0.f);
  const float* w = wt + 4 * v0;
  for (int f = 0; f < n; ++f, w += rs) {
    const v128_t s = wasm_v128_load32_splat(dyp + f);
    for (int v = 0; v < VB; ++v) acc[v] = wasm_f32x4_add(acc[v], wasm_f32x4_mul(s, wasm_v128_load(w + 4 * v)));
  }
  for (int v = 0; v < VB; ++v) {
    const int j = 4 * (v0 + v), lanes = std::min(4, run - j);
    float* q = d + j;
    if (lanes == 4)
      wasm_v128_store(q, wasm_f32x4_add(wasm_v128_load(q), acc[v]));
    else
      store_first(q, wasm_f32x4_add(load_first(q, lanes), acc[v]), lanes);
  }
}

using DxBlockFn = void (*)(const float*, int, const float*, int, int, int, float*);
constexpr DxBlockFn kDxBlocks[] = {nullptr,     dx_block<1>, dx_block<2>, dx_block<3>, dx_block<4>,
                                   dx_block<5>, dx_block<6>, dx_block<7>, dx_block<8>};

}  // namespace

void conv_forward__wasm_simd(const ConvGeom& g, int images, const float* x, const float* W, const float* bias,
                             float* y) {
  const int K = g.taps(), ns = round4(g.n);
  thread_local std::vector<float> wp;
  wp.assign(std::size_t(K) * ns, 0.f);
  for (int t = 0; t < K; ++t) std::copy(W + t * g.n, W + (t + 1) * g.n, wp.begin() + std::size_t(t) * ns);
  for (int i = 0; i < images; ++i, x += g.in_size(), y += g.out_size()) {
    int f0 = 0;
    for (; f0 + 16 <= ns; f0 += 16) fwd_block<4, 2>(g, x, wp.data(), ns, bias, f0, y);
    switch ((ns - f0) / 4) {
      case 1: fwd_block<1, 8>(g, x, wp.data(), ns, bias, f0, y); break;
      case 2: fwd_block<2, 4>(g, x, wp.data(), ns, bias, f0, y); break;
      case 3: fwd_block<3, 3>(g, x, wp.data(), ns, bias, f0, y); break;
      default: break;
    }
  }
}

void conv_weight_grad__wasm_simd(const ConvGeom& g, int images, const float* x, const float* dy, float* dW) {
  const int K = g.taps(), ns = round4(g.n), P = g.oh() * g.ow();
  // dW and dy with rows padded to whole vectors (copies only when n is not a multiple of 4).
  thread_local std::vector<float> dwp, dyp;
  float* dw = dW;
  const float* d = dy;
  if (ns != g.n) {
    dwp.assign(std::size_t(K) * ns, 0.f);
    for (int t = 0; t < K; ++t) std::copy(dW + t * g.n, dW + (t + 1) * g.n, dwp.begin() + std::size_t(t) * ns);
    dyp.assign(std::size_t(images) * P * ns, 0.f);
    for (std::size_t q = 0; q < std::size_t(images) * P; ++q)
      std::copy(dy + q * g.n, dy + (q + 1) * g.n, dyp.begin() + q * ns);
    dw = dwp.data();
    d = dyp.data();
  }
  int f0 = 0;
  for (; f0 + 16 <= ns; f0 += 16) dw_block<4, 3>(g, images, x, d, ns, f0, dw);
  switch ((ns - f0) / 4) {
    case 1: dw_block<1, 8>(g, images, x, d, ns, f0, dw); break;
    case 2: dw_block<2, 6>(g, images, x, d, ns, f0, dw); break;
    case 3: dw_block<3, 4>(g, images, x, d, ns, f0, dw); break;
    default: break;
  }
  if (ns != g.n)
    for (int t = 0; t < K; ++t) std::copy(dwp.begin() + std::size_t(t) * ns, dwp.begin() + std::size_t(t) * ns + g.n, dW + t * g.n);
}

void conv_input_grad__wasm_simd(const ConvGeom& g, int images, const float* dy, const float* W, float* dx) {
  const int run = g.k * g.cin, rs = round4(run), V = rs / 4;
  thread_local std::vector<float> wt;  // [ky][f][rs]
  wt.assign(std::size_t(g.k) * g.n * rs, 0.f);
  for (int ky = 0; ky < g.k; ++ky)
    for (int j = 0; j < run; ++j)
      for (int f = 0; f < g.n; ++f) wt[(std::size_t(ky) * g.n + f) * rs + j] = W[(ky * run + j) * g.n + f];
  // The run in blocks of at most 8 vectors, as even as possible.
  const int blocks = (V + 7) / 8, vb = (V + blocks - 1) / blocks;
  for (int i = 0; i < images; ++i, dy += g.out_size(), dx += g.in_size()) {
    std::fill(dx, dx + g.in_size(), 0.f);
    for (int oy = 0; oy < g.oh(); ++oy)
      for (int ox = 0; ox < g.ow(); ++ox) {
        const float* dyp = dy + (oy * g.ow() + ox) * g.n;
        for (int ky = 0; ky < g.k; ++ky) {
          float* d = dx + ((oy + ky) * g.w + ox) * g.cin;
          const float* w = wt.data() + std::size_t(ky) * g.n * rs;
          for (int v0 = 0; v0 < V; v0 += vb) kDxBlocks[std::min(vb, V - v0)](dyp, g.n, w, rs, v0, run, d);
        }
      }
  }
}
#endif

// ---- registry and dispatch -------------------------------------------------------------------

const ConvVariant* conv_variants(int* count) {
  static const ConvVariant table[] = {
      {"conv__scalar", conv_forward__scalar, conv_weight_grad__scalar, conv_input_grad__scalar},
      {"conv__portable", conv_forward__portable, conv_weight_grad__portable, conv_input_grad__portable},
#if defined(__wasm_simd128__)
      {"conv__wasm_simd", conv_forward__wasm_simd, conv_weight_grad__wasm_simd, conv_input_grad__wasm_simd},
#endif
  };
  *count = int(sizeof table / sizeof table[0]);
  return table;
}

#if defined(__wasm_simd128__)
void conv_forward(const ConvGeom& g, int images, const float* x, const float* W, const float* bias, float* y) {
  conv_forward__wasm_simd(g, images, x, W, bias, y);
}
void conv_weight_grad(const ConvGeom& g, int images, const float* x, const float* dy, float* dW) {
  conv_weight_grad__wasm_simd(g, images, x, dy, dW);
}
void conv_input_grad(const ConvGeom& g, int images, const float* dy, const float* W, float* dx) {
  conv_input_grad__wasm_simd(g, images, dy, W, dx);
}
#else
void conv_forward(const ConvGeom& g, int images, const float* x, const float* W, const float* bias, float* y) {
  conv_forward__portable(g, images, x, W, bias, y);
}
void conv_weight_grad(const ConvGeom& g, int images, const float* x, const float* dy, float* dW) {
  conv_weight_grad__portable(g, images, x, dy, dW);
}
void conv_input_grad(const ConvGeom& g, int images, const float* dy, const float* W, float* dx) {
  conv_input_grad__portable(g, images, dy, W, dx);
}
#endif

}  // namespace convolens::train
