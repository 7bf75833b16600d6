#include "train/elementwise.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/size_attrs.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace convolens::train {

// The scalar references: in the SIMD build they run only for tails and channel counts under 4
// (and in the tests), so there they are compiled for size, which keeps the module in its budget.
#define REFERENCE CONVOLENS_SMALL_IN_SIMD

REFERENCE void relu_backward__scalar(const float* out, const float* g, float* d, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] = out[i] > 0.f ? g[i] : 0.f;
}

namespace {
// a[j], or +0 where a ReLU after BatchNorm passed no gradient, as relu_backward writes it: where
// its output max(0, x[j] m[ch] + m[C + ch]) is not > 0 (m: the forward's scale and shift; null:
// no ReLU; x: BatchNorm's input).
inline float masked(const float* a, const float* x, const float* m, std::size_t j, int C, int ch) {
  return m && !(x[j] * m[ch] + m[C + ch] > 0.f) ? 0.f : a[j];
}

// One channel's two sums over the pixels, in pixel order (the order every variant keeps).
void channel_sum(const float* a, const float* b, const float* y, std::size_t per, int C, int ch, float* s1, float* s2) {
  float f1 = 0.f, f2 = 0.f;
  for (std::size_t q = 0; q < per; ++q) {
    const float v = masked(a, b, y, q * C + ch, C, ch);
    f1 += v;
    f2 += v * b[q * C + ch];
  }
  s1[ch] = f1;
  s2[ch] = f2;
}
}  // namespace

REFERENCE void channel_sums__scalar(const float* a, const float* b, const float* y, std::size_t per, int C, float* s1, float* s2) {
  for (int ch = 0; ch < C; ++ch) channel_sum(a, b, y, per, C, ch, s1, s2);
}

REFERENCE void bn_forward__scalar(const float* a, std::size_t per, int C, const float* k1, const float* k2, bool relu, float* o) {
  for (std::size_t q = 0; q < per; ++q)
    for (int ch = 0; ch < C; ++ch) {
      const float t = a[q * C + ch] * k1[ch] + k2[ch];
      o[q * C + ch] = relu ? std::max(0.f, t) : t;
    }
}

REFERENCE void bn_backward__scalar(const float* g, const float* y, const float* a, std::size_t per, int C, const float* k1,
                         const float* k2, const float* k3, float* o) {
  for (std::size_t q = 0; q < per; ++q)
    for (int ch = 0; ch < C; ++ch) {
      const std::size_t j = q * C + ch;
      o[j] = k1[ch] * masked(g, a, y, j, C, ch) + k2[ch] + k3[ch] * a[j];
    }
}

namespace {
// One pooling window (inputs a0..a3 in (dy, dx) order) as the reference computes it.
inline void pool_window(float a0, float a1, float a2, float a3, bool relu, float* o, unsigned char* arg) {
  if (relu) a0 = std::max(0.f, a0), a1 = std::max(0.f, a1), a2 = std::max(0.f, a2), a3 = std::max(0.f, a3);
  const bool s01 = a0 < a1, s23 = a2 < a3;
  const float m01 = s01 ? a1 : a0, m23 = s23 ? a3 : a2;
  const bool s = m01 < m23;
  const float m = s ? m23 : m01;
  *o = m;
  *arg = static_cast<unsigned char>(m != m || (relu && !(m > 0.f)) ? 4 : s ? 2 + s23 : int(s01));
}
}  // namespace

REFERENCE void maxpool2_forward__scalar(const float* a, int W, int C, int OH, int OW, bool relu, float* o, unsigned char* arg) {
  const int row = W * C;
  for (int oy = 0; oy < OH; ++oy)
    for (int ox = 0; ox < OW; ++ox)
      for (int ch = 0; ch < C; ++ch) {
        const float* p = a + ((2 * oy) * W + 2 * ox) * C + ch;
        const int q = (oy * OW + ox) * C + ch;
        pool_window(p[0], p[C], p[row], p[row + C], relu, o + q, arg + q);
      }
}

REFERENCE void maxpool2_backward__scalar(const float* g, const unsigned char* arg, int H, int W, int C, float* d) {
  const int OH = H / 2, OW = W / 2;
  const int offs[5] = {0, C, W * C, W * C + C, 0};
  std::fill(d, d + std::size_t(H) * W * C, 0.f);
  for (int oy = 0; oy < OH; ++oy)
    for (int ox = 0; ox < OW; ++ox)
      for (int ch = 0; ch < C; ++ch) {
        const int base = ((2 * oy) * W + 2 * ox) * C + ch, q = (oy * OW + ox) * C + ch;
        if (arg[q] < 4) d[base + offs[arg[q]]] += g[q];
      }
}

namespace {
// What maxpool2_backward writes at element (iy, ix, ch) of the pool's H x W x C input.
inline float pooled_grad(const float* g, const unsigned char* arg, int iy, int ix, int H, int W, int C, int ch) {
  const int oy = iy / 2, ox = ix / 2;
  if (oy >= H / 2 || ox >= W / 2) return 0.f;  // a last row or column in no window
  const int q = (oy * (W / 2) + ox) * C + ch;
  return arg[q] == (iy & 1) * 2 + (ix & 1) ? g[q] + 0.f : 0.f;
}
}  // namespace

REFERENCE void bn_pool_forward__scalar(const float* a, const PoolGeom& p, float* o, unsigned char* arg) {
  const int OW = p.W / 2, row = p.W * p.C;
  for (int oy = 0; oy < p.H / 2; ++oy)
    for (int ox = 0; ox < OW; ++ox)
      for (int ch = 0; ch < p.C; ++ch) {
        const float* q = a + ((2 * oy) * p.W + 2 * ox) * p.C + ch;
        const float k1 = p.k1[ch], k2 = p.k2[ch];
        const int r = (oy * OW + ox) * p.C + ch;
        pool_window(q[0] * k1 + k2, q[p.C] * k1 + k2, q[row] * k1 + k2, q[row + p.C] * k1 + k2, p.relu, o + r, arg + r);
      }
}

REFERENCE void bn_pool_backward__scalar(const float* g, const unsigned char* arg, const float* a, int H, int W, int C,
                                        const float* k1, const float* k2, const float* k3, float* o) {
  for (int iy = 0; iy < H; ++iy)
    for (int ix = 0; ix < W; ++ix)
      for (int ch = 0; ch < C; ++ch) {
        const int j = (iy * W + ix) * C + ch;
        o[j] = k1[ch] * pooled_grad(g, arg, iy, ix, H, W, C, ch) + k2[ch] + k3[ch] * a[j];
      }
}

REFERENCE void adam_update__scalar(float* w, const float* g, float* m, float* v, std::size_t n, const AdamStep& k) {
  for (std::size_t i = 0; i < n; ++i) {
    m[i] = k.b1 * m[i] + (1 - k.b1) * g[i];
    v[i] = k.b2 * v[i] + (1 - k.b2) * g[i] * g[i];
    const float update = (m[i] / k.c1) / (std::sqrt(v[i] / k.c2) + k.eps);
    w[i] -= k.lr * (update + (k.decay ? k.wd * w[i] : 0.f));
  }
}

REFERENCE void combine_parts__scalar(const float* parts, std::size_t stride, const int* images, int count, float total, float* g,
                           std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    float sum = 0;
    for (int r = 0; r < count; ++r) sum += parts[std::size_t(r) * stride + i] * float(images[r]);
    g[i] = sum / total;
  }
}

REFERENCE void u8_to_float__scalar(const unsigned char* p, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = float(p[i]) * (1.f / 255.f);
}

#if defined(__wasm_simd128__)
// Channels in blocks of 4 (one vector each, the sums stay in registers over the pixels), the last
// C % 4 channels by the reference: each channel's sum keeps its order, so the bits are the same.
namespace {
// Channel blocks of 4: the block at ch, or for the last 1..3 channels (C >= 4) the block that ends
// at C, overlapping the one before: its channels get the same sums in the same order, so they
// are written twice with the same bits (outputs never alias inputs), and no scalar tail runs.
inline int last_block(int ch, int C) { return ch + 4 <= C ? ch : C - 4; }

// a's 4 lanes at j (channels ch..ch+3), masked as masked() does (+0 lanes are all-zero bits;
// max(0, t) > 0 is t > 0).
inline v128_t masked4(const float* a, const float* x, const float* m, std::size_t j, int C, int ch) {
  const v128_t v = wasm_v128_load(a + j);
  if (!m) return v;
  const v128_t t = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(x + j), wasm_v128_load(m + ch)), wasm_v128_load(m + C + ch));
  return wasm_v128_and(v, wasm_f32x4_gt(t, wasm_f32x4_splat(0.f)));
}
}  // namespace

namespace {
// Four channel blocks (starts st[0..4)) over the pixels, pixel by pixel: the 8 sums stay in
// registers and the image is read once, while each channel's sum keeps the pixel order.
void sums_blocks(const float* a, const float* b, const float* y, std::size_t per, int C, const int* st, float* s1,
                 float* s2) {
  v128_t f1[4], f2[4];
  for (int j = 0; j < 4; ++j) f1[j] = f2[j] = wasm_f32x4_splat(0.f);
  for (std::size_t q = 0; q < per; ++q) {
    const std::size_t r = q * C;
    for (int j = 0; j < 4; ++j) {
      const v128_t va = masked4(a, b, y, r + st[j], C, st[j]);
      f1[j] = wasm_f32x4_add(f1[j], va);
      f2[j] = wasm_f32x4_add(f2[j], wasm_f32x4_mul(va, wasm_v128_load(b + r + st[j])));
    }
  }
  for (int j = 0; j < 4; ++j) {
    wasm_v128_store(s1 + st[j], f1[j]);
    wasm_v128_store(s2 + st[j], f2[j]);
  }
}

// All channels (C >= 4) in groups of 4 blocks; a group with fewer blocks repeats its last one
// (the same sums again, the same bits written twice: one instantiation, less code).
void sums_groups(const float* a, const float* b, const float* y, std::size_t per, int C, float* s1, float* s2) {
  const int nb = (C + 3) / 4;
  for (int g = 0; g < nb; g += 4) {
    int st[4];
    for (int j = 0; j < 4; ++j) st[j] = last_block(4 * std::min(g + j, nb - 1), C);
    sums_blocks(a, b, y, per, C, st, s1, s2);
  }
}
}  // namespace

void channel_sums__wasm_simd(const float* a, const float* b, const float* y, std::size_t per, int C, float* s1, float* s2) {
  if (C < 4) return channel_sums__scalar(a, b, y, per, C, s1, s2);
  sums_groups(a, b, y, per, C, s1, s2);
}

// Pixel by pixel, the channel blocks inside (the image is read once; the coefficients come from
// L1); the last 1..3 channels as the block that ends at C, overlapping (same bits written twice).
void bn_forward__wasm_simd(const float* a, std::size_t per, int C, const float* k1, const float* k2, bool relu, float* o) {
  if (C < 4) return bn_forward__scalar(a, per, C, k1, k2, relu, o);
  const v128_t zero = wasm_f32x4_splat(0.f);
  auto block = [&](std::size_t j, int ch) {
    const v128_t t = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(a + j), wasm_v128_load(k1 + ch)), wasm_v128_load(k2 + ch));
    wasm_v128_store(o + j, relu ? wasm_f32x4_pmax(zero, t) : t);  // pmax(0, t) = std::max(0, t)
  };
  for (std::size_t q = 0; q < per; ++q) {
    const std::size_t r = q * C;
    int ch = 0;
    for (; ch + 4 <= C; ch += 4) block(r + ch, ch);
    if (ch < C) block(r + C - 4, C - 4);
  }
}

void bn_backward__wasm_simd(const float* g, const float* y, const float* a, std::size_t per, int C, const float* k1,
                            const float* k2, const float* k3, float* o) {
  if (C < 4) return bn_backward__scalar(g, y, a, per, C, k1, k2, k3, o);
  auto block = [&](std::size_t j, int ch) {
    const v128_t t = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(k1 + ch), masked4(g, a, y, j, C, ch)), wasm_v128_load(k2 + ch));
    wasm_v128_store(o + j, wasm_f32x4_add(t, wasm_f32x4_mul(wasm_v128_load(k3 + ch), wasm_v128_load(a + j))));
  };
  for (std::size_t q = 0; q < per; ++q) {
    const std::size_t r = q * C;
    int ch = 0;
    for (; ch + 4 <= C; ch += 4) block(r + ch, ch);
    if (ch < C) block(r + C - 4, C - 4);
  }
}

// Four channels per vector; the selects and compares of pool_window, lane by lane. pre(v, ch)
// maps a block of window inputs first (a fused ReLU, or BatchNorm's affine); the last C % 4
// channels go to tail(ch, r) (the reference, at input offset ch and output offset r).
namespace {
template <class Pre, class Tail>
void pool_simd(const float* a, int W, int C, int OH, int OW, bool relu, float* o, unsigned char* arg, const Pre& pre,
               const Tail& tail) {
  const int row = W * C;
  const v128_t zero = wasm_f32x4_splat(0.f), two = wasm_i32x4_splat(2), four = wasm_i32x4_splat(4);
  for (int oy = 0; oy < OH; ++oy)
    for (int ox = 0; ox < OW; ++ox) {
      const float* p = a + ((2 * oy) * W + 2 * ox) * C;
      const int q = (oy * OW + ox) * C;
      int ch = 0;
      for (; ch + 4 <= C; ch += 4) {
        const v128_t a0 = pre(wasm_v128_load(p + ch), ch), a1 = pre(wasm_v128_load(p + C + ch), ch);
        const v128_t a2 = pre(wasm_v128_load(p + row + ch), ch), a3 = pre(wasm_v128_load(p + row + C + ch), ch);
        const v128_t s01 = wasm_f32x4_lt(a0, a1), s23 = wasm_f32x4_lt(a2, a3);
        const v128_t m01 = wasm_v128_bitselect(a1, a0, s01), m23 = wasm_v128_bitselect(a3, a2, s23);
        const v128_t s = wasm_f32x4_lt(m01, m23);
        const v128_t m = wasm_v128_bitselect(m23, m01, s);
        wasm_v128_store(o + q + ch, m);
        // masks are -1/0: 2 - s23 is 2 or 3, -s01 is 0 or 1
        v128_t idx = wasm_v128_bitselect(wasm_i32x4_sub(two, s23), wasm_i32x4_neg(s01), s);
        const v128_t none = relu ? wasm_v128_not(wasm_f32x4_gt(m, zero)) : wasm_f32x4_ne(m, m);
        idx = wasm_v128_bitselect(four, idx, none);
        const v128_t b16 = wasm_i16x8_narrow_i32x4(idx, idx);
        const int bytes = wasm_i32x4_extract_lane(wasm_u8x16_narrow_i16x8(b16, b16), 0);
        std::memcpy(arg + q + ch, &bytes, 4);
      }
      for (; ch < C; ++ch) tail(p + ch, ch, q + ch);
    }
}
}  // namespace

void bn_pool_forward__wasm_simd(const float* a, const PoolGeom& g, float* o, unsigned char* arg) {
  const v128_t zero = wasm_f32x4_splat(0.f);
  const int C = g.C, row = g.W * C;
  // k1 null: the input as it is (maxpool2_forward)
  auto t = [&](float v, int ch) { return g.k1 ? v * g.k1[ch] + g.k2[ch] : v; };
  pool_simd(
      a, g.W, C, g.H / 2, g.W / 2, g.relu, o, arg,
      [&](v128_t v, int ch) {
        if (g.k1) v = wasm_f32x4_add(wasm_f32x4_mul(v, wasm_v128_load(g.k1 + ch)), wasm_v128_load(g.k2 + ch));
        return g.relu ? wasm_f32x4_pmax(zero, v) : v;  // pmax(0, a) = std::max(0, a)
      },
      [&](const float* p, int ch, int r) {
        pool_window(t(p[0], ch), t(p[C], ch), t(p[row], ch), t(p[row + C], ch), g.relu, o + r, arg + r);
      });
}

void maxpool2_forward__wasm_simd(const float* a, int W, int C, int OH, int /*OW = W / 2*/, bool relu, float* o, unsigned char* arg) {
  bn_pool_forward__wasm_simd(a, PoolGeom{2 * OH, W, C, nullptr, nullptr, relu}, o, arg);
}

namespace {
// pooled_grad's 4 lanes at pixel (iy, ix), channels ch..ch+3.
inline v128_t pooled_grad4(const float* g, const unsigned char* arg, int iy, int ix, int H, int W, int C, int ch) {
  const int oy = iy >> 1, ox = ix >> 1;
  if (oy >= H / 2 || ox >= W / 2) return wasm_f32x4_splat(0.f);
  const int q = (oy * (W / 2) + ox) * C + ch;
  int bytes;
  std::memcpy(&bytes, arg + q, 4);
  const v128_t idx = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_i32x4_splat(bytes)));
  const v128_t m = wasm_i32x4_eq(idx, wasm_i32x4_splat((iy & 1) * 2 + (ix & 1)));
  return wasm_v128_and(wasm_f32x4_add(wasm_v128_load(g + q), wasm_f32x4_splat(0.f)), m);
}
}  // namespace

void bn_pool_backward__wasm_simd(const float* g, const unsigned char* arg, const float* a, int H, int W, int C,
                                 const float* k1, const float* k2, const float* k3, float* o) {
  if (C < 4) return bn_pool_backward__scalar(g, arg, a, H, W, C, k1, k2, k3, o);
  auto block = [&](int iy, int ix, std::size_t j, int ch) {
    const v128_t v = pooled_grad4(g, arg, iy, ix, H, W, C, ch);
    const v128_t t = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(k1 + ch), v), wasm_v128_load(k2 + ch));
    wasm_v128_store(o + j, wasm_f32x4_add(t, wasm_f32x4_mul(wasm_v128_load(k3 + ch), wasm_v128_load(a + j))));
  };
  for (int iy = 0; iy < H; ++iy)
    for (int ix = 0; ix < W; ++ix) {
      const std::size_t r = (std::size_t(iy) * W + ix) * C;
      int ch = 0;
      for (; ch + 4 <= C; ch += 4) block(iy, ix, r + ch, ch);
      if (ch < C) block(iy, ix, r + C - 4, C - 4);
    }
}

// Writes every element once (no zero fill first): g + 0 where arg names the input (0 + g, as the
// reference's scatter onto zeros, so -0 becomes +0 there too), +0 elsewhere.
void maxpool2_backward__wasm_simd(const float* g, const unsigned char* arg, int H, int W, int C, float* d) {
  const int OH = H / 2, OW = W / 2, row = W * C;
  const v128_t zero = wasm_f32x4_splat(0.f);
  for (int oy = 0; oy < OH; ++oy) {
    for (int ox = 0; ox < OW; ++ox) {
      float* p = d + ((2 * oy) * W + 2 * ox) * C;
      const int q = (oy * OW + ox) * C;
      int ch = 0;
      for (; ch + 4 <= C; ch += 4) {
        int bytes;
        std::memcpy(&bytes, arg + q + ch, 4);
        const v128_t idx = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_i32x4_splat(bytes)));
        const v128_t gv = wasm_f32x4_add(wasm_v128_load(g + q + ch), zero);
        wasm_v128_store(p + ch, wasm_v128_and(gv, wasm_i32x4_eq(idx, wasm_i32x4_splat(0))));
        wasm_v128_store(p + C + ch, wasm_v128_and(gv, wasm_i32x4_eq(idx, wasm_i32x4_splat(1))));
        wasm_v128_store(p + row + ch, wasm_v128_and(gv, wasm_i32x4_eq(idx, wasm_i32x4_splat(2))));
        wasm_v128_store(p + row + C + ch, wasm_v128_and(gv, wasm_i32x4_eq(idx, wasm_i32x4_splat(3))));
      }
      for (; ch < C; ++ch) {
        const unsigned k = arg[q + ch];
        const float gv = g[q + ch] + 0.f;
        p[ch] = k == 0 ? gv : 0.f;
        p[C + ch] = k == 1 ? gv : 0.f;
        p[row + ch] = k == 2 ? gv : 0.f;
        p[row + C + ch] = k == 3 ? gv : 0.f;
      }
    }
    if (W & 1) {  // the last column is in no window
      std::fill(d + ((2 * oy) * W + W - 1) * C, d + ((2 * oy) * W + W) * C, 0.f);
      std::fill(d + ((2 * oy + 1) * W + W - 1) * C, d + ((2 * oy + 1) * W + W) * C, 0.f);
    }
  }
  if (H & 1) std::fill(d + std::size_t(H - 1) * row, d + std::size_t(H) * row, 0.f);  // nor is the last row
}

void adam_update__wasm_simd(float* w, const float* g, float* m, float* v, std::size_t n, const AdamStep& k) {
  const v128_t b1 = wasm_f32x4_splat(k.b1), b2 = wasm_f32x4_splat(k.b2), ob1 = wasm_f32x4_splat(1 - k.b1),
               ob2 = wasm_f32x4_splat(1 - k.b2), c1 = wasm_f32x4_splat(k.c1), c2 = wasm_f32x4_splat(k.c2),
               eps = wasm_f32x4_splat(k.eps), lr = wasm_f32x4_splat(k.lr), wd = wasm_f32x4_splat(k.wd),
               zero = wasm_f32x4_splat(0.f);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t gv = wasm_v128_load(g + i), wv = wasm_v128_load(w + i);
    const v128_t mv = wasm_f32x4_add(wasm_f32x4_mul(b1, wasm_v128_load(m + i)), wasm_f32x4_mul(ob1, gv));
    const v128_t vv =
        wasm_f32x4_add(wasm_f32x4_mul(b2, wasm_v128_load(v + i)), wasm_f32x4_mul(wasm_f32x4_mul(ob2, gv), gv));
    wasm_v128_store(m + i, mv);
    wasm_v128_store(v + i, vv);
    const v128_t update =
        wasm_f32x4_div(wasm_f32x4_div(mv, c1), wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vv, c2)), eps));
    const v128_t decay = k.decay ? wasm_f32x4_mul(wd, wv) : zero;
    wasm_v128_store(w + i, wasm_f32x4_sub(wv, wasm_f32x4_mul(lr, wasm_f32x4_add(update, decay))));
  }
  adam_update__scalar(w + i, g + i, m + i, v + i, n - i, k);
}

void u8_to_float__wasm_simd(const unsigned char* p, float* out, std::size_t n) {
  const v128_t k = wasm_f32x4_splat(1.f / 255.f);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t b = wasm_v128_load(p + i);
    const v128_t lo = wasm_u16x8_extend_low_u8x16(b), hi = wasm_u16x8_extend_high_u8x16(b);
    wasm_v128_store(out + i, wasm_f32x4_mul(wasm_f32x4_convert_u32x4(wasm_u32x4_extend_low_u16x8(lo)), k));
    wasm_v128_store(out + i + 4, wasm_f32x4_mul(wasm_f32x4_convert_u32x4(wasm_u32x4_extend_high_u16x8(lo)), k));
    wasm_v128_store(out + i + 8, wasm_f32x4_mul(wasm_f32x4_convert_u32x4(wasm_u32x4_extend_low_u16x8(hi)), k));
    wasm_v128_store(out + i + 12, wasm_f32x4_mul(wasm_f32x4_convert_u32x4(wasm_u32x4_extend_high_u16x8(hi)), k));
  }
  u8_to_float__scalar(p + i, out + i, n - i);
}

void combine_parts__wasm_simd(const float* parts, std::size_t stride, const int* images, int count, float total,
                              float* g, std::size_t n) {
  const v128_t t = wasm_f32x4_splat(total);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t sum = wasm_f32x4_splat(0.f);
    for (int r = 0; r < count; ++r)
      sum = wasm_f32x4_add(sum, wasm_f32x4_mul(wasm_v128_load(parts + std::size_t(r) * stride + i),
                                               wasm_f32x4_splat(float(images[r]))));
    wasm_v128_store(g + i, wasm_f32x4_div(sum, t));
  }
  combine_parts__scalar(parts + i, stride, images, count, total, g + i, n - i);
}

// A mask instead of a branch: the sign of out is random, so a branch mispredicts half the time
// (the scalar loop was ~7 % of a training step). Masked lanes are +0, as in the reference.
void relu_backward__wasm_simd(const float* out, const float* g, float* d, std::size_t n) {
  const v128_t zero = wasm_f32x4_splat(0.f);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(d + i, wasm_v128_and(wasm_v128_load(g + i), wasm_f32x4_gt(wasm_v128_load(out + i), zero)));
  relu_backward__scalar(out + i, g + i, d + i, n - i);
}
#endif

void relu_backward(const float* out, const float* g, float* d, std::size_t n) {
#if defined(__wasm_simd128__)
  relu_backward__wasm_simd(out, g, d, n);
#else
  relu_backward__scalar(out, g, d, n);
#endif
}

void channel_sums(const float* a, const float* b, const float* y, std::size_t per, int C, float* s1, float* s2) {
#if defined(__wasm_simd128__)
  channel_sums__wasm_simd(a, b, y, per, C, s1, s2);
#else
  channel_sums__scalar(a, b, y, per, C, s1, s2);
#endif
}

void bn_forward(const float* a, std::size_t per, int C, const float* k1, const float* k2, bool relu, float* o) {
#if defined(__wasm_simd128__)
  bn_forward__wasm_simd(a, per, C, k1, k2, relu, o);
#else
  bn_forward__scalar(a, per, C, k1, k2, relu, o);
#endif
}

void bn_backward(const float* g, const float* y, const float* a, std::size_t per, int C, const float* k1,
                 const float* k2, const float* k3, float* o) {
#if defined(__wasm_simd128__)
  bn_backward__wasm_simd(g, y, a, per, C, k1, k2, k3, o);
#else
  bn_backward__scalar(g, y, a, per, C, k1, k2, k3, o);
#endif
}

void maxpool2_forward(const float* a, int W, int C, int OH, int OW, bool relu, float* o, unsigned char* arg) {
#if defined(__wasm_simd128__)
  maxpool2_forward__wasm_simd(a, W, C, OH, OW, relu, o, arg);
#else
  maxpool2_forward__scalar(a, W, C, OH, OW, relu, o, arg);
#endif
}

void maxpool2_backward(const float* g, const unsigned char* arg, int H, int W, int C, float* d) {
#if defined(__wasm_simd128__)
  maxpool2_backward__wasm_simd(g, arg, H, W, C, d);
#else
  maxpool2_backward__scalar(g, arg, H, W, C, d);
#endif
}

void adam_update(float* w, const float* g, float* m, float* v, std::size_t n, const AdamStep& k) {
#if defined(__wasm_simd128__)
  adam_update__wasm_simd(w, g, m, v, n, k);
#else
  adam_update__scalar(w, g, m, v, n, k);
#endif
}

void u8_to_float(const unsigned char* p, float* out, std::size_t n) {
#if defined(__wasm_simd128__)
  u8_to_float__wasm_simd(p, out, n);
#else
  u8_to_float__scalar(p, out, n);
#endif
}

void combine_parts(const float* parts, std::size_t stride, const int* images, int count, float total, float* g,
                   std::size_t n) {
#if defined(__wasm_simd128__)
  combine_parts__wasm_simd(parts, stride, images, count, total, g, n);
#else
  combine_parts__scalar(parts, stride, images, count, total, g, n);
#endif
}

void bn_pool_forward(const float* a, const PoolGeom& p, float* o, unsigned char* arg) {
#if defined(__wasm_simd128__)
  bn_pool_forward__wasm_simd(a, p, o, arg);
#else
  bn_pool_forward__scalar(a, p, o, arg);
#endif
}

void bn_pool_backward(const float* g, const unsigned char* arg, const float* a, int H, int W, int C, const float* k1,
                      const float* k2, const float* k3, float* o) {
#if defined(__wasm_simd128__)
  bn_pool_backward__wasm_simd(g, arg, a, H, W, C, k1, k2, k3, o);
#else
  bn_pool_backward__scalar(g, arg, a, H, W, C, k1, k2, k3, o);
#endif
}

}  // namespace convolens::train
