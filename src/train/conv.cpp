#include "train/conv.h"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "core/per_thread.h"
#include "train/gemm.h"

// The direct kernels: the SIMD wasm build, and natively through SIMDe (the input gradient of
// set_gemm_portable runs, which must equal the wasm builds' bits); the plain wasm build keeps the
// portable variant.
#if defined(__wasm_simd128__) || !defined(__EMSCRIPTEN__)
#define CONVOLENS_CONV_DIRECT 1
#include "simd/simd.h"
#else
#define CONVOLENS_CONV_DIRECT 0
#endif

// Set-up and driver code (packing, padding, loops that call the noinline kernels) is compiled
// for size (CONVOLENS_SMALL, conv.h): the module's budget. The kernels themselves stay at -O3.
#define CONVOLENS_COLD __attribute__((noinline)) CONVOLENS_SMALL
#if defined(__clang__)
#define CONVOLENS_PLAIN_LOOP _Pragma("clang loop vectorize(disable) unroll(disable)")
#else
#define CONVOLENS_PLAIN_LOOP
#endif

namespace convolens::train {
namespace {

// Per-call work space, per thread (native training runs chunks on threads); grows, never shrinks.
float* scratch(std::size_t n) {
  CONVOLENS_PER_THREAD std::vector<float> s;
  if (s.size() < n) s.resize(n);
  return s.data();
}

// Offset of tap t = (ky, kx, ci) from its output pixel's window corner in the image.
inline int tap_offset(const ConvGeom& g, int t) {
  const int run = g.k * g.cin;
  return (t / run) * g.w * g.cin + t % run;
}

// Rows padded to whole vectors, and never to a lone vector after the blocks of 4 (1..4 filters
// past a multiple of 16 get 8 lanes): fewer kernel instantiations (module size).
inline int padded(int v) {
  const int r = (v + 3) & ~3;
  return r % 16 == 4 ? r + 4 : r;
}

}  // namespace

int winograd_stride(int n) { return padded(n); }

// ---- scalar reference ------------------------------------------------------------------------

namespace {
void bias_grad__scalar(const ConvGeom& g, int images, const float* dy, float* db) {
  std::fill(db, db + g.n, 0.f);
  for (std::size_t q = 0; q < std::size_t(images) * g.oh() * g.ow(); ++q)
    for (int f = 0; f < g.n; ++f) db[f] += dy[q * g.n + f];
}
}  // namespace

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

void conv_weight_grad__scalar(const ConvGeom& g, int images, const float* x, const float* dy, float* dW, float* db) {
  const int K = g.taps();
  for (int t = 0; t < K; ++t)
    for (int f = 0; f < g.n; ++f) {
      float s = 0.f;
      for (int i = 0; i < images; ++i)
        for (int oy = 0; oy < g.oh(); ++oy)
          for (int ox = 0; ox < g.ow(); ++ox)
            s += x[std::size_t(i) * g.in_size() + (oy * g.w + ox) * g.cin + tap_offset(g, t)] *
                 dy[std::size_t(i) * g.out_size() + (oy * g.ow() + ox) * g.n + f];
      dW[t * g.n + f] = s;
    }
  if (db) bias_grad__scalar(g, images, dy, db);
}

void conv_input_grad__scalar(const ConvGeom& g, int images, const float* dy, const float* W, float* dx) {
  const int k = g.k;
  for (int i = 0; i < images; ++i, dy += g.out_size(), dx += g.in_size())
    for (int iy = 0; iy < g.h; ++iy)
      for (int ix = 0; ix < g.w; ++ix)
        for (int ci = 0; ci < g.cin; ++ci) {
          float s = 0.f;
          for (int a = 0; a < k; ++a) {
            const int oy = iy + a - (k - 1);
            if (oy < 0 || oy >= g.oh()) continue;
            for (int b = 0; b < k; ++b) {
              const int ox = ix + b - (k - 1);
              if (ox < 0 || ox >= g.ow()) continue;
              for (int f = 0; f < g.n; ++f)
                s += dy[(oy * g.ow() + ox) * g.n + f] * W[(((k - 1 - a) * k + (k - 1 - b)) * g.cin + ci) * g.n + f];
            }
          }
          dx[(iy * g.w + ix) * g.cin + ci] = s;
        }
}

// ---- portable: the gemm (implicit im2col) plus col2im ----------------------------------------

namespace {
struct Tables {
  std::vector<int> pixel, tap;  // column matrix element (p, t) is image[pixel[p] + tap[t]]
};
// Per thread: native training runs chunks on threads.
CONVOLENS_SMALL const Tables& tables(const ConvGeom& g) {
  CONVOLENS_PER_THREAD Tables tb;
  tb.pixel.resize(std::size_t(g.oh()) * g.ow());
  for (int oy = 0; oy < g.oh(); ++oy)
    for (int ox = 0; ox < g.ow(); ++ox) tb.pixel[std::size_t(oy) * g.ow() + ox] = (oy * g.w + ox) * g.cin;
  tb.tap.resize(g.taps());
  for (int t = 0; t < g.taps(); ++t) tb.tap[t] = tap_offset(g, t);
  return tb;
}
}  // namespace

CONVOLENS_SMALL void conv_forward__portable(const ConvGeom& g, int images, const float* x, const float* W, const float* bias, float* y) {
  const Tables& tb = tables(g);
  const int P = g.oh() * g.ow();
  for (int i = 0; i < images; ++i, x += g.in_size(), y += g.out_size()) {
    gemm({P, g.n, g.taps(), x, 0, W, g.n, y, g.n, false, false, tb.pixel.data(), tb.tap.data()});
    if (bias)
      for (int p = 0; p < P; ++p)
        for (int f = 0; f < g.n; ++f) y[p * g.n + f] += bias[f];
  }
}

CONVOLENS_SMALL void conv_weight_grad__portable(const ConvGeom& g, int images, const float* x, const float* dy, float* dW, float* db) {
  const Tables& tb = tables(g);
  const int P = g.oh() * g.ow();
  std::fill(dW, dW + std::size_t(g.taps()) * g.n, 0.f);
  for (int i = 0; i < images; ++i, x += g.in_size(), dy += g.out_size())
    gemm({g.taps(), g.n, P, x, 0, dy, g.n, dW, g.n, true, true, tb.tap.data(), tb.pixel.data()});
  if (db) bias_grad__scalar(g, images, dy - std::size_t(images) * g.out_size(), db);
}

void conv_input_grad__portable(const ConvGeom& g, int images, const float* dy, const float* W, float* dx) {
  const int k = g.k, cin = g.cin, n = g.n;
  CONVOLENS_PER_THREAD std::vector<float> wf;  // the flipped kernel as [a][b][f][ci]
  wf.resize(std::size_t(k) * k * n * cin);
  for (int a = 0; a < k; ++a)
    for (int b = 0; b < k; ++b)
      for (int f = 0; f < n; ++f)
        for (int ci = 0; ci < cin; ++ci)
          wf[((std::size_t(a) * k + b) * n + f) * cin + ci] = W[(((k - 1 - a) * k + (k - 1 - b)) * cin + ci) * n + f];
  for (int i = 0; i < images; ++i, dy += g.out_size(), dx += g.in_size())
    for (int iy = 0; iy < g.h; ++iy)
      for (int ix = 0; ix < g.w; ++ix)
        for (int c0 = 0; c0 < cin; c0 += 4) {
          // Four input channels in registers (fewer at the end).
          const int m = std::min(4, cin - c0);
          float acc[4] = {0.f, 0.f, 0.f, 0.f};
          for (int a = std::max(0, k - 1 - iy); a < k && iy + a - (k - 1) < g.oh(); ++a)
            for (int b = std::max(0, k - 1 - ix); b < k && ix + b - (k - 1) < g.ow(); ++b) {
              const float* d = dy + ((iy + a - (k - 1)) * g.ow() + ix + b - (k - 1)) * n;
              const float* w = wf.data() + (std::size_t(a) * k + b) * n * cin + c0;
              if (m == 4)
                for (int f = 0; f < n; ++f, w += cin) {
                  const float v = d[f];
                  acc[0] += v * w[0];
                  acc[1] += v * w[1];
                  acc[2] += v * w[2];
                  acc[3] += v * w[3];
                }
              else
                for (int f = 0; f < n; ++f, w += cin)
                  for (int j = 0; j < m; ++j) acc[j] += d[f] * w[j];
            }
          for (int j = 0; j < m; ++j) dx[(iy * g.w + ix) * cin + c0 + j] = acc[j];
        }
}

#if !defined(__EMSCRIPTEN__)
// Native, unless set_gemm_portable: the input gradient as the FMA gemm's column matrix plus
// col2im, in another summation order (native results already differ from wasm through FMA).
void conv_input_grad__native_fma(const ConvGeom& g, int images, const float* dy, const float* W, float* dx) {
  const int P = g.oh() * g.ow(), K = g.taps(), rowlen = g.k * g.cin;
  CONVOLENS_PER_THREAD std::vector<float> wt, dcol;
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
#endif

// ---- wasm SIMD: direct kernels ---------------------------------------------------------------

#if CONVOLENS_CONV_DIRECT
namespace {


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

// A direct convolution, also used for the input gradient: K taps (offsets `off` from the pixel's
// window corner), pixels `pstride` floats apart, kernel wp [K][ns] zero-padded to ns = 4*CV*blocks,
// `nout` output channels. PX consecutive output pixels x CV vectors of outputs (f0..f0+4CV) per
// tile: per tap one splat per pixel and CV kernel loads; sums in tap order from +0, bias after.
struct Direct {
  int K;
  const int* off;
  int pstride;
  const float* wp;
  int ns, nout;
  const float* bias;
};

template <int CV, int PX>
inline void fwd_tile(const Direct& c, const float* corner, int f0, float* y) {
  v128_t acc[PX][CV];
  for (int p = 0; p < PX; ++p)
    for (int v = 0; v < CV; ++v) acc[p][v] = wasm_f32x4_splat(0.f);
  const int K = c.K, ps = c.pstride, ns = c.ns;
  const float* w = c.wp + f0;
  for (int t = 0; t < K; ++t, w += ns) {
    const float* xt = corner + c.off[t];
    v128_t wv[CV];
    for (int v = 0; v < CV; ++v) wv[v] = wasm_v128_load(w + 4 * v);
    for (int p = 0; p < PX; ++p) {
      const v128_t xv = wasm_v128_load32_splat(xt + p * ps);
      for (int v = 0; v < CV; ++v) acc[p][v] = wasm_f32x4_add(acc[p][v], wasm_f32x4_mul(xv, wv[v]));
    }
  }
  for (int v = 0; v < CV; ++v) {
    const int lanes = std::min(4, c.nout - f0 - 4 * v);
    if (lanes <= 0) break;
    const v128_t b = c.bias ? load_first(c.bias + f0 + 4 * v, lanes) : wasm_f32x4_splat(0.f);
    for (int p = 0; p < PX; ++p) {
      const v128_t r = c.bias ? wasm_f32x4_add(acc[p][v], b) : acc[p][v];
      store_first(y + p * c.nout + f0 + 4 * v, r, lanes);
    }
  }
}

// One output pixel, one vector of outputs at a time (rows narrower than a tile).
__attribute__((noinline)) void fwd_pixel(const Direct& c, const float* corner, int f0, float* y, int cv) {
  for (int v = 0; v < cv; ++v) {
    const int lanes = std::min(4, c.nout - f0 - 4 * v);
    if (lanes <= 0) break;
    v128_t acc = wasm_f32x4_splat(0.f);
    const float* w = c.wp + f0 + 4 * v;
    for (int t = 0; t < c.K; ++t, w += c.ns)
      acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load32_splat(corner + c.off[t]), wasm_v128_load(w)));
    if (c.bias) acc = wasm_f32x4_add(acc, load_first(c.bias + f0 + 4 * v, lanes));
    store_first(y + f0 + 4 * v, acc, lanes);
  }
}

// One output row of `ow` pixels in tiles of PX pixels; the last tile overlaps the one before
// (its pixels are computed again, to the same bits) instead of a narrower tile (module size).
template <int CV, int PX>
__attribute__((noinline)) void fwd_row(const Direct& c, int ow, const float* xr, int f0, float* yr) {
  if (ow < PX) {
    for (int ox = 0; ox < ow; ++ox) fwd_pixel(c, xr + ox * c.pstride, f0, yr + ox * c.nout, CV);
    return;
  }
  for (int ox = 0;; ox += PX) {
    ox = std::min(ox, ow - PX);
    fwd_tile<CV, PX>(c, xr + ox * c.pstride, f0, yr + ox * c.nout);
    if (ox == ow - PX) break;
  }
}

// One output row, every block of output channels: 16 as 2 pixels x 4 vectors, the rest
// (padded() leaves 8 or 12) as 4 x 2 or 3 x 3.
void direct_row(const Direct& c, int ow, const float* xr, float* yr) {
  int f0 = 0;
  for (; f0 + 16 <= c.ns; f0 += 16) fwd_row<4, 2>(c, ow, xr, f0, yr);
  if (c.ns - f0 == 8) fwd_row<2, 4>(c, ow, xr, f0, yr);
  if (c.ns - f0 == 12) fwd_row<3, 3>(c, ow, xr, f0, yr);
}

// Weight gradient: 3 taps x CV vectors of filters of dW stay in registers over all images and
// pixels (dy rows zero-padded to ns floats), from +0; per pixel 3 splats of x and CV loads of
// dy. The last tile of taps overlaps the one before (dW is written, not accumulated: the same
// bits again) instead of narrower tiles (module size).
template <int CV>
__attribute__((noinline)) void dw_tiles(const ConvGeom& g, const int* pix, int nq, const float* x, const float* dyp,
                                        int ns, int f0, float* dW) {
  const int K = g.taps();
  for (int t0 = 0;; t0 += 3) {
    t0 = std::min(t0, K - 3);
    const int o0 = tap_offset(g, t0), o1 = tap_offset(g, t0 + 1), o2 = tap_offset(g, t0 + 2);
    v128_t acc[3][CV];
    for (int t = 0; t < 3; ++t)
      for (int v = 0; v < CV; ++v) acc[t][v] = wasm_f32x4_splat(0.f);
    const float* d = dyp + f0;
    for (int q = 0; q < nq; ++q, d += ns) {
      const float* xp = x + pix[q];
      v128_t dv[CV];
      for (int v = 0; v < CV; ++v) dv[v] = wasm_v128_load(d + 4 * v);
      const v128_t xv[3] = {wasm_v128_load32_splat(xp + o0), wasm_v128_load32_splat(xp + o1),
                            wasm_v128_load32_splat(xp + o2)};
      for (int t = 0; t < 3; ++t)
        for (int v = 0; v < CV; ++v) acc[t][v] = wasm_f32x4_add(acc[t][v], wasm_f32x4_mul(xv[t], dv[v]));
    }
    for (int t = 0; t < 3; ++t)
      for (int v = 0; v < CV; ++v) wasm_v128_store(dW + (t0 + t) * ns + f0 + 4 * v, acc[t][v]);
    if (t0 == K - 3) break;
  }
}

}  // namespace

CONVOLENS_SMALL void conv_forward__wasm_simd(const ConvGeom& g, int images, const float* x, const float* W, const float* bias,
                             float* y) {
  const int K = g.taps(), ns = padded(g.n);
  CONVOLENS_PER_THREAD std::vector<float> wp;
  CONVOLENS_PER_THREAD std::vector<int> off;
  wp.assign(std::size_t(K) * ns, 0.f);
  off.resize(K);
  for (int t = 0; t < K; ++t) {
    for (int f = 0; f < g.n; ++f) wp[std::size_t(t) * ns + f] = W[t * g.n + f];
    off[t] = tap_offset(g, t);
  }
  const Direct c{K, off.data(), g.cin, wp.data(), ns, g.n, bias};
  for (int i = 0; i < images; ++i, x += g.in_size(), y += g.out_size())
    for (int oy = 0; oy < g.oh(); ++oy) direct_row(c, g.ow(), x + oy * g.w * g.cin, y + oy * g.ow() * g.n);
}

// Layers Winograd does not take (a first layer, 5x5 kernels); at least 3 taps and 5 filters,
// else the gemm.
CONVOLENS_SMALL void conv_weight_grad__wasm_simd(const ConvGeom& g, int images, const float* x, const float* dy,
                                                 float* dW, float* db) {
  const int K = g.taps(), ns = padded(g.n), P = g.oh() * g.ow(), nq = images * P;
  if (K < 3 || ns < 8) return conv_weight_grad__portable(g, images, x, dy, dW, db);
  // The offset of every (image, output pixel)'s window corner in x; dW and dy with rows padded to
  // whole vectors (copies only when n is not a multiple of them).
  CONVOLENS_PER_THREAD std::vector<int> pixels;
  pixels.resize(nq);
  int* const pix = pixels.data();
  for (int i = 0, q = 0; i < images; ++i)
    for (int oy = 0; oy < g.oh(); ++oy)
      for (int ox = 0; ox < g.ow(); ++ox) pix[q++] = i * g.in_size() + (oy * g.w + ox) * g.cin;
  float* dw = dW;
  const float* d = dy;
  if (ns != g.n) {
    dw = scratch((std::size_t(K) + nq) * ns);
    float* const dp = dw + std::size_t(K) * ns;
    for (int q = 0; q < nq; ++q)
      for (int f = 0; f < ns; ++f) dp[std::size_t(q) * ns + f] = f < g.n ? dy[std::size_t(q) * g.n + f] : 0.f;
    d = dp;
  }
  // Blocks of 16 filters, then the 8 or 12 padded() leaves.
  int f0 = 0;
  for (; f0 + 16 <= ns; f0 += 16) dw_tiles<4>(g, pix, nq, x, d, ns, f0, dw);
  if (ns - f0 == 8) dw_tiles<2>(g, pix, nq, x, d, ns, f0, dw);
  if (ns - f0 == 12) dw_tiles<3>(g, pix, nq, x, d, ns, f0, dw);
  if (ns != g.n)
    for (int t = 0; t < K; ++t)
      for (int f = 0; f < g.n; ++f) dW[t * g.n + f] = dw[std::size_t(t) * ns + f];
  if (db) {
    // Column sums of the (padded) dy rows, one vector of filters at a time.
    for (int f = 0; f < g.n; f += 4) {
      v128_t acc = wasm_f32x4_splat(0.f);
      for (int q = 0; q < nq; ++q) acc = wasm_f32x4_add(acc, wasm_v128_load(d + std::size_t(q) * ns + f));
      store_first(db + f, acc, std::min(4, g.n - f));
    }
  }
}

CONVOLENS_SMALL void conv_input_grad__wasm_simd(const ConvGeom& g, int images, const float* dy, const float* W, float* dx) {
  // dx is the direct convolution of dy, zero-padded by k-1 on every side, with the flipped kernel
  // as [a][b][f][ci]; the padding rows are skipped (each dx row sums only the kernel rows that
  // meet dy), the padding columns add exact zeros.
  const int k = g.k, run = k * g.n, K = k * run, ns = padded(g.cin);
  const int pw = g.ow() + 2 * (k - 1), prow = pw * g.n, ph = g.oh() + 2 * (k - 1);
  CONVOLENS_PER_THREAD std::vector<float> wp, pad;
  CONVOLENS_PER_THREAD std::vector<int> off;
  wp.assign(std::size_t(K) * ns, 0.f);
  off.resize(K);
  for (int a = 0, t = 0; a < k; ++a)
    for (int b = 0; b < k; ++b)
      for (int f = 0; f < g.n; ++f, ++t) {
        for (int ci = 0; ci < g.cin; ++ci) wp[std::size_t(t) * ns + ci] = W[(((k - 1 - a) * k + (k - 1 - b)) * g.cin + ci) * g.n + f];
        off[t] = a * prow + b * g.n + f;
      }
  pad.assign(std::size_t(ph) * prow, 0.f);
  for (int i = 0; i < images; ++i, dy += g.out_size(), dx += g.in_size()) {
    for (int oy = 0; oy < g.oh(); ++oy)
      std::copy(dy + oy * g.ow() * g.n, dy + (oy + 1) * g.ow() * g.n, pad.begin() + std::size_t(oy + k - 1) * prow + (k - 1) * g.n);
    for (int iy = 0; iy < g.h; ++iy) {
      // Kernel rows a with dy row iy + a - (k-1) inside 0..oh-1.
      const int a0 = std::max(0, k - 1 - iy), a1 = std::min(k - 1, g.oh() + k - 2 - iy);
      const Direct c{(a1 - a0 + 1) * run, off.data() + a0 * run, g.n, wp.data() + std::size_t(a0) * run * ns, ns, g.cin, nullptr};
      direct_row(c, g.w, pad.data() + std::size_t(iy) * prow, dx + iy * g.w * g.cin);
    }
  }
}
#endif


// ---- Winograd F(2x2, 3x3) --------------------------------------------------------------------

namespace {

inline float vadd(float a, float b) { return a + b; }
inline float vsub(float a, float b) { return a - b; }
#if CONVOLENS_CONV_DIRECT
inline v128_t vadd(v128_t a, v128_t b) { return wasm_f32x4_add(a, b); }
inline v128_t vsub(v128_t a, v128_t b) { return wasm_f32x4_sub(a, b); }
inline v128_t vneg(v128_t a) { return wasm_f32x4_neg(a); }
#endif
inline float vneg(float a) { return -a; }

// V = B^T d B, B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]: columns first, then rows.
template <class T>
inline void wino_in(const T (&d)[4][4], T (&v)[4][4]) {
  T t[4][4];
  for (int j = 0; j < 4; ++j) {
    t[0][j] = vsub(d[0][j], d[2][j]);
    t[1][j] = vadd(d[1][j], d[2][j]);
    t[2][j] = vsub(d[2][j], d[1][j]);
    t[3][j] = vsub(d[1][j], d[3][j]);
  }
  for (int i = 0; i < 4; ++i) {
    v[i][0] = vsub(t[i][0], t[i][2]);
    v[i][1] = vadd(t[i][1], t[i][2]);
    v[i][2] = vsub(t[i][2], t[i][1]);
    v[i][3] = vsub(t[i][1], t[i][3]);
  }
}

// y = A^T m A, A^T = [1 1 1 0; 0 1 -1 -1].
template <class T>
inline void wino_out(const T (&m)[4][4], T (&y)[2][2]) {
  T s[2][4];
  for (int j = 0; j < 4; ++j) {
    s[0][j] = vadd(vadd(m[0][j], m[1][j]), m[2][j]);
    s[1][j] = vsub(vsub(m[1][j], m[2][j]), m[3][j]);
  }
  for (int i = 0; i < 2; ++i) {
    y[i][0] = vadd(vadd(s[i][0], s[i][1]), s[i][2]);
    y[i][1] = vsub(vsub(s[i][1], s[i][2]), s[i][3]);
  }
}

// The weight gradient's transforms (the transposed algorithm): dy tile (2x2) to A dy A^T (4x4),
// A = [1 0; 1 1; 1 -1; 0 -1], and the summed products back to the taps, G^T m G (3x3).
template <class T>
inline void wino_dy(const T (&y)[2][2], T (&d)[4][4]) {
  T t[4][2];
  for (int j = 0; j < 2; ++j) {
    t[0][j] = y[0][j];
    t[1][j] = vadd(y[0][j], y[1][j]);
    t[2][j] = vsub(y[0][j], y[1][j]);
    t[3][j] = vneg(y[1][j]);
  }
  for (int i = 0; i < 4; ++i) {
    d[i][0] = t[i][0];
    d[i][1] = vadd(t[i][0], t[i][1]);
    d[i][2] = vsub(t[i][0], t[i][1]);
    d[i][3] = vneg(t[i][1]);
  }
}
inline void wino_taps(const float (&m)[4][4], float (&o)[3][3]) {
  float t[3][4];
  for (int j = 0; j < 4; ++j) {
    t[0][j] = m[0][j] + 0.5f * (m[1][j] + m[2][j]);
    t[1][j] = 0.5f * (m[1][j] - m[2][j]);
    t[2][j] = 0.5f * (m[1][j] + m[2][j]) + m[3][j];
  }
  for (int i = 0; i < 3; ++i) {
    o[i][0] = t[i][0] + 0.5f * (t[i][1] + t[i][2]);
    o[i][1] = 0.5f * (t[i][1] - t[i][2]);
    o[i][2] = 0.5f * (t[i][1] + t[i][2]) + t[i][3];
  }
}

}  // namespace

CONVOLENS_SMALL void winograd_kernel(const float* W, int c, int n, bool flip, float* U) {
  // U = G g G^T, G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]; sums before the halving (exact).
  const int ns = padded(n);
  std::fill(U, U + 16 * std::size_t(c) * ns, 0.f);
  for (int ci = 0; ci < c; ++ci)
    for (int f = 0; f < n; ++f) {
      float g[3][3], t[4][3];
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b)
          g[a][b] = flip ? W[(((2 - a) * 3 + (2 - b)) * n + f) * c + ci] : W[((a * 3 + b) * c + ci) * n + f];
      for (int j = 0; j < 3; ++j) {
        t[0][j] = g[0][j];
        t[1][j] = 0.5f * ((g[0][j] + g[1][j]) + g[2][j]);
        t[2][j] = 0.5f * ((g[0][j] - g[1][j]) + g[2][j]);
        t[3][j] = g[2][j];
      }
      for (int i = 0; i < 4; ++i) {
        float* u = U + (std::size_t(i * 4) * c + ci) * ns + f;
        const std::size_t step = std::size_t(c) * ns;  // one xi further
        u[0] = t[i][0];
        u[step] = 0.5f * ((t[i][0] + t[i][1]) + t[i][2]);
        u[2 * step] = 0.5f * ((t[i][0] - t[i][1]) + t[i][2]);
        u[3 * step] = t[i][2];
      }
    }
}

void winograd__scalar(const WinoGeom& g, int images, const float* x, const float* U, const float* bias, float* y) {
  const int C = g.c, N = g.n, OH = g.oh(), OW = g.ow(), ns = padded(N);
  std::vector<float> V(16 * std::size_t(C));
  for (int i = 0; i < images; ++i, x += std::size_t(g.h) * g.w * C, y += std::size_t(OH) * OW * N)
    for (int ty = 0; 2 * ty < OH; ++ty)
      for (int tx = 0; 2 * tx < OW; ++tx) {
        for (int c = 0; c < C; ++c) {
          float d[4][4], v[4][4];
          for (int a = 0; a < 4; ++a)
            for (int b = 0; b < 4; ++b) {
              const int iy = 2 * ty + a - g.pad, ix = 2 * tx + b - g.pad;
              d[a][b] = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w ? x[(std::size_t(iy) * g.w + ix) * C + c] : 0.f;
            }
          wino_in(d, v);
          for (int xi = 0; xi < 16; ++xi) V[std::size_t(xi) * C + c] = v[xi / 4][xi % 4];
        }
        for (int f = 0; f < N; ++f) {
          float m[4][4], o[2][2];
          for (int xi = 0; xi < 16; ++xi) {
            float s = 0.f;
            for (int c = 0; c < C; ++c) s += V[std::size_t(xi) * C + c] * U[(std::size_t(xi) * C + c) * ns + f];
            m[xi / 4][xi % 4] = s;
          }
          wino_out(m, o);
          for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b) {
              const int oy = 2 * ty + a, ox = 2 * tx + b;
              if (oy < OH && ox < OW) y[(std::size_t(oy) * OW + ox) * N + f] = bias ? o[a][b] + bias[f] : o[a][b];
            }
        }
      }
}

void winograd_wgrad__scalar(const WinoGeom& g, int images, const float* x, const float* dy, float* dW) {
  const int C = g.c, N = g.n, OH = g.oh(), OW = g.ow(), TH = (OH + 1) / 2, TW = (OW + 1) / 2;
  const std::size_t T = std::size_t(images) * TH * TW;
  std::vector<float> V(T * 16 * C), D(T * 16 * N);
  for (std::size_t t = 0; t < T; ++t) {
    const int i = int(t / (TH * TW)), ty = int(t % (TH * TW)) / TW, tx = int(t % TW);
    for (int c = 0; c < C; ++c) {
      float d[4][4], v[4][4];
      for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b) {
          const int iy = 2 * ty + a, ix = 2 * tx + b;
          d[a][b] = iy < g.h && ix < g.w ? x[((std::size_t(i) * g.h + iy) * g.w + ix) * C + c] : 0.f;
        }
      wino_in(d, v);
      for (int xi = 0; xi < 16; ++xi) V[(t * 16 + xi) * C + c] = v[xi / 4][xi % 4];
    }
    for (int f = 0; f < N; ++f) {
      float e[2][2], d[4][4];
      for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b) {
          const int oy = 2 * ty + a, ox = 2 * tx + b;
          e[a][b] = oy < OH && ox < OW ? dy[((std::size_t(i) * OH + oy) * OW + ox) * N + f] : 0.f;
        }
      wino_dy(e, d);
      for (int xi = 0; xi < 16; ++xi) D[(t * 16 + xi) * N + f] = d[xi / 4][xi % 4];
    }
  }
  for (int c = 0; c < C; ++c)
    for (int f = 0; f < N; ++f) {
      float m[4][4], o[3][3];
      for (int xi = 0; xi < 16; ++xi) {
        float s = 0.f;
        for (std::size_t t = 0; t < T; ++t) s += V[(t * 16 + xi) * C + c] * D[(t * 16 + xi) * N + f];
        m[xi / 4][xi % 4] = s;
      }
      wino_taps(m, o);
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) dW[((a * 3 + b) * C + c) * N + f] = o[a][b];
    }
}

namespace {

#if CONVOLENS_CONV_DIRECT
// PX tiles x CV vectors of M = V U (one xi): channels in order from +0, as the reference.
template <int CV, int PX>
inline void wino_tile(const float* v, int vs, const float* u, int us, int C, float* m) {
  v128_t acc[PX][CV];
  for (int p = 0; p < PX; ++p)
    for (int q = 0; q < CV; ++q) acc[p][q] = wasm_f32x4_splat(0.f);
  for (int c = 0; c < C; ++c, u += us) {
    v128_t wv[CV];
    for (int q = 0; q < CV; ++q) wv[q] = wasm_v128_load(u + 4 * q);
    for (int p = 0; p < PX; ++p) {
      const v128_t xv = wasm_v128_load32_splat(v + p * vs + c);
      for (int q = 0; q < CV; ++q) acc[p][q] = wasm_f32x4_add(acc[p][q], wasm_f32x4_mul(xv, wv[q]));
    }
  }
  for (int p = 0; p < PX; ++p)
    for (int q = 0; q < CV; ++q) wasm_v128_store(m + p * us + 4 * q, acc[p][q]);
}

// nb tiles (rows of V, vs floats apart) times U (C x ns) into M (rows ns floats apart), 8 or 4
// columns at a time; the last group of 4 tiles overlaps the one before (same bits again), and
// fewer than 4 tiles compute rows past nb too (V and M hold whole blocks; those rows are
// never read). Two instantiations only: module size.
template <int CV>
__attribute__((noinline)) void wino_cols(const float* v, int vs, const float* u, int ns, int C, int nb, float* m) {
  for (int b = 0;; b += 4) {
    b = std::max(0, std::min(b, nb - 4));
    wino_tile<CV, 4>(v + b * vs, vs, u, ns, C, m + b * ns);
    if (b + 4 >= nb) break;
  }
}

void wino_product(const float* v, int vs, const float* u, int ns, int C, int nb, float* m) {
  int f0 = 0;
  for (; f0 + 8 <= ns; f0 += 8) wino_cols<2>(v, vs, u + f0, ns, C, nb, m + f0);
  if (f0 < ns) wino_cols<1>(v, vs, u + f0, ns, C, nb, m + f0);
}

// The weight gradient's product: 4 channels x CV vectors of M[xi] (C x ns) += V^T D over nb
// tiles, in registers across the tiles; tiles in order, continuing each running sum.
template <int CV>
__attribute__((noinline)) void wgrad_tile(const float* v, int vs, const float* d, int ds, int nb, float* m, int ms) {
  v128_t acc[4][CV];
  for (int r = 0; r < 4; ++r)
    for (int q = 0; q < CV; ++q) acc[r][q] = wasm_v128_load(m + r * ms + 4 * q);
  for (int b = 0; b < nb; ++b, v += vs, d += ds) {
    v128_t dv[CV];
    for (int q = 0; q < CV; ++q) dv[q] = wasm_v128_load(d + 4 * q);
    for (int r = 0; r < 4; ++r) {
      const v128_t xv = wasm_v128_load32_splat(v + r);
      for (int q = 0; q < CV; ++q) acc[r][q] = wasm_f32x4_add(acc[r][q], wasm_f32x4_mul(xv, dv[q]));
    }
  }
  for (int r = 0; r < 4; ++r)
    for (int q = 0; q < CV; ++q) wasm_v128_store(m + r * ms + 4 * q, acc[r][q]);
}

void wgrad_product(const float* v, int Cp, const float* d, int ns, int nb, float* m) {
  for (int c0 = 0; c0 < Cp; c0 += 4) {
    int f0 = 0;
    for (; f0 + 8 <= ns; f0 += 8) wgrad_tile<2>(v + c0, Cp, d + f0, ns, nb, m + c0 * ns + f0, ns);
    if (f0 < ns) wgrad_tile<1>(v + c0, Cp, d + f0, ns, nb, m + c0 * ns + f0, ns);
  }
}
#endif

template <int W>
struct Lanes;
template <>
struct Lanes<1> {
  using T = float;
  static constexpr int n = 1;
  static float load(const float* p) { return *p; }
  static void store(float* p, float v) { *p = v; }
};
#if CONVOLENS_CONV_DIRECT
template <>
struct Lanes<4> {
  using T = v128_t;
  static constexpr int n = 4;
  static v128_t load(const float* p) { return wasm_v128_load(p); }
  static void store(float* p, v128_t v) { wasm_v128_store(p, v); }
};
#endif

// The transforms in T (a float, or 4 channels of f32x4) around the trainer's gemm (one product
// per xi over a block of tiles): the sums of winograd__scalar in its order, so its bits.
// The tiles of a product: 2x2 outputs each, images in order, then tile rows, then columns.
// Every image zero-padded into `pad`: g.pad rows and columns around, rows and columns up to
// whole tiles, channels up to whole vectors (Cp).
struct Tiling {
  int C, Cp, OH, OW, TW, PW, tiles, total;
  std::size_t img;  // floats per padded image
  Tiling(const WinoGeom& g, int images)
      : C(g.c), Cp((g.c + 3) & ~3), OH(g.oh()), OW(g.ow()), TW((OW + 1) / 2), PW(2 * TW + 2),
        tiles((OH + 1) / 2 * TW), total(images * tiles), img(std::size_t((OH + 1) / 2 * 2 + 2) * PW * Cp) {}
  std::size_t corner(int t) const {  // tile t's input window in `pad`
    const int r = t % tiles;
    return (t / tiles) * img + (std::size_t(2 * (r / TW)) * PW + 2 * (r % TW)) * Cp;
  }
};

constexpr int kTb = 128;  // tiles per block: a block's transforms stay in cache

// The padded images, or x itself when it already has that layout (no padding, whole tiles,
// channels a multiple of 4). Only the border and the channel padding are zeroed.
bool needs_pad(const WinoGeom& g, const Tiling& tl) {
  return g.pad != 0 || g.c != tl.Cp || tl.PW != g.w || tl.img != std::size_t(g.h) * g.w * g.c;
}



CONVOLENS_COLD const float* pad_images(const WinoGeom& g, const Tiling& tl, int images, const float* x, float* pad) {
  const int C = g.c, Cp = tl.Cp, PW = tl.PW;
  if (!needs_pad(g, tl)) return x;
  for (int i = 0; i < images; ++i) {
    float* p = pad + i * tl.img;
    const float* src = x + std::size_t(i) * g.h * g.w * C;
    std::fill(p, p + std::size_t(g.pad) * PW * Cp, 0.f);
    for (int r = 0; r < g.h; ++r, src += std::size_t(g.w) * C) {
      float* row = p + std::size_t(r + g.pad) * PW * Cp;
      std::fill(row, row + g.pad * Cp, 0.f);
      float* q = row + g.pad * Cp;
      if (C == Cp) {
        std::copy(src, src + std::size_t(g.w) * C, q);
      } else {
        for (int j = 0; j < g.w; ++j, q += Cp) {
CONVOLENS_PLAIN_LOOP
          for (int c = 0; c < Cp; ++c) q[c] = c < C ? src[j * C + c] : 0.f;
        }
      }
      std::fill(row + (g.pad + g.w) * Cp, row + std::size_t(PW) * Cp, 0.f);
    }
    std::fill(p + std::size_t(g.pad + g.h) * PW * Cp, p + tl.img, 0.f);
  }
  return pad;
}

// V[xi] rows (Cp floats) of tiles t0..t0+nb; one xi further is vs floats (16 past a multiple of
// the block: the 16 stores of a tile's transform must not land in one cache set).
template <int W>
__attribute__((noinline)) void transform_in(const Tiling& tl, const float* pad, int t0, int nb, float* V, std::size_t vs) {
  using L = Lanes<W>;
  using T = typename L::T;
  for (int b = 0; b < nb; ++b) {
    const float* base = pad + tl.corner(t0 + b);
    for (int c = 0; c < tl.Cp; c += L::n) {
      T d[4][4], v[4][4];
      for (int a = 0; a < 4; ++a)
        for (int e = 0; e < 4; ++e) d[a][e] = L::load(base + (std::size_t(a) * tl.PW + e) * tl.Cp + c);
      wino_in(d, v);
      for (int xi = 0; xi < 16; ++xi) L::store(V + xi * vs + std::size_t(b) * tl.Cp + c, v[xi / 4][xi % 4]);
    }
  }
}

// y of tiles t0..t0+nb from M[xi] rows (Np floats; one xi further is ms floats), + bias.
template <int W>
__attribute__((noinline)) void transform_out(const Tiling& tl, int N, int t0, int nb, const float* M, std::size_t ms,
                                             const float* bias, float* y) {
  using L = Lanes<W>;
  using T = typename L::T;
  const int Np = padded(N), OH = tl.OH, OW = tl.OW;
  for (int b = 0; b < nb; ++b) {
    const int t = t0 + b, r = t % tl.tiles, oy = 2 * (r / tl.TW), ox = 2 * (r % tl.TW);
    float* yi = y + std::size_t(t / tl.tiles) * OH * OW * N + (std::size_t(oy) * OW + ox) * N;
    const bool inside = oy + 1 < OH && ox + 1 < OW;
    for (int f = 0; f < N; f += L::n) {
      T m[4][4], o[2][2];
      for (int xi = 0; xi < 16; ++xi) m[xi / 4][xi % 4] = L::load(M + xi * ms + std::size_t(b) * Np + f);
      wino_out(m, o);
      if (bias) {
        alignas(16) float bz[L::n];
CONVOLENS_PLAIN_LOOP
        for (int j = 0; j < L::n; ++j) bz[j] = f + j < N ? bias[f + j] : 0.f;
        const T bv = L::load(bz);
        for (auto& row : o)
          for (auto& e : row) e = vadd(e, bv);
      }
      if (inside && f + L::n <= N) {
        for (int a = 0; a < 2; ++a)
          for (int e = 0; e < 2; ++e) L::store(yi + (std::size_t(a) * OW + e) * N + f, o[a][e]);
      } else {
        // At the output's edge or past N: only the outputs that exist.
        alignas(16) float z[2][2][L::n];
        for (int a = 0; a < 2; ++a)
          for (int e = 0; e < 2; ++e) L::store(z[a][e], o[a][e]);
        for (int a = 0; a < 2 && oy + a < OH; ++a)
          for (int e = 0; e < 2 && ox + e < OW; ++e)
CONVOLENS_PLAIN_LOOP
            for (int j = 0; j < L::n && f + j < N; ++j) yi[(std::size_t(a) * OW + e) * N + f + j] = z[a][e][j];
      }
    }
  }
}

// The transforms in floats (W = 1) or f32x4 (W = 4) around one product per xi over a block of
// tiles (the SIMD build's register tiles, else the trainer's gemm): the sums of winograd__scalar
// in its order, so its bits.
template <int W>
CONVOLENS_SMALL void winograd_blocked(const WinoGeom& g, int images, const float* x, const float* U, const float* bias, float* y) {
  const Tiling tl(g, images);
  const int C = g.c, Cp = tl.Cp, N = g.n, Np = padded(N);
  const std::size_t vs = std::size_t(kTb) * Cp + 16, ms = std::size_t(kTb) * Np + 16;
  const std::size_t np = needs_pad(g, tl) ? tl.img * images : 0;
  float* const pad = scratch(np + 16 * (vs + ms));
  float* const V = pad + np;
  float* const M = V + 16 * vs;
  const float* src = pad_images(g, tl, images, x, pad);
  for (int t0 = 0; t0 < tl.total; t0 += kTb) {
    const int nb = std::min(kTb, tl.total - t0);
    transform_in<W>(tl, src, t0, nb, V, vs);
    // M[xi] = V[xi] U[xi], channels in order from +0.
    for (int xi = 0; xi < 16; ++xi) {
      const float* v = V + xi * vs;
      const float* u = U + std::size_t(xi) * C * Np;
      float* m = M + xi * ms;
#if CONVOLENS_CONV_DIRECT
      if constexpr (W == 4) {
        wino_product(v, Cp, u, Np, C, nb, m);
        continue;
      }
#endif
      gemm({nb, N, C, v, Cp, u, Np, m, Np, false, false});
    }
    transform_out<W>(tl, N, t0, nb, M, ms, bias, y);
  }
}

// D[xi] rows (Np floats; one xi further is ds floats) of tiles t0..t0+nb: A dy A^T, zeros past
// the output's edge and past N.
template <int W>
__attribute__((noinline)) void transform_dy(const Tiling& tl, int N, int t0, int nb, const float* dy, float* D,
                                            std::size_t ds) {
  using L = Lanes<W>;
  using T = typename L::T;
  const int Np = padded(N), OH = tl.OH, OW = tl.OW;
  for (int b = 0; b < nb; ++b) {
    const int t = t0 + b, r = t % tl.tiles, oy = 2 * (r / tl.TW), ox = 2 * (r % tl.TW);
    const float* di = dy + std::size_t(t / tl.tiles) * OH * OW * N + (std::size_t(oy) * OW + ox) * N;
    const bool inside = oy + 1 < OH && ox + 1 < OW;
    for (int f = 0; f < Np; f += L::n) {
      T e[2][2], d[4][4];
      if (inside && f + L::n <= N) {
        for (int a = 0; a < 2; ++a)
          for (int q = 0; q < 2; ++q) e[a][q] = L::load(di + (std::size_t(a) * OW + q) * N + f);
      } else {
        // At the output's edge or past N: the missing values are zeros.
        alignas(16) float z[2][2][L::n];
        for (int a = 0; a < 2; ++a)
          for (int q = 0; q < 2; ++q)
CONVOLENS_PLAIN_LOOP
            for (int j = 0; j < L::n; ++j)
              z[a][q][j] = oy + a < OH && ox + q < OW && f + j < N ? di[(std::size_t(a) * OW + q) * N + f + j] : 0.f;
        for (int a = 0; a < 2; ++a)
          for (int q = 0; q < 2; ++q) e[a][q] = L::load(z[a][q]);
      }
      wino_dy(e, d);
      for (int xi = 0; xi < 16; ++xi) L::store(D + xi * ds + std::size_t(b) * Np + f, d[xi / 4][xi % 4]);
    }
  }
}

// dW [3][3][C][N] from the summed products M[xi] [Cp][Np] (one xi further is mw floats).
CONVOLENS_COLD void taps_out(int C, int N, const float* M, std::size_t mw, float* dW) {
  const int Np = padded(N);
  for (int c = 0; c < C; ++c)
    for (int f = 0; f < N; ++f) {
      float m[4][4], o[3][3];
      for (int xi = 0; xi < 16; ++xi) m[xi / 4][xi % 4] = M[xi * mw + std::size_t(c) * Np + f];
      wino_taps(m, o);
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) dW[((a * 3 + b) * C + c) * N + f] = o[a][b];
    }
}

template <int W>
CONVOLENS_SMALL void winograd_wgrad_blocked(const WinoGeom& g, int images, const float* x, const float* dy, float* dW) {
  const Tiling tl(g, images);
  const int C = g.c, Cp = tl.Cp, N = g.n, Np = padded(N);
  const std::size_t vs = std::size_t(kTb) * Cp + 16, ds = std::size_t(kTb) * Np + 16, mw = std::size_t(Cp) * Np;
  const std::size_t np = needs_pad(g, tl) ? tl.img * images : 0;
  float* const pad = scratch(np + 16 * (vs + ds + mw));
  float* const V = pad + np;
  float* const D = V + 16 * vs;
  float* const M = D + 16 * ds;
  std::fill(M, M + 16 * mw, 0.f);
  const float* src = pad_images(g, tl, images, x, pad);
  for (int t0 = 0; t0 < tl.total; t0 += kTb) {
    const int nb = std::min(kTb, tl.total - t0);
    transform_in<W>(tl, src, t0, nb, V, vs);
    transform_dy<W>(tl, N, t0, nb, dy, D, ds);
    // M[xi] += V[xi]^T D[xi], tiles in order.
    for (int xi = 0; xi < 16; ++xi) {
#if CONVOLENS_CONV_DIRECT
      if constexpr (W == 4) {
        wgrad_product(V + xi * vs, Cp, D + xi * ds, Np, nb, M + xi * mw);
        continue;
      }
#endif
      gemm({C, N, nb, V + xi * vs, Cp, D + xi * ds, Np, M + xi * mw, Np, true, true});
    }
  }
  taps_out(C, N, M, mw, dW);
}

}  // namespace

void winograd__portable(const WinoGeom& g, int images, const float* x, const float* U, const float* bias, float* y) {
  winograd_blocked<1>(g, images, x, U, bias, y);
}
void winograd_wgrad__portable(const WinoGeom& g, int images, const float* x, const float* dy, float* dW) {
  winograd_wgrad_blocked<1>(g, images, x, dy, dW);
}
#if CONVOLENS_CONV_DIRECT
void winograd__wasm_simd(const WinoGeom& g, int images, const float* x, const float* U, const float* bias, float* y) {
  winograd_blocked<4>(g, images, x, U, bias, y);
}
void winograd_wgrad__wasm_simd(const WinoGeom& g, int images, const float* x, const float* dy, float* dW) {
  winograd_wgrad_blocked<4>(g, images, x, dy, dW);
}
#endif

// Measured in wasm SIMD (docs/train.md): Winograd wins from 8 channels each way, except the
// weight gradient of outputs under 4x4 (one tile per image: the direct kernel is faster).
// Layers of 1..7 channels (the first layer of every preset) and other kernel sizes stay direct.
bool conv_winograd_forward(const ConvGeom& g) { return g.k == 3 && g.cin >= 8 && g.n >= 8; }
bool conv_winograd_input_grad(const ConvGeom& g) { return g.k == 3 && g.cin >= 8 && g.n >= 8; }
bool conv_winograd_weight_grad(const ConvGeom& g) {
  return g.k == 3 && g.cin >= 8 && g.n >= 8 && g.oh() >= 4 && g.ow() >= 4;
}

CONVOLENS_SMALL void conv_prepare(const ConvGeom& g, const float* W, bool input_grad, ConvPrep& p) {
  std::vector<float>& u = input_grad ? p.bwd : p.fwd;
  if (!(input_grad ? conv_winograd_input_grad(g) : conv_winograd_forward(g))) return u.clear();
  u.resize(16 * std::size_t(input_grad ? g.n * padded(g.cin) : g.cin * padded(g.n)));
  if (input_grad)
    winograd_kernel(W, g.n, g.cin, true, u.data());
  else
    winograd_kernel(W, g.cin, g.n, false, u.data());
}

// ---- registry and dispatch -------------------------------------------------------------------

const ConvVariant* conv_variants(int* count) {
  static const ConvVariant table[] = {
      {"conv__scalar", conv_forward__scalar, conv_weight_grad__scalar, conv_input_grad__scalar, winograd__scalar,
       winograd_wgrad__scalar},
      {"conv__portable", conv_forward__portable, conv_weight_grad__portable, conv_input_grad__portable,
       winograd__portable, winograd_wgrad__portable},
#if CONVOLENS_CONV_DIRECT
      {"conv__wasm_simd", conv_forward__wasm_simd, conv_weight_grad__wasm_simd, conv_input_grad__wasm_simd,
       winograd__wasm_simd, winograd_wgrad__wasm_simd},
#endif
  };
  *count = int(sizeof table / sizeof table[0]);
  return table;
}

namespace {
// The transformed kernel: the prepared one, or transformed here (per thread).
// Winograd in the wasm builds, and natively once set_gemm_portable (the wasm builds' bits);
// native training by default keeps the gemm's FMA variant (8 lanes, fused: faster there).
bool winograd_here() {
#if defined(__EMSCRIPTEN__)
  return true;
#else
  return gemm_portable();
#endif
}

// Winograd with the prepared kernel, or one transformed here (callers without a ConvPrep).
CONVOLENS_SMALL void winograd(const ConvGeom& g, const WinoGeom& w, int images, const float* x, const float* W,
                              const ConvPrep* prep, bool input_grad, const float* bias, float* y) {
  ConvPrep local;
  if (!prep || (input_grad ? prep->bwd : prep->fwd).empty()) {
    conv_prepare(g, W, input_grad, local);
    prep = &local;
  }
  const float* U = (input_grad ? prep->bwd : prep->fwd).data();
#if CONVOLENS_CONV_DIRECT
  winograd__wasm_simd(w, images, x, U, nullptr, y);  // natively through SIMDe
#else
  winograd__portable(w, images, x, U, nullptr, y);
#endif
  // The bias after the transform, as every variant adds it: the same bits, less kernel code.
  if (bias)
    for (std::size_t p = 0; p < std::size_t(images) * w.oh() * w.ow(); ++p)
      for (int f = 0; f < w.n; ++f) y[p * w.n + f] += bias[f];
}
}  // namespace

void conv_forward(const ConvGeom& g, int images, const float* x, const float* W, const float* bias, float* y,
                  const ConvPrep* prep) {
  if (conv_winograd_forward(g) && winograd_here())
    return winograd(g, {g.h, g.w, g.cin, g.n, 0}, images, x, W, prep, false, bias, y);
#if defined(__wasm_simd128__)
  conv_forward__wasm_simd(g, images, x, W, bias, y);
#else
  // The plain wasm build, and native: through the gemm (natively its FMA variant, or the portable
  // one, which returns the direct kernels' bits).
  conv_forward__portable(g, images, x, W, bias, y);
#endif
}

void conv_weight_grad(const ConvGeom& g, int images, const float* x, const float* dy, float* dW, float* db) {
  if (conv_winograd_weight_grad(g) && winograd_here()) {
#if CONVOLENS_CONV_DIRECT
    winograd_wgrad__wasm_simd({g.h, g.w, g.cin, g.n, 0}, images, x, dy, dW);
#else
    winograd_wgrad__portable({g.h, g.w, g.cin, g.n, 0}, images, x, dy, dW);
#endif
    if (db) bias_grad__scalar(g, images, dy, db);
    return;
  }
#if defined(__wasm_simd128__)
  conv_weight_grad__wasm_simd(g, images, x, dy, dW, db);
#else
  conv_weight_grad__portable(g, images, x, dy, dW, db);
#endif
}

void conv_input_grad(const ConvGeom& g, int images, const float* dy, const float* W, float* dx, const ConvPrep* prep) {
  if (conv_winograd_input_grad(g) && winograd_here())
    return winograd(g, {g.oh(), g.ow(), g.n, g.cin, g.k - 1}, images, dy, W, prep, true, nullptr, dx);
#if defined(__wasm_simd128__)
  conv_input_grad__wasm_simd(g, images, dy, W, dx);
#elif defined(__EMSCRIPTEN__)
  conv_input_grad__portable(g, images, dy, W, dx);
#else
  if (gemm_portable())
    conv_input_grad__wasm_simd(g, images, dy, W, dx);  // through SIMDe: the wasm build's bits
  else
    conv_input_grad__native_fma(g, images, dy, W, dx);
#endif
}

}  // namespace convolens::train
