#include "nn/tfjs_options.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "core/number_text.h"

namespace convolens::nn::tfjs {

using json::Value;

namespace {
// Options every layer may carry that do not change inference.
constexpr std::string_view kIgnored[] = {
    "name", "trainable", "dtype", "batch_input_shape", "batch_shape", "batch_size", "input_dim", "input_shape",
    "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
    "kernel_constraint", "bias_constraint", "depthwise_initializer", "depthwise_regularizer", "depthwise_constraint",
    "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
    "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint", "momentum", "seed",
    "noise_shape", "rate", "sparse", "ragged", "synchronized", "renorm", "renorm_clipping", "renorm_momentum",
    "fused", "virtual_batch_size", "adjustment", "build_config", "module", "registered_name"};
}  // namespace

void type_error(const std::string& message) { throw TypeError(message); }
void range_error(const std::string& message) { throw RangeError(message); }

void LayerOptions::bad(const std::string& opt, const std::string& why) const {
  throw TypeError(where_ + ": option '" + opt + "' " + why);
}

const Value* LayerOptions::get(const std::string& k) {
  seen_.push_back(k);
  const Value* v = cfg_.find(k);
  return v && !v->is_null() ? v : nullptr;
}

int LayerOptions::integer(const Value& v, const std::string& k, int lo, int hi) const {
  if (!v.is_number() || v.number() != std::floor(v.number()))
    bad(k, std::string("must be an integer, got ") + Value::kind_name(v.kind()));
  if (v.number() < lo || v.number() > hi)
    throw RangeError(where_ + ": option '" + k + "' must be " + std::to_string(lo) + ".." + std::to_string(hi) +
                     ", got " + format_number(v.number()));
  return int(v.number());
}

int LayerOptions::integer(const std::string& k, int lo, int hi, std::optional<int> def) {
  const Value* v = get(k);
  if (!v) {
    if (def) return *def;
    bad(k, "is required");
  }
  return integer(*v, k, lo, hi);
}

double LayerOptions::number(const std::string& k, double def) {
  const Value* v = get(k);
  if (!v) return def;
  if (!v->is_number()) bad(k, "must be a number");
  return v->number();
}

bool LayerOptions::boolean(const std::string& k, bool def) {
  const Value* v = get(k);
  if (!v) return def;
  if (!v->is_bool()) bad(k, "must be true or false");
  return v->boolean();
}

std::string LayerOptions::string(const std::string& k, const std::string& def) {
  const Value* v = get(k);
  if (!v) return def;
  if (!v->is_string()) bad(k, "must be a string");
  return v->string();
}

std::pair<int, int> LayerOptions::pair(const std::string& k, int lo, int hi, std::optional<std::pair<int, int>> def) {
  const Value* v = get(k);
  if (!v) {
    if (def) return *def;
    bad(k, "is required");
  }
  if (v->is_number()) {
    const int x = integer(*v, k, lo, hi);
    return {x, x};
  }
  if (!v->is_array() || v->array().size() != 2) bad(k, "must be an integer or a list of 2 integers");
  return {integer(v->array()[0], k, lo, hi), integer(v->array()[1], k, lo, hi)};
}

void LayerOptions::channels_last() {
  const std::string f = string("data_format", "channels_last");
  if (f != "channels_last") bad("data_format", "'" + f + "' is not supported (only channels_last)");
}

bool LayerOptions::padding_same() {
  const std::string p = string("padding", "valid");
  if (p == "same") return true;
  if (p != "valid") bad("padding", "'" + p + "' is not supported (valid or same)");
  return false;
}

std::pair<Act, float> LayerOptions::activation(const std::string& k) {
  const Value* v = get(k);
  if (!v) return {Act::Linear, 0.f};
  // Keras 3 writes {"module": "keras.activations", "class_name": "function", "config": "relu"}.
  if (v->is_object()) {
    const Value* c = v->find("config");
    if (c && c->is_string()) v = c;
  }
  if (!v->is_string()) bad(k, "must be a string");
  const std::string& s = v->string();
  if (s == "linear") return {Act::Linear, 0.f};
  if (s == "relu") return {Act::Relu, 0.f};
  if (s == "relu6") return {Act::Relu6, 0.f};
  if (s == "leaky_relu") return {Act::LeakyRelu, 0.2f};  // Keras default negative_slope
  if (s == "elu") return {Act::Elu, 1.f};
  if (s == "sigmoid") return {Act::Sigmoid, 0.f};
  if (s == "tanh") return {Act::Tanh, 0.f};
  if (s == "softmax") return {Act::Softmax, 0.f};
  bad(k, "'" + s + "' is not supported (linear, relu, relu6, leaky_relu, elu, sigmoid, tanh, softmax)");
}

void LayerOptions::finish() const {
  for (const auto& [k, v] : cfg_.members())
    if (std::find(seen_.begin(), seen_.end(), k) == seen_.end() &&
        std::find(std::begin(kIgnored), std::end(kIgnored), k) == std::end(kIgnored))
      throw TypeError(where_ + ": unsupported option '" + k + "'");
}

}  // namespace convolens::nn::tfjs
