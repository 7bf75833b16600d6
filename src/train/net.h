// A Sequential stack of trainable layers with softmax cross-entropy, Adam and the MNIST
// architecture we ship.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "train/layers.h"

namespace convolens::train {

class Net {
 public:
  explicit Net(Shape input) : input_(input) {}
  template <class L, class... A>
  L& add(A&&... args) {
    layers_.push_back(std::make_unique<L>(std::forward<A>(args)...));
    return static_cast<L&>(*layers_.back());
  }
  void build();  // shapes and parameters; call after the last add()
  // He-uniform kernels (fan-in), zero biases; deterministic for the seed.
  void init(std::uint64_t seed);

  // x: n images of input shape. Returns the logits (n x classes); activations are kept for backward.
  const Tensor& forward(const Tensor& x, bool training);
  // dlogits: gradient of the loss with respect to the logits of the last forward.
  void backward(const Tensor& dlogits);

  std::vector<Param*> params();
  std::size_t trainable_count();
  std::size_t weight_count();  // everything saved, incl. BatchNorm moving statistics
  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  Shape input_shape() const { return input_; }
  void set_bn_recalibrating(bool on);
  bool has_batch_norm() const;
  // Fused passes (on by default; the same floats as the layers one by one, which tests check):
  // a ReLU after BatchNorm runs inside it, and so does a MaxPool after those two (or right after
  // BatchNorm); a ReLU before another MaxPool runs inside the pool; Flatten (a copy) is skipped.
  void set_fusion(bool on);
  // Whether layer i runs inside a neighbour in the current plan (it then has no passes of its own).
  bool fused_away(std::size_t i) const { return skip_[i] != 0; }

 private:
  void plan();
  Shape input_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<Tensor> acts_, grads_;
  bool fuse_ = true;
  std::vector<char> skip_;                   // per layer: its output is its input (fused away)
  std::vector<const Tensor*> in_of_, out_of_;  // per layer, in the last forward (the input must outlive backward)
};

// Mean softmax cross-entropy of logits (n x C) against labels, with label smoothing;
// writes dlogits (already divided by n) and returns the loss; counts correct argmaxes.
double softmax_cross_entropy(const Tensor& logits, const std::uint8_t* labels, float smoothing, Tensor& dlogits,
                             int* correct);

class Adam {
 public:
  explicit Adam(float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-7f) : b1_(beta1), b2_(beta2), eps_(eps) {}
  // Decoupled weight decay (AdamW) applies to kernels only.
  void step(const std::vector<Param*>& params, float lr, float weight_decay);

 private:
  float b1_, b2_, eps_;
  long t_ = 0;
  std::vector<std::vector<float>> m_, v_;
};

// One-cycle: linear warm-up from max/div to max over `warm` of the steps, cosine down to max/final_div.
float one_cycle_lr(long step, long total, float max_lr, float warm = 0.2f, float div = 25.f, float final_div = 1e4f);

// The shipped architecture (see web/models/mnist/MODEL_CARD.md): five 3x3 'valid' conv blocks
// (Conv2D without bias, BatchNormalization, ReLU) of these widths, max-pools after the 2nd and
// 4th, global average pooling, Dense 10 + softmax.
constexpr std::array<int, 5> kMnistWidths = {10, 16, 24, 32, 32};
std::unique_ptr<Net> make_mnist_net(const std::array<int, 5>& widths = kMnistWidths);

}  // namespace convolens::train
