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
// wasm build, and native builds through SIMDe). 3x3 layers of >= 8 channels take Winograd
// F(2x2, 3x3) instead (below; its own summation order, the same in every build). Natively the
// dispatchers below use the gemm's FMA variant (and, for the input gradient, its column matrix
// plus col2im) unless set_gemm_portable.
#pragma once

#include <vector>

#include "core/size_attrs.h"

namespace convolens::train {

struct ConvGeom {
  int h, w, cin, k, n;  // input h x w x cin, k x k kernel, n filters
  int oh() const { return h - k + 1; }
  int ow() const { return w - k + 1; }
  int taps() const { return k * k * cin; }
  int in_size() const { return h * w * cin; }
  int out_size() const { return oh() * ow() * n; }
};

// Winograd F(2x2, 3x3) (Lavin & Gray): y = the valid 3x3 convolution of x (h x w x c per image),
// zero-padded by `pad` on every side, output oh() x ow() x n. Per 2x2 output tile 16 products
// per (input, output) channel pair instead of 36. The kernel comes transformed, U = G g G^T as
// [16][c][winograd_stride(n)] (winograd_kernel; columns past n are zeros). Summation order, every variant: V = B^T d B per tile and channel,
// M[xi] = sum over c ascending from +0 of V[xi][c] * U[xi][c][f], y = A^T M A (+ bias after),
// each transform's additions in one fixed order. Forward: pad 0, the layer's kernel; input
// gradient: dy padded by 2, the kernel flipped (transposed channels).
struct WinoGeom {
  int h, w, c, n, pad;
  int oh() const { return h + 2 * pad - 2; }
  int ow() const { return w + 2 * pad - 2; }
};
int winograd_stride(int n);
// U [16][c][winograd_stride(n)] from the layer's kernel W [3][3][c][n], or (flip) from W [3][3][n][c] flipped in
// both axes: the input gradient's product, whose inputs are the layer's outputs.
void winograd_kernel(const float* W, int c, int n, bool flip, float* U);
// Which products of a layer take the Winograd path (the same choice in every build).
bool conv_winograd_forward(const ConvGeom& g);
bool conv_winograd_input_grad(const ConvGeom& g);
bool conv_winograd_weight_grad(const ConvGeom& g);

struct ConvVariant {
  const char* name;
  void (*forward)(const ConvGeom& g, int images, const float* x, const float* W, const float* bias, float* y);
  void (*weight_grad)(const ConvGeom& g, int images, const float* x, const float* dy, float* dW, float* db);  // db: null = none
  void (*input_grad)(const ConvGeom& g, int images, const float* dy, const float* W, float* dx);
  void (*winograd)(const WinoGeom& g, int images, const float* x, const float* U, const float* bias, float* y);
  // The weight gradient the same way (pad 0): dW [3][3][c][n] = G^T (sum over tiles of
  // (B^T x B) * (A dy A^T)) G, each of the 16 sums over tiles in order from +0.
  void (*winograd_wgrad)(const WinoGeom& g, int images, const float* x, const float* dy, float* dW);
};
// scalar reference first; tests compare every row with it bit for bit.
const ConvVariant* conv_variants(int* count);

// Work done once per kernel value before a batch's chunks: the Winograd-transformed kernels
// (empty where the product takes the direct path). conv_prepare fills `fwd` or `bwd`.
struct ConvPrep {
  std::vector<float> fwd, bwd;
};
void conv_prepare(const ConvGeom& g, const float* W, bool input_grad, ConvPrep& p);

// The build's fastest variant (Winograd where conv_winograd_* says so; `prep`, if given, holds
// the prepared kernel of W, else it is transformed here).
void conv_forward(const ConvGeom& g, int images, const float* x, const float* W, const float* bias, float* y,
                  const ConvPrep* prep = nullptr);
void conv_weight_grad(const ConvGeom& g, int images, const float* x, const float* dy, float* dW, float* db);
void conv_input_grad(const ConvGeom& g, int images, const float* dy, const float* W, float* dx,
                     const ConvPrep* prep = nullptr);

}  // namespace convolens::train
