// A sequential CNN for inference: NHWC float32 tensors, layers run in order, buffers reused
// across calls. Built from a TF.js Layers model (model.json + weight shards) by from_tfjs().
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace convolens::nn {

struct LayerInfo {
  std::string name, class_name;
  std::vector<int> output_shape;  // H,W,C or units, without batch
  std::size_t params = 0;
};

struct ModelImpl;  // layers, weights and scratch buffers (src/nn/model_impl.h)

class Model {
 public:
  // model_json: TF.js Layers model.json text; weights: all shards concatenated in manifest order.
  // Throws TypeError (malformed / unsupported) or RangeError (sizes, values) naming the layer
  // and option at fault.
  static Model from_tfjs(std::string_view model_json, std::span<const std::uint8_t> weights);

  Model();
  ~Model();
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;

  std::vector<int> input_shape() const;  // without batch, e.g. {28,28,1}
  int input_size() const;                // elements per image of the input
  int output_size() const;               // elements per image of the final output
  std::vector<int> output_shape() const;

  // input: batch images NHWC, output: batch * output_size() floats. Reuses internal buffers:
  // no allocation after the first call.
  void predict(const float* input, int batch, float* output);

  const std::vector<LayerInfo>& layers() const;

  // Every layer's output for one image (feature-map views): runs the model on one image and
  // keeps each layer's output; activation(i) is valid until the next call.
  void activations(const float* input);
  const float* activation(int layer_index) const;

  // The loaded weights of a layer as stored in the file (kernel in HWIO / [in,out] layout,
  // after dequantisation, before BatchNormalization folding). Empty when the layer has none.
  struct Weights {
    std::vector<int> shape;
    const float* data = nullptr;
  };
  Weights weights(int layer_index) const;

  // Forces the scalar reference kernels (tests, benchmarks); default is the fastest variant.
  void set_reference(bool reference);

 private:
  ModelImpl& impl() const;  // throws RangeError on a moved-from Model
  std::unique_ptr<ModelImpl> impl_;
};

}  // namespace convolens::nn
