#include "image/conv_plan.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "core/errors.h"

namespace convolens {

namespace {

// Every integer form must keep its proven error below 1 output unit (then the rounded result is
// within 1 of the exactly rounded one). The bounds are themselves computed in double, whose own
// rounding could understate them by a hair: 0.99 keeps that out of the proof.
constexpr double kMaxErrorBound = 0.99;
// A float kernel counts as rank 1 when the factored weights differ from the kernel by less than
// this, summed and in output units: far below the half unit the final rounding could notice.
constexpr double kMaxSeparableResidual = 1e-3;
// Relative error of one f32 multiply (2^-24 ~ 6e-8, rounded up): the u16 finish v * factor.
constexpr double kF32RelativeRounding = 1e-7;

// Smallest shift whose quantisation error is below 1 output unit and whose integer weights
// cannot overflow i16 (integer kernels: shift 0, exact). The rounding half is not in the bias:
// the kernels round with q15mulr (round half up), the scalar twin with (acc + 2^(s-1)) >> s.
Int16Form int16_form(const ConvKernel& k) {
  Int16Form f;
  for (int s = 0; s <= 7; ++s) {
    const double unit = std::ldexp(1.0, s);
    long long pos = 0, neg = 0;
    double err = 0;
    bool fits = true;
    std::vector<Tap> taps;
    for (int j = 0; j < k.height && fits; ++j)
      for (int i = 0; i < k.width; ++i) {
        const double exact = double(k.weights[j * k.width + i]) / k.scale;
        const long long q = std::llround(exact * unit);
        if (std::llabs(q) > 32767) {
          fits = false;
          break;
        }
        (q > 0 ? pos : neg) += 255 * std::llabs(q);
        err += 255 * std::fabs(double(q) / unit - exact);
        if (q != 0) taps.push_back({j, i, int(q)});
      }
    const long long bias = std::llround(double(k.offset) * unit);
    if (!fits || bias + pos > 32767 || bias - neg < -32768) return f;  // larger shifts only grow the sums
    err += std::fabs(double(bias) / unit - double(k.offset));
    if (err >= kMaxErrorBound) continue;  // a finer shift may be accurate enough
    f.ok = true;
    f.shift = s;
    f.bias = int(bias);
    f.taps = std::move(taps);
    f.error_bound = err;
    return f;
  }
  return f;
}

SeparableForm separable_form(const ConvKernel& k) {
  SeparableForm f;
  if (k.width < 2 || k.height < 2) return f;  // already one-dimensional
  int r = 0, c = 0;
  double best = 0;
  for (int j = 0; j < k.height; ++j)
    for (int i = 0; i < k.width; ++i)
      if (std::fabs(k.weights[j * k.width + i]) > best) best = std::fabs(k.weights[j * k.width + i]), r = j, c = i;
  if (best == 0) return f;
  std::vector<double> kx(k.width), ky(k.height);
  for (int i = 0; i < k.width; ++i) kx[i] = k.weights[r * k.width + i];
  for (int j = 0; j < k.height; ++j) ky[j] = double(k.weights[j * k.width + c]) / k.weights[r * k.width + c];
  double res = 0;
  for (int j = 0; j < k.height; ++j)
    for (int i = 0; i < k.width; ++i) res += std::fabs(k.weights[j * k.width + i] - ky[j] * kx[i]);
  res *= 255.0 / std::fabs(k.scale);
  if (res > kMaxSeparableResidual) return f;
  f.ok = true;
  f.residual = res;
  for (double v : kx) f.kx.push_back(float(v));
  for (double v : ky) f.ky.push_back(float(v));
  return f;
}

// Integer rank-1 factorisation of w * 2^p (the smallest p that makes every weight an integer).
SeparableU16Form separable_u16_form(const ConvKernel& k) {
  SeparableU16Form f;
  if (k.width < 2 || k.height < 2) return f;
  int p = 0;
  auto integral = [&](int e) {
    for (float w : k.weights) {
      const double v = std::ldexp(double(w), e);
      if (v < 0 || v != std::floor(v) || v > 1e9) return false;
    }
    return true;
  };
  while (p <= 24 && !integral(p)) ++p;
  if (p > 24) return f;
  std::vector<long long> W(k.weights.size());
  for (std::size_t n = 0; n < W.size(); ++n) W[n] = std::llround(std::ldexp(double(k.weights[n]), p));
  int r = 0, c = 0;
  for (std::size_t n = 0; n < W.size(); ++n)
    if (W[n] > W[r * k.width + c]) r = int(n) / k.width, c = int(n) % k.width;
  if (W[r * k.width + c] == 0) return f;
  long long gx = 0, gy = 0;
  for (int i = 0; i < k.width; ++i) gx = std::gcd(gx, W[r * k.width + i]);
  for (int j = 0; j < k.height; ++j) gy = std::gcd(gy, W[j * k.width + c]);
  std::vector<int> qx(k.width), qy(k.height);
  long long sx = 0, sy = 0;
  for (int i = 0; i < k.width; ++i) sx += qx[i] = int(W[r * k.width + i] / gx);
  for (int j = 0; j < k.height; ++j) sy += qy[j] = int(W[j * k.width + c] / gy);
  const double m = double(W[r * k.width + c]) / (double(qx[c]) * qy[r]);
  for (int j = 0; j < k.height; ++j)
    for (int i = 0; i < k.width; ++i)
      if (double(W[j * k.width + i]) != m * qx[i] * qy[j]) return f;
  if (255 * sx > 65535) return f;
  int shift = 0;
  while (shift <= 8 && sy * ((255 * sx + (shift ? 1ll << (shift - 1) : 0)) >> shift) > 65535) ++shift;
  if (shift > 8) return f;
  const double factor = std::ldexp(m / (std::ldexp(double(k.scale), p)), shift);
  // Half a unit of hr per unit of qy, times the factor; plus f32 rounding of v * factor.
  const double err = (shift ? 0.5 : 0.0) * double(sy) * std::fabs(factor) + 65535.0 * std::fabs(factor) * kF32RelativeRounding;
  if (err >= kMaxErrorBound) return f;
  f.ok = true;
  f.qx = qx;
  f.qy = qy;
  f.shift = shift;
  f.factor = float(factor);
  f.error_bound = err;
  f.symmetric = true;
  for (const std::vector<int>* q : {&qx, &qy})
    for (std::size_t i = 0, n = q->size(); i < n; ++i) f.symmetric = f.symmetric && (*q)[i] == (*q)[n - 1 - i];
  for (int e = 0; e <= 8; ++e)
    if (factor == std::ldexp(1.0, -e) && k.offset == 0.f) f.final_shift = e;
  return f;
}

BoxForm box_form(const ConvKernel& k) {
  BoxForm f;
  const float w0 = k.weights[0];
  if (w0 == 0.f) return f;
  for (float w : k.weights)
    if (w != w0) return f;
  f.ok = true;
  f.factor = float(double(w0) / k.scale);
  // Fixed-point finish: S <= 255 * kw * kh; the product and bias must stay inside i32 and the
  // rounding of mul and of the offset must cost less than one output unit in total.
  const double factor = double(w0) / k.scale, max_s = 255.0 * k.width * k.height;
  const long long mul = std::llround(factor * 65536), off = std::llround(double(k.offset) * 65536);
  const double err = max_s * std::fabs(double(mul) / 65536 - factor) + std::fabs(double(off) / 65536 - k.offset);
  const long long bias = off + 32768;
  if (mul >= 0 && max_s * double(mul) + double(std::llabs(bias)) < 2147483647.0 && std::llabs(bias) < (1ll << 30) &&
      err < kMaxErrorBound) {
    f.fixed_point = true;
    f.mul = int(mul);
    f.bias = int(bias);
    f.error_bound = err;
  }
  // Narrow (q15) finish: value = (S >> 1) * m / 2^15 + offset. Dropping S's low bit costs at most
  // factor/2, rounding m at most max_s/2 * |m/2^15 - 2 factor|.
  const long long m = std::llround(factor * 65536);
  const double q15_err = std::fabs(factor) / 2 + max_s / 2 * std::fabs(double(m) / 32768 - 2 * factor);
  if (max_s <= 65535 && m > 0 && m <= 32767 && k.offset == std::floor(k.offset) && std::fabs(k.offset) <= 255 &&
      q15_err < kMaxErrorBound) {
    f.q15 = true;
    f.q15_mul = int(m);
    f.q15_offset = int(k.offset);
    f.q15_error_bound = q15_err;
  }
  return f;
}

Diff3Form diff3_form(const ConvKernel& kx, const ConvKernel& ky) {
  Diff3Form d;
  if (kx.width != 3 || kx.height != 3 || ky.width != 3 || ky.height != 3) return d;
  const auto x = [&](int j, int i) { return kx.weights[j * 3 + i]; };
  const auto y = [&](int j, int i) { return ky.weights[j * 3 + i]; };
  for (int j = 0; j < 3; ++j)
    if (x(j, 1) != 0 || x(j, 0) != -x(j, 2)) return d;
  if (x(0, 2) != x(2, 2)) return d;
  for (int j = 0; j < 3; ++j)
    for (int i = 0; i < 3; ++i)
      if (y(j, i) != x(i, j)) return d;
  d.v0 = int(x(0, 2));
  d.v1 = int(x(1, 2));
  d.ok = true;
  return d;
}

bool integer_taps(const ConvKernel& k, std::vector<Tap>& taps) {
  long long sum = 0;
  for (int j = 0; j < k.height; ++j)
    for (int i = 0; i < k.width; ++i) {
      const float w = k.weights[j * k.width + i];
      if (w != std::floor(w) || std::fabs(w) > 32767) return false;
      sum += std::llabs((long long)w);
      if (w != 0) taps.push_back({j, i, int(w)});
    }
  return sum * 255 <= 32767;
}

}  // namespace

TapGroups group_taps(const std::vector<Tap>& taps) {
  TapGroups g;
  g.taps = taps;
  // Stable insertion sort by weight: at most 961 taps, once per filter, and ~4 KB less wasm than
  // std::stable_sort in each module.
  for (std::size_t i = 1; i < g.taps.size(); ++i) {
    const Tap t = g.taps[i];
    std::size_t j = i;
    for (; j > 0 && g.taps[j - 1].q > t.q; --j) g.taps[j] = g.taps[j - 1];
    g.taps[j] = t;
  }
  for (std::size_t t = 1; t <= g.taps.size(); ++t)
    if (t == g.taps.size() || g.taps[t].q != g.taps[t - 1].q) g.end.push_back(int(t));
  return g;
}

Plan make_plan(const FilterSpec& spec) {
  validate_spec(spec);
  Plan p;
  p.spec = spec;
  p.inv_scale = 1.f / spec.kernel.scale;
  if (spec.gradient != Gradient::None) {
    p.grad.ok = integer_taps(spec.kernel, p.grad.tx) && integer_taps(spec.kernel_y, p.grad.ty);
    if (!p.grad.ok)
      throw RangeError("gradient kernels need integer weights with sum of |w| at most 128");
    p.grad.gx = group_taps(p.grad.tx);
    p.grad.gy = group_taps(p.grad.ty);
    p.grad.diff3 = diff3_form(spec.kernel, spec.kernel_y);
    return p;
  }
  const ConvKernel& k = spec.kernel;
  for (int j = 0; j < k.height; ++j)
    for (int i = 0; i < k.width; ++i)
      if (k.weights[j * k.width + i] != 0.f) p.nonzero.push_back({j, i, 0});
  p.i16 = int16_form(k);
  p.i16.groups = group_taps(p.i16.taps);
  p.sep = separable_form(k);
  p.sep16 = separable_u16_form(k);
  p.box = box_form(k);
  return p;
}

PaddedRows::PaddedRows(const ImageView& src, int kw, int kh, Border border, std::uint8_t value, Buffer& storage)
    : src_(src), kw_(kw), ax_((kw - 1) / 2), slots_(kh + 1), border_(border), value_(value) {
  padded_bytes_ = (src.width + kw - 1) * src.channels;
  stride_ = (padded_bytes_ + 32 + 15) / 16 * 16;  // 32 bytes of slack: SIMD tails may over-read
  storage.resize(std::size_t(stride_) * slots_);
  data_ = storage.data();
  for (int s = 0; s < slots_; ++s) {
    tags_[s] = INT32_MIN;
    std::memset(data_ + s * stride_ + padded_bytes_, 0, 32);  // defined bytes for over-reads (fill keeps them)
  }
}

const std::uint8_t* PaddedRows::row(int v) {
  const int s = floor_mod(v, slots_);
  std::uint8_t* p = data_ + s * stride_;
  if (tags_[s] != v) {
    fill(p, v);
    tags_[s] = v;
  }
  return p;
}

const std::uint8_t* PaddedRows::interior(int v) {
  const int r = border_index(v, src_.height, border_);
  return r < 0 ? row(v) : src_.row(r) - ax_ * src_.channels;
}

void PaddedRows::fill(std::uint8_t* dst, int v) const {
  const int C = src_.channels, w = src_.width;
  const int r = border_index(v, src_.height, border_);
  if (r < 0) {
    std::memset(dst, value_, padded_bytes_);
    return;
  }
  const std::uint8_t* s = src_.row(r);
  auto put = [&](int out_px, int x) {
    const int xi = border_index(x, w, border_);
    if (C == 4) {  // one i32 move, not a bulk-memory call per pixel (docs/toolchain.md, "Bulk memory")
      std::uint32_t px = std::uint32_t(value_) * 0x01010101u;
      if (xi >= 0) std::memcpy(&px, s + xi * 4, 4);
      std::memcpy(dst + out_px * 4, &px, 4);
    } else if (xi < 0) {
      std::memset(dst + out_px * C, value_, C);
    } else {
      std::memcpy(dst + out_px * C, s + xi * C, C);
    }
  };
  for (int i = 0; i < ax_; ++i) put(i, i - ax_);
  if (left_ >= right_) {
    std::memcpy(dst + ax_ * C, s, std::size_t(w) * C);
  } else {  // copy_edges_only: the source pixels below left and from right on
    const int a = std::min(left_, ax_ + w), b = std::max(right_, ax_);
    if (a > ax_) std::memcpy(dst + ax_ * C, s, std::size_t(a - ax_) * C);
    if (b < ax_ + w) std::memcpy(dst + b * C, s + (b - ax_) * C, std::size_t(ax_ + w - b) * C);
  }
  for (int i = 0; i < kw_ - 1 - ax_; ++i) put(ax_ + w + i, w + i);
}

}  // namespace convolens
