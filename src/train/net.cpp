#include "train/net.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "train/elementwise.h"
#include "train/rng.h"

namespace convolens::train {

void Net::build() {
  Shape s = input_;
  for (auto& l : layers_) s = l->build(s);
  acts_.resize(layers_.size() + 1);
  grads_.resize(layers_.size() + 1);
  plan();
}

void Net::set_fusion(bool on) {
  fuse_ = on;
  plan();
}

void Net::plan() {
  const std::size_t L = layers_.size();
  skip_.assign(L, 0);
  in_of_.assign(L, nullptr);
  out_of_.assign(L, nullptr);
  auto relu_at = [&](std::size_t i) { return i < L && !skip_[i] && dynamic_cast<Relu*>(layers_[i].get()); };
  for (std::size_t i = 0; i < L; ++i) {
    // BatchNorm + ReLU first (one pass each way), then a ReLU left before a max-pool.
    if (auto* bn = dynamic_cast<BatchNorm*>(layers_[i].get())) {
      const bool relu_after = fuse_ && relu_at(i + 1);
      bn->set_relu_after(relu_after);
      bn->set_pool_after(false);
      if (relu_after) skip_[i + 1] = 1;
    }
    auto* pool = dynamic_cast<MaxPool2*>(layers_[i].get());
    // A max-pool after BatchNorm (and the ReLU inside it) runs inside BatchNorm; else a ReLU
    // right before it runs inside the pool.
    BatchNorm* bn_before = nullptr;
    if (fuse_ && pool && i > 0) {
      const std::size_t j = skip_[i - 1] ? i - 2 : i - 1;  // a skipped layer here is a ReLU inside a BatchNorm
      if (j < i) bn_before = dynamic_cast<BatchNorm*>(layers_[j].get());
    }
    if (bn_before) {
      bn_before->set_pool_after(true);
      skip_[i] = 1;
    }
    const bool relu_before = fuse_ && pool && !bn_before && i > 0 && relu_at(i - 1);
    if (pool) pool->set_relu_before(relu_before);
    if (relu_before) skip_[i - 1] = 1;
    if (fuse_ && dynamic_cast<Flatten*>(layers_[i].get())) skip_[i] = 1;  // Dense reads the NHWC batch as flat rows
  }
}

void Net::init(std::uint64_t seed) {
  Rng rng(seed);
  for (auto& l : layers_)
    for (Param* p : l->params()) {
      const bool is_kernel = p->name.size() > 7 && p->name.compare(p->name.size() - 7, 7, "/kernel") == 0;
      if (!is_kernel) continue;
      int fan_in = 1;
      for (std::size_t d = 0; d + 1 < p->shape.size(); ++d) fan_in *= p->shape[d];
      const float limit = std::sqrt(6.f / float(fan_in));
      for (auto& w : p->value) w = (2.f * rng.uniform() - 1.f) * limit;
    }
}

const Tensor& Net::forward(const Tensor& x, bool training) {
  if (x.s.h != input_.h || x.s.w != input_.w || x.s.c != input_.c) throw RangeError("Net::forward: wrong input shape");
  const Tensor* in = &x;  // the input is read in place, not copied
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    in_of_[i] = in;
    if (!skip_[i]) {
      layers_[i]->forward(*in, acts_[i + 1], training);
      in = &acts_[i + 1];
    }
    out_of_[i] = in;
  }
  return *in;
}

void Net::backward(const Tensor& dlogits) {
  std::size_t first = 0;  // the first layer that runs: the gradient of its input is not needed
  while (first + 1 < layers_.size() && skip_[first]) ++first;
  const Tensor* dy = &dlogits;
  for (std::size_t i = layers_.size(); i-- > first;) {
    if (skip_[i]) continue;  // a fused layer passes the gradient through
    layers_[i]->backward(*in_of_[i], *out_of_[i], *dy, i == first ? nullptr : &grads_[i]);
    dy = &grads_[i];
  }
}

std::vector<Param*> Net::params() {
  std::vector<Param*> out;
  for (auto& l : layers_)
    for (Param* p : l->params()) out.push_back(p);
  return out;
}

std::size_t Net::trainable_count() {
  std::size_t n = 0;
  for (Param* p : params())
    if (p->trainable) n += p->value.size();
  return n;
}

std::size_t Net::weight_count() {
  std::size_t n = 0;
  for (Param* p : params()) n += p->value.size();
  return n;
}

bool Net::has_batch_norm() const {
  for (const auto& l : layers_)
    if (dynamic_cast<const BatchNorm*>(l.get())) return true;
  return false;
}

void Net::set_bn_recalibrating(bool on) {
  for (auto& l : layers_)
    if (auto* bn = dynamic_cast<BatchNorm*>(l.get())) bn->set_recalibrating(on);
}

double softmax_cross_entropy(const Tensor& logits, const std::uint8_t* labels, float smoothing, Tensor& dlogits,
                             int* correct) {
  const int n = logits.n, C = logits.s.size();
  dlogits.resize(n, logits.s);
  double loss = 0;
  int right = 0;
  for (int i = 0; i < n; ++i) {
    const float* z = logits.at(i);
    float* d = dlogits.at(i);
    const float zmax = *std::max_element(z, z + C);
    double sum = 0;
    for (int c = 0; c < C; ++c) sum += std::exp(double(z[c] - zmax));
    const int best = int(std::max_element(z, z + C) - z);
    right += best == labels[i];
    for (int c = 0; c < C; ++c) {
      const double p = std::exp(double(z[c] - zmax)) / sum;
      const double target = (c == labels[i] ? 1.0 - smoothing : 0.0) + smoothing / C;
      loss -= target * (double(z[c] - zmax) - std::log(sum));
      d[c] = float((p - target) / n);
    }
  }
  if (correct) *correct = right;
  return loss / n;
}

void Adam::step(const std::vector<Param*>& params, float lr, float weight_decay) {
  if (m_.empty())
    for (Param* p : params) {
      m_.emplace_back(p->value.size(), 0.f);
      v_.emplace_back(p->value.size(), 0.f);
    }
  ++t_;
  const float c1 = 1.f - std::pow(b1_, float(t_)), c2 = 1.f - std::pow(b2_, float(t_));
  for (std::size_t k = 0; k < params.size(); ++k) {
    Param& p = *params[k];
    if (!p.trainable) continue;
    const bool decay = p.name.find("/kernel") != std::string::npos;
    adam_update(p.value.data(), p.grad.data(), m_[k].data(), v_[k].data(), p.value.size(),
                {b1_, b2_, c1, c2, eps_, lr, weight_decay, decay});
  }
}

float one_cycle_lr(long step, long total, float max_lr, float warm, float div, float final_div) {
  const long up = std::max(1L, long(total * warm));
  if (step < up) return max_lr / div + (max_lr - max_lr / div) * float(step) / float(up);
  const float t = float(step - up) / float(std::max(1L, total - up));
  const float lo = max_lr / final_div;
  return lo + (max_lr - lo) * 0.5f * (1.f + std::cos(3.14159265f * std::min(1.f, t)));
}

std::unique_ptr<Net> make_mnist_net(const std::array<int, 5>& widths) {
  auto net = std::make_unique<Net>(Shape{28, 28, 1});
  int k = 0;
  auto block = [&](int filters) {
    ++k;
    net->add<Conv2D>("conv2d_" + std::to_string(k), filters, 3, false);
    net->add<BatchNorm>("batch_normalization_" + std::to_string(k));
    net->add<Relu>("activation_" + std::to_string(k));
  };
  block(widths[0]);  // 26x26
  block(widths[1]);  // 24x24
  net->add<MaxPool2>("max_pooling2d_1");  // 12x12
  block(widths[2]);  // 10x10
  block(widths[3]);  // 8x8
  net->add<MaxPool2>("max_pooling2d_2");  // 4x4
  block(widths[4]);  // 2x2
  net->add<GlobalAvgPool>("global_average_pooling2d_1");
  net->add<Dense>("dense_1", 10, "softmax");
  net->build();
  return net;
}

}  // namespace convolens::train
