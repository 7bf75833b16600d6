// Layer builders: one function per TF.js Layers class name, looked up in a table, each reading
// its layer's options and weights into a ready-to-run Layer.
#pragma once
#include <string_view>

#include "nn/model_impl.h"
#include "nn/tfjs_options.h"
#include "nn/tfjs_weights.h"

namespace convolens::nn::tfjs {

// What a builder works on. l.in is the input shape; the builder sets l.op and l.out (and
// weights, geometry, activation) and may reach back to the layer before (BatchNormalization).
struct LayerBuild {
  LayerOptions& opt;
  const std::string& name;  // the layer's name (weights are "<name>/<param>")
  WeightTable& weights;
  std::vector<Layer>& layers;  // built so far; the last one is the layer being built
  Layer& l;
};
using LayerBuilder = void (*)(LayerBuild&);

// The builder for a class name, or nullptr when the class is not supported.
LayerBuilder layer_builder(std::string_view class_name);

}  // namespace convolens::nn::tfjs
