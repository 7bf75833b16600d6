// The filter kernel table: optimized rows in dispatch order, then the scalar references.
// Dispatch takes the first eligible row (core/registry.h). Adding a kernel = one row here.
//
// Which rows a build carries is decided by compile definitions of this file (simd/dispatch.h):
// the plain wasm module (CONVOLENS_SIMD_ROWS 0) carries only the references and runs each
// optimized row's twin in its place; the shipped SIMD filter module compiles this file once more
// with CONVOLENS_SCALAR_ROWS=0 (CMakeLists.txt), so the linker leaves the scalar kernels out.
#include <iterator>

#include "image/conv_registry.h"
#include "simd/dispatch.h"

namespace convolens {
namespace {

// ---- eligibility: what each row computes (the plan proved the integer forms exact enough) ----
bool direct(const Plan& p) { return p.spec.gradient == Gradient::None; }
bool i16(const Plan& p) { return p.i16.ok; }
// Kernels up to 3x3 in i16: the number of non-zero taps (each count has a row), else -1.
int small_i16_taps(const Plan& p) { return p.i16.ok && p.kw() <= 3 && p.kh() <= 3 ? int(p.i16.taps.size()) : -1; }
template <int N>
bool i16_taps(const Plan& p) {
  return small_i16_taps(p) == N;
}
// Grouped i16 taps beat the separable f32 passes only while there are few taps.
constexpr std::size_t kMaxGroupedTapsOverSeparable = 25;
bool i16_grouped(const Plan& p) { return p.i16.ok && (!p.sep.ok || p.i16.taps.size() <= kMaxGroupedTapsOverSeparable); }
bool box(const Plan& p) { return p.box.ok; }
bool sep_f32(const Plan& p) { return p.sep.ok; }
bool sep_u16(const Plan& p) { return p.sep16.ok; }
// The Gaussian presets' form: N x N, symmetric taps summing to 256 on each axis; N, else 0.
int gauss_size(const Plan& p) {
  const SeparableU16Form& f = p.sep16;
  return f.ok && f.shift == 8 && f.final_shift == 8 && p.kw() == p.kh() && f.symmetric && f.qx == f.qy ? p.kw() : 0;
}
template <int N>
bool gauss(const Plan& p) {
  return gauss_size(p) == N;
}
bool grad(const Plan& p) { return p.grad.ok; }
bool unscaled(const Plan& p) { return p.inv_scale == 1.f && p.spec.kernel.offset == 0.f; }
bool diff3(const Plan& p) { return p.grad.ok && p.grad.diff3.ok; }
bool diff3_unscaled(const Plan& p) { return diff3(p) && unscaled(p); }
bool sobel3(const Plan& p) { return diff3_unscaled(p) && p.grad.diff3.v0 == 1 && p.grad.diff3.v1 == 2; }

// Positions of the references, after the optimized rows.
constexpr int kOptimizedRows = 21;
enum : int { kI16Ref = kOptimizedRows, kBoxRef, kSepU16Ref, kSepF32Ref, kGradRef, kF32Ref, kRows };

constexpr ConvVariant kTable[kRows] = {
    {"conv2d_i16__taps1_wasmsimd", i16_taps<1>, SIMD_ROW(conv2d_i16__taps1_wasmsimd), &kTable[kI16Ref]},
    {"conv2d_i16__taps2_wasmsimd", i16_taps<2>, SIMD_ROW(conv2d_i16__taps2_wasmsimd), &kTable[kI16Ref]},
    {"conv2d_i16__taps3_wasmsimd", i16_taps<3>, SIMD_ROW(conv2d_i16__taps3_wasmsimd), &kTable[kI16Ref]},
    {"conv2d_i16__taps4_wasmsimd", i16_taps<4>, SIMD_ROW(conv2d_i16__taps4_wasmsimd), &kTable[kI16Ref]},
    {"conv2d_i16__taps5_wasmsimd", i16_taps<5>, SIMD_ROW(conv2d_i16__taps5_wasmsimd), &kTable[kI16Ref]},
    {"conv2d_i16__taps6_wasmsimd", i16_taps<6>, SIMD_ROW(conv2d_i16__taps6_wasmsimd), &kTable[kI16Ref]},
    {"conv2d_i16__taps7_wasmsimd", i16_taps<7>, SIMD_ROW(conv2d_i16__taps7_wasmsimd), &kTable[kI16Ref]},
    {"conv2d_i16__taps8_wasmsimd", i16_taps<8>, SIMD_ROW(conv2d_i16__taps8_wasmsimd), &kTable[kI16Ref]},
    {"conv2d_i16__taps9_wasmsimd", i16_taps<9>, SIMD_ROW(conv2d_i16__taps9_wasmsimd), &kTable[kI16Ref]},
    {"box_blur__running_sum_wasmsimd", box, SIMD_ROW(box_blur__running_sum_wasmsimd), &kTable[kBoxRef]},
    {"separable_u16__gauss3_wasmsimd", gauss<3>, SIMD_ROW(separable_u16__gauss3_wasmsimd), &kTable[kSepU16Ref]},
    {"separable_u16__gauss5_wasmsimd", gauss<5>, SIMD_ROW(separable_u16__gauss5_wasmsimd), &kTable[kSepU16Ref]},
    {"separable_u16__gauss7_wasmsimd", gauss<7>, SIMD_ROW(separable_u16__gauss7_wasmsimd), &kTable[kSepU16Ref]},
    {"separable_u16__wasmsimd", sep_u16, SIMD_ROW(separable_u16__wasmsimd), &kTable[kSepU16Ref]},
    {"conv2d_i16__grouped_wasmsimd", i16_grouped, SIMD_ROW(conv2d_i16__grouped_wasmsimd), &kTable[kI16Ref]},
    {"separable_f32__wasmsimd", sep_f32, SIMD_ROW(separable_f32__wasmsimd), &kTable[kSepF32Ref]},
    {"gradient_i16__sobel3_wasmsimd", sobel3, SIMD_ROW(gradient_i16__sobel3_wasmsimd), &kTable[kGradRef]},
    {"gradient_i16__diff3_unscaled_wasmsimd", diff3_unscaled, SIMD_ROW(gradient_i16__diff3_unscaled_wasmsimd),
     &kTable[kGradRef]},
    {"gradient_i16__diff3_wasmsimd", diff3, SIMD_ROW(gradient_i16__diff3_wasmsimd), &kTable[kGradRef]},
    {"gradient_i16__grouped_wasmsimd", grad, SIMD_ROW(gradient_i16__grouped_wasmsimd), &kTable[kGradRef]},
    {"conv2d_f32__wasmsimd", direct, SIMD_ROW(conv2d_f32__wasmsimd), &kTable[kF32Ref]},
    // kI16Ref.. : the scalar references (the optimized rows' twins)
    {"conv2d_i16__scalar", i16, SCALAR_ROW(conv2d_i16__scalar), nullptr},
    {"box_blur__running_sum_scalar", box, SCALAR_ROW(box_blur__running_sum_scalar), nullptr},
    {"separable_u16__scalar", sep_u16, SCALAR_ROW(separable_u16__scalar), nullptr},
    {"separable_f32__scalar", sep_f32, SCALAR_ROW(separable_f32__scalar), nullptr},
    {"gradient_i16__scalar", grad, SCALAR_ROW(gradient_i16__scalar), nullptr},
    {"conv2d_f32__scalar", direct, SCALAR_ROW(conv2d_f32__scalar), nullptr},
};
static_assert(twins_match(kTable), "a twin pointer names a row of another family");
static_assert(!kTable[kOptimizedRows - 1].reference() && kTable[kOptimizedRows].reference(), "kOptimizedRows is off");

}  // namespace

std::span<const ConvVariant> conv_table() { return kTable; }

}  // namespace convolens
