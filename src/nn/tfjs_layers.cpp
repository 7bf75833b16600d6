#include "nn/tfjs_layers.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <tuple>

#include "core/errors.h"
#include "core/limits.h"

namespace convolens::nn::tfjs {

using json::Value;

namespace {

void need_rank3(const LayerBuild& b) {
  if (b.l.in.rank != 3) range_error(b.opt.where() + ": needs an input of shape [h,w,c], got " + b.l.in.str());
}

void set_buffer(Buffer& buf, const float* src, std::size_t n) {
  buf.resize(n * sizeof(float));
  std::memcpy(buf.data(), src, n * sizeof(float));
}

// The one place a kernel and its optional bias are read: Conv2D, DepthwiseConv2D and Dense.
// l.has_bias and l.file_shape are set; out_c is the bias length.
void take_kernel_and_bias(LayerBuild& b, const char* kernel_param, int out_c) {
  Layer& l = b.l;
  const auto& k = b.weights.take(b.opt.where(), b.name, kernel_param, l.file_shape);
  set_buffer(l.kernel, k.data(), k.size());
  set_buffer(l.file_weights, k.data(), k.size());
  l.info.params = k.size();
  if (l.has_bias) {
    const auto& bias = b.weights.take(b.opt.where(), b.name, "bias", {out_c});
    set_buffer(l.bias, bias.data(), bias.size());
    l.info.params += bias.size();
  }
}

void conv(LayerBuild& b, bool dw) {
  need_rank3(b);
  LayerOptions& c = b.opt;
  Layer& l = b.l;
  const Shape cur = l.in;
  c.channels_last();
  const auto [kh, kw] = c.pair("kernel_size", 1, limits::kMaxWindow);
  const auto [sh, sw] = c.pair("strides", 1, limits::kMaxWindow, std::pair{1, 1});
  const auto [dh, dwl] = c.pair("dilation_rate", 1, limits::kMaxWindow, std::pair{1, 1});
  const bool same = c.padding_same();
  const int filters = dw ? 0 : c.integer("filters", 1, limits::kMaxSide);
  const int mult = dw ? c.integer("depth_multiplier", 1, limits::kMaxWindow, 1) : 1;
  if (!dw && c.integer("groups", 1, 1, 1) != 1) c.bad("groups", "must be 1");
  std::tie(l.act, l.alpha) = c.activation();
  l.has_bias = c.boolean("use_bias", true);
  c.finish();
  const int oc = dw ? cur.c * mult : filters;
  l.g = make_geom(c.where().c_str(), cur.h, cur.w, cur.c, kh, kw, sh, sw, dh, dwl, same, oc, mult);
  l.op = dw ? Op::Depthwise : Op::Conv2D;
  l.out = {l.g.out_h, l.g.out_w, oc, 3};
  l.file_shape = {kh, kw, cur.c, dw ? mult : filters};
  take_kernel_and_bias(b, dw ? "depthwise_kernel" : "kernel", oc);
}
void conv2d(LayerBuild& b) { conv(b, false); }
void depthwise_conv2d(LayerBuild& b) { conv(b, true); }

void dense(LayerBuild& b) {
  LayerOptions& c = b.opt;
  Layer& l = b.l;
  const int units = c.integer("units", 1, limits::kMaxUnits);
  std::tie(l.act, l.alpha) = c.activation();
  l.has_bias = c.boolean("use_bias", true);
  c.finish();
  if (double(units) * l.in.c > limits::kMaxElements) range_error(c.where() + ": kernel larger than 2^26 weights");
  l.op = Op::Dense;
  l.out = l.in;
  l.out.c = units;
  if (double(l.out.size()) > limits::kMaxElements) range_error(c.where() + ": output larger than 2^26 elements");
  l.file_shape = {l.in.c, units};
  take_kernel_and_bias(b, "kernel", units);
}

void pool(LayerBuild& b, Op op) {
  need_rank3(b);
  LayerOptions& c = b.opt;
  Layer& l = b.l;
  c.channels_last();
  const auto [ph, pw] = c.pair("pool_size", 1, limits::kMaxWindow, std::pair{2, 2});
  const auto [sh, sw] = c.pair("strides", 1, limits::kMaxWindow, std::pair{ph, pw});
  const bool same = c.padding_same();
  c.finish();
  l.g = make_geom(c.where().c_str(), l.in.h, l.in.w, l.in.c, ph, pw, sh, sw, 1, 1, same, l.in.c, 1);
  l.op = op;
  l.out = {l.g.out_h, l.g.out_w, l.in.c, 3};
}
void max_pool(LayerBuild& b) { pool(b, Op::MaxPool); }
void avg_pool(LayerBuild& b) { pool(b, Op::AvgPool); }

void global_avg_pool(LayerBuild& b) {
  need_rank3(b);
  b.opt.channels_last();
  const bool keep = b.opt.boolean("keepdims", false);
  b.opt.finish();
  b.l.op = Op::GlobalAvgPool;
  b.l.out = keep ? Shape{1, 1, b.l.in.c, 3} : Shape{1, 1, b.l.in.c, 1};
}

void flatten(LayerBuild& b) {
  b.opt.channels_last();
  b.opt.finish();
  b.l.op = Op::Identity;
  b.l.out = {1, 1, int(b.l.in.size()), 1};
}

void reshape(LayerBuild& b) {
  LayerOptions& c = b.opt;
  Layer& l = b.l;
  const Value* t = c.get("target_shape");
  c.finish();
  if (!t || !t->is_array() || t->array().empty() || t->array().size() > 3)
    c.bad("target_shape", "must be a list of 1 to 3 sizes");
  std::vector<int> d;
  int unknown = -1;
  std::size_t known = 1;
  for (std::size_t i = 0; i < t->array().size(); ++i) {
    const Value& x = t->array()[i];
    if (x.is_number() && x.number() == -1 && unknown < 0) {
      unknown = int(i);
      d.push_back(1);
      continue;
    }
    d.push_back(c.integer(x, "target_shape", 1, int(limits::kMaxElements)));
    known *= std::size_t(d.back());
  }
  const std::size_t n = l.in.size();
  if (unknown >= 0 && known > 0 && n % known == 0) d[unknown] = int(n / known);
  std::size_t count = 1;
  for (int v : d) count *= std::size_t(v);
  if (count != n)
    range_error(c.where() + ": target_shape does not match the " + std::to_string(n) + " elements of input " + l.in.str());
  l.op = Op::Identity;
  l.out.rank = int(d.size());
  if (d.size() == 1) l.out.c = d[0];
  if (d.size() == 2) l.out.w = d[0], l.out.c = d[1];
  if (d.size() == 3) l.out.h = d[0], l.out.w = d[1], l.out.c = d[2];
}

void zero_padding(LayerBuild& b) {
  need_rank3(b);
  LayerOptions& c = b.opt;
  Layer& l = b.l;
  c.channels_last();
  const Value* p = c.get("padding");
  c.finish();
  int t = 1, bo = 1, lft = 1, rt = 1;
  auto iv = [&](const Value& v) { return c.integer(v, "padding", 0, limits::kMaxPadding); };
  if (p && p->is_number()) {
    t = bo = lft = rt = iv(*p);
  } else if (p && p->is_array() && p->array().size() == 2 && p->array()[0].is_number()) {
    t = bo = iv(p->array()[0]);
    lft = rt = iv(p->array()[1]);
  } else if (p && p->is_array() && p->array().size() == 2 && p->array()[0].is_array() &&
             p->array()[0].array().size() == 2 && p->array()[1].is_array() && p->array()[1].array().size() == 2) {
    t = iv(p->array()[0].array()[0]), bo = iv(p->array()[0].array()[1]);
    lft = iv(p->array()[1].array()[0]), rt = iv(p->array()[1].array()[1]);
  } else if (p) {
    c.bad("padding", "must be an integer, [h, w] or [[top, bottom], [left, right]]");
  }
  l.op = Op::ZeroPad;
  l.pad_t = t, l.pad_b = bo, l.pad_l = lft, l.pad_r = rt;
  l.out = {l.in.h + t + bo, l.in.w + lft + rt, l.in.c, 3};
  if (l.out.h > limits::kMaxSide || l.out.w > limits::kMaxSide || double(l.out.size()) > limits::kMaxElements)
    range_error(c.where() + ": padded output too large");
}

// Multiplies the out-channel columns of a conv/dense kernel by s and maps the bias:
// BN(x) = (x - mean) * s + beta with s = gamma / sqrt(var + eps).
void fold_batchnorm(Layer& prev, const std::vector<float>& s, const std::vector<float>& shift) {
  const int oc = prev.out.c;
  float* k = prev.kernel.as<float>();
  const std::size_t n = prev.kernel.size() / sizeof(float);
  for (std::size_t i = 0; i < n; ++i) k[i] *= s[i % oc];
  if (!prev.has_bias) {
    prev.bias.resize(oc * sizeof(float));
    std::fill(prev.bias.as<float>(), prev.bias.as<float>() + oc, 0.f);
    prev.has_bias = true;
  }
  float* bias = prev.bias.as<float>();
  for (int c = 0; c < oc; ++c) bias[c] = bias[c] * s[c] + shift[c];
}

void batch_norm(LayerBuild& b) {
  LayerOptions& c = b.opt;
  Layer& l = b.l;
  const std::string& where = c.where();
  const Value* ax = c.get("axis");
  if (ax && ax->is_array() && ax->array().size() == 1) ax = &ax->array()[0];
  if (ax) {
    const int a = c.integer(*ax, "axis", -4, 3);
    if (a != -1 && a != l.in.rank) c.bad("axis", std::to_string(a) + " is not supported (only the channel axis, -1)");
  }
  const double eps = c.number("epsilon", 1e-3);
  if (!(eps >= 0) || !std::isfinite(eps)) c.bad("epsilon", "must be a finite number >= 0");
  const bool center = c.boolean("center", true), scale = c.boolean("scale", true);
  c.finish();
  const int ch = l.in.c;
  std::vector<float> gamma(ch, 1.f), beta(ch, 0.f);
  if (scale) gamma = b.weights.take(where, b.name, "gamma", {ch});
  if (center) beta = b.weights.take(where, b.name, "beta", {ch});
  const auto& mean = b.weights.take(where, b.name, "moving_mean", {ch});
  const auto& var = b.weights.take(where, b.name, "moving_variance", {ch});
  std::vector<float> s(ch), shift(ch);
  for (int i = 0; i < ch; ++i) {
    if (var[i] + eps < 0) range_error(where + ": moving_variance + epsilon is negative at channel " + std::to_string(i));
    s[i] = float(gamma[i] / std::sqrt(double(var[i]) + eps));
    shift[i] = float(beta[i] - double(mean[i]) * s[i]);
    if (!std::isfinite(s[i]) || !std::isfinite(shift[i]))
      range_error(where + ": scale is not finite at channel " + std::to_string(i) + " (variance + epsilon is 0?)");
  }
  l.info.params = std::size_t(ch) * (2 + scale + center);
  l.out = l.in;
  // Fold into the conv/dense just before it when that layer's output goes straight here:
  // (x*s0 + ...)*s + (b - mean)*s + beta = x*(w*s) + (b*s + shift).
  Layer* prev = b.layers.size() < 2 ? nullptr : &b.layers[b.layers.size() - 2];
  if (prev && (prev->op == Op::Conv2D || prev->op == Op::Depthwise || prev->op == Op::Dense) &&
      prev->act == Act::Linear) {
    fold_batchnorm(*prev, s, shift);
    l.op = Op::Identity;
  } else {
    l.op = Op::ScaleShift;
    set_buffer(l.scale, s.data(), ch);
    set_buffer(l.shift, shift.data(), ch);
  }
}

void identity(LayerBuild& b) {  // Dropout and noise layers: training only
  b.opt.finish();
  b.l.op = Op::Identity;
  b.l.out = b.l.in;
}

void activation_layer(LayerBuild& b) {
  std::tie(b.l.act, b.l.alpha) = b.opt.activation();
  if (!b.opt.get("activation")) b.opt.bad("activation", "is required");
  b.opt.finish();
  b.l.op = Op::Activation;
  b.l.out = b.l.in;
}

void relu(LayerBuild& b) {
  LayerOptions& c = b.opt;
  const double mx = c.number("max_value", -1);
  if (c.number("negative_slope", 0) != 0) c.bad("negative_slope", "other than 0 is not supported");
  if (c.number("threshold", 0) != 0) c.bad("threshold", "other than 0 is not supported");
  c.finish();
  if (mx != -1 && mx != 6) c.bad("max_value", "other than none or 6 is not supported");
  b.l.op = Op::Activation;
  b.l.act = mx == 6 ? Act::Relu6 : Act::Relu;
  b.l.out = b.l.in;
}

void leaky_relu(LayerBuild& b) {
  const double a = b.opt.number("alpha", b.opt.number("negative_slope", 0.3));
  b.opt.finish();
  b.l.op = Op::Activation;
  b.l.act = Act::LeakyRelu;
  b.l.alpha = float(a);
  b.l.out = b.l.in;
}

void softmax(LayerBuild& b) {
  const Value* ax = b.opt.get("axis");
  if (ax && !(ax->is_number() && ax->number() == -1)) b.opt.bad("axis", "must be -1");
  b.opt.finish();
  b.l.op = Op::Activation;
  b.l.act = Act::Softmax;
  b.l.out = b.l.in;
}

struct BuilderRow {
  std::string_view class_name;
  LayerBuilder build;
};
constexpr BuilderRow kBuilders[] = {
    {"Conv2D", conv2d},
    {"DepthwiseConv2D", depthwise_conv2d},
    {"Dense", dense},
    {"MaxPooling2D", max_pool},
    {"AveragePooling2D", avg_pool},
    {"GlobalAveragePooling2D", global_avg_pool},
    {"Flatten", flatten},
    {"Reshape", reshape},
    {"ZeroPadding2D", zero_padding},
    {"BatchNormalization", batch_norm},
    {"Dropout", identity},
    {"SpatialDropout2D", identity},
    {"GaussianNoise", identity},
    {"GaussianDropout", identity},
    {"Activation", activation_layer},
    {"ReLU", relu},
    {"LeakyReLU", leaky_relu},
    {"Softmax", softmax},
};

}  // namespace

LayerBuilder layer_builder(std::string_view class_name) {
  for (const BuilderRow& r : kBuilders)
    if (r.class_name == class_name) return r.build;
  return nullptr;
}
}  // namespace convolens::nn::tfjs
