// The filter kernel registry: one row per kernel (every specialisation dispatch can pick is a row
// of its own), in the shape and with the selection rule of core/registry.h. The table is
// src/image/conv_rows.cpp; dispatch, the tests (one parameterised case per row) and
// tools/bench_filters all read it.
#pragma once
#include <span>

#include "core/registry.h"
#include "image/conv_plan.h"

namespace convolens {

// A filter kernel computes the output rows [y0, y1) of dst (0 <= y0 < y1 <= height) from the
// whole source frame: it reads whatever halo rows its window needs through the border mode, and
// restarts any running state (running sums, row rings) at y0, so a frame computed band by band
// equals the whole frame byte for byte. src and dst: same size, 1 or 4 channels, validated, not
// overlapping. `scratch` is the caller's working memory for this band (one per concurrent band).
// Rows outside [y0, y1) of dst are not written.
using ConvFn = void (*)(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& plan,
                        Scratch& scratch);
using ConvVariant = KernelRow<Plan, ConvFn>;

// Every row of the table, best first (rows this build does not carry included, run == nullptr).
std::span<const ConvVariant> conv_table();
// The rows this build carries: the tests' and benchmarks' list.
std::span<const ConvVariant> conv_variants();
const ConvVariant* find_variant(const char* name);
// The first eligible row (never fails: the direct f32 rows accept every filter).
const ConvVariant& select_variant(const Plan& plan);

// Applies the plan to the whole frame: validates the images, handles Mode::Gray (luminance in,
// gray to R=G=B out, alpha kept), runs `variant` (default: select_variant).
void apply_filter(const ImageView& src, const MutableImageView& dst, const Plan& plan, Scratch& scratch,
                  const ConvVariant* variant = nullptr);
// The same for output rows [y0, y1) only: bands computed with separate Scratch objects (on
// separate threads) together equal apply_filter byte for byte. Mode::Gray converts the luminance
// of the source rows the band reads, so bands depend on nothing but the source frame.
void apply_filter_rows(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& plan,
                       Scratch& scratch, const ConvVariant* variant = nullptr);
// apply_filter_rows without its checks, for callers that validated once per frame: `v` carried
// and eligible, 0 <= y0 <= y1 <= height, and the source rows the band reads (its output rows
// plus the kernel's halo, through the border) readable at src.row(y). Pipelines chained per
// band (image/filter_bands.h) pass views whose other rows are not backed by memory.
void run_filter_rows(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& plan,
                     Scratch& scratch, const ConvVariant& v);

// ---- the kernels (src/image/conv2d_*.cpp, separable.cpp, box_blur.cpp, gradient.cpp) ----
#define CONVOLENS_CONV_KERNEL(name) \
  void name(const ImageView&, const MutableImageView&, int y0, int y1, const Plan&, Scratch&)
CONVOLENS_CONV_KERNEL(conv2d_f32__scalar);
CONVOLENS_CONV_KERNEL(conv2d_f32__wasmsimd);
CONVOLENS_CONV_KERNEL(conv2d_i16__scalar);
CONVOLENS_CONV_KERNEL(conv2d_i16__grouped_wasmsimd);
CONVOLENS_CONV_KERNEL(conv2d_i16__taps1_wasmsimd);
CONVOLENS_CONV_KERNEL(conv2d_i16__taps2_wasmsimd);
CONVOLENS_CONV_KERNEL(conv2d_i16__taps3_wasmsimd);
CONVOLENS_CONV_KERNEL(conv2d_i16__taps4_wasmsimd);
CONVOLENS_CONV_KERNEL(conv2d_i16__taps5_wasmsimd);
CONVOLENS_CONV_KERNEL(conv2d_i16__taps6_wasmsimd);
CONVOLENS_CONV_KERNEL(conv2d_i16__taps7_wasmsimd);
CONVOLENS_CONV_KERNEL(conv2d_i16__taps8_wasmsimd);
CONVOLENS_CONV_KERNEL(conv2d_i16__taps9_wasmsimd);
CONVOLENS_CONV_KERNEL(separable_f32__scalar);
CONVOLENS_CONV_KERNEL(separable_f32__wasmsimd);
CONVOLENS_CONV_KERNEL(separable_u16__scalar);
CONVOLENS_CONV_KERNEL(separable_u16__wasmsimd);
CONVOLENS_CONV_KERNEL(separable_u16__gauss3_wasmsimd);
CONVOLENS_CONV_KERNEL(separable_u16__gauss5_wasmsimd);
CONVOLENS_CONV_KERNEL(separable_u16__gauss7_wasmsimd);
CONVOLENS_CONV_KERNEL(box_blur__running_sum_scalar);
CONVOLENS_CONV_KERNEL(box_blur__running_sum_wasmsimd);
CONVOLENS_CONV_KERNEL(gradient_i16__scalar);
CONVOLENS_CONV_KERNEL(gradient_i16__grouped_wasmsimd);
CONVOLENS_CONV_KERNEL(gradient_i16__diff3_wasmsimd);
CONVOLENS_CONV_KERNEL(gradient_i16__diff3_unscaled_wasmsimd);
CONVOLENS_CONV_KERNEL(gradient_i16__sobel3_wasmsimd);
#undef CONVOLENS_CONV_KERNEL

}  // namespace convolens
