// Model::from_tfjs: reads a TF.js Layers model (model.json + weight bytes) into a layer chain.
// Everything in the file is validated; errors name the layer (and option or weight) at fault.
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <algorithm>

#include "core/errors.h"
#include "core/number_text.h"
#include "nn/json.h"
#include "nn/model_impl.h"

// Loading runs once per model: this file is optimised for size (it is a third of the nn code).
#if defined(__clang__)
#pragma clang attribute push(__attribute__((minsize)), apply_to = function)
#endif

namespace convolens::nn {
namespace {

using json::Value;

constexpr std::size_t kMaxLayers = 1000;
constexpr double kMaxWeights = double(1 << 26);  // floats in all weights together (256 MB)

[[noreturn]] void type_error(const std::string& m) { throw TypeError(m); }
[[noreturn]] void range_error(const std::string& m) { throw RangeError(m); }

// Options every layer may carry that do not change inference.
constexpr std::string_view kIgnored[] = {
    "name", "trainable", "dtype", "batch_input_shape", "batch_shape", "batch_size", "input_dim", "input_shape",
    "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
    "kernel_constraint", "bias_constraint", "depthwise_initializer", "depthwise_regularizer", "depthwise_constraint",
    "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
    "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint", "momentum", "seed",
    "noise_shape", "rate", "sparse", "ragged", "synchronized", "renorm", "renorm_clipping", "renorm_momentum",
    "fused", "virtual_batch_size", "adjustment", "build_config", "module", "registered_name"};

// One layer's config: typed getters that record what was read, so leftovers can be reported.
class Config {
 public:
  Config(const Value& cfg, std::string name, std::string cls) : cfg_(cfg), name_(std::move(name)), cls_(std::move(cls)) {}
  std::string where() const { return "layer '" + name_ + "' (" + cls_ + ")"; }
  [[noreturn]] void bad(const std::string& opt, const std::string& why) const {
    type_error(where() + ": option '" + opt + "' " + why);
  }
  const Value* get(const std::string& k) {
    seen_.push_back(k);
    const Value* v = cfg_.find(k);
    return v && !v->is_null() ? v : nullptr;
  }
  int integer(const Value& v, const std::string& k, int lo, int hi) const {
    if (!v.is_number() || v.number() != std::floor(v.number()))
      bad(k, std::string("must be an integer, got ") + Value::kind_name(v.kind()));
    if (v.number() < lo || v.number() > hi)
      throw RangeError(where() + ": option '" + k + "' must be " + std::to_string(lo) + ".." + std::to_string(hi) +
                       ", got " + format_number(v.number()));
    return int(v.number());
  }
  int integer(const std::string& k, int lo, int hi, std::optional<int> def = {}) {
    const Value* v = get(k);
    if (!v) {
      if (def) return *def;
      bad(k, "is required");
    }
    return integer(*v, k, lo, hi);
  }
  double number(const std::string& k, double def) {
    const Value* v = get(k);
    if (!v) return def;
    if (!v->is_number()) bad(k, "must be a number");
    return v->number();
  }
  bool boolean(const std::string& k, bool def) {
    const Value* v = get(k);
    if (!v) return def;
    if (!v->is_bool()) bad(k, "must be true or false");
    return v->boolean();
  }
  std::string string(const std::string& k, const std::string& def) {
    const Value* v = get(k);
    if (!v) return def;
    if (!v->is_string()) bad(k, "must be a string");
    return v->string();
  }
  // An int or a list of two ints (kernel_size, strides, ...).
  std::pair<int, int> pair(const std::string& k, int lo, int hi, std::optional<std::pair<int, int>> def = {}) {
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
  void channels_last() {
    const std::string f = string("data_format", "channels_last");
    if (f != "channels_last") bad("data_format", "'" + f + "' is not supported (only channels_last)");
  }
  bool padding_same() {
    const std::string p = string("padding", "valid");
    if (p == "same") return true;
    if (p != "valid") bad("padding", "'" + p + "' is not supported (valid or same)");
    return false;
  }
  std::pair<Act, float> activation(const std::string& k = "activation") {
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
  void finish() const {
    for (const auto& [k, v] : cfg_.members())
      if (std::find(seen_.begin(), seen_.end(), k) == seen_.end() &&
          std::find(std::begin(kIgnored), std::end(kIgnored), k) == std::end(kIgnored))
        type_error(where() + ": unsupported option '" + k + "'");
  }

 private:
  const Value& cfg_;
  std::string name_, cls_;
  std::vector<std::string> seen_;  // options read (a handful: a vector beats a set in code size)
};

const Value& member(const Value& o, const char* k, const char* where) {
  const Value* v = o.is_object() ? o.find(k) : nullptr;
  if (!v) type_error(std::string(where) + ": missing \"" + k + "\"");
  return *v;
}

// ---- weights ------------------------------------------------------------------------------
struct WeightEntry {
  std::string name;
  std::vector<int> shape;
  std::vector<float> data;
  bool used = false;
};

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t(h & 0x8000) << 16;
  const int exp = (h >> 10) & 31;
  std::uint32_t mant = h & 0x3FF, bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while (!(mant & 0x400));
      bits = sign | std::uint32_t(127 - 15 - e) << 23 | (mant & 0x3FF) << 13;
    }
  } else if (exp == 31) {
    bits = sign | 0x7F800000u | mant << 13;
  } else {
    bits = sign | std::uint32_t(exp - 15 + 127) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

std::vector<WeightEntry> read_weights(const Value& manifest, std::span<const std::uint8_t> bytes) {
  if (!manifest.is_array()) type_error("model.json: \"weightsManifest\" must be an array");
  std::vector<WeightEntry> out;
  std::size_t off = 0;
  double total = 0;
  for (const Value& group : manifest.array()) {
    const Value& specs = member(group, "weights", "model.json: weightsManifest group");
    if (!specs.is_array()) type_error("model.json: weightsManifest \"weights\" must be an array");
    for (const Value& s : specs.array()) {
      WeightEntry e;
      const Value& name = member(s, "name", "model.json: weight spec");
      if (!name.is_string()) type_error("model.json: weight name must be a string");
      e.name = name.string();
      const std::string where = "weight '" + e.name + "'";
      const Value& shape = member(s, "shape", where.c_str());
      if (!shape.is_array() || shape.array().size() > 6) type_error(where + ": shape must be a list of at most 6 sizes");
      double n = 1;
      for (const Value& d : shape.array()) {
        if (!d.is_number() || d.number() != std::floor(d.number()) || d.number() < 0 || d.number() > (1 << 26))
          range_error(where + ": shape entries must be integers 0..2^26");
        e.shape.push_back(int(d.number()));
        n *= d.number();
      }
      total += n;
      if (n > kMaxWeights || total > kMaxWeights) range_error(where + ": more than 2^26 weights in the model");
      const Value* dt = s.find("dtype");
      const std::string dtype = dt && dt->is_string() ? dt->string() : "float32";
      if (dtype != "float32") type_error(where + ": dtype '" + dtype + "' is not supported (float32)");
      std::string q = "float32";
      double scale = 1, minv = 0;
      if (const Value* qv = s.find("quantization"); qv && !qv->is_null()) {
        const Value& qd = member(*qv, "dtype", (where + " quantization").c_str());
        if (!qd.is_string()) type_error(where + ": quantization dtype must be a string");
        q = qd.string();
        if (q == "uint8" || q == "uint16") {
          const Value& sc = member(*qv, "scale", (where + " quantization").c_str());
          const Value& mn = member(*qv, "min", (where + " quantization").c_str());
          if (!sc.is_number() || !mn.is_number()) type_error(where + ": quantization scale/min must be numbers");
          scale = sc.number(), minv = mn.number();
        } else if (q != "float16") {
          type_error(where + ": quantization dtype '" + q + "' is not supported (uint8, uint16, float16)");
        }
      }
      const std::size_t count = std::size_t(n);
      const std::size_t esize = q == "float32" ? 4 : q == "uint8" ? 1 : 2;
      if (bytes.size() - off < count * esize || off > bytes.size())
        range_error(where + ": weight data truncated: needs " + std::to_string(count * esize) + " bytes at offset " +
                    std::to_string(off) + ", only " + std::to_string(bytes.size()) + " bytes given");
      e.data.resize(count);
      const std::uint8_t* p = bytes.data() + off;
      for (std::size_t i = 0; i < count; ++i) {
        float v;
        if (q == "float32") {
          std::memcpy(&v, p + 4 * i, 4);
        } else if (q == "uint8") {
          v = float(p[i] * scale + minv);
        } else {
          std::uint16_t h;
          std::memcpy(&h, p + 2 * i, 2);
          v = q == "uint16" ? float(h * scale + minv) : half_to_float(h);
        }
        if (!std::isfinite(v)) range_error(where + ": value " + std::to_string(i) + " is not finite");
        e.data[i] = v;
      }
      off += count * esize;
      for (const auto& o : out)
        if (o.name == e.name) type_error(where + ": listed twice in the weights manifest");
      out.push_back(std::move(e));
    }
  }
  if (off != bytes.size())
    range_error("weight data has " + std::to_string(bytes.size() - off) + " surplus bytes: the manifest describes " +
                std::to_string(off) + " bytes, " + std::to_string(bytes.size()) + " given");
  return out;
}

class WeightTable {
 public:
  explicit WeightTable(std::vector<WeightEntry> w) : w_(std::move(w)) {}
  // The weight named "<layer>/<param>" (possibly under a model prefix "outer/<layer>/<param>").
  const std::vector<float>& take(const std::string& where, const std::string& layer, const std::string& param,
                                 const std::vector<int>& shape) {
    const std::string key = layer + "/" + param;
    WeightEntry* hit = nullptr;
    for (auto& e : w_)
      if (e.name == key || (e.name.size() > key.size() && e.name.ends_with("/" + key))) {
        hit = &e;
        if (e.name == key) break;
      }
    if (!hit) type_error(where + ": weight '" + key + "' is missing from the weights manifest");
    if (hit->used) type_error(where + ": weight '" + hit->name + "' is used twice");
    if (hit->shape != shape) {
      auto s = [](const std::vector<int>& v) {
        std::string r = "[";
        for (std::size_t i = 0; i < v.size(); ++i) {
          if (i) r += ',';
          r += std::to_string(v[i]);
        }
        return r + "]";
      };
      range_error(where + ": weight '" + hit->name + "' has shape " + s(hit->shape) + ", expected " + s(shape));
    }
    hit->used = true;
    return hit->data;
  }
  void check_all_used() const {
    for (const auto& e : w_)
      if (!e.used) type_error("weight '" + e.name + "' in the manifest belongs to no layer of the model");
  }

 private:
  std::vector<WeightEntry> w_;
};

// ---- topology -----------------------------------------------------------------------------
struct RawLayer {
  std::string cls, name;
  const Value* cfg;
};

std::string layer_name(const Value& l, std::size_t i) {
  const Value* c = l.find("config");
  const Value* n = c && c->is_object() ? c->find("name") : nullptr;
  if (!n) n = l.find("name");
  if (n && n->is_string()) return n->string();
  std::string r = "#";
  return r += std::to_string(i);
}

// Names of the layers feeding layer l (Functional models), in Keras 2 or Keras 3 form.
std::vector<std::string> inbound(const Value& l, const std::string& where) {
  std::vector<std::string> r;
  const Value* nodes = l.find("inbound_nodes");
  if (!nodes || !nodes->is_array()) return r;
  if (nodes->array().size() > 1) type_error(where + ": layer is shared (called more than once); only single chains are supported");
  for (const Value& node : nodes->array()) {
    if (node.is_array()) {  // [[name, node_index, tensor_index, kwargs], ...]
      for (const Value& t : node.array())
        if (t.is_array() && !t.array().empty() && t.array()[0].is_string()) r.push_back(t.array()[0].string());
        else type_error(where + ": malformed inbound_nodes");
    } else if (node.is_object()) {  // Keras 3: {"args": [{"config": {"keras_history": [name, 0, 0]}}]}
      const Value* args = node.find("args");
      if (!args || !args->is_array()) type_error(where + ": malformed inbound_nodes");
      for (const Value& a : args->array()) {
        const Value* c = a.is_object() ? a.find("config") : nullptr;
        const Value* h = c && c->is_object() ? c->find("keras_history") : nullptr;
        if (!h || !h->is_array() || h->array().empty() || !h->array()[0].is_string())
          type_error(where + ": inbound_nodes argument is not a single tensor");
        r.push_back(h->array()[0].string());
      }
    } else {
      type_error(where + ": malformed inbound_nodes");
    }
  }
  return r;
}

// The model's layers in execution order, checked to form one chain.
std::vector<RawLayer> chain(const Value& topology) {
  const Value* model = &topology;
  if (const Value* mc = topology.find("model_config")) model = mc;  // tensorflowjs_converter's wrapper
  const Value& cls = member(*model, "class_name", "model.json: modelTopology");
  if (!cls.is_string()) type_error("model.json: modelTopology class_name must be a string");
  const Value& cfg = member(*model, "config", "model.json: modelTopology");
  const Value* layers = cfg.is_array() ? &cfg : cfg.find("layers");
  if (!layers || !layers->is_array()) type_error("model.json: modelTopology config has no \"layers\" list");
  if (layers->array().size() > kMaxLayers) range_error("model.json: more than 1000 layers");
  std::vector<RawLayer> raw;
  for (std::size_t i = 0; i < layers->array().size(); ++i) {
    const Value& l = layers->array()[i];
    const Value* c = l.find("class_name");
    if (!c || !c->is_string()) type_error("model.json: layer #" + std::to_string(i) + " has no class_name");
    const Value* lc = l.find("config");
    if (!lc || !lc->is_object()) type_error("model.json: layer #" + std::to_string(i) + " has no config object");
    raw.push_back({c->string(), layer_name(l, i), lc});
  }
  const std::string& kind = cls.string();
  if (kind == "Sequential") return raw;
  if (kind != "Model" && kind != "Functional")
    type_error("model.json: model class '" + kind + "' is not supported (Sequential, Model, Functional)");
  // Functional: follow the links from the input; every layer must feed exactly the next one.
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < raw.size(); ++i)
    if (!index.emplace(raw[i].name, i).second) type_error("model.json: two layers are named '" + raw[i].name + "'");
  std::vector<int> next(raw.size(), -1);
  int first = -1;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string where = "layer '" + raw[i].name + "' (" + raw[i].cls + ")";
    const auto in = inbound(layers->array()[i], where);
    if (in.empty()) {
      if (first >= 0) type_error("model.json: more than one input (" + raw[first].name + ", " + raw[i].name + "): only single chains are supported");
      first = int(i);
      continue;
    }
    if (in.size() > 1) type_error(where + ": has " + std::to_string(in.size()) + " inputs; only single chains are supported");
    auto it = index.find(in[0]);
    if (it == index.end()) type_error(where + ": input layer '" + in[0] + "' does not exist");
    if (next[it->second] >= 0) type_error("layer '" + in[0] + "' feeds more than one layer; only single chains are supported");
    next[it->second] = int(i);
  }
  if (first < 0) type_error("model.json: the model has no input layer");
  std::vector<RawLayer> order;
  for (int i = first; i >= 0; i = next[i]) {
    if (order.size() > raw.size()) type_error("model.json: layer links form a cycle");
    order.push_back(raw[i]);
  }
  if (order.size() != raw.size()) type_error("model.json: not every layer is on the chain from the input to the output");
  return order;
}

std::size_t count(const std::vector<int>& s) {
  std::size_t n = 1;
  for (int d : s) n *= std::size_t(d);
  return n;
}

void set_buffer(Buffer& b, const float* src, std::size_t n) {
  b.resize(n * sizeof(float));
  std::memcpy(b.data(), src, n * sizeof(float));
}

Shape shape_from_batch_shape(const Value& v, const std::string& where) {
  if (!v.is_array() || v.array().size() < 2 || v.array().size() > 4)
    type_error(where + ": input shape must be [batch, ...] with 1 to 3 dimensions");
  std::vector<int> d;
  for (std::size_t i = 1; i < v.array().size(); ++i) {
    const Value& x = v.array()[i];
    if (!x.is_number() || x.number() != std::floor(x.number()) || x.number() < 1 || x.number() > 16384)
      range_error(where + ": input dimensions must be integers 1..16384 (no unknown sizes)");
    d.push_back(int(x.number()));
  }
  Shape s;
  s.rank = int(d.size());
  if (s.rank == 1) s.c = d[0];
  if (s.rank == 2) s.w = d[0], s.c = d[1];
  if (s.rank == 3) s.h = d[0], s.w = d[1], s.c = d[2];
  if (double(s.size()) > double(1 << 26)) range_error(where + ": input larger than 2^26 elements");
  return s;
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
  float* b = prev.bias.as<float>();
  for (int c = 0; c < oc; ++c) b[c] = b[c] * s[c] + shift[c];
}

void pack(Layer& l, int rows) {
  l.packed_stride = packed_conv_stride(l.out.c);
  l.packed.resize(std::size_t(rows) * l.packed_stride * sizeof(float));
  pack_conv_kernel(l.kernel.as<float>(), rows, l.out.c, l.packed.as<float>());
}

}  // namespace

Model Model::from_tfjs(std::string_view model_json, std::span<const std::uint8_t> weight_bytes) {
  const Value root = json::parse(model_json);
  if (!root.is_object()) type_error("model.json: expected a JSON object");
  const Value* topo = root.find("modelTopology");
  if (!topo) type_error("model.json: missing \"modelTopology\" (is this a TF.js Layers model? graph models are not supported)");
  if (!topo->is_object()) type_error("model.json: \"modelTopology\" must be an object");
  const Value* manifest = root.find("weightsManifest");
  WeightTable weights(manifest ? read_weights(*manifest, weight_bytes) : std::vector<WeightEntry>{});
  if (!manifest && !weight_bytes.empty()) range_error("weight data given but model.json has no weightsManifest");

  const auto raw = chain(*topo);
  Model model;
  ModelImpl& m = *model.impl_;
  m.layers.reserve(raw.size());
  bool have_input = false;
  Shape cur;

  for (std::size_t li = 0; li < raw.size(); ++li) {
    const RawLayer& r = raw[li];
    Config c(*r.cfg, r.name, r.cls);
    const std::string where = c.where();
    // The input shape comes from an InputLayer or the first layer's batch_input_shape.
    if (!have_input) {
      const Value* bis = c.get("batch_input_shape");
      if (!bis) bis = c.get("batch_shape");
      if (!bis) {
        if (r.cls == "InputLayer") type_error(where + ": missing batch_input_shape");
        type_error(where + ": the first layer must give the input shape (batch_input_shape)");
      }
      cur = shape_from_batch_shape(*bis, where);
      m.input = cur;
      have_input = true;
    }
    if (r.cls == "InputLayer") {
      if (li != 0) type_error(where + ": InputLayer must come first");
      c.finish();
      continue;
    }

    // Built in place: Buffer's move constructor drops capacity_ (src/core/buffer.h), so
    // layers are never moved (reserved below).
    Layer& l = m.layers.emplace_back();
    l.info.name = r.name;
    l.info.class_name = r.cls;
    l.in = cur;
    auto need_rank3 = [&] {
      if (cur.rank != 3) range_error(where + ": needs an input of shape [h,w,c], got " + cur.str());
    };

    if (r.cls == "Conv2D" || r.cls == "DepthwiseConv2D") {
      need_rank3();
      const bool dw = r.cls == "DepthwiseConv2D";
      c.channels_last();
      const auto [kh, kw] = c.pair("kernel_size", 1, 1024);
      const auto [sh, sw] = c.pair("strides", 1, 1024, std::pair{1, 1});
      const auto [dh, dwl] = c.pair("dilation_rate", 1, 1024, std::pair{1, 1});
      const bool same = c.padding_same();
      const int filters = dw ? 0 : c.integer("filters", 1, 16384);
      const int mult = dw ? c.integer("depth_multiplier", 1, 1024, 1) : 1;
      if (!dw && c.integer("groups", 1, 1, 1) != 1) c.bad("groups", "must be 1");
      std::tie(l.act, l.alpha) = c.activation();
      l.has_bias = c.boolean("use_bias", true);
      c.finish();
      const int oc = dw ? cur.c * mult : filters;
      l.g = make_geom(where.c_str(), cur.h, cur.w, cur.c, kh, kw, sh, sw, dh, dwl, same, oc, mult);
      l.op = dw ? Op::Depthwise : Op::Conv2D;
      l.out = {l.g.out_h, l.g.out_w, oc, 3};
      l.file_shape = {kh, kw, cur.c, dw ? mult : filters};
      const auto& k = weights.take(where, r.name, dw ? "depthwise_kernel" : "kernel", l.file_shape);
      set_buffer(l.kernel, k.data(), k.size());
      set_buffer(l.file_weights, k.data(), k.size());
      l.info.params = k.size();
      if (l.has_bias) {
        const auto& b = weights.take(where, r.name, "bias", {oc});
        set_buffer(l.bias, b.data(), b.size());
        l.info.params += b.size();
      }
    } else if (r.cls == "Dense") {
      const int units = c.integer("units", 1, 1 << 20);
      std::tie(l.act, l.alpha) = c.activation();
      l.has_bias = c.boolean("use_bias", true);
      c.finish();
      if (double(units) * cur.c > kMaxWeights) range_error(where + ": kernel larger than 2^26 weights");
      l.op = Op::Dense;
      l.out = cur;
      l.out.c = units;
      if (double(l.out.size()) > double(1 << 26)) range_error(where + ": output larger than 2^26 elements");
      l.file_shape = {cur.c, units};
      const auto& k = weights.take(where, r.name, "kernel", l.file_shape);
      set_buffer(l.kernel, k.data(), k.size());
      set_buffer(l.file_weights, k.data(), k.size());
      l.info.params = k.size();
      if (l.has_bias) {
        const auto& b = weights.take(where, r.name, "bias", {units});
        set_buffer(l.bias, b.data(), b.size());
        l.info.params += b.size();
      }
    } else if (r.cls == "MaxPooling2D" || r.cls == "AveragePooling2D") {
      need_rank3();
      c.channels_last();
      const auto [ph, pw] = c.pair("pool_size", 1, 1024, std::pair{2, 2});
      const auto [sh, sw] = c.pair("strides", 1, 1024, std::pair{ph, pw});
      const bool same = c.padding_same();
      c.finish();
      l.g = make_geom(where.c_str(), cur.h, cur.w, cur.c, ph, pw, sh, sw, 1, 1, same, cur.c, 1);
      l.op = r.cls == "MaxPooling2D" ? Op::MaxPool : Op::AvgPool;
      l.out = {l.g.out_h, l.g.out_w, cur.c, 3};
    } else if (r.cls == "GlobalAveragePooling2D") {
      need_rank3();
      c.channels_last();
      const bool keep = c.boolean("keepdims", false);
      c.finish();
      l.op = Op::GlobalAvgPool;
      l.out = keep ? Shape{1, 1, cur.c, 3} : Shape{1, 1, cur.c, 1};
    } else if (r.cls == "Flatten") {
      c.channels_last();
      c.finish();
      l.op = Op::Identity;
      l.out = {1, 1, int(cur.size()), 1};
    } else if (r.cls == "Reshape") {
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
        d.push_back(c.integer(x, "target_shape", 1, 1 << 26));
        known *= std::size_t(d.back());
      }
      if (unknown >= 0 && known > 0 && cur.size() % known == 0) d[unknown] = int(cur.size() / known);
      if (count(d) != cur.size())
        range_error(where + ": target_shape does not match the " + std::to_string(cur.size()) + " elements of input " + cur.str());
      l.op = Op::Identity;
      l.out.rank = int(d.size());
      if (d.size() == 1) l.out.c = d[0];
      if (d.size() == 2) l.out.w = d[0], l.out.c = d[1];
      if (d.size() == 3) l.out.h = d[0], l.out.w = d[1], l.out.c = d[2];
    } else if (r.cls == "ZeroPadding2D") {
      need_rank3();
      c.channels_last();
      const Value* p = c.get("padding");
      c.finish();
      int t = 1, b = 1, lft = 1, rt = 1;
      auto iv = [&](const Value& v) { return c.integer(v, "padding", 0, 4096); };
      if (p && p->is_number()) {
        t = b = lft = rt = iv(*p);
      } else if (p && p->is_array() && p->array().size() == 2 && p->array()[0].is_number()) {
        t = b = iv(p->array()[0]);
        lft = rt = iv(p->array()[1]);
      } else if (p && p->is_array() && p->array().size() == 2 && p->array()[0].is_array() &&
                 p->array()[0].array().size() == 2 && p->array()[1].is_array() && p->array()[1].array().size() == 2) {
        t = iv(p->array()[0].array()[0]), b = iv(p->array()[0].array()[1]);
        lft = iv(p->array()[1].array()[0]), rt = iv(p->array()[1].array()[1]);
      } else if (p) {
        c.bad("padding", "must be an integer, [h, w] or [[top, bottom], [left, right]]");
      }
      l.op = Op::ZeroPad;
      l.pad_t = t, l.pad_b = b, l.pad_l = lft, l.pad_r = rt;
      l.out = {cur.h + t + b, cur.w + lft + rt, cur.c, 3};
      if (l.out.h > 16384 || l.out.w > 16384 || double(l.out.size()) > double(1 << 26))
        range_error(where + ": padded output too large");
    } else if (r.cls == "BatchNormalization") {
      const Value* ax = c.get("axis");
      if (ax && ax->is_array() && ax->array().size() == 1) ax = &ax->array()[0];
      if (ax) {
        const int a = c.integer(*ax, "axis", -4, 3);
        if (a != -1 && a != cur.rank) c.bad("axis", std::to_string(a) + " is not supported (only the channel axis, -1)");
      }
      const double eps = c.number("epsilon", 1e-3);
      if (!(eps >= 0) || !std::isfinite(eps)) c.bad("epsilon", "must be a finite number >= 0");
      const bool center = c.boolean("center", true), scale = c.boolean("scale", true);
      c.finish();
      const int ch = cur.c;
      std::vector<float> gamma(ch, 1.f), beta(ch, 0.f);
      if (scale) gamma = weights.take(where, r.name, "gamma", {ch});
      if (center) beta = weights.take(where, r.name, "beta", {ch});
      const auto& mean = weights.take(where, r.name, "moving_mean", {ch});
      const auto& var = weights.take(where, r.name, "moving_variance", {ch});
      std::vector<float> s(ch), shift(ch);
      for (int i = 0; i < ch; ++i) {
        if (var[i] + eps < 0) range_error(where + ": moving_variance + epsilon is negative at channel " + std::to_string(i));
        s[i] = float(gamma[i] / std::sqrt(double(var[i]) + eps));
        shift[i] = float(beta[i] - double(mean[i]) * s[i]);
        if (!std::isfinite(s[i]) || !std::isfinite(shift[i]))
          range_error(where + ": scale is not finite at channel " + std::to_string(i) + " (variance + epsilon is 0?)");
      }
      l.info.params = std::size_t(ch) * (2 + scale + center);
      l.out = cur;
      // Fold into the conv/dense just before it when that layer's output goes straight here.
      Layer* prev = m.layers.size() < 2 ? nullptr : &m.layers[m.layers.size() - 2];
      if (prev && (prev->op == Op::Conv2D || prev->op == Op::Depthwise || prev->op == Op::Dense) &&
          prev->act == Act::Linear) {
        // (x*s0 + ...)*s + (b - mean)*s + beta: fold as w*s and b*s + shift.
        fold_batchnorm(*prev, s, shift);
        l.op = Op::Identity;
      } else {
        l.op = Op::ScaleShift;
        set_buffer(l.scale, s.data(), ch);
        set_buffer(l.shift, shift.data(), ch);
      }
    } else if (r.cls == "Dropout" || r.cls == "SpatialDropout2D" || r.cls == "GaussianNoise" || r.cls == "GaussianDropout") {
      c.finish();
      l.op = Op::Identity;
      l.out = cur;
    } else if (r.cls == "Activation") {
      std::tie(l.act, l.alpha) = c.activation();
      if (!c.get("activation")) c.bad("activation", "is required");
      c.finish();
      l.op = Op::Activation;
      l.out = cur;
    } else if (r.cls == "ReLU") {
      const double mx = c.number("max_value", -1);
      if (c.number("negative_slope", 0) != 0) c.bad("negative_slope", "other than 0 is not supported");
      if (c.number("threshold", 0) != 0) c.bad("threshold", "other than 0 is not supported");
      c.finish();
      if (mx != -1 && mx != 6) c.bad("max_value", "other than none or 6 is not supported");
      l.op = Op::Activation;
      l.act = mx == 6 ? Act::Relu6 : Act::Relu;
      l.out = cur;
    } else if (r.cls == "LeakyReLU") {
      const double a = c.number("alpha", c.number("negative_slope", 0.3));
      c.finish();
      l.op = Op::Activation;
      l.act = Act::LeakyRelu;
      l.alpha = float(a);
      l.out = cur;
    } else if (r.cls == "Softmax") {
      const Value* ax = c.get("axis");
      if (ax && !(ax->is_number() && ax->number() == -1)) c.bad("axis", "must be -1");
      c.finish();
      l.op = Op::Activation;
      l.act = Act::Softmax;
      l.out = cur;
    } else {
      type_error(where + ": layer class '" + r.cls + "' is not supported");
    }
    l.info.output_shape = l.out.dims();
    cur = l.out;
  }
  if (!have_input) type_error("model.json: the model has no layers");
  weights.check_all_used();
  // Pack after BatchNormalization folding changed the kernels.
  for (auto& l : m.layers) {
    if (l.op == Op::Conv2D) pack(l, l.g.kh * l.g.kw * l.g.in_c);
    if (l.op == Op::Dense) pack(l, l.in.c);
    m.infos.push_back(l.info);
  }
  m.finalize();
  return model;
}

}  // namespace convolens::nn

#if defined(__clang__)
#pragma clang attribute pop
#endif
