#include "train/augment.h"

#include <algorithm>
#include <cmath>

namespace convolens::train {
namespace {
constexpr int N = 28;
constexpr float kCentre = 13.5f;  // pixel centres are at integer coordinates

float px(const float* img, int x, int y) { return x < 0 || y < 0 || x >= N || y >= N ? 0.f : img[y * N + x]; }

template <class Op>
void cross(const float* in, float* out, Op op) {
  for (int y = 0; y < N; ++y)
    for (int x = 0; x < N; ++x)
      out[y * N + x] = op(in[y * N + x], px(in, x - 1, y), px(in, x + 1, y), px(in, x, y - 1), px(in, x, y + 1));
}
}  // namespace

void affine_digit(const float* in, float* out, const float m[4], float tx, float ty) {
  const float det = m[0] * m[3] - m[1] * m[2];
  const float i0 = m[3] / det, i1 = -m[1] / det, i2 = -m[2] / det, i3 = m[0] / det;
  for (int y = 0; y < N; ++y)
    for (int x = 0; x < N; ++x) {
      const float dx = x - kCentre - tx, dy = y - kCentre - ty;
      const float sx = i0 * dx + i1 * dy + kCentre, sy = i2 * dx + i3 * dy + kCentre;
      const int x0 = int(std::floor(sx)), y0 = int(std::floor(sy));
      const float fx = sx - x0, fy = sy - y0;
      out[y * N + x] = (1 - fy) * ((1 - fx) * px(in, x0, y0) + fx * px(in, x0 + 1, y0)) +
                       fy * ((1 - fx) * px(in, x0, y0 + 1) + fx * px(in, x0 + 1, y0 + 1));
    }
}

void thicken_digit(const float* in, float* out, float s) {
  cross(in, out, [s](float c, float l, float r, float u, float d) {
    return std::max(c, s * std::max(std::max(l, r), std::max(u, d)));
  });
}

void thin_digit(const float* in, float* out, float s) {
  cross(in, out, [s](float c, float l, float r, float u, float d) {
    const float e = std::min(c, std::min(std::min(l, r), std::min(u, d)));
    return c + s * (e - c);
  });
}

void augment_digit(const float* in, float* out, Rng& rng, const AugmentOptions& o) {
  float tmp[N * N];
  const float* src = in;
  const float morph = rng.uniform();
  if (morph < o.p_thicken) {
    thicken_digit(in, tmp, rng.uniform(0.5f, 1.f));
    src = tmp;
  } else if (morph < o.p_thicken + o.p_thin) {
    thin_digit(in, tmp, rng.uniform(0.3f, 0.7f));
    src = tmp;
  }
  const float a = rng.uniform(-o.rotate_deg, o.rotate_deg) * 3.14159265f / 180.f;
  const float s = 1.f + rng.uniform(-o.scale, o.scale), r = 1.f + rng.uniform(-o.aspect, o.aspect);
  const float sh = rng.uniform(-o.shear, o.shear);
  const float sx = s * std::sqrt(r), sy = s / std::sqrt(r);
  // M = R(a) * Shear * Scale
  const float c = std::cos(a), sn = std::sin(a);
  const float m[4] = {c * sx, (c * sh - sn) * sy, sn * sx, (sn * sh + c) * sy};
  const float tx = rng.uniform(-o.shift, o.shift), ty = rng.uniform(-o.shift, o.shift);
  affine_digit(src, out, m, tx, ty);
}

}  // namespace convolens::train
