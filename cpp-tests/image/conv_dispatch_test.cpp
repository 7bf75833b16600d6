// Dispatch over the filter kernel table (first eligible row wins), the table's shape, the
// integer forms' proven error bounds, gray mode and extreme images. The per-row sweeps are in
// conv_rows_test.cpp.
#include <gtest/gtest.h>

#include <set>

#include "filter_cases.h"
#include "filter_reference.h"
#include "image/conv_registry.h"
#include "image/presets.h"
#include "core/errors.h"
#include "simd/dispatch.h"

namespace convolens {
namespace {

using testing::Img;
using testing::outer;

TEST(ConvDispatch, GrayModeConvolvesLuminanceAndKeepsAlpha) {
  Scratch scratch;
  for (const char* name : {"sharpen", "gaussian", "box", "sobel-magnitude", "emboss"}) {
    FilterSpec spec = make_preset(name);
    spec.mode = Mode::Gray;
    const Plan plan = make_plan(spec);
    const Img src(19, 7, 4, 5);
    const Img want = testing::reference_image(src, spec);
    for (const ConvVariant* v : {&select_variant(plan), find_variant("conv2d_f32__scalar")}) {
      if (!v || !v->eligible(plan)) continue;
      Img got(19, 7, 4);
      apply_filter(src.view(), got.mview(), plan, scratch, v);
      ASSERT_EQ(testing::within(got, want, 1), "") << name << " gray via " << v->name;
      for (int p = 0; p < 19 * 7; ++p)
        ASSERT_TRUE(got.px[p * 4] == got.px[p * 4 + 1] && got.px[p * 4] == got.px[p * 4 + 2]) << name << " px " << p;
    }
  }
}

// The plain wasm module (CONVOLENS_SIMD_ROWS == 0) carries no SIMD rows: dispatch takes the
// same row of the table and runs its scalar twin (same arithmetic, so the same pixels).
TEST(ConvDispatch, PicksTheFastPathForEachKindOfKernel) {
  auto chosen = [](FilterSpec s) { return std::string(select_variant(make_plan(s)).name); };
  auto want = [](const char* simd_row, const char* scalar_twin) { return CONVOLENS_SIMD_ROWS ? simd_row : scalar_twin; };
  EXPECT_EQ(chosen(make_preset("sharpen")), want("conv2d_i16__taps5_wasmsimd", "conv2d_i16__scalar"));
  EXPECT_EQ(chosen(make_preset("emboss")), want("conv2d_i16__taps7_wasmsimd", "conv2d_i16__scalar"));
  EXPECT_EQ(chosen(make_preset("sobel-x")), want("conv2d_i16__taps6_wasmsimd", "conv2d_i16__scalar"));
  EXPECT_EQ(chosen(make_preset("box", {{"size", 15}})), want("box_blur__running_sum_wasmsimd", "box_blur__running_sum_scalar"));
  EXPECT_EQ(chosen(make_preset("gaussian", {{"sigma", 1}, {"size", 5}})), want("separable_u16__gauss5_wasmsimd", "separable_u16__scalar"));
  EXPECT_EQ(chosen(make_preset("gaussian", {{"sigma", 4}})), want("separable_u16__wasmsimd", "separable_u16__scalar"));
  EXPECT_EQ(chosen(make_preset("sobel-magnitude")), want("gradient_i16__sobel3_wasmsimd", "gradient_i16__scalar"));
  EXPECT_EQ(chosen(make_preset("scharr-magnitude")), want("gradient_i16__diff3_wasmsimd", "gradient_i16__scalar"));
  EXPECT_EQ(chosen(make_preset("unsharp")), want("conv2d_f32__wasmsimd", "conv2d_f32__scalar"));
  FilterSpec f;
  f.kernel = outer({0.3f, 1.f, 0.3f}, {0.1f, 0.5f, 1.f, 0.5f, 0.1f}, 1.f);
  EXPECT_EQ(chosen(f), want("separable_f32__wasmsimd", "separable_f32__scalar"));
  f.kernel = ConvKernel{5, 5, std::vector<float>(25, 0.f), 1, 0};
  for (int t = 0; t < 25; ++t) f.kernel.weights[t] = float((t * 7) % 5) - 2.f;  // rank > 1, small ints
  EXPECT_EQ(chosen(f), want("conv2d_i16__grouped_wasmsimd", "conv2d_i16__scalar"));
}

// The table: optimized rows first, each with a scalar twin that accepts at least what it accepts;
// the rows a build carries form one run (the tests' list), and every carried row is reachable.
TEST(ConvDispatch, TableShape) {
  const auto table = conv_table();
  std::set<std::string> names;
  bool refs = false;
  for (const ConvVariant& r : table) {
    EXPECT_TRUE(names.insert(r.name).second) << "duplicate row " << r.name;
    if (r.reference()) {
      refs = true;
    } else {
      EXPECT_FALSE(refs) << r.name << ": optimized rows come before the references";
    }
    const std::string n = r.name;
    EXPECT_EQ(n.substr(n.rfind('_') + 1), r.reference() ? "scalar" : "wasmsimd") << n;
    EXPECT_EQ(r.carried(), r.reference() ? CONVOLENS_SCALAR_ROWS != 0 : CONVOLENS_SIMD_ROWS != 0) << n;
    if (!r.reference()) {
      EXPECT_TRUE(r.carried() || r.twin->carried()) << n << ": dispatch would find no kernel";
    }
  }
  for (const ConvVariant& r : conv_variants()) EXPECT_TRUE(r.carried()) << r.name;
  EXPECT_EQ(conv_variants().size(), std::size_t(std::count_if(table.begin(), table.end(), [](const ConvVariant& r) { return r.carried(); })));
}

// The integer paths' error bound is what makes "within 1" a theorem rather than a hope.
TEST(ConvDispatch, IntegerFormsCarryAProvenErrorBoundBelowOne) {
  for (const Preset& p : preset_catalog()) {
    const Plan plan = make_plan(p.spec);
    if (plan.i16.ok) { EXPECT_LT(plan.i16.error_bound, 1.0) << p.name; }
    if (plan.sep16.ok) { EXPECT_LT(plan.sep16.error_bound, 1.0) << p.name; }
    if (plan.box.fixed_point) { EXPECT_LT(plan.box.error_bound, 1.0) << p.name; }
    if (plan.box.q15) { EXPECT_LT(plan.box.q15_error_bound, 1.0) << p.name; }
  }
  // all three finishes of the box (q15, i32 fixed point, f32) and the u16 paths are exercised by the sweep
  EXPECT_TRUE(make_plan(make_preset("box", {{"size", 15}})).box.q15);
  EXPECT_FALSE(make_plan(make_preset("box", {{"size", 31}})).box.q15);  // 961 * 255 > 65535: i32 finish
  EXPECT_TRUE(make_plan(make_preset("box", {{"size", 31}})).box.fixed_point);
  FilterSpec neg;
  neg.kernel = ConvKernel{3, 3, std::vector<float>(9, -1.f), 9, 255};
  EXPECT_FALSE(make_plan(neg).box.fixed_point);
  EXPECT_EQ(make_plan(make_preset("gaussian")).sep16.final_shift, 8);
  // exact integer kernels quantise without error
  EXPECT_EQ(make_plan(make_preset("sharpen")).i16.error_bound, 0.0);
  // 1/9 is not dyadic: the i16 form must refuse a 3x3 box rather than be off by more than 1
  FilterSpec box;
  box.kernel = ConvKernel{3, 3, std::vector<float>(9, 1.f), 9, 0};
  EXPECT_FALSE(make_plan(box).i16.ok);
}

// Extreme inputs for the integer paths: all-0 / all-255 / checkerboards drive the partial sums
// to their bounds, where an overflow of i16/u16 lanes would show.
TEST(ConvDispatch, IntegerPathsSurviveExtremeImages) {
  Scratch scratch;
  for (const char* name : {"sharpen", "laplacian-8", "outline", "emboss", "scharr-magnitude", "gaussian", "box"}) {
    FilterSpec spec = make_preset(name);
    if (std::string(name) == "box") spec = make_preset("box", {{"size", 31}});
    const Plan plan = make_plan(spec);
    for (int pattern = 0; pattern < 4; ++pattern) {
      Img src(37, 9, 4);
      for (int y = 0; y < 9; ++y)
        for (int x = 0; x < 37; ++x)
          for (int c = 0; c < 4; ++c)
            src.px[(y * 37 + x) * 4 + c] = std::uint8_t(pattern == 0 ? 0 : pattern == 1 ? 255 : ((x + y + pattern) % 2) * 255);
      const Img want = testing::reference_image(src, spec);
      Img got(37, 9, 4);
      apply_filter(src.view(), got.mview(), plan, scratch);
      ASSERT_EQ(testing::within(got, want, 1), "") << name << " pattern " << pattern;
    }
  }
}

TEST(ConvDispatch, BandsOutsideTheFrameAreRangeErrors) {
  const Plan plan = make_plan(make_preset("sharpen"));
  Scratch scratch;
  Img src(5, 4, 4, 3), dst(5, 4, 4);
  EXPECT_THROW(apply_filter_rows(src.view(), dst.mview(), -1, 2, plan, scratch), RangeError);
  EXPECT_THROW(apply_filter_rows(src.view(), dst.mview(), 2, 5, plan, scratch), RangeError);
  EXPECT_THROW(apply_filter_rows(src.view(), dst.mview(), 3, 2, plan, scratch), RangeError);
  apply_filter_rows(src.view(), dst.mview(), 2, 2, plan, scratch);  // empty band: nothing written
  EXPECT_TRUE(std::all_of(dst.px.begin(), dst.px.end(), [](std::uint8_t v) { return v == 0xAB; }));
}

}  // namespace
}  // namespace convolens
