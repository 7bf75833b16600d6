// The exact definition of a filter in double precision (filter_spec.h), written independently
// of the engine: per pixel, with the border rule spelled out, and test images with sentinels.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "image/filter_spec.h"
#include "test_util.h"

namespace convolens::testing {

struct Img {
  int w, h, c;
  std::vector<std::uint8_t> px;
  Img(int w_, int h_, int c_, std::uint32_t seed) : w(w_), h(h_), c(c_), px(random_bytes(std::size_t(w_) * h_ * c_, seed)) {}
  Img(int w_, int h_, int c_) : w(w_), h(h_), c(c_), px(std::size_t(w_) * h_ * c_, 0xAB) {}  // sentinel
  ImageView view() const { return {px.data(), w, h, c, std::ptrdiff_t(w) * c}; }
  MutableImageView mview() { return {px.data(), w, h, c, std::ptrdiff_t(w) * c}; }
  std::uint8_t at(int x, int y, int ch) const { return px[(std::size_t(y) * w + x) * c + ch]; }
};

inline int ref_index(int i, int n, Border b) {
  if (i >= 0 && i < n) return i;
  switch (b) {
    case Border::Constant: return -1;
    case Border::Replicate: return i < 0 ? 0 : n - 1;
    case Border::Wrap: return ((i % n) + n) % n;
    case Border::Reflect101:
      if (n == 1) return 0;
      // step back and forth until inside: the definition, not the closed form
      while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
      return i;
  }
  return -1;
}

inline double ref_pixel(const Img& s, int x, int y, int ch, const FilterSpec& f) {
  const int xx = ref_index(x, s.w, f.border), yy = ref_index(y, s.h, f.border);
  return (xx < 0 || yy < 0) ? f.border_value : s.at(xx, yy, ch);
}

inline double ref_sum(const Img& s, int x, int y, int ch, const ConvKernel& k, const FilterSpec& f) {
  const int ax = (k.width - 1) / 2, ay = (k.height - 1) / 2;
  double acc = 0;
  for (int j = 0; j < k.height; ++j)
    for (int i = 0; i < k.width; ++i) acc += double(k.weights[j * k.width + i]) * ref_pixel(s, x + i - ax, y + j - ay, ch, f);
  return acc;
}

// The unrounded value before clamping.
inline double ref_value(const Img& s, int x, int y, int ch, const FilterSpec& f) {
  double a = ref_sum(s, x, y, ch, f.kernel, f);
  if (f.gradient != Gradient::None) {
    const double b = ref_sum(s, x, y, ch, f.kernel_y, f);
    a = f.gradient == Gradient::MagnitudeL2 ? std::sqrt(a * a + b * b) : std::fabs(a) + std::fabs(b);
  }
  return a / f.kernel.scale + f.kernel.offset;
}

inline int ref_u8(double v) { return int(std::clamp(std::nearbyint(v), 0.0, 255.0)); }

// Whole expected image (exactly rounded); gray mode via the luminance image.
inline Img reference_image(const Img& src, const FilterSpec& f) {
  Img out(src.w, src.h, src.c);
  if (f.mode == Mode::Gray && src.c == 4) {
    Img g(src.w, src.h, 1);
    for (int y = 0; y < src.h; ++y)
      for (int x = 0; x < src.w; ++x) g.px[y * src.w + x] = luminance(src.at(x, y, 0), src.at(x, y, 1), src.at(x, y, 2));
    for (int y = 0; y < src.h; ++y)
      for (int x = 0; x < src.w; ++x) {
        const int v = ref_u8(ref_value(g, x, y, 0, f));
        for (int ch = 0; ch < 3; ++ch) out.px[(y * src.w + x) * 4 + ch] = std::uint8_t(v);
        out.px[(y * src.w + x) * 4 + 3] = src.at(x, y, 3);
      }
    return out;
  }
  for (int y = 0; y < src.h; ++y)
    for (int x = 0; x < src.w; ++x)
      for (int ch = 0; ch < src.c; ++ch)
        out.px[(y * src.w + x) * src.c + ch] =
            std::uint8_t(src.c == 4 && ch == 3 ? src.at(x, y, 3) : ref_u8(ref_value(src, x, y, ch, f)));
  return out;
}

// "" when every byte is within `tol` of the reference (alpha: exact), else the first offender.
inline std::string within(const Img& got, const Img& want, int tol) {
  for (std::size_t i = 0; i < got.px.size(); ++i) {
    const int ch = int(i % got.c);
    const int t = (got.c == 4 && ch == 3) ? 0 : tol;
    if (std::abs(int(got.px[i]) - int(want.px[i])) > t) {
      const std::size_t p = i / got.c;
      return "x=" + std::to_string(p % got.w) + " y=" + std::to_string(p / got.w) + " c=" + std::to_string(ch) +
             " got " + std::to_string(got.px[i]) + " want " + std::to_string(want.px[i]);
    }
  }
  return "";
}

}  // namespace convolens::testing
