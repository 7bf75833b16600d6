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
// s1[c] = sum_q a'[q][c], s2[c] = sum_q a'[q][c] * b[q][c], in float, summed in pixel order, where
// a' = a, or with y (a ReLU after BatchNorm, fused into it; else null: the forward's scale y[c] and
// shift y[C + c]) a masked as relu_backward would by that ReLU's output max(0, b * y[c] + y[C + c])
// (b: BatchNorm's input; +0 where the output is not > 0). The mask is computed again instead of
// read from the output: one stream less.
void channel_sums__scalar(const float* a, const float* b, const float* y, std::size_t per, int C, float* s1, float* s2);
#if defined(__wasm_simd128__)
void channel_sums__wasm_simd(const float* a, const float* b, const float* y, std::size_t per, int C, float* s1, float* s2);
#endif
void channel_sums(const float* a, const float* b, const float* y, std::size_t per, int C, float* s1, float* s2);

// BatchNorm's per-channel affine passes over `per` pixels x C channels:
//   forward:  o = a * k1[c] + k2[c], then std::max(0, o) if relu (a ReLU after it, fused)
//   backward: o = k1[c] * g' + k2[c] + k3[c] * a   (in that order; g' = g masked by y as above, a
//             in the role of b)
void bn_forward__scalar(const float* a, std::size_t per, int C, const float* k1, const float* k2, bool relu, float* o);
void bn_backward__scalar(const float* g, const float* y, const float* a, std::size_t per, int C, const float* k1,
                         const float* k2, const float* k3, float* o);
#if defined(__wasm_simd128__)
void bn_forward__wasm_simd(const float* a, std::size_t per, int C, const float* k1, const float* k2, bool relu, float* o);
void bn_backward__wasm_simd(const float* g, const float* y, const float* a, std::size_t per, int C, const float* k1,
                            const float* k2, const float* k3, float* o);
#endif
void bn_forward(const float* a, std::size_t per, int C, const float* k1, const float* k2, bool relu, float* o);
void bn_backward(const float* g, const float* y, const float* a, std::size_t per, int C, const float* k1,
                 const float* k2, const float* k3, float* o);

// 2x2 max-pool, stride 2, of one H x W x C image into OH = H/2 x OW = W/2 x C:
// o = max(max(p0, p1), max(p2, p3)) as std::max computes it, arg = which window input it took
// (the first maximum in (dy, dx) order), 4 if none (the maximum is NaN). relu: the pool reads
// std::max(0, a) (a ReLU before the pool, fused into it) and arg is also 4 where the maximum is
// not > 0 (the ReLU passes no gradient there).
void maxpool2_forward__scalar(const float* a, int W, int C, int OH, int OW, bool relu, float* o, unsigned char* arg);
// d (all H x W x C of it): each output's gradient goes to the input its arg names, 0 elsewhere.
void maxpool2_backward__scalar(const float* g, const unsigned char* arg, int H, int W, int C, float* d);
#if defined(__wasm_simd128__)
void maxpool2_forward__wasm_simd(const float* a, int W, int C, int OH, int OW, bool relu, float* o, unsigned char* arg);
void maxpool2_backward__wasm_simd(const float* g, const unsigned char* arg, int H, int W, int C, float* d);
#endif
void maxpool2_forward(const float* a, int W, int C, int OH, int OW, bool relu, float* o, unsigned char* arg);
void maxpool2_backward(const float* g, const unsigned char* arg, int H, int W, int C, float* d);

// BatchNorm (+ the ReLU after it) with the 2x2 max-pool after that fused into its passes, on one
// H x W x C image (the pool's output: H/2 x W/2 x C):
//   forward:  o, arg = maxpool2_forward(t, relu) of t = a * k1[c] + k2[c] (the forward's scale
//             and shift), without writing t. o is what the passes apart compute (bn_forward with
//             the ReLU, then maxpool2_forward); arg also says "none" (4) where the ReLU passes
//             no gradient, so the backward needs no mask;
//   backward: bn_backward(g', no mask, a), where g' is what maxpool2_backward(g, arg) writes,
//             without writing it (BatchNorm's sums run on g' written into a small buffer).
// The same floats as the passes apart.
struct PoolGeom {
  int H, W, C;
  const float* k1;  // scale, shift per channel (the SIMD max-pool passes null: no affine)
  const float* k2;
  bool relu;
};
void bn_pool_forward__scalar(const float* a, const PoolGeom& p, float* o, unsigned char* arg);
void bn_pool_backward__scalar(const float* g, const unsigned char* arg, const float* a, int H, int W, int C,
                              const float* k1, const float* k2, const float* k3, float* o);
#if defined(__wasm_simd128__)
void bn_pool_forward__wasm_simd(const float* a, const PoolGeom& p, float* o, unsigned char* arg);
void bn_pool_backward__wasm_simd(const float* g, const unsigned char* arg, const float* a, int H, int W, int C,
                                 const float* k1, const float* k2, const float* k3, float* o);
#endif
void bn_pool_forward(const float* a, const PoolGeom& p, float* o, unsigned char* arg);
void bn_pool_backward(const float* g, const unsigned char* arg, const float* a, int H, int W, int C, const float* k1,
                      const float* k2, const float* k3, float* o);

// Adam with decoupled weight decay over n parameters (the float expressions of Adam::step):
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g g;
//   w -= lr * ((m / c1) / (sqrt(v / c2) + eps) + (decay ? wd w : 0))
struct AdamStep {
  float b1, b2, c1, c2, eps, lr, wd;
  bool decay;
};
void adam_update__scalar(float* w, const float* g, float* m, float* v, std::size_t n, const AdamStep& k);
#if defined(__wasm_simd128__)
void adam_update__wasm_simd(float* w, const float* g, float* m, float* v, std::size_t n, const AdamStep& k);
#endif
void adam_update(float* w, const float* g, float* m, float* v, std::size_t n, const AdamStep& k);

// The batch mean of a data-parallel step's part gradients (n values of each part, part r at
// parts + r * stride): g[i] = (0 + parts[0][i] * images[0] + parts[1][i] * images[1] + ...) / total,
// summed in part order.
void combine_parts__scalar(const float* parts, std::size_t stride, const int* images, int count, float total, float* g,
                           std::size_t n);
#if defined(__wasm_simd128__)
void combine_parts__wasm_simd(const float* parts, std::size_t stride, const int* images, int count, float total,
                              float* g, std::size_t n);
#endif
void combine_parts(const float* parts, std::size_t stride, const int* images, int count, float total, float* g,
                   std::size_t n);

// u8 pixels -> floats 0..1: p * (1 / 255).
void u8_to_float__scalar(const unsigned char* p, float* out, std::size_t n);
#if defined(__wasm_simd128__)
void u8_to_float__wasm_simd(const unsigned char* p, float* out, std::size_t n);
#endif
void u8_to_float(const unsigned char* p, float* out, std::size_t n);

}  // namespace convolens::train
