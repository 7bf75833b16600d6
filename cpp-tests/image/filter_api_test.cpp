// Filter objects, pipelines, presets and bad input through the C++ API.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "core/buffer.h"
#include "core/errors.h"
#include "filter_reference.h"
#include "image/filter.h"
#include "image/presets.h"

namespace convolens {
namespace {

using testing::Img;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const RangeError& e) {
    return e.what();
  }
  return "no RangeError";
}

TEST(FilterApi, BadKernelsAndImagesNameTheProblem) {
  FilterSpec s;
  s.kernel = ConvKernel{0, 3, {}, 1, 0};
  EXPECT_EQ(error_of([&] { make_plan(s); }), "kernel size must be 1..31 on each side, got 0x3");
  s.kernel = ConvKernel{32, 1, std::vector<float>(32, 1.f), 1, 0};
  EXPECT_EQ(error_of([&] { make_plan(s); }), "kernel size must be 1..31 on each side, got 32x1");
  s.kernel = ConvKernel{3, 3, std::vector<float>(8, 1.f), 1, 0};
  EXPECT_EQ(error_of([&] { make_plan(s); }), "kernel weights: 3x3 needs 9 weights, got 8");
  s.kernel = ConvKernel{1, 2, {1.f, std::nanf("")}, 1, 0};
  EXPECT_EQ(error_of([&] { make_plan(s); }), "kernel weights must be finite numbers, weight 1 is NaN");
  s.kernel = ConvKernel{1, 1, {1.f}, 0, 0};
  EXPECT_EQ(error_of([&] { make_plan(s); }), "kernel scale must be a finite non-zero number, got 0");
  s.kernel = ConvKernel{1, 1, {1.f}, 1, INFINITY};
  EXPECT_EQ(error_of([&] { make_plan(s); }), "kernel offset must be a finite number, got Infinity");
  EXPECT_EQ(error_of([] { make_preset("nope"); }).substr(0, 30), "unknown preset \"nope\" (identit");
  EXPECT_EQ(error_of([] { make_preset("box", {{"size", 40}}); }), "preset \"box\": size must be an integer 1..31, got 40");
  EXPECT_EQ(error_of([] { make_preset("gaussian", {{"size", 4}}); }), "gaussian size must be odd, got 4");
  EXPECT_EQ(error_of([] { parse_border("mirror"); }), "unknown border mode \"mirror\" (constant, replicate, reflect101, wrap)");

  Filter f(make_preset("sharpen"));
  Img a(4, 4, 4, 1), b(4, 4, 4), small(3, 4, 4), gray(4, 4, 1);
  EXPECT_EQ(error_of([&] { f.apply(a.view(), small.mview()); }),
            "output must have the input's size and channels: input 4x4x4, output 3x4x4");
  EXPECT_EQ(error_of([&] { f.apply(a.view(), gray.mview()); }),
            "output must have the input's size and channels: input 4x4x4, output 4x4x1");
  EXPECT_EQ(error_of([&] { f.apply({a.px.data(), 0, 4, 4, 0}, b.mview()); }), "image size must be positive, got 0x4");
  EXPECT_EQ(error_of([&] { f.apply(a.view(), a.mview()); }), "output must not overlap the input");
  Img three(4, 4, 3);
  EXPECT_EQ(error_of([&] { f.apply({three.px.data(), 4, 4, 3, 12}, {b.px.data(), 4, 4, 3, 12}); }),
            "images must have 1 (gray) or 4 (RGBA) channels, got 3");
  // a rejected spec leaves the filter as it was
  FilterSpec bad = f.spec();
  bad.kernel.scale = NAN;
  EXPECT_THROW(f.set_spec(bad), RangeError);
  f.apply(a.view(), b.mview());
  EXPECT_EQ(testing::within(b, testing::reference_image(a, f.spec()), 1), "");
}

TEST(FilterApi, PipelineEqualsSequenceAndAllocatesOncePerFrameSize) {
  Filter s(make_preset("sharpen")), g(make_preset("gaussian", {{"sigma", 1.5}})), e(make_preset("emboss"));
  Pipeline p;
  for (Filter* f : {&s, &g, &e}) p.add(f);
  const Img src(29, 11, 4, 3);
  Img got(29, 11, 4), t1(29, 11, 4), t2(29, 11, 4), want(29, 11, 4);
  p.apply(src.view(), got.mview());
  s.apply(src.view(), t1.mview());
  g.apply(t1.view(), t2.mview());
  e.apply(t2.view(), want.mview());
  EXPECT_EQ(testing::first_difference(got.px.data(), want.px.data(), 29, 11, 4), "");
  const MemoryStats before = memory_stats();
  for (int i = 0; i < 50; ++i) p.apply(src.view(), got.mview());
  EXPECT_EQ(memory_stats().live_bytes, before.live_bytes);
  EXPECT_EQ(memory_stats().live_buffers, before.live_buffers);
  Pipeline empty;
  empty.apply(src.view(), got.mview());
  EXPECT_EQ(got.px, src.px);
}

TEST(FilterApi, PresetsAreWrittenOutAndNormalised) {
  std::set<std::string> names;
  for (const Preset& p : preset_catalog()) {
    EXPECT_TRUE(names.insert(p.name).second) << "duplicate " << p.name;
    EXPECT_FALSE(p.label.empty()) << p.name;
    EXPECT_GT(p.description.size(), 10u) << p.name;
    EXPECT_NO_THROW(validate_spec(p.spec)) << p.name;
    EXPECT_EQ(p.op.empty(), p.spec.gradient == Gradient::None) << p.name;
  }
  for (double sigma : {0.3, 1.0, 2.5, 10.0}) {
    const auto q = gaussian_taps(sigma, gaussian_size(sigma));
    int sum = 0;
    for (int v : q) sum += v;
    EXPECT_EQ(sum, 256) << "sigma " << sigma;
    EXPECT_TRUE(std::equal(q.begin(), q.end(), q.rbegin())) << "symmetric, sigma " << sigma;
  }
  EXPECT_EQ(gaussian_size(1), 7);
  EXPECT_EQ(gaussian_size(10), kMaxKernelSize);
  // blurs keep a flat image flat (weights sum to the scale)
  for (const char* name : {"box", "gaussian", "motion-blur", "identity", "unsharp"}) {
    const FilterSpec s = make_preset(name);
    double sum = 0;
    for (float w : s.kernel.weights) sum += w;
    EXPECT_NEAR(sum / s.kernel.scale, 1.0, 1e-6) << name;
  }
}

}  // namespace
}  // namespace convolens
