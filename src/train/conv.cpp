#include "train/conv.h"

#include <algorithm>
#include <cstddef>
#include <vector>

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

namespace convolens::train {
namespace {

// Offset of tap t = (ky, kx, ci) from its output pixel's window corner in the image.
inline int tap_offset(const ConvGeom& g, int t) {
  const int run = g.k * g.cin;
  return (t / run) * g.w * g.cin + t % run;
}

}  // namespace

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

void conv_weight_grad__portable(const ConvGeom& g, int images, const float* x, const float* dy, float* dW, float* db) {
  const Tables& tb = tables(g);
  const int P = g.oh() * g.ow();
  std::fill(dW, dW + std::size_t(g.taps()) * g.n, 0.f);
  for (int i = 0; i < images; ++i, x += g.in_size(), dy += g.out_size())
    gemm({g.taps(), g.n, P, x, 0, dy, g.n, dW, g.n, true, true, tb.tap.data(), tb.pixel.data()});
  if (db) bias_grad__scalar(g, images, dy - std::size_t(images) * g.out_size(), db);
}

void conv_input_grad__portable(const ConvGeom& g, int images, const float* dy, const float* W, float* dx) {
  const int k = g.k, cin = g.cin, n = g.n;
  thread_local std::vector<float> wf;  // the flipped kernel as [a][b][f][ci]
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
#endif

// ---- wasm SIMD: direct kernels ---------------------------------------------------------------

#if CONVOLENS_CONV_DIRECT
namespace {

// Rows padded to whole vectors, and never to a lone vector after the blocks of 4 (1..4 filters
// past a multiple of 16 get 8 lanes): fewer kernel instantiations (module size).
inline int padded(int v) {
  const int r = (v + 3) & ~3;
  return r % 16 == 4 ? r + 4 : r;
}

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

// One output row, every block of output channels.
void direct_row(const Direct& c, int ow, const float* xr, float* yr) {
  int f0 = 0;
  for (; f0 + 16 <= c.ns; f0 += 16) fwd_row<4, 2>(c, ow, xr, f0, yr);
  switch ((c.ns - f0) / 4) {
    case 2: fwd_row<2, 4>(c, ow, xr, f0, yr); break;
    case 3: fwd_row<3, 3>(c, ow, xr, f0, yr); break;
    default: break;
  }
}

// Weight gradient: T taps x CV vectors of filters of dW stay in registers over all images and
// pixels (dy rows zero-padded to ns floats), from +0. Per pixel T splats of x and CV loads of dy.
template <int T, int CV>
__attribute__((noinline)) void dw_tile(const ConvGeom& g, const int* pix, int nq, const float* x, const float* dyp,
                                       int ns, int t0, int f0, float* dW) {
  int off[T];
  for (int t = 0; t < T; ++t) off[t] = tap_offset(g, t0 + t);
  v128_t acc[T][CV];
  for (int t = 0; t < T; ++t)
    for (int v = 0; v < CV; ++v) acc[t][v] = wasm_f32x4_splat(0.f);
  const float* d = dyp + f0;
  for (int q = 0; q < nq; ++q, d += ns) {
    const float* xp = x + pix[q];
    v128_t dv[CV];
    for (int v = 0; v < CV; ++v) dv[v] = wasm_v128_load(d + 4 * v);
    for (int t = 0; t < T; ++t) {
      const v128_t xv = wasm_v128_load32_splat(xp + off[t]);
      for (int v = 0; v < CV; ++v) acc[t][v] = wasm_f32x4_add(acc[t][v], wasm_f32x4_mul(xv, dv[v]));
    }
  }
  for (int t = 0; t < T; ++t)
    for (int v = 0; v < CV; ++v) wasm_v128_store(dW + (t0 + t) * ns + f0 + 4 * v, acc[t][v]);
}

// One tap, one vector of filters at a time (fewer taps than a tile).
__attribute__((noinline)) void dw_single(const ConvGeom& g, const int* pix, int nq, const float* x, const float* dyp,
                                         int ns, int t0, int f0, int cv, float* dW) {
  const float* xt = x + tap_offset(g, t0);
  for (int v = 0; v < cv; ++v) {
    v128_t acc = wasm_f32x4_splat(0.f);
    const float* d = dyp + f0 + 4 * v;
    for (int q = 0; q < nq; ++q, d += ns)
      acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load32_splat(xt + pix[q]), wasm_v128_load(d)));
    wasm_v128_store(dW + t0 * ns + f0 + 4 * v, acc);
  }
}

// Tiles of T taps; the last tile overlaps the one before (dW is written, not accumulated, so its
// taps get the same bits again) instead of narrower tiles (module size).
template <int CV, int T>
void dw_block(const ConvGeom& g, const int* pix, int nq, const float* x, const float* dyp, int ns, int f0, float* dW) {
  const int K = g.taps();
  if (K < T) {
    for (int t = 0; t < K; ++t) dw_single(g, pix, nq, x, dyp, ns, t, f0, CV, dW);
    return;
  }
  for (int t = 0;; t += T) {
    t = std::min(t, K - T);
    dw_tile<T, CV>(g, pix, nq, x, dyp, ns, t, f0, dW);
    if (t == K - T) break;
  }
}

}  // namespace

void conv_forward__wasm_simd(const ConvGeom& g, int images, const float* x, const float* W, const float* bias,
                             float* y) {
  const int K = g.taps(), ns = padded(g.n);
  thread_local std::vector<float> wp;
  thread_local std::vector<int> off;
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

void conv_weight_grad__wasm_simd(const ConvGeom& g, int images, const float* x, const float* dy, float* dW, float* db) {
  const int K = g.taps(), ns = padded(g.n), P = g.oh() * g.ow();
  // dW and dy with rows padded to whole vectors (copies only when n is not a multiple of them).
  thread_local std::vector<float> dwp, dyp;
  thread_local std::vector<int> pix;  // offset of every (image, output pixel)'s window corner in x
  const int nq = images * P;
  pix.resize(nq);
  for (int i = 0, q = 0; i < images; ++i)
    for (int oy = 0; oy < g.oh(); ++oy)
      for (int ox = 0; ox < g.ow(); ++ox) pix[q++] = i * g.in_size() + (oy * g.w + ox) * g.cin;
  float* dw = dW;
  const float* d = dy;
  if (ns != g.n) {
    dwp.resize(std::size_t(K) * ns);
    dyp.assign(std::size_t(images) * P * ns, 0.f);
    for (std::size_t q = 0; q < std::size_t(images) * P; ++q)
      for (int f = 0; f < g.n; ++f) dyp[q * ns + f] = dy[q * g.n + f];
    dw = dwp.data();
    d = dyp.data();
  }
  int f0 = 0;
  for (; f0 + 16 <= ns; f0 += 16) dw_block<4, 3>(g, pix.data(), nq, x, d, ns, f0, dw);
  switch ((ns - f0) / 4) {
    case 2:
      if (K % 6 == 0)
        dw_block<2, 6>(g, pix.data(), nq, x, d, ns, f0, dw);
      else
        dw_block<2, 3>(g, pix.data(), nq, x, d, ns, f0, dw);
      break;
    case 3: dw_block<3, 3>(g, pix.data(), nq, x, d, ns, f0, dw); break;
    default: break;
  }
  if (ns != g.n)
    for (int t = 0; t < K; ++t)
      for (int f = 0; f < g.n; ++f) dW[t * g.n + f] = dwp[std::size_t(t) * ns + f];
  if (db) {
    // Column sums of the (padded) dy rows, one vector of filters at a time.
    for (int f = 0; f < g.n; f += 4) {
      v128_t acc = wasm_f32x4_splat(0.f);
      for (int q = 0; q < nq; ++q) acc = wasm_f32x4_add(acc, wasm_v128_load(d + std::size_t(q) * ns + f));
      store_first(db + f, acc, std::min(4, g.n - f));
    }
  }
}

void conv_input_grad__wasm_simd(const ConvGeom& g, int images, const float* dy, const float* W, float* dx) {
  // dx is the direct convolution of dy, zero-padded by k-1 on every side, with the flipped kernel
  // as [a][b][f][ci]; the padding rows are skipped (each dx row sums only the kernel rows that
  // meet dy), the padding columns add exact zeros.
  const int k = g.k, run = k * g.n, K = k * run, ns = padded(g.cin);
  const int pw = g.ow() + 2 * (k - 1), prow = pw * g.n, ph = g.oh() + 2 * (k - 1);
  thread_local std::vector<float> wp, pad;
  thread_local std::vector<int> off;
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

// ---- registry and dispatch -------------------------------------------------------------------

const ConvVariant* conv_variants(int* count) {
  static const ConvVariant table[] = {
      {"conv__scalar", conv_forward__scalar, conv_weight_grad__scalar, conv_input_grad__scalar},
      {"conv__portable", conv_forward__portable, conv_weight_grad__portable, conv_input_grad__portable},
#if CONVOLENS_CONV_DIRECT
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
void conv_weight_grad(const ConvGeom& g, int images, const float* x, const float* dy, float* dW, float* db) {
  conv_weight_grad__wasm_simd(g, images, x, dy, dW, db);
}
void conv_input_grad(const ConvGeom& g, int images, const float* dy, const float* W, float* dx) {
  conv_input_grad__wasm_simd(g, images, dy, W, dx);
}
#else
// The plain wasm build, and native: forward and weight gradient through the gemm (natively its
// FMA variant, or the portable one, which returns the direct kernels' bits).
void conv_forward(const ConvGeom& g, int images, const float* x, const float* W, const float* bias, float* y) {
  conv_forward__portable(g, images, x, W, bias, y);
}
void conv_weight_grad(const ConvGeom& g, int images, const float* x, const float* dy, float* dW, float* db) {
  conv_weight_grad__portable(g, images, x, dy, dW, db);
}
void conv_input_grad(const ConvGeom& g, int images, const float* dy, const float* W, float* dx) {
#if defined(__EMSCRIPTEN__)
  conv_input_grad__portable(g, images, dy, W, dx);
#else
  if (gemm_portable())
    conv_input_grad__wasm_simd(g, images, dy, W, dx);  // through SIMDe: the wasm build's bits
  else
    conv_input_grad__native_fma(g, images, dy, W, dx);
#endif
}
#endif

}  // namespace convolens::train
