#include "nn/tfjs_topology.h"

#include <cmath>

#include "core/errors.h"
#include "core/limits.h"
#include "nn/tfjs_errors.h"

namespace convolens::nn::tfjs {

using json::Value;

namespace {

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

}  // namespace

std::vector<RawLayer> chain(const Value& topology) {
  const Value* model = &topology;
  if (const Value* mc = topology.find("model_config")) model = mc;  // tensorflowjs_converter's wrapper
  const Value& cls = model->member("class_name", "model.json: modelTopology");
  if (!cls.is_string()) type_error("model.json: modelTopology class_name must be a string");
  const Value& cfg = model->member("config", "model.json: modelTopology");
  const Value* layers = cfg.is_array() ? &cfg : cfg.find("layers");
  if (!layers || !layers->is_array()) type_error("model.json: modelTopology config has no \"layers\" list");
  if (layers->array().size() > limits::kMaxLayers)
    range_error("model.json: more than 1000 layers");  // limits::kMaxLayers
  std::vector<RawLayer> raw;
  for (std::size_t i = 0; i < layers->array().size(); ++i) {
    const Value& l = layers->array()[i];
    const Value* c = l.find("class_name");
    if (!c || !c->is_string()) type_error("model.json: layer #" + std::to_string(i) + " has no class_name");
    const Value* lc = l.find("config");
    if (!lc || !lc->is_object()) type_error("model.json: layer #" + std::to_string(i) + " has no config object");
    std::string name = layer_name(l, i);
    std::string where = "layer '" + name + "' (" + c->string() + ")";
    raw.push_back({c->string(), std::move(name), std::move(where), lc});
  }
  const std::string& kind = cls.string();
  if (kind == "Sequential") return raw;
  if (kind != "Model" && kind != "Functional")
    type_error("model.json: model class '" + kind + "' is not supported (Sequential, Model, Functional)");
  // Functional: follow the links from the input; every layer must feed exactly the next one.
  json::NameIndex index;
  for (std::size_t i = 0; i < raw.size(); ++i)
    if (json::insert_name(index, raw[i].name, i) != i) type_error("model.json: two layers are named '" + raw[i].name + "'");
  std::vector<int> next(raw.size(), -1);
  int first = -1;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string& where = raw[i].where;
    const auto in = inbound(layers->array()[i], where);
    if (in.empty()) {
      if (first >= 0)
        type_error("model.json: more than one input (" + raw[first].name + ", " + raw[i].name +
                   "): only single chains are supported");
      first = int(i);
      continue;
    }
    if (in.size() > 1) type_error(where + ": has " + std::to_string(in.size()) + " inputs; only single chains are supported");
    auto it = index.find(in[0]);
    if (it == index.end()) type_error(where + ": input layer '" + in[0] + "' does not exist");
    if (next[it->second] >= 0)
      type_error("layer '" + in[0] + "' feeds more than one layer; only single chains are supported");
    next[it->second] = int(i);
  }
  if (first < 0) type_error("model.json: the model has no input layer");
  std::vector<RawLayer> order;
  for (int i = first; i >= 0; i = next[i]) {
    if (order.size() > raw.size()) type_error("model.json: layer links form a cycle");
    order.push_back(std::move(raw[i]));  // an index comes twice only in a cycle, which throws
  }
  if (order.size() != raw.size()) type_error("model.json: not every layer is on the chain from the input to the output");
  return order;
}

Shape input_shape(const Value& v, const std::string& where) {
  if (!v.is_array() || v.array().size() < 2 || v.array().size() > 4)
    type_error(where + ": input shape must be [batch, ...] with 1 to 3 dimensions");
  std::vector<int> d;
  for (std::size_t i = 1; i < v.array().size(); ++i) {
    const Value& x = v.array()[i];
    if (!x.is_number() || x.number() != std::floor(x.number()) || x.number() < 1 || x.number() > limits::kMaxSide)
      range_error(where + ": input dimensions must be integers 1..16384 (no unknown sizes)");  // limits::kMaxSide
    d.push_back(int(x.number()));
  }
  Shape s;
  s.rank = int(d.size());
  if (s.rank == 1) s.c = d[0];
  if (s.rank == 2) s.w = d[0], s.c = d[1];
  if (s.rank == 3) s.h = d[0], s.w = d[1], s.c = d[2];
  if (double(s.size()) > limits::kMaxElements) range_error(where + ": input larger than 2^26 elements");
  return s;
}

}  // namespace convolens::nn::tfjs
