// Trainable layers for the tiny MNIST CNN: forward (training or inference) and backward.
// Tensors are batches of NHWC float images. Names and weight layouts follow Keras/TF.js
// (Conv2D kernel [kh, kw, in, out], Dense kernel [in, out], BatchNormalization gamma, beta,
// moving_mean, moving_variance) so the TF.js writer can copy them out unchanged.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "train/conv.h"

namespace convolens::train {

struct Shape {
  int h = 1, w = 1, c = 1;
  int size() const { return h * w * c; }
};

struct Tensor {
  int n = 0;
  Shape s;
  std::vector<float> data;
  // Out of line, in a source compiled with the hot loops: an inline copy in a source built for
  // size grew the vector one float at a time (a call per element).
  void resize(int count, Shape shape);
  float* at(int i) { return data.data() + std::size_t(i) * s.size(); }
  const float* at(int i) const { return data.data() + std::size_t(i) * s.size(); }
};

struct Param {
  std::string name;        // "conv2d_1/kernel"
  std::vector<int> shape;  // Keras shape
  std::vector<float> value, grad;
  bool trainable = true;
};

class Layer {
 public:
  explicit Layer(std::string name) : name_(std::move(name)) {}
  virtual ~Layer() = default;
  virtual const char* class_name() const = 0;  // Keras class name
  // Called once when the net is assembled; sets in/out shapes and allocates parameters.
  virtual Shape build(Shape in) {
    in_ = in;
    return out_ = in;
  }
  virtual void forward(const Tensor& x, Tensor& y, bool training) = 0;
  // Writes dx (skipped when null) and overwrites the parameter gradients with this batch's.
  virtual void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) = 0;
  virtual std::vector<Param*> params() { return {}; }
  // The layer-specific part of the TF.js/Keras config (JSON members, no braces).
  virtual std::string config_json() const = 0;

  const std::string& name() const { return name_; }
  Shape in_shape() const { return in_; }
  Shape out_shape() const { return out_; }

 protected:
  std::string name_;
  Shape in_, out_;
};

// 'valid' padding, stride 1.
class Conv2D : public Layer {
 public:
  Conv2D(std::string name, int filters, int kernel, bool use_bias);
  const char* class_name() const override { return "Conv2D"; }
  Shape build(Shape in) override;
  void forward(const Tensor& x, Tensor& y, bool training) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::vector<Param*> params() override;
  std::string config_json() const override;
  Param kernel, bias;

 private:
  int filters_, k_;
  bool use_bias_;
  std::vector<std::vector<float>> dw_, db_;  // per chunk
  ConvPrep prep_;                             // the kernel prepared once per pass for the chunks
};

class BatchNorm : public Layer {
 public:
  // Keras' and TF.js's defaults; config_json() writes them as text (no printf in wasm).
  static constexpr float kMomentum = 0.99f, kEpsilon = 1e-3f;
  explicit BatchNorm(std::string name) : Layer(std::move(name)) {}
  const char* class_name() const override { return "BatchNormalization"; }
  Shape build(Shape in) override;
  void forward(const Tensor& x, Tensor& y, bool training) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::vector<Param*> params() override;
  std::string config_json() const override;
  // Recalibration: while on, training-mode forwards replace the moving statistics by the
  // exact average over all batches seen since (instead of the exponential average).
  void set_recalibrating(bool on);
  // Fused with the ReLU after it (Net does this): forward writes the ReLU's output, backward
  // takes the gradient with respect to it. The same floats as the two layers apart.
  void set_relu_after(bool on) { relu_ = on; }
  bool relu_after() const { return relu_; }
  // Fused with the 2x2 MaxPool2 after it (and after the fused ReLU; Net does this): forward writes
  // the pool's output (H/2 x W/2 x C), backward takes the gradient with respect to it; the
  // normalised activations are never stored. The same floats as the layers apart.
  void set_pool_after(bool on) { pool_ = on; }
  Param gamma, beta, moving_mean, moving_variance;

 private:
  // s1 = sum a', s2 = sum a' * b per channel over the batch (a' = a masked as train::channel_sums
  // does with mask, or with pooled the pool's gradient a scattered by arg_ as maxpool2_backward does).
  void channel_sums(const Tensor& a, const Tensor& b, const float* mask, bool pooled);
  bool relu_ = false, pool_ = false;
  std::vector<float> mean_, invstd_;
  std::vector<double> s1_, s2_, chunk_sums_;      // kept between steps: no allocation per step
  std::vector<float> fk_;                         // the forward's scale (C), then shift (C)
  std::vector<float> k1_, k2_, k3_, image_sums_, scratch_;
  std::vector<unsigned char> arg_;                // pool_: per pooled output, the window input it took
  bool recal_ = false;
  bool last_training_ = false;  // backward differentiates whichever statistics forward used
  long recal_batches_ = 0;
};

class Relu : public Layer {
 public:
  using Layer::Layer;
  const char* class_name() const override { return "Activation"; }
  void forward(const Tensor& x, Tensor& y, bool training) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::string config_json() const override;
};

// 2x2, stride 2, 'valid'.
class MaxPool2 : public Layer {
 public:
  using Layer::Layer;
  const char* class_name() const override { return "MaxPooling2D"; }
  Shape build(Shape in) override;
  void forward(const Tensor& x, Tensor& y, bool training) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::string config_json() const override;
  // Fused with the ReLU before it (Net does this): forward reads x before the ReLU and pools
  // relu(x); backward writes the gradient with respect to that x (the ReLU's backward included).
  // The same floats as the two layers apart.
  void set_relu_before(bool on) { relu_ = on; }

 private:
  std::vector<unsigned char> arg_;  // per output: which of the 4 window inputs the last forward took (4: none)
  bool relu_ = false;
};

class GlobalAvgPool : public Layer {
 public:
  using Layer::Layer;
  const char* class_name() const override { return "GlobalAveragePooling2D"; }
  Shape build(Shape in) override;
  void forward(const Tensor& x, Tensor& y, bool training) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::string config_json() const override;
};

class Flatten : public Layer {
 public:
  using Layer::Layer;
  const char* class_name() const override { return "Flatten"; }
  Shape build(Shape in) override;
  void forward(const Tensor& x, Tensor& y, bool training) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::string config_json() const override;
};

// Trains on logits; `export_activation` ("softmax" or "linear") is what the saved model applies.
class Dense : public Layer {
 public:
  Dense(std::string name, int units, std::string export_activation);
  const char* class_name() const override { return "Dense"; }
  Shape build(Shape in) override;
  void forward(const Tensor& x, Tensor& y, bool training) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::vector<Param*> params() override;
  std::string config_json() const override;
  Param kernel, bias;

 private:
  int units_;
  std::string activation_;
  std::vector<float> wt_;
};

}  // namespace convolens::train
