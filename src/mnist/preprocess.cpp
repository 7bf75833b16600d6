#include "mnist/preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/errors.h"
#include "core/limits.h"
#include "mnist/stray_ink.h"

namespace convolens::mnist {
namespace {

constexpr int kOut = 28, kFit = 20;
constexpr float kInkThreshold = 0.1f;  // bounding box and ink count ignore fainter pixels

float luminance(const std::uint8_t* p) { return (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) * (1.f / 255.f); }

// Median of the luminance histogram of the border pixels (the background, for a drawn digit).
float border_median(const std::uint8_t* rgba, int w, int h, int stride) {
  int hist[256] = {0}, n = 0;
  auto add = [&](int x, int y) {
    hist[std::min(255, int(luminance(rgba + std::size_t(y) * stride + 4 * x) * 255.f + 0.5f))]++;
    ++n;
  };
  for (int x = 0; x < w; ++x) {
    add(x, 0);
    if (h > 1) add(x, h - 1);
  }
  for (int y = 1; y + 1 < h; ++y) {
    add(0, y);
    if (w > 1) add(w - 1, y);
  }
  int acc = 0;
  for (int v = 0; v < 256; ++v)
    if ((acc += hist[v]) * 2 >= n) return v / 255.f;
  return 1.f;
}

// 1-D resampling weights of source [0, n) onto m target cells: area averaging when shrinking,
// linear interpolation (pixel centres) when enlarging.
template <class F>
void resample_1d(int n, int m, F&& emit) {  // emit(target, source, weight)
  const double scale = double(n) / m;
  for (int t = 0; t < m; ++t) {
    if (scale >= 1.0) {
      const double a = t * scale, b = (t + 1) * scale;
      for (int s = int(a); s < n && s < b; ++s) {
        const double w = std::min<double>(b, s + 1) - std::max<double>(a, s);
        if (w > 0) emit(t, s, float(w / scale));
      }
    } else {
      const double c = (t + 0.5) * scale - 0.5;
      const int s0 = int(std::floor(c));
      const double f = c - s0;
      emit(t, std::clamp(s0, 0, n - 1), float(1 - f));
      emit(t, std::clamp(s0 + 1, 0, n - 1), float(f));
    }
  }
}

// Mass and first moments of a w x h image with row stride `stride`.
struct Moments {
  double m = 0, sx = 0, sy = 0;
};
Moments moments(const float* img, int w, int h, int stride) {
  Moments r;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double v = img[y * stride + x];
      r.m += v;
      r.sx += v * x;
      r.sy += v * y;
    }
  return r;
}

}  // namespace

void centre_of_mass(const float* img, float* cx, float* cy) {
  const Moments r = moments(img, kOut, kOut, kOut);
  *cx = r.m > 0 ? float(r.sx / r.m) : 14.f;
  *cy = r.m > 0 ? float(r.sy / r.m) : 14.f;
}

DigitPreprocessInfo preprocess_drawing(const std::uint8_t* rgba, int width, int height, int stride, float* out28,
                                       float* ink) {
  constexpr int kMax = limits::kMaxDrawingSide;
  if (width < 1 || height < 1 || width > kMax || height > kMax)
    throw RangeError("drawing must be 1x1 to 8192x8192 pixels, got " + std::to_string(width) + "x" +
                     std::to_string(height));
  if (stride < width * 4) throw RangeError("row stride " + std::to_string(stride) + " is less than width*4");
  DigitPreprocessInfo info;
  std::fill(out28, out28 + kOut * kOut, 0.f);

  // 1. Ink per pixel, 0..1.
  long transparent = 0;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) transparent += rgba[std::size_t(y) * stride + 4 * x + 3] < 128;
  float bg = 1.f;
  if (transparent * 2 > long(width) * height) {
    info.polarity = InkPolarity::alpha;
  } else {
    bg = border_median(rgba, width, height, stride);
    info.polarity = bg >= 0.5f ? InkPolarity::dark_on_light : InkPolarity::light_on_dark;
  }
  float peak = 0.f;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const std::uint8_t* p = rgba + std::size_t(y) * stride + 4 * x;
      float v;
      if (info.polarity == InkPolarity::alpha) {
        v = p[3] * (1.f / 255.f);
      } else {
        const float a = p[3] * (1.f / 255.f), l = luminance(p) * a + bg * (1 - a);  // over the background
        v = info.polarity == InkPolarity::dark_on_light ? (bg - l) / std::max(bg, 1e-3f)
                                                        : (l - bg) / std::max(1.f - bg, 1e-3f);
      }
      v = std::clamp(v, 0.f, 1.f);
      ink[std::size_t(y) * width + x] = v;
      peak = std::max(peak, v);
    }

  // 2. Stray marks away from the digit go (the scratch after the ink plane holds the fill's
  // queue), then the bounding box of the ink that is left.
  const float thr = std::max(kInkThreshold, 0.25f * peak);
  int count = 0;
  for (std::size_t i = 0, n = std::size_t(width) * height; i < n; ++i) count += ink[i] > thr;
  if (count) count = drop_stray_ink(ink, width, height, thr, count, ink + std::size_t(width) * height);
  int x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      if (ink[std::size_t(y) * width + x] > thr) {
        x0 = std::min(x0, x);
        x1 = std::max(x1, x);
        y0 = std::min(y0, y);
        y1 = std::max(y1, y);
      }
  info.ink_pixels = count;
  if (count == 0) return info;
  info.box_x = x0;
  info.box_y = y0;
  info.box_w = x1 - x0 + 1;
  info.box_h = y1 - y0 + 1;
  if (count < kMinInkFraction * float(width) * float(height) ||
      std::max(info.box_w, info.box_h) < kMinBoxFraction * float(std::min(width, height)))
    return info;
  info.empty = false;

  // 3. Fit the box into 20x20 keeping the aspect ratio; ink normalised so the strongest is 1.
  const int bw = info.box_w, bh = info.box_h;
  const float s = float(kFit) / float(std::max(bw, bh));
  const int tw = std::clamp(int(std::lround(bw * s)), 1, kFit), th = std::clamp(int(std::lround(bh * s)), 1, kFit);
  // Horizontal pass into a bh x kFit buffer after the ink plane, then the vertical pass.
  float* hpass = ink + std::size_t(width) * height;
  float small[kFit * kFit] = {0};
  for (int y = 0; y < bh; ++y) {
    const float* src = ink + std::size_t(y0 + y) * width + x0;
    float* dst = hpass + std::size_t(y) * kFit;
    std::fill(dst, dst + kFit, 0.f);
    resample_1d(bw, tw, [&](int t, int si, float w) { dst[t] += w * src[si]; });
  }
  resample_1d(bh, th, [&](int t, int si, float w) {
    const float* src = hpass + std::size_t(si) * kFit;
    for (int x = 0; x < tw; ++x) small[t * kFit + x] += w * src[x];
  });
  const float norm = 1.f / peak;

  // 4. Paste so that the centre of mass lands on (14, 14), with a whole-pixel shift like MNIST.
  const Moments c = moments(small, tw, th, kFit);
  const int ox = int(std::lround(14.0 - c.sx / c.m)), oy = int(std::lround(14.0 - c.sy / c.m));
  for (int y = 0; y < th; ++y)
    for (int x = 0; x < tw; ++x) {
      const int X = x + ox, Y = y + oy;
      if (X >= 0 && Y >= 0 && X < kOut && Y < kOut) out28[Y * kOut + X] = std::min(1.f, small[y * kFit + x] * norm);
    }
  return info;
}

}  // namespace convolens::mnist
