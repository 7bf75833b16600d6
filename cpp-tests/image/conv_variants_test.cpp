// Every row of the variant registry against the exact double-precision definition (within 1),
// and every SIMD row against its scalar twin (bit for bit), over kernels x sizes x borders x
// channels. Outputs start as a 0xAB sentinel, so unwritten pixels fail too.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "filter_reference.h"
#include "image/conv_registry.h"
#include "image/presets.h"
#include "simd/dispatch.h"

namespace convolens {
namespace {

using testing::Img;

struct Case {
  std::string name;
  FilterSpec spec;
};

ConvKernel random_float(int w, int h, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  ConvKernel k{w, h, std::vector<float>(std::size_t(w) * h), 1, 0};
  float sum = 0;
  for (float& v : k.weights) sum += std::fabs(v = d(rng));
  k.scale = sum;  // keeps results inside 0..255 often enough to test rounding, not just clamping
  k.offset = float(rng() % 128);
  return k;
}

ConvKernel random_int(int w, int h, int range, float scale, std::mt19937& rng) {
  ConvKernel k{w, h, std::vector<float>(std::size_t(w) * h), scale, float(rng() % 2 ? 128 : 0)};
  for (float& v : k.weights) v = float(int(rng() % (2 * range + 1)) - range);
  return k;
}

ConvKernel outer(const std::vector<float>& ky, const std::vector<float>& kx, float scale) {
  ConvKernel k{int(kx.size()), int(ky.size()), {}, scale, 0};
  for (float a : ky)
    for (float b : kx) k.weights.push_back(a * b);
  return k;
}

std::vector<Case> cases() {
  std::mt19937 rng(20261125);
  std::vector<Case> c;
  auto add = [&](std::string name, ConvKernel k) {
    FilterSpec s;
    s.kernel = std::move(k);
    c.push_back({std::move(name), s});
  };
  for (auto [w, h] : {std::pair{1, 1}, {3, 3}, {5, 5}, {1, 7}, {7, 1}, {2, 4}, {4, 2}, {6, 6}, {9, 3}, {31, 31}})
    add("random f32 " + std::to_string(w) + "x" + std::to_string(h), random_float(w, h, rng));
  add("random int 3x3", random_int(3, 3, 3, 4, rng));
  add("random int 3x2", random_int(3, 2, 4, 2, rng));
  add("random int 5x5", random_int(5, 5, 2, 16, rng));
  add("random int 1x3", random_int(1, 3, 9, 1, rng));
  add("sparse int 7x7", [&] {
    ConvKernel k{7, 7, std::vector<float>(49), 8, 64};
    for (int t = 0; t < 49; t += 5) k.weights[t] = float(int(rng() % 5) - 2);
    return k;
  }());
  add("rank-1 f32 5x5", outer({0.2f, 0.7f, 1.f, 0.3f, 0.1f}, {0.5f, 1.f, 0.25f, 0.5f, 0.125f}, 6.f));
  add("rank-1 f32 signed 3x7", outer({1, -2, 1}, {0.1f, -0.4f, 0.9f, 1.f, 0.9f, -0.4f, 0.1f}, 3.f));
  add("binomial u16 5x3", outer({1, 2, 1}, {1, 4, 6, 4, 1}, 64));
  add("box 3x3", ConvKernel{3, 3, std::vector<float>(9, 1.f), 9, 0});
  add("box 5x3 offset", ConvKernel{5, 3, std::vector<float>(15, 2.f), 31, 3.5f});
  add("box 15x15", ConvKernel{15, 15, std::vector<float>(225, 1.f), 225, 0});
  add("box 7x7 offset 128 (q15)", ConvKernel{7, 7, std::vector<float>(49, 1.f), 98, 128});
  add("box 31x31", ConvKernel{31, 31, std::vector<float>(961, 1.f), 961, 0});
  add("box 2x1 even", ConvKernel{2, 1, std::vector<float>(2, 1.f), 2, 0});
  add("box negative (f32 finish)", ConvKernel{3, 3, std::vector<float>(9, -1.f), 9, 255});
  add("rank-1 u16 f32 finish 3x3", outer({1, 2, 1}, {1, 1, 1}, 12));
  add("rank-1 u16 asymmetric 4x3", outer({1, 3, 2}, {2, 1, 1, 4}, 48));
  for (Gradient g : {Gradient::MagnitudeL2, Gradient::MagnitudeL1}) {  // not of the Sobel family: generic path
    FilterSpec s;
    s.kernel = ConvKernel{5, 3, {1, 2, 0, -1, 3, -2, 0, 4, 1, -1, 0, 1, -3, 2, 0}, 2, 5};
    s.kernel_y = ConvKernel{5, 3, {0, -1, 2, 1, 0, 3, -2, 0, 0, 1, -4, 1, 0, 2, -1}, 1, 0};
    s.gradient = g;
    c.push_back({g == Gradient::MagnitudeL2 ? "gradient 5x3 L2" : "gradient 5x3 L1", s});
  }
  for (const Preset& p : preset_catalog()) c.push_back({"preset " + p.name, p.spec});
  for (double sigma : {0.6, 2.0}) {
    FilterSpec s = make_preset("gaussian", {{"sigma", sigma}});
    c.push_back({"gaussian sigma " + std::to_string(sigma), s});
  }
  return c;
}

// Image sizes: single pixels and lines, widths off the 16-byte grid, kernels larger than the image.
const std::pair<int, int> kSizes[] = {{1, 1}, {1, 9}, {9, 1}, {2, 3}, {17, 5}, {33, 4}, {6, 13}};

int pixels_budget(const FilterSpec& s) { return s.kernel.width * s.kernel.height > 200 ? 40 : 1 << 30; }

class ConvVariants : public ::testing::Test {
 protected:
  static std::map<std::string, int>& exercised() {
    static std::map<std::string, int> m;
    return m;
  }
};

TEST_F(ConvVariants, EveryVariantWithinOneOfExactAndSimdBitIdenticalToScalar) {
  // In the plain wasm module only the scalar rows are listed: each is still checked against the
  // exact reference; the SIMD-vs-twin half runs natively (SIMDe) and in the SIMD module.
  Scratch scratch;
  int runs = 0;
  for (const Case& cs : cases()) {
    for (Border border : {Border::Constant, Border::Replicate, Border::Reflect101, Border::Wrap})
      for (int channels : {4, 1})
        for (auto [w, h] : kSizes) {
          if (w * h > pixels_budget(cs.spec) && !(w == 1 || h == 1)) continue;
          FilterSpec spec = cs.spec;
          spec.border = border;
          spec.border_value = 77;
          const Plan plan = make_plan(spec);
          const Img src(w, h, channels, 1000u + w * 31 + h * 7 + channels);
          const Img want = testing::reference_image(src, spec);
          std::map<std::string, Img> outputs;
          for (const ConvVariant& v : conv_variants()) {
            if (!v.eligible(plan)) continue;
            Img got(w, h, channels);
            apply_filter(src.view(), got.mview(), plan, scratch, &v);
            ++runs;
            ++exercised()[v.name];
            const std::string where = std::string(v.name) + " on " + cs.name + ", " + std::to_string(w) + "x" +
                                      std::to_string(h) + "x" + std::to_string(channels) + ", border " +
                                      border_name(border);
            ASSERT_EQ(testing::within(got, want, 1), "") << where;
            outputs.emplace(v.name, std::move(got));
          }
          for (const ConvVariant& v : conv_variants()) {
            if (!v.twin || !outputs.count(v.name)) continue;
            ASSERT_TRUE(outputs.count(v.twin)) << v.name << " ran but its twin " << v.twin << " did not";
            const Img& a = outputs.at(v.name);
            const Img& b = outputs.at(v.twin);
            ASSERT_EQ(testing::first_difference(a.px.data(), b.px.data(), w, h, channels), "")
                << v.name << " vs " << v.twin << " on " << cs.name << ", " << w << "x" << h << "x" << channels
                << ", border " << border_name(border);
          }
        }
  }
  RecordProperty("runs", runs);
  for (const ConvVariant& v : conv_variants()) EXPECT_GT(exercised()[v.name], 0) << v.name << " never ran";
}

TEST_F(ConvVariants, GrayModeConvolvesLuminanceAndKeepsAlpha) {
  Scratch scratch;
  for (const char* name : {"sharpen", "gaussian", "box", "sobel-magnitude", "emboss"}) {
    FilterSpec spec = make_preset(name);
    spec.mode = Mode::Gray;
    const Plan plan = make_plan(spec);
    const Img src(19, 7, 4, 5);
    const Img want = testing::reference_image(src, spec);
    for (const ConvVariant* v : {&select_variant(plan), find_variant("conv2d_f32__scalar")}) {
      if (!v->eligible(plan)) continue;
      Img got(19, 7, 4);
      apply_filter(src.view(), got.mview(), plan, scratch, v);
      ASSERT_EQ(testing::within(got, want, 1), "") << name << " gray via " << v->name;
      for (int p = 0; p < 19 * 7; ++p)
        ASSERT_TRUE(got.px[p * 4] == got.px[p * 4 + 1] && got.px[p * 4] == got.px[p * 4 + 2]) << name << " px " << p;
    }
  }
}

// The plain wasm module (CONVOLENS_SIMD_ROWS == 0) lists no SIMD rows: dispatch picks the same
// priority slot and runs its scalar twin (same arithmetic, so the same pixels).
TEST(ConvDispatch, PicksTheFastPathForEachKindOfKernel) {
  auto chosen = [](FilterSpec s) { return std::string(select_variant(make_plan(s)).name); };
  auto want = [](const char* simd_row, const char* scalar_twin) { return CONVOLENS_SIMD_ROWS ? simd_row : scalar_twin; };
  EXPECT_EQ(chosen(make_preset("sharpen")), want("conv3x3_i16__wasmsimd", "conv2d_i16__scalar"));
  EXPECT_EQ(chosen(make_preset("emboss")), want("conv3x3_i16__wasmsimd", "conv2d_i16__scalar"));
  EXPECT_EQ(chosen(make_preset("sobel-x")), want("conv3x3_i16__wasmsimd", "conv2d_i16__scalar"));
  EXPECT_EQ(chosen(make_preset("box", {{"size", 15}})), want("box_blur__running_sum_wasmsimd", "box_blur__running_sum_scalar"));
  EXPECT_EQ(chosen(make_preset("gaussian", {{"sigma", 1}, {"size", 5}})), want("separable_u16__wasmsimd", "separable_u16__scalar"));
  EXPECT_EQ(chosen(make_preset("gaussian", {{"sigma", 4}})), want("separable_u16__wasmsimd", "separable_u16__scalar"));
  EXPECT_EQ(chosen(make_preset("sobel-magnitude")), want("gradient_i16__wasmsimd", "gradient_i16__scalar"));
  EXPECT_EQ(chosen(make_preset("unsharp")), want("conv2d_f32__wasmsimd", "conv2d_f32__scalar"));
  FilterSpec f;
  f.kernel = outer({0.3f, 1.f, 0.3f}, {0.1f, 0.5f, 1.f, 0.5f, 0.1f}, 1.f);
  EXPECT_EQ(chosen(f), want("separable_f32__wasmsimd", "separable_f32__scalar"));
  f.kernel = ConvKernel{5, 5, std::vector<float>(25, 0.f), 1, 0};
  for (int t = 0; t < 25; ++t) f.kernel.weights[t] = float((t * 7) % 5) - 2.f;  // rank > 1, small ints
  EXPECT_EQ(chosen(f), want("conv2d_i16__wasmsimd", "conv2d_i16__scalar"));
}

TEST(ConvDispatch, PlainWasmListsOnlyScalarRows) {
  if (CONVOLENS_SIMD_ROWS) GTEST_SKIP() << "SIMD rows are listed in this build";
  for (const ConvVariant& v : conv_variants()) EXPECT_EQ(v.twin, nullptr) << v.name;
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

}  // namespace
}  // namespace convolens
