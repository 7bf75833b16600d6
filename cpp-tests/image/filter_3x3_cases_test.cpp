// 3x3 kernels through the public filter API (Filter = make_plan + dispatch + apply_filter),
// whatever variant the registry picks: the cases of the first 3x3 RGBA filter, kept when that
// filter was folded into the registry.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "image/filter.h"
#include "simd/simd.h"
#include "test_util.h"

namespace convolens {
namespace {

using testing::random_bytes;

struct Img {
  int w, h;
  std::vector<std::uint8_t> px;
  Img(int w_, int h_, std::uint32_t seed) : w(w_), h(h_), px(random_bytes(std::size_t(w_) * h_ * 4, seed)) {}
  Img(int w_, int h_) : w(w_), h(h_), px(std::size_t(w_) * h_ * 4, 0xAB) {}  // sentinel fill
  ImageView view() const { return {px.data(), w, h, 4, w * 4}; }
  MutableImageView mview() { return {px.data(), w, h, 4, w * 4}; }
};

FilterSpec spec3x3(std::vector<float> weights, float scale, float offset) {
  FilterSpec s;
  s.kernel = ConvKernel{3, 3, std::move(weights), scale, offset};
  s.border = Border::Replicate;
  return s;
}

const FilterSpec kSharpen = spec3x3({0, -1, 0, -1, 5, -1, 0, -1, 0}, 1, 0);
const FilterSpec kEmboss = spec3x3({-2, -1, 0, -1, 1, 1, 0, 1, 2}, 1, 128);
const FilterSpec kBlur = spec3x3({1, 2, 1, 2, 4, 2, 1, 2, 1}, 16, 0);
const FilterSpec kOdd = spec3x3({0.1f, -0.7f, 0.3f, 1.9f, 0.25f, -2.5f, 0.5f, 0.5f, 0.5f}, 3, 7.5f);

// The value by the definition, in double precision, before rounding (replicate border).
double exact(const Img& s, int x, int y, int c, const ConvKernel& k) {
  double acc = 0;
  for (int ky = 0; ky < 3; ++ky)
    for (int kx = 0; kx < 3; ++kx) {
      const int yy = std::clamp(y + ky - 1, 0, s.h - 1), xx = std::clamp(x + kx - 1, 0, s.w - 1);
      acc += double(k.weights[ky * 3 + kx]) * s.px[(yy * s.w + xx) * 4 + c];
    }
  return std::clamp(acc / k.scale + k.offset, 0.0, 255.0);
}

TEST(Filter3x3Cases, WithinOneOfExactAndKeepsAlphaOverSizes) {
  for (const FilterSpec* spec : {&kSharpen, &kEmboss, &kBlur, &kOdd}) {
    Filter f(*spec);
    for (auto [w, h] : {std::pair{1, 1}, {1, 9}, {9, 1}, {2, 2}, {17, 5}, {33, 7}}) {
      Img src(w, h, 7u + w * 31 + h), dst(w, h);
      f.apply(src.view(), dst.mview());
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          for (int c = 0; c < 3; ++c)
            ASSERT_LT(std::abs(dst.px[(y * w + x) * 4 + c] - exact(src, x, y, c, spec->kernel)), 1.0)
                << f.variant().name << " " << w << "x" << h << " x=" << x << " y=" << y << " c=" << c;
          ASSERT_EQ(dst.px[(y * w + x) * 4 + 3], src.px[(y * w + x) * 4 + 3]) << "alpha at " << x << "," << y;
        }
    }
  }
}

// The native build (g++ + SIMDe), wasm SIMD and wasm plain (scalar twins only) must give the
// same bytes: a mismatch means some build or some SIMD row rounds differently from its twin.
TEST(Filter3x3Cases, GoldenHashIdenticalOnEveryBuild) {
  std::uint64_t h = testing::fnv1a(nullptr, 0);
  for (const FilterSpec* spec : {&kSharpen, &kEmboss, &kBlur, &kOdd}) {
    Filter f(*spec);
    Img src(61, 23, 99), dst(61, 23);
    f.apply(src.view(), dst.mview());
    h = testing::fnv1a(dst.px.data(), dst.px.size(), h);
  }
  RecordProperty("backend", simd::backend_name());
  EXPECT_EQ(h, 0x3d56b5e76316a367ull) << std::hex << "hash 0x" << h << " on " << simd::backend_name();
}

// Random float kernels over widths on and off the vector grid: one hash for the whole sweep.
TEST(Filter3x3Cases, RandomKernelSweepHashIdenticalOnEveryBuild) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> wd(-3.f, 3.f);
  std::uint64_t hash = testing::fnv1a(nullptr, 0);
  for (int h : {1, 2, 3, 8})
    for (int w = 1; w <= 40; ++w) {
      std::vector<float> weights(9);
      for (float& v : weights) v = wd(rng);
      Filter f(spec3x3(weights, 1.5f, 64.f));
      Img src(w, h, 1000u + w * 7 + h), dst(w, h);
      f.apply(src.view(), dst.mview());
      hash = testing::fnv1a(dst.px.data(), dst.px.size(), hash);
    }
  EXPECT_EQ(hash, 0x7750bb3d1692e0e9ull) << std::hex << "hash 0x" << hash << " on " << simd::backend_name();
}

TEST(BorderIndex, AllModesIncludingFarOutside) {
  // n = 4: indices -6..9
  const int rep[] = {0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3, 3, 3, 3};
  const int r101[] = {0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3};
  const int wrap[] = {2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1};
  for (int i = -6; i <= 9; ++i) {
    EXPECT_EQ(border_index(i, 4, Border::Replicate), rep[i + 6]) << i;
    EXPECT_EQ(border_index(i, 4, Border::Reflect101), r101[i + 6]) << i;
    EXPECT_EQ(border_index(i, 4, Border::Wrap), wrap[i + 6]) << i;
    EXPECT_EQ(border_index(i, 4, Border::Constant), (i >= 0 && i < 4) ? i : -1) << i;
  }
  EXPECT_EQ(border_index(-5, 1, Border::Reflect101), 0);
}

}  // namespace
}  // namespace convolens
