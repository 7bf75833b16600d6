// The topology of a TF.js Layers model: its layers in execution order (Sequential, or a
// Functional model that is a single chain) and the input shape it declares.
#pragma once
#include <string>
#include <vector>

#include "core/json.h"
#include "nn/tensor.h"

namespace convolens::nn::tfjs {

struct RawLayer {
  std::string cls, name;
  std::string where;  // "layer '<name>' (<class>)", for messages
  const json::Value* cfg;
};

// The layers of modelTopology in execution order, checked to form one chain.
std::vector<RawLayer> chain(const json::Value& topology);

// The per-image shape of a [batch, ...] list (batch_input_shape / batch_shape).
Shape input_shape(const json::Value& batch_shape, const std::string& where);

}  // namespace convolens::nn::tfjs
