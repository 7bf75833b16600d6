// Scalar references: the definition of every layer, written for clarity. Optimized variants
// (kernels_simd.cpp) are tested against these.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/errors.h"
#include "core/limits.h"
#include "core/size_attrs.h"
#include "nn/kernels.h"

namespace convolens::nn {

// The kernels that have a SIMD row are CONVOLENS_SMALL_IN_SIMD: in the SIMD wasm modules they
// run only as its reference twin (predict with reference: true; 6.2 KB less CNN module).

std::string Shape::str() const {
  std::string s = "[";
  const auto d = dims();
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(d[i]);
  }
  return s + "]";
}

const char* act_name(Act a) {
  switch (a) {
    case Act::Linear: return "linear";
    case Act::Relu: return "relu";
    case Act::Relu6: return "relu6";
    case Act::LeakyRelu: return "leaky_relu";
    case Act::Elu: return "elu";
    case Act::Sigmoid: return "sigmoid";
    case Act::Tanh: return "tanh";
    case Act::Softmax: return "softmax";
  }
  return "?";
}

void apply_activation(float* x, std::size_t n, int channels, Act act, float alpha) {
  switch (act) {
    case Act::Linear: return;
    case Act::Relu:
      for (std::size_t i = 0; i < n; ++i) x[i] = x[i] > 0.f ? x[i] : 0.f;
      return;
    case Act::Relu6:
      for (std::size_t i = 0; i < n; ++i) x[i] = std::min(std::max(x[i], 0.f), 6.f);
      return;
    case Act::LeakyRelu:
      for (std::size_t i = 0; i < n; ++i) x[i] = x[i] >= 0.f ? x[i] : alpha * x[i];
      return;
    case Act::Elu:
      for (std::size_t i = 0; i < n; ++i) x[i] = x[i] > 0.f ? x[i] : alpha * std::expm1(x[i]);
      return;
    case Act::Sigmoid:
      for (std::size_t i = 0; i < n; ++i) x[i] = 1.f / (1.f + std::exp(-x[i]));
      return;
    case Act::Tanh:
      for (std::size_t i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
      return;
    case Act::Softmax:
      for (std::size_t r = 0; r + channels <= n; r += channels) {
        float* v = x + r;
        float m = v[0];
        for (int i = 1; i < channels; ++i) m = std::max(m, v[i]);
        float s = 0.f;
        for (int i = 0; i < channels; ++i) s += (v[i] = std::exp(v[i] - m));
        for (int i = 0; i < channels; ++i) v[i] /= s;
      }
      return;
  }
}

namespace {
using limits::kMaxElements;
using limits::kMaxSide;
using limits::kMaxWindow;

void check(bool ok, const char* what, const std::string& msg) {
  if (!ok) throw RangeError(std::string(what) + ": " + msg);
}
}  // namespace

ConvGeom make_geom(const char* what, int in_h, int in_w, int in_c, int kh, int kw, int sh, int sw, int dh, int dw,
                   bool same, int out_c, int mult) {
  for (int v : {in_h, in_w, in_c, out_c, mult}) check(v >= 1 && v <= kMaxSide, what, "size " + std::to_string(v) + " out of range 1..16384");
  check(kh >= 1 && kw >= 1 && kh <= kMaxWindow && kw <= kMaxWindow, what, "kernel size must be 1..1024");
  check(sh >= 1 && sw >= 1 && sh <= kMaxWindow && sw <= kMaxWindow, what, "strides must be 1..1024");
  check(dh >= 1 && dw >= 1 && dh <= kMaxWindow && dw <= kMaxWindow, what, "dilation_rate must be 1..1024");
  check(!((sh > 1 || sw > 1) && (dh > 1 || dw > 1)), what, "strides > 1 together with dilation_rate > 1 is not supported (as in TF)");
  ConvGeom g{};
  g.in_h = in_h, g.in_w = in_w, g.in_c = in_c, g.out_c = out_c, g.kh = kh, g.kw = kw;
  g.sh = sh, g.sw = sw, g.dh = dh, g.dw = dw, g.mult = mult;
  const long eh = long(kh - 1) * dh + 1, ew = long(kw - 1) * dw + 1;  // effective window
  if (same) {
    g.out_h = (in_h + sh - 1) / sh;
    g.out_w = (in_w + sw - 1) / sw;
    const long ph = std::max<long>(0, long(g.out_h - 1) * sh + eh - in_h);
    const long pw = std::max<long>(0, long(g.out_w - 1) * sw + ew - in_w);
    check(ph <= kMaxSide && pw <= kMaxSide, what, "padding too large");
    g.pad_t = int(ph / 2), g.pad_b = int(ph - ph / 2), g.pad_l = int(pw / 2), g.pad_r = int(pw - pw / 2);
  } else {
    check(eh <= in_h && ew <= in_w, what,
          "window " + std::to_string(eh) + "x" + std::to_string(ew) + " is larger than the input " + std::to_string(in_h) +
              "x" + std::to_string(in_w) + " with padding 'valid'");
    g.out_h = int((in_h - eh) / sh + 1);
    g.out_w = int((in_w - ew) / sw + 1);
    g.pad_t = g.pad_b = g.pad_l = g.pad_r = 0;
  }
  check(double(g.padded_size()) <= kMaxElements && double(g.out_h) * g.out_w * out_c <= kMaxElements, what,
        "tensor larger than 2^26 elements");
  return g;
}

int packed_conv_stride(int out_c) { return (out_c + 3) / 4 * 4; }

void pack_conv_kernel(const float* kernel, int rows, int out_c, float* packed) {
  const int s = packed_conv_stride(out_c);
  for (int r = 0; r < rows; ++r) {
    std::memcpy(packed + std::size_t(r) * s, kernel + std::size_t(r) * out_c, sizeof(float) * out_c);
    std::fill(packed + std::size_t(r) * s + out_c, packed + std::size_t(r + 1) * s, 0.f);
  }
}

CONVOLENS_SMALL_IN_SIMD void conv2d__scalar(const ConvParams& p, const float* in, float* out, float*) {
  const ConvGeom& g = p.g;
  for (int oy = 0; oy < g.out_h; ++oy)
    for (int ox = 0; ox < g.out_w; ++ox) {
      // All out channels of this pixel at once: per channel still bias, then taps in ky, kx, ci
      // order (the SIMD variant's order), while the HWIO weights are read contiguously.
      float* o = out + (std::size_t(oy) * g.out_w + ox) * g.out_c;
      for (int co = 0; co < g.out_c; ++co) o[co] = p.bias ? p.bias[co] : 0.f;
      for (int ky = 0; ky < g.kh; ++ky)
        for (int kx = 0; kx < g.kw; ++kx) {
          const int iy = oy * g.sh + ky * g.dh - g.pad_t, ix = ox * g.sw + kx * g.dw - g.pad_l;
          const bool inside = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
          for (int ci = 0; ci < g.in_c; ++ci) {
            // Padding contributes 0*w, added like any tap so the order matches the SIMD variant.
            const float x = inside ? in[(std::size_t(iy) * g.in_w + ix) * g.in_c + ci] : 0.f;
            const float* w = p.kernel + ((std::size_t(ky) * g.kw + kx) * g.in_c + ci) * g.out_c;
            for (int co = 0; co < g.out_c; ++co) o[co] += x * w[co];
          }
        }
    }
  if (p.act == Act::Relu || p.act == Act::Relu6)
    apply_activation(out, std::size_t(g.out_h) * g.out_w * g.out_c, g.out_c, p.act, 0.f);
}

CONVOLENS_SMALL_IN_SIMD void depthwise2d__scalar(const ConvParams& p, const float* in, float* out, float*) {
  const ConvGeom& g = p.g;
  for (int oy = 0; oy < g.out_h; ++oy)
    for (int ox = 0; ox < g.out_w; ++ox)
      for (int co = 0; co < g.out_c; ++co) {
        const int ci = co / g.mult;
        float acc = p.bias ? p.bias[co] : 0.f;
        for (int ky = 0; ky < g.kh; ++ky)
          for (int kx = 0; kx < g.kw; ++kx) {
            const int iy = oy * g.sh + ky * g.dh - g.pad_t, ix = ox * g.sw + kx * g.dw - g.pad_l;
            const bool inside = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
            const float x = inside ? in[(std::size_t(iy) * g.in_w + ix) * g.in_c + ci] : 0.f;
            acc += x * p.kernel[(std::size_t(ky) * g.kw + kx) * g.out_c + co];  // [kh][kw][ci][mult] == [kh][kw][co]
          }
        out[(std::size_t(oy) * g.out_w + ox) * g.out_c + co] = acc;
      }
  if (p.act == Act::Relu || p.act == Act::Relu6)
    apply_activation(out, std::size_t(g.out_h) * g.out_w * g.out_c, g.out_c, p.act, 0.f);
}

CONVOLENS_SMALL_IN_SIMD void dense__scalar(const DenseParams& p, const float* in, float* out) {
  for (int r = 0; r < p.rows; ++r) {
    // All outputs of a row at once: per output bias, then k in order; weight rows contiguous.
    float* o = out + std::size_t(r) * p.out;
    for (int n = 0; n < p.out; ++n) o[n] = p.bias ? p.bias[n] : 0.f;
    for (int k = 0; k < p.in; ++k) {
      const float x = in[std::size_t(r) * p.in + k];
      const float* w = p.kernel + std::size_t(k) * p.out;
      for (int n = 0; n < p.out; ++n) o[n] += x * w[n];
    }
  }
  if (p.act == Act::Relu || p.act == Act::Relu6)
    apply_activation(out, std::size_t(p.rows) * p.out, p.out, p.act, 0.f);
}

CONVOLENS_SMALL_IN_SIMD void max_pool__scalar(const ConvGeom& g, const float* in, float* out) {
  for (int oy = 0; oy < g.out_h; ++oy)
    for (int ox = 0; ox < g.out_w; ++ox)
      for (int c = 0; c < g.in_c; ++c) {
        float m = -std::numeric_limits<float>::infinity();
        for (int ky = 0; ky < g.kh; ++ky)
          for (int kx = 0; kx < g.kw; ++kx) {
            const int iy = oy * g.sh + ky - g.pad_t, ix = ox * g.sw + kx - g.pad_l;
            if (iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w)
              m = std::max(m, in[(std::size_t(iy) * g.in_w + ix) * g.in_c + c]);
          }
        out[(std::size_t(oy) * g.out_w + ox) * g.in_c + c] = m;
      }
}

CONVOLENS_SMALL_IN_SIMD void avg_pool__scalar(const ConvGeom& g, const float* in, float* out) {
  for (int oy = 0; oy < g.out_h; ++oy)
    for (int ox = 0; ox < g.out_w; ++ox)
      for (int c = 0; c < g.in_c; ++c) {
        float s = 0.f;
        int n = 0;
        for (int ky = 0; ky < g.kh; ++ky)
          for (int kx = 0; kx < g.kw; ++kx) {
            const int iy = oy * g.sh + ky - g.pad_t, ix = ox * g.sw + kx - g.pad_l;
            if (iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w) {
              s += in[(std::size_t(iy) * g.in_w + ix) * g.in_c + c];
              ++n;
            }
          }
        out[(std::size_t(oy) * g.out_w + ox) * g.in_c + c] = s / float(n);
      }
}

void global_avg_pool__scalar(int hw, int c, const float* in, float* out) {
  for (int ch = 0; ch < c; ++ch) {
    float s = 0.f;
    for (int i = 0; i < hw; ++i) s += in[std::size_t(i) * c + ch];
    out[ch] = s / float(hw);
  }
}

void scale_shift__scalar(std::size_t n, int c, const float* scale, const float* shift, const float* in, float* out) {
  for (std::size_t i = 0; i < n; ++i) out[i] = in[i] * scale[i % c] + shift[i % c];
}

void zero_pad__scalar(const Shape& s, int t, int b, int l, int r, const float* in, float* out) {
  const int ow = s.w + l + r, oh = s.h + t + b;
  std::fill(out, out + std::size_t(oh) * ow * s.c, 0.f);
  for (int y = 0; y < s.h; ++y)
    std::memcpy(out + ((std::size_t(y) + t) * ow + l) * s.c, in + std::size_t(y) * s.w * s.c, sizeof(float) * s.w * s.c);
}

}  // namespace convolens::nn
