#include "train/elementwise.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace convolens::train {

void relu_backward__scalar(const float* out, const float* g, float* d, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] = out[i] > 0.f ? g[i] : 0.f;
}

namespace {
// One channel's two sums over the pixels, in pixel order (the order every variant keeps).
void channel_sum(const float* a, const float* b, std::size_t per, int C, int ch, float* s1, float* s2) {
  float f1 = 0.f, f2 = 0.f;
  for (std::size_t q = 0; q < per; ++q) {
    f1 += a[q * C + ch];
    f2 += a[q * C + ch] * b[q * C + ch];
  }
  s1[ch] = f1;
  s2[ch] = f2;
}
}  // namespace

void channel_sums__scalar(const float* a, const float* b, std::size_t per, int C, float* s1, float* s2) {
  for (int ch = 0; ch < C; ++ch) channel_sum(a, b, per, C, ch, s1, s2);
}

void bn_forward__scalar(const float* a, std::size_t per, int C, const float* k1, const float* k2, float* o) {
  for (std::size_t q = 0; q < per; ++q)
    for (int ch = 0; ch < C; ++ch) o[q * C + ch] = a[q * C + ch] * k1[ch] + k2[ch];
}

void bn_backward__scalar(const float* g, const float* a, std::size_t per, int C, const float* k1, const float* k2,
                         const float* k3, float* o) {
  for (std::size_t q = 0; q < per; ++q)
    for (int ch = 0; ch < C; ++ch) {
      const std::size_t j = q * C + ch;
      o[j] = k1[ch] * g[j] + k2[ch] + k3[ch] * a[j];
    }
}

#if defined(__wasm_simd128__)
// Channels in blocks of 4 (one vector each, the sums stay in registers over the pixels), the last
// C % 4 channels by the reference: each channel's sum keeps its order, so the bits are the same.
void channel_sums__wasm_simd(const float* a, const float* b, std::size_t per, int C, float* s1, float* s2) {
  int ch = 0;
  for (; ch + 4 <= C; ch += 4) {
    v128_t f1 = wasm_f32x4_splat(0.f), f2 = f1;
    for (std::size_t q = 0; q < per; ++q) {
      const v128_t va = wasm_v128_load(a + q * C + ch);
      f1 = wasm_f32x4_add(f1, va);
      f2 = wasm_f32x4_add(f2, wasm_f32x4_mul(va, wasm_v128_load(b + q * C + ch)));
    }
    wasm_v128_store(s1 + ch, f1);
    wasm_v128_store(s2 + ch, f2);
  }
  for (; ch < C; ++ch) channel_sum(a, b, per, C, ch, s1, s2);
}

void bn_forward__wasm_simd(const float* a, std::size_t per, int C, const float* k1, const float* k2, float* o) {
  int ch = 0;
  for (; ch + 4 <= C; ch += 4) {
    const v128_t v1 = wasm_v128_load(k1 + ch), v2 = wasm_v128_load(k2 + ch);
    for (std::size_t q = 0; q < per; ++q)
      wasm_v128_store(o + q * C + ch, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(a + q * C + ch), v1), v2));
  }
  for (; ch < C; ++ch)
    for (std::size_t q = 0; q < per; ++q) o[q * C + ch] = a[q * C + ch] * k1[ch] + k2[ch];
}

void bn_backward__wasm_simd(const float* g, const float* a, std::size_t per, int C, const float* k1, const float* k2,
                            const float* k3, float* o) {
  int ch = 0;
  for (; ch + 4 <= C; ch += 4) {
    const v128_t v1 = wasm_v128_load(k1 + ch), v2 = wasm_v128_load(k2 + ch), v3 = wasm_v128_load(k3 + ch);
    for (std::size_t q = 0; q < per; ++q) {
      const std::size_t j = q * C + ch;
      const v128_t t = wasm_f32x4_add(wasm_f32x4_mul(v1, wasm_v128_load(g + j)), v2);
      wasm_v128_store(o + j, wasm_f32x4_add(t, wasm_f32x4_mul(v3, wasm_v128_load(a + j))));
    }
  }
  for (; ch < C; ++ch)
    for (std::size_t q = 0; q < per; ++q) {
      const std::size_t j = q * C + ch;
      o[j] = k1[ch] * g[j] + k2[ch] + k3[ch] * a[j];
    }
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

void channel_sums(const float* a, const float* b, std::size_t per, int C, float* s1, float* s2) {
#if defined(__wasm_simd128__)
  channel_sums__wasm_simd(a, b, per, C, s1, s2);
#else
  channel_sums__scalar(a, b, per, C, s1, s2);
#endif
}

void bn_forward(const float* a, std::size_t per, int C, const float* k1, const float* k2, float* o) {
#if defined(__wasm_simd128__)
  bn_forward__wasm_simd(a, per, C, k1, k2, o);
#else
  bn_forward__scalar(a, per, C, k1, k2, o);
#endif
}

void bn_backward(const float* g, const float* a, std::size_t per, int C, const float* k1, const float* k2,
                 const float* k3, float* o) {
#if defined(__wasm_simd128__)
  bn_backward__wasm_simd(g, a, per, C, k1, k2, k3, o);
#else
  bn_backward__scalar(g, a, per, C, k1, k2, k3, o);
#endif
}

}  // namespace convolens::train
