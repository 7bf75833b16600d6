// Draws an MNIST digit onto a big RGBA canvas the way a person's drawing arrives: scaled up
// (bilinear), strokes thickened in canvas pixels, at a random place, in one of three inks.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "train/rng.h"

namespace convolens::testing {

enum class Ink { dark_on_light, light_on_dark, alpha };

struct Canvas {
  int w, h;
  std::vector<std::uint8_t> rgba;
};

// digit: 28x28 u8 (MNIST); size: the longer side of the digit's bounding box on the canvas;
// thicken: radius in canvas pixels of a square max filter applied to the strokes.
inline void draw_digit(const std::uint8_t* digit, Canvas& c, int size, int thicken, Ink ink, train::Rng& rng) {
  int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x)
      if (digit[y * 28 + x] > 25) x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
  const int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const float s = float(size) / float(std::max(bw, bh));
  const int W = std::max(1, int(bw * s)), H = std::max(1, int(bh * s));
  const int m = thicken + 2;  // margin for the thickened strokes
  const int px = m + rng.below(std::max(1, c.w - W - 2 * m)), py = m + rng.below(std::max(1, c.h - H - 2 * m));
  std::vector<float> big(std::size_t(W) * H), tmp(big.size());
  auto at = [&](int x, int y) {
    return x < 0 || y < 0 || x >= 28 || y >= 28 ? 0.f : digit[y * 28 + x] / 255.f;
  };
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const float sx = x0 + (x + 0.5f) / s - 0.5f, sy = y0 + (y + 0.5f) / s - 0.5f;
      const int ix = int(std::floor(sx)), iy = int(std::floor(sy));
      const float fx = sx - ix, fy = sy - iy;
      big[y * W + x] = (1 - fy) * ((1 - fx) * at(ix, iy) + fx * at(ix + 1, iy)) +
                       fy * ((1 - fx) * at(ix, iy + 1) + fx * at(ix + 1, iy + 1));
    }
  // Separable square max filter: thicker strokes, as with a fat brush.
  for (int pass = 0; pass < 2 && thicken > 0; ++pass) {
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        float v = 0;
        for (int d = -thicken; d <= thicken; ++d) {
          const int X = pass == 0 ? x + d : x, Y = pass == 0 ? y : y + d;
          if (X >= 0 && Y >= 0 && X < W && Y < H) v = std::max(v, big[Y * W + X]);
        }
        tmp[y * W + x] = v;
      }
    big.swap(tmp);
  }
  // Background.
  const std::uint8_t bg = ink == Ink::dark_on_light ? 255 : 0, bga = ink == Ink::alpha ? 0 : 255;
  for (std::size_t i = 0; i < c.rgba.size(); i += 4) c.rgba[i] = c.rgba[i + 1] = c.rgba[i + 2] = bg, c.rgba[i + 3] = bga;
  // Ink colour: dark (0..80) on light, light (180..255) on dark, anything for alpha.
  std::uint8_t col[3];
  for (auto& v : col)
    v = std::uint8_t(ink == Ink::dark_on_light ? rng.below(80) : ink == Ink::light_on_dark ? 180 + rng.below(76) : rng.below(256));
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const float a = std::clamp(big[y * W + x], 0.f, 1.f);
      std::uint8_t* p = c.rgba.data() + (std::size_t(py + y) * c.w + px + x) * 4;
      if (ink == Ink::alpha) {
        if (a > 0) p[0] = col[0], p[1] = col[1], p[2] = col[2];
        p[3] = std::uint8_t(a * 255 + 0.5f);
      } else {
        for (int k = 0; k < 3; ++k) p[k] = std::uint8_t(bg + (col[k] - bg) * a + 0.5f);
      }
    }
}

}  // namespace convolens::testing
