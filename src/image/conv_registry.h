// The one table of convolution variants. Dispatch picks the first SIMD row whose eligible()
// accepts the plan; tests run every row against the exact reference and every SIMD row against
// its scalar twin (bit for bit); tools/bench_filters times them. Adding a variant = one row.
#pragma once
#include <span>

#include "image/conv_plan.h"

namespace convolens {

using ConvFn = void (*)(const ImageView& src, const MutableImageView& dst, const Plan& plan, Scratch& scratch);

struct ConvVariant {
  const char* name;
  const char* twin;  // SIMD rows: the scalar variant computing the same arithmetic; scalar rows: nullptr
  bool (*eligible)(const Plan&);
  ConvFn run;        // src/dst: same size and channels (1 or 4), validated, not overlapping
};

std::span<const ConvVariant> conv_variants();
const ConvVariant* find_variant(const char* name);
// Fastest SIMD variant for this plan (never null: the direct f32 form accepts every kernel).
const ConvVariant& select_variant(const Plan& plan);

// Applies the plan: validates the images, handles Mode::Gray (luminance in, gray to R=G=B out,
// alpha kept), runs `variant` (default: select_variant). src and dst must not overlap.
void apply_filter(const ImageView& src, const MutableImageView& dst, const Plan& plan, Scratch& scratch,
                  const ConvVariant* variant = nullptr);

// ---- the variants (src/image/conv_*.cpp, box_blur.cpp, gradient.cpp) ----
void conv2d_f32__scalar(const ImageView&, const MutableImageView&, const Plan&, Scratch&);
void conv2d_f32__wasmsimd(const ImageView&, const MutableImageView&, const Plan&, Scratch&);
void conv2d_i16__scalar(const ImageView&, const MutableImageView&, const Plan&, Scratch&);
void conv2d_i16__wasmsimd(const ImageView&, const MutableImageView&, const Plan&, Scratch&);
void conv3x3_i16__wasmsimd(const ImageView&, const MutableImageView&, const Plan&, Scratch&);
void separable_f32__scalar(const ImageView&, const MutableImageView&, const Plan&, Scratch&);
void separable_f32__wasmsimd(const ImageView&, const MutableImageView&, const Plan&, Scratch&);
void separable_u16__scalar(const ImageView&, const MutableImageView&, const Plan&, Scratch&);
void separable_u16__wasmsimd(const ImageView&, const MutableImageView&, const Plan&, Scratch&);
void box_blur__running_sum_scalar(const ImageView&, const MutableImageView&, const Plan&, Scratch&);
void box_blur__running_sum_wasmsimd(const ImageView&, const MutableImageView&, const Plan&, Scratch&);
void gradient_i16__scalar(const ImageView&, const MutableImageView&, const Plan&, Scratch&);
void gradient_i16__wasmsimd(const ImageView&, const MutableImageView&, const Plan&, Scratch&);

}  // namespace convolens
