// Shapes of per-image NHWC tensors and the activation functions layers can fuse.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace convolens::nn {

// One image's tensor: rank 3 = {h, w, c}; rank 2 = {w, c} (h = 1); rank 1 = {c} (h = w = 1).
// The data is always h*w*c floats, channels fastest (NHWC without the N).
struct Shape {
  int h = 1, w = 1, c = 1;
  int rank = 3;
  std::size_t size() const { return std::size_t(h) * w * c; }
  std::vector<int> dims() const {
    if (rank == 1) return {c};
    if (rank == 2) return {w, c};
    return {h, w, c};
  }
  std::string str() const;
  bool operator==(const Shape&) const = default;
};

enum class Act { Linear, Relu, Relu6, LeakyRelu, Elu, Sigmoid, Tanh, Softmax };
const char* act_name(Act a);

// Applies act in place to n values laid out as rows of `channels` (softmax works per row).
void apply_activation(float* x, std::size_t n, int channels, Act act, float alpha);

}  // namespace convolens::nn
