// A small layer list describing a trainable net (what the browser trainer takes), its presets,
// and the checks that reject a hostile spec before anything is allocated.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "train/net.h"

namespace convolens::train {

enum class LayerKind { Conv2D = 1, BatchNorm, Relu, MaxPool, GlobalAvgPool, Flatten, Dense };

struct LayerSpec {
  LayerKind kind;
  int filters = 0, kernel = 0;  // Conv2D
  bool bias = true;             // Conv2D (a BatchNorm right after makes it redundant)
  int units = 0;                // Dense
};

// Limits: small nets for a browser tab. Every spec is checked against them first.
constexpr int kMaxFilters = 256, kMaxKernel = 11, kMaxUnits = 4096, kMaxLayers = 64;
constexpr double kMaxParams = 4e6, kMaxActivationsPerImage = 4e5;

// "tiny" (one conv layer), "convnetjs" (ConvNetJS's MNIST demo network, valid padding),
// "mnist" (the shipped architecture). Throws TypeError for another name.
std::vector<LayerSpec> preset_spec(const std::string& name);

// Shapes, parameter and activation counts, without allocating; throws RangeError/TypeError
// naming the offending layer. The last layer must be Dense (the logits).
void check_spec(const std::vector<LayerSpec>& spec, Shape input);

// Checks, then builds (Keras layer names, like tfjs-layers numbers them).
std::unique_ptr<Net> make_net(const std::vector<LayerSpec>& spec, Shape input);

}  // namespace convolens::train
