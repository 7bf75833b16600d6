// Layer kernels over one image (NHWC without N). Each kind has a scalar reference
// (`__scalar`) and optimized variants; the row tables at the bottom (src/nn/kernel_rows.cpp, in
// the shape and with the selection rule of core/registry.h) drive dispatch in the model, the
// per-row tests and the benchmarks: adding a variant is one row there.
//
// Summation order is the same in every variant (bias, then taps in ky, kx, ci order), and no
// variant fuses multiply-add, so SIMD results equal the reference bit for bit.
#pragma once
#include <cstddef>
#include <span>

#include "core/registry.h"
#include "nn/tensor.h"

namespace convolens::nn {

// Geometry of a Conv2D / DepthwiseConv2D / pooling window over one image.
struct ConvGeom {
  int in_h, in_w, in_c;
  int out_h, out_w, out_c;
  int kh, kw, sh, sw, dh, dw;
  int pad_t, pad_l, pad_b, pad_r;  // zero padding actually read (same: TF's split, extra at the end)
  int mult = 1;                    // depthwise channel multiplier
  std::size_t padded_size() const {  // floats of the zero-padded input copy
    return std::size_t(in_h + pad_t + pad_b) * (in_w + pad_l + pad_r) * in_c;
  }
};

// Throws RangeError (naming `what`) when sizes are absurd or the window does not fit.
ConvGeom make_geom(const char* what, int in_h, int in_w, int in_c, int kh, int kw, int sh, int sw, int dh, int dw,
                   bool same, int out_c, int mult);

struct ConvParams {
  ConvGeom g;
  const float* kernel;  // HWIO: [kh][kw][in_c][out_c]   (depthwise: [kh][kw][in_c][mult])
  const float* bias;    // out_c floats, or nullptr
  const float* packed;  // kernel with out_c padded to a multiple of 4 (pack_conv_kernel)
  int packed_stride;    // floats per (ky,kx,ci) row of `packed`
  Act act;              // only Linear/Relu/Relu6 are fused here; the model applies the rest
};
// Zero-pads out channels to a multiple of 4 so SIMD loads whole vectors. Returns the row stride.
int packed_conv_stride(int out_c);
void pack_conv_kernel(const float* kernel, int rows, int out_c, float* packed);

// `scratch` holds at least g.padded_size() floats (the zero-padded input copy).
using ConvFn = void (*)(const ConvParams& p, const float* in, float* out, float* scratch);
void conv2d__scalar(const ConvParams& p, const float* in, float* out, float* scratch);
void conv2d__wasmsimd_direct(const ConvParams& p, const float* in, float* out, float* scratch);
void depthwise2d__scalar(const ConvParams& p, const float* in, float* out, float* scratch);
void depthwise2d__wasmsimd(const ConvParams& p, const float* in, float* out, float* scratch);

// Dense over the last axis: out[r][n] = bias[n] + sum_k in[r][k] * w[k][n].
struct DenseParams {
  int rows, in, out;
  const float* kernel;  // [in][out]
  const float* bias;    // out floats or nullptr
  const float* packed;  // [in][packed_stride]
  int packed_stride;
  Act act;
};
using DenseFn = void (*)(const DenseParams& p, const float* in, float* out);
void dense__scalar(const DenseParams& p, const float* in, float* out);
void dense__wasmsimd(const DenseParams& p, const float* in, float* out);

// Pooling (window/stride/padding in g; pads are never counted, as in TF).
void max_pool__scalar(const ConvGeom& g, const float* in, float* out);
void avg_pool__scalar(const ConvGeom& g, const float* in, float* out);
void global_avg_pool__scalar(int hw, int c, const float* in, float* out);

void max_pool__wasmsimd(const ConvGeom& g, const float* in, float* out);
void avg_pool__wasmsimd(const ConvGeom& g, const float* in, float* out);

// out[i] = in[i] * scale[c] + shift[c] (standalone BatchNormalization).
void scale_shift__scalar(std::size_t n, int c, const float* scale, const float* shift, const float* in, float* out);
void zero_pad__scalar(const Shape& in_shape, int t, int b, int l, int r, const float* in, float* out);

// ---- the kernel rows (src/nn/kernel_rows.cpp) ----------------------------------------------
// Tables: optimized rows first, then the scalar references; the model runs the first eligible
// row (or, with set_reference(true), that row's scalar twin). The plain wasm module carries only
// the references (simd/dispatch.h). The CNN module keeps them in every build: predict(x,
// {reference: true}) runs them.
using ConvVariant = KernelRow<ConvGeom, ConvFn>;
using DenseVariant = KernelRow<DenseParams, DenseFn>;
using PoolFn = void (*)(const ConvGeom& g, const float* in, float* out);
using PoolVariant = KernelRow<ConvGeom, PoolFn>;
std::span<const ConvVariant> conv2d_table();
std::span<const ConvVariant> depthwise2d_table();
std::span<const DenseVariant> dense_table();
std::span<const PoolVariant> max_pool_table();
std::span<const PoolVariant> avg_pool_table();
// The rows this build carries (tests, benchmarks, nnKernelVariants()).
std::span<const ConvVariant> conv2d_variants();
std::span<const ConvVariant> depthwise2d_variants();
std::span<const DenseVariant> dense_variants();
std::span<const PoolVariant> max_pool_variants();
std::span<const PoolVariant> avg_pool_variants();

}  // namespace convolens::nn
