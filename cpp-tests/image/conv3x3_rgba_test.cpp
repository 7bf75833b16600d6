#include "image/conv3x3_rgba.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/errors.h"
#include "simd/simd.h"
#include "test_util.h"

namespace convolens {
namespace {

using testing::first_difference;
using testing::random_bytes;

struct Img {
  int w, h;
  std::vector<std::uint8_t> px;
  Img(int w_, int h_, std::uint32_t seed) : w(w_), h(h_), px(random_bytes(std::size_t(w_) * h_ * 4, seed)) {}
  Img(int w_, int h_) : w(w_), h(h_), px(std::size_t(w_) * h_ * 4, 0xAB) {}  // sentinel fill
  ImageView view() const { return {px.data(), w, h, 4, w * 4}; }
  MutableImageView mview() { return {px.data(), w, h, 4, w * 4}; }
};

// Exact value by the definition, in double precision.
double exact(const Img& s, int x, int y, int c, const Kernel3x3& k) {
  double acc = 0;
  for (int ky = 0; ky < 3; ++ky)
    for (int kx = 0; kx < 3; ++kx) {
      const int yy = std::clamp(y + ky - 1, 0, s.h - 1), xx = std::clamp(x + kx - 1, 0, s.w - 1);
      acc += double(k.weights[ky * 3 + kx]) * s.px[(yy * s.w + xx) * 4 + c];
    }
  return std::clamp(acc / k.scale + k.offset, 0.0, 255.0);
}

const Kernel3x3 kSharpen{{0, -1, 0, -1, 5, -1, 0, -1, 0}, 1, 0};
const Kernel3x3 kEmboss{{-2, -1, 0, -1, 1, 1, 0, 1, 2}, 1, 128};
const Kernel3x3 kBlur{{1, 2, 1, 2, 4, 2, 1, 2, 1}, 16, 0};

TEST(Conv3x3Rgba, ScalarMatchesExactWithinOneAndKeepsAlpha) {
  for (const auto& k : {kSharpen, kEmboss, kBlur})
    for (auto [w, h] : {std::pair{1, 1}, {1, 9}, {9, 1}, {2, 2}, {17, 5}, {33, 7}}) {
      Img src(w, h, 7u + w * 31 + h), dst(w, h);
      conv3x3_rgba__scalar(src.view(), dst.mview(), k);
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          for (int c = 0; c < 3; ++c)
            ASSERT_LE(std::abs(dst.px[(y * w + x) * 4 + c] - exact(src, x, y, c, k)), 0.5 + 1e-4)
                << w << "x" << h << " x=" << x << " y=" << y << " c=" << c;
          ASSERT_EQ(dst.px[(y * w + x) * 4 + 3], src.px[(y * w + x) * 4 + 3]) << "alpha at " << x << "," << y;
        }
    }
}

TEST(Conv3x3Rgba, SimdBitIdenticalToScalarOverSizeSweep) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> wd(-3.f, 3.f);
  for (int h : {1, 2, 3, 8})
    for (int w = 1; w <= 40; ++w) {
      Kernel3x3 k{};
      for (float& v : k.weights) v = wd(rng);
      k.scale = 1.5f;
      k.offset = 64.f;
      Img src(w, h, 1000u + w * 7 + h), a(w, h), b(w, h);
      conv3x3_rgba__scalar(src.view(), a.mview(), k);
      conv3x3_rgba__wasmsimd(src.view(), b.mview(), k);
      ASSERT_EQ(first_difference(b.px.data(), a.px.data(), w, h, 4), "") << "size " << w << "x" << h;
    }
}

// The same golden value must come out of the native (g++ + SIMDe) build and both wasm builds:
// a mismatch means some build rounds differently (FMA contraction, a different nearest()).
TEST(Conv3x3Rgba, GoldenHashIdenticalOnEveryBuild) {
  std::uint64_t h = testing::fnv1a(nullptr, 0);
  for (const auto& k : {kSharpen, kEmboss, kBlur, Kernel3x3{{0.1f, -0.7f, 0.3f, 1.9f, 0.25f, -2.5f, 0.5f, 0.5f, 0.5f}, 3.f, 7.5f}}) {
    Img src(61, 23, 99), a(61, 23), b(61, 23);
    conv3x3_rgba__scalar(src.view(), a.mview(), k);
    conv3x3_rgba__wasmsimd(src.view(), b.mview(), k);
    h = testing::fnv1a(a.px.data(), a.px.size(), h);
    h = testing::fnv1a(b.px.data(), b.px.size(), h);
  }
  RecordProperty("backend", simd::backend_name());
  EXPECT_EQ(h, 0x74721328113fed97ull) << std::hex << "hash 0x" << h << " on " << simd::backend_name();
}

TEST(Conv3x3Rgba, RejectsBadInputWithClearMessages) {
  Img src(4, 4, 1), dst(4, 4), small(3, 4);
  Kernel3x3 nan = kSharpen;
  nan.weights[4] = std::nanf("");
  EXPECT_THROW(conv3x3_rgba__wasmsimd(src.view(), dst.mview(), nan), RangeError);
  Kernel3x3 zero_scale = kSharpen;
  zero_scale.scale = 0;
  EXPECT_THROW(conv3x3_rgba__scalar(src.view(), dst.mview(), zero_scale), RangeError);
  EXPECT_THROW(conv3x3_rgba__scalar(src.view(), small.mview(), kSharpen), RangeError);
  ImageView empty{src.px.data(), 0, 4, 4, 0};
  try {
    conv3x3_rgba__scalar(empty, dst.mview(), kSharpen);
    FAIL() << "no throw";
  } catch (const RangeError& e) {
    EXPECT_STREQ(e.what(), "image size must be positive, got 0x4");
  }
  EXPECT_THROW(conv3x3_rgba__scalar(src.view(), src.mview(), kSharpen), RangeError) << "aliasing";
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
