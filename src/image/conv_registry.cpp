#include "image/conv_registry.h"

#include <cstring>

#include "core/errors.h"
#include "image/gray.h"
#include "simd/dispatch.h"

namespace convolens {

namespace {

bool is_conv(const Plan& p) { return p.spec.gradient == Gradient::None; }
bool i16_any(const Plan& p) { return p.i16.ok; }
bool i16_small(const Plan& p) { return p.i16.ok && p.kw() <= 3 && p.kh() <= 3; }
bool box(const Plan& p) { return p.box.ok; }
bool sep_f32(const Plan& p) { return p.sep.ok; }
bool sep_u16(const Plan& p) { return p.sep16.ok; }
bool gradient(const Plan& p) { return p.grad.ok; }
// Dispatch preference: direct i16 beats separable f32 only while it has few taps.
bool i16_preferred(const Plan& p) { return !p.sep.ok || p.i16.taps.size() <= 25; }

struct Row {
  ConvVariant v;
  bool simd;
  bool (*preferred)(const Plan&);
};

// In dispatch priority order. Scalar rows are references (tests, bench), never dispatched,
// except in the plain wasm module (CONVOLENS_SIMD_ROWS == 0): there the SIMD rows keep their
// place in the priority order but are not listed, and dispatch runs their scalar twins.
#if CONVOLENS_SIMD_ROWS
#define SIMD_FN(f) f
#else
#define SIMD_FN(f) nullptr
#endif
// The shipped SIMD module compiles this file once more with CONVOLENS_SCALAR_ROWS 0
// (src/bindings/dispatch_table.cpp): nothing dispatches the scalar rows there, so they are not
// listed and the linker drops the scalar kernels (~11 KB). Tests and benchmarks keep them all.
#ifndef CONVOLENS_SCALAR_ROWS
#define CONVOLENS_SCALAR_ROWS 1
#endif
#if CONVOLENS_SCALAR_ROWS
#define SCALAR_FN(f) f
#else
#define SCALAR_FN(f) nullptr
#endif
const Row kRows[] = {
    {{"conv3x3_i16__wasmsimd", "conv2d_i16__scalar", i16_small, SIMD_FN(conv3x3_i16__wasmsimd)}, true, nullptr},
    {{"box_blur__running_sum_wasmsimd", "box_blur__running_sum_scalar", box, SIMD_FN(box_blur__running_sum_wasmsimd)}, true, nullptr},
    {{"box_blur__running_sum_scalar", nullptr, box, SCALAR_FN(box_blur__running_sum_scalar)}, false, nullptr},
    {{"separable_u16__wasmsimd", "separable_u16__scalar", sep_u16, SIMD_FN(separable_u16__wasmsimd)}, true, nullptr},
    {{"separable_u16__scalar", nullptr, sep_u16, SCALAR_FN(separable_u16__scalar)}, false, nullptr},
    {{"conv2d_i16__wasmsimd", "conv2d_i16__scalar", i16_any, SIMD_FN(conv2d_i16__wasmsimd)}, true, i16_preferred},
    {{"conv2d_i16__scalar", nullptr, i16_any, SCALAR_FN(conv2d_i16__scalar)}, false, nullptr},
    {{"separable_f32__wasmsimd", "separable_f32__scalar", sep_f32, SIMD_FN(separable_f32__wasmsimd)}, true, nullptr},
    {{"separable_f32__scalar", nullptr, sep_f32, SCALAR_FN(separable_f32__scalar)}, false, nullptr},
    {{"gradient_i16__wasmsimd", "gradient_i16__scalar", gradient, SIMD_FN(gradient_i16__wasmsimd)}, true, nullptr},
    {{"gradient_i16__scalar", nullptr, gradient, SCALAR_FN(gradient_i16__scalar)}, false, nullptr},
    {{"conv2d_f32__wasmsimd", "conv2d_f32__scalar", is_conv, SIMD_FN(conv2d_f32__wasmsimd)}, true, nullptr},
    {{"conv2d_f32__scalar", nullptr, is_conv, SCALAR_FN(conv2d_f32__scalar)}, false, nullptr},
};

struct Table {
  ConvVariant v[sizeof(kRows) / sizeof(kRows[0])];
  std::size_t n = 0;
  Table() {
    for (const Row& r : kRows)
      if (r.v.run) v[n++] = r.v;
  }
};

}  // namespace

std::span<const ConvVariant> conv_variants() {
  static const Table t;
  return {t.v, t.n};
}

const ConvVariant* find_variant(const char* name) {
  for (const ConvVariant& v : conv_variants())
    if (std::strcmp(v.name, name) == 0) return &v;
  return nullptr;
}

const ConvVariant& select_variant(const Plan& plan) {
  for (const Row& r : kRows)
    if (r.simd && r.v.eligible(plan) && (!r.preferred || r.preferred(plan)))
      return *find_variant(CONVOLENS_SIMD_ROWS ? r.v.name : r.v.twin);
  throw RangeError("no convolution variant accepts this filter");  // unreachable: direct f32 takes all
}

void apply_filter(const ImageView& src, const MutableImageView& dst, const Plan& plan, Scratch& scratch,
                  const ConvVariant* variant) {
  validate_images(src, dst);
  const ConvVariant& v = variant ? *variant : select_variant(plan);
  if (!v.eligible(plan)) throw RangeError(std::string(v.name) + " cannot compute this filter");
  if (plan.spec.mode == Mode::Rgb || src.channels == 1) {
    v.run(src, dst, plan, scratch);
    return;
  }
  // Gray mode on RGBA: convolve the luminance, write it to R, G and B, keep alpha.
  const int w = src.width, h = src.height;
  scratch.gray_in.resize(std::size_t(w) * h);
  scratch.gray_out.resize(std::size_t(w) * h);
  std::uint8_t* g = scratch.gray_in.data();
  for (int y = 0; y < h; ++y) rgba_to_luma(src.row(y), g + std::size_t(y) * w, w);
  v.run({g, w, h, 1, w}, {scratch.gray_out.data(), w, h, 1, w}, plan, scratch);
  const std::uint8_t* o = scratch.gray_out.data();
  for (int y = 0; y < h; ++y) luma_to_rgba(o + std::size_t(y) * w, src.row(y), dst.row(y), w);
}

}  // namespace convolens
