// Elementwise passes of the trainer's backward step. Each has a scalar reference (__scalar) and,
// in the SIMD wasm build, an f32x4 twin (__wasm_simd) that returns the same bits; the dispatcher
// without suffix runs the fastest one. elementwise_test compares them.
#pragma once
#include <cstddef>

namespace convolens::train {

// ReLU backward: d[i] = out[i] > 0 ? g[i] : 0 (out: the ReLU's output).
void relu_backward__scalar(const float* out, const float* g, float* d, std::size_t n);
#if defined(__wasm_simd128__)
void relu_backward__wasm_simd(const float* out, const float* g, float* d, std::size_t n);
#endif
void relu_backward(const float* out, const float* g, float* d, std::size_t n);

// Per-channel sums over one image of `per` pixels x C channels (BatchNorm statistics):
// s1[c] = sum_q a[q][c], s2[c] = sum_q a[q][c] * b[q][c], in float, summed in pixel order.
void channel_sums__scalar(const float* a, const float* b, std::size_t per, int C, float* s1, float* s2);
#if defined(__wasm_simd128__)
void channel_sums__wasm_simd(const float* a, const float* b, std::size_t per, int C, float* s1, float* s2);
#endif
void channel_sums(const float* a, const float* b, std::size_t per, int C, float* s1, float* s2);

// BatchNorm's per-channel affine passes over `per` pixels x C channels:
//   forward:  o = a * k1[c] + k2[c]
//   backward: o = k1[c] * g + k2[c] + k3[c] * a   (in that order)
void bn_forward__scalar(const float* a, std::size_t per, int C, const float* k1, const float* k2, float* o);
void bn_backward__scalar(const float* g, const float* a, std::size_t per, int C, const float* k1, const float* k2,
                         const float* k3, float* o);
#if defined(__wasm_simd128__)
void bn_forward__wasm_simd(const float* a, std::size_t per, int C, const float* k1, const float* k2, float* o);
void bn_backward__wasm_simd(const float* g, const float* a, std::size_t per, int C, const float* k1, const float* k2,
                            const float* k3, float* o);
#endif
void bn_forward(const float* a, std::size_t per, int C, const float* k1, const float* k2, float* o);
void bn_backward(const float* g, const float* a, std::size_t per, int C, const float* k1, const float* k2,
                 const float* k3, float* o);

}  // namespace convolens::train
