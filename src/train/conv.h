// The trainer's convolution: 'valid', stride 1, NHWC images, kernel W in Keras layout
// [k][k][cin][n] (a K x n matrix, K = k*k*cin taps in (ky, kx, ci) order). Three products, each
// over `images` consecutive images:
//   forward:      y[p][f] = sum_t x(p, t) * W[t][f], then + bias[f]
//   weight grad:  dW[t][f] = sum_{image, p} x(p, t) * dy[p][f], and db[f] = sum_{image, p} dy[p][f]
//   input grad:   dx = col2im(dy * W^T)
// Every variant sums in the same order, so they all return the same bits (the trainer is
// deterministic across builds): forward: taps in order from +0, bias added after; weight grad:
// one running sum per dW (and db) element from +0, images in order, pixels row-major; input
// grad (a full convolution of dy with the flipped kernel): dx[iy][ix][ci] from +0, adding
// dy[oy][ox][f] * W[ky][kx][ci][f] for oy = iy-ky ascending, then ox = ix-kx ascending (the
// pixels inside dy), then f ascending.
// Variants: __scalar (the reference loops); __portable (the register-blocked gemm, and scalar
// loops for the input gradient: the plain wasm build); __wasm_simd (direct f32x4 kernels: the SIMD
// wasm build, and native builds through SIMDe). Natively the dispatchers below use the gemm's FMA
// variant (and, for the input gradient, its column matrix plus col2im) unless set_gemm_portable.
#pragma once

namespace convolens::train {

struct ConvGeom {
  int h, w, cin, k, n;  // input h x w x cin, k x k kernel, n filters
  int oh() const { return h - k + 1; }
  int ow() const { return w - k + 1; }
  int taps() const { return k * k * cin; }
  int in_size() const { return h * w * cin; }
  int out_size() const { return oh() * ow() * n; }
};

struct ConvVariant {
  const char* name;
  void (*forward)(const ConvGeom& g, int images, const float* x, const float* W, const float* bias, float* y);
  void (*weight_grad)(const ConvGeom& g, int images, const float* x, const float* dy, float* dW, float* db);  // db: null = none
  void (*input_grad)(const ConvGeom& g, int images, const float* dy, const float* W, float* dx);
};
// scalar reference first; tests compare every row with it bit for bit.
const ConvVariant* conv_variants(int* count);

// The build's fastest variant.
void conv_forward(const ConvGeom& g, int images, const float* x, const float* W, const float* bias, float* y);
void conv_weight_grad(const ConvGeom& g, int images, const float* x, const float* dy, float* dW, float* db);
void conv_input_grad(const ConvGeom& g, int images, const float* dy, const float* W, float* dx);

}  // namespace convolens::train
