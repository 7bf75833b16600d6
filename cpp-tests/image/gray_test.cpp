// The Mode::Gray conversions: SIMD twins bit-identical to the scalar references for every
// length around the 16-pixel vector step, and the scalar form against the defining formula.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "image/filter_spec.h"
#include "image/gray.h"

using namespace convolens;

TEST(Gray, LumaTwinsAgreeForEveryLength) {
  std::mt19937 rng(5);
  for (int n = 0; n <= 70; ++n) {
    std::vector<std::uint8_t> rgba(4 * std::size_t(n) + 1);
    for (auto& b : rgba) b = std::uint8_t(rng());
    if (n % 7 == 0)  // extremes: every channel 255 (sum 65280 + 128) and 0
      for (std::size_t i = 0; i < rgba.size(); ++i) rgba[i] = n % 14 ? 255 : 0;
    std::vector<std::uint8_t> a(n + 1, 7), b(n + 1, 7);
    rgba_to_luma__scalar(rgba.data(), a.data(), n);
    rgba_to_luma__wasmsimd(rgba.data(), b.data(), n);
    ASSERT_EQ(a, b) << "n=" << n;
    for (int i = 0; i < n; ++i)
      ASSERT_EQ(a[i], (77 * rgba[4 * i] + 150 * rgba[4 * i + 1] + 29 * rgba[4 * i + 2] + 128) >> 8) << "n=" << n << " i=" << i;
    EXPECT_EQ(a[n], 7) << "wrote past the end, n=" << n;
  }
}

TEST(Gray, GrayToRgbaTwinsAgreeAndKeepAlpha) {
  std::mt19937 rng(9);
  for (int n = 0; n <= 70; ++n) {
    std::vector<std::uint8_t> luma(n), src(4 * std::size_t(n));
    for (auto& v : luma) v = std::uint8_t(rng());
    for (auto& v : src) v = std::uint8_t(rng());
    std::vector<std::uint8_t> a(4 * std::size_t(n) + 4, 3), b(4 * std::size_t(n) + 4, 3);
    luma_to_rgba__scalar(luma.data(), src.data(), a.data(), n);
    luma_to_rgba__wasmsimd(luma.data(), src.data(), b.data(), n);
    ASSERT_EQ(a, b) << "n=" << n;
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(a[4 * i], luma[i]);
      ASSERT_EQ(a[4 * i + 1], luma[i]);
      ASSERT_EQ(a[4 * i + 2], luma[i]);
      ASSERT_EQ(a[4 * i + 3], src[4 * i + 3]);
    }
    EXPECT_EQ(a[4 * n], 3) << "wrote past the end, n=" << n;
  }
}
