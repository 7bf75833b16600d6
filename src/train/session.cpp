#include "train/session.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "core/errors.h"
#include "train/elementwise.h"
#include "train/rng.h"

namespace convolens::train {
namespace {
constexpr int kPixels = 28 * 28;
constexpr int kMaxImages = 1 << 20;

}  // namespace

void check_fit_config(const FitConfig& c) {
  if (c.epochs < 1 || c.epochs > 1000) throw RangeError("epochs " + std::to_string(c.epochs) + " out of range 1..1000");
  if (c.batch < 1 || c.batch > 1024) throw RangeError("batchSize " + std::to_string(c.batch) + " out of range 1..1024");
  if (!std::isfinite(c.learning_rate) || c.learning_rate <= 0 || c.learning_rate > 1)
    throw RangeError("learningRate must be a finite number in (0, 1]");
  if (c.recalibrate_images < 0) throw RangeError("recalibrate_images must be >= 0");
}

std::uint8_t* Session::reserve(int n) {
  if (n < 1 || n > kMaxImages) throw RangeError("the training set must hold 1.." + std::to_string(kMaxImages) + " images");
  data_.resize(std::size_t(n) * (kPixels + 1));
  n_ = 0;
  return data_.data();
}

void Session::start(int n, const FitConfig& cfg) {
  check_fit_config(cfg);
  if (n < 1 || std::size_t(n) * (kPixels + 1) > data_.size()) throw RangeError("start(): reserve() room for the images first");
  const Shape in = net_.input_shape();
  if (in.h != 28 || in.w != 28 || in.c != 1) throw TypeError("the trainer takes 28x28x1 images");
  n_ = n;
  cfg_ = cfg;
  steps_per_epoch_ = (n + cfg.batch - 1) / cfg.batch;
  total_ = long(steps_per_epoch_) * cfg.epochs;
  step_ = 0;
  order_.resize(n);
  labels_.resize(cfg.batch);
  adam_ = Adam();
  for (int i = 0; i < n; ++i)
    if (data_.data()[std::size_t(n) * kPixels + i] > 9) throw RangeError("label of image " + std::to_string(i) + " is not 0..9");
}

void Session::shuffle(int epoch) {
  // Fisher-Yates with our own RNG: the same order on every platform (as train_mnist).
  for (int i = 0; i < n_; ++i) order_[i] = i;
  Rng r(mix_seed(cfg_.seed, 1000 + epoch));
  for (int i = n_ - 1; i > 0; --i) std::swap(order_[i], order_[r.below(i + 1)]);
}

void Session::load_batch(int epoch, int first, int count) {
  const std::uint8_t* images = data_.data();
  const std::uint8_t* labels = images + std::size_t(n_) * kPixels;
  std::vector<float> tmp(kPixels);
  x_.resize(count, net_.input_shape());
  for (int i = 0; i < count; ++i) {
    const int idx = order_[first + i];
    labels_[i] = labels[idx];
    if (cfg_.augment) {
      u8_to_float(images + std::size_t(idx) * kPixels, tmp.data(), kPixels);
      Rng rng(mix_seed(cfg_.seed, epoch + 1, std::uint64_t(idx) + 1));
      augment_digit(tmp.data(), x_.at(i), rng, AugmentOptions{});
    } else {
      u8_to_float(images + std::size_t(idx) * kPixels, x_.at(i), kPixels);
    }
  }
}

void Session::recalibrate() {
  // The moving statistics followed the training batches with an exponential average; replace
  // them by exact averages over clean images (what inference sees). Without BatchNorm the
  // forward passes would change nothing.
  const int r = net_.has_batch_norm() ? std::min(cfg_.recalibrate_images, n_) : 0;
  cfg_.recalibrate_images = 0;  // once
  if (r == 0) return;
  const std::uint8_t* images = data_.data();
  net_.set_bn_recalibrating(true);
  for (int b = 0; b < r; b += 250) {
    const int m = std::min(250, r - b);
    x_.resize(m, net_.input_shape());
    u8_to_float(images + std::size_t(b) * kPixels, x_.data.data(), m * kPixels);
    net_.forward(x_, true);
  }
  net_.set_bn_recalibrating(false);
}

Progress Session::run(int max_steps) {
  if (n_ == 0) throw RangeError("run(): start() first");
  Progress p;
  const auto params = net_.params();
  long seen = 0, right = 0;
  double loss_sum = 0;
  for (int k = 0; k < max_steps && step_ < total_; ++k, ++step_) {
    const int epoch = int(step_ / steps_per_epoch_), s = int(step_ % steps_per_epoch_);
    if (s == 0) shuffle(epoch);
    const int b0 = s * cfg_.batch, m = std::min(cfg_.batch, n_ - b0);
    load_batch(epoch, b0, m);
    const Tensor& z = net_.forward(x_, true);
    int correct = 0;
    const double loss = softmax_cross_entropy(z, labels_.data(), 0.f, dlogits_, &correct);
    net_.backward(dlogits_);
    adam_.step(params, one_cycle_lr(step_, total_, cfg_.learning_rate), 0.f);
    loss_sum += loss * m;
    right += correct;
    seen += m;
    p.epoch = epoch;
  }
  if (step_ >= total_ && cfg_.recalibrate_images > 0) recalibrate();
  p.step = step_;
  p.total_steps = total_;
  p.loss = seen ? loss_sum / seen : 0;
  p.accuracy = seen ? double(right) / seen : 0;
  p.done = step_ >= total_;
  return p;
}

std::size_t Session::gradient_count() {
  std::size_t n = 0;
  for (Param* p : net_.params())
    if (p->trainable) n += p->value.size();
  return n;
}

Session::PartResult Session::part_gradients(int part, int parts) {
  if (n_ == 0 || step_ >= total_) throw RangeError("part_gradients(): no step pending (start() first)");
  if (parts < 1 || part < 0 || part >= parts) throw RangeError("part_gradients(): part out of range");
  const int epoch = int(step_ / steps_per_epoch_), s = int(step_ % steps_per_epoch_);
  if (s == 0) shuffle(epoch);
  const int b0 = s * cfg_.batch, m = std::min(cfg_.batch, n_ - b0);
  const int first = b0 + int(long(m) * part / parts), count = b0 + int(long(m) * (part + 1) / parts) - first;
  PartResult r;
  packed_.assign(gradient_count(), 0.f);
  if (count == 0) return r;
  load_batch(epoch, first, count);
  const Tensor& z = net_.forward(x_, true);
  r.images = count;
  r.loss = softmax_cross_entropy(z, labels_.data(), 0.f, dlogits_, &r.correct);
  net_.backward(dlogits_);
  std::size_t o = 0;
  for (Param* p : net_.params())
    if (p->trainable) {
      std::copy(p->grad.begin(), p->grad.end(), packed_.begin() + o);
      o += p->grad.size();
    }
  return r;
}

float* Session::parts_buffer(int parts) {
  if (parts < 1 || parts > 64) throw RangeError("parts_buffer(): 1..64 parts");
  parts_.assign(std::size_t(parts) * gradient_count(), 0.f);
  return parts_.data();
}

Progress Session::apply_parts(const int* images, int parts) {
  if (n_ == 0 || step_ >= total_) throw RangeError("apply_parts(): no step pending (start() first)");
  const std::size_t count = gradient_count();
  if (parts < 1 || parts_.size() != std::size_t(parts) * count) throw RangeError("apply_parts(): parts_buffer() first");
  long total_images = 0;
  for (int r = 0; r < parts; ++r) total_images += images[r];
  if (total_images <= 0) throw RangeError("apply_parts(): no images in any part");
  // The batch mean of the per-image gradients: each part's mean weighted by its image count,
  // summed in part order, so every host computes the same floats.
  const auto params = net_.params();
  std::size_t o = 0;
  for (Param* p : params) {
    if (!p->trainable) continue;
    combine_parts(parts_.data() + o, count, images, parts, float(total_images), p->grad.data(), p->grad.size());
    o += p->grad.size();
  }
  Progress pr;
  pr.epoch = int(step_ / steps_per_epoch_);
  adam_.step(params, one_cycle_lr(step_, total_, cfg_.learning_rate), 0.f);
  ++step_;
  if (step_ >= total_ && cfg_.recalibrate_images > 0) recalibrate();
  pr.step = step_;
  pr.total_steps = total_;
  pr.done = step_ >= total_;
  return pr;
}

void Session::predict(const std::uint8_t* images, int n, std::uint8_t* classes) {
  for (int b = 0; b < n; b += 250) {
    const int m = std::min(250, n - b);
    x_.resize(m, net_.input_shape());
    u8_to_float(images + std::size_t(b) * kPixels, x_.data.data(), m * kPixels);
    const Tensor& z = net_.forward(x_, false);
    for (int i = 0; i < m; ++i) {
      const float* q = z.at(i);
      classes[b + i] = std::uint8_t(std::max_element(q, q + z.s.size()) - q);
    }
  }
}

double Session::gradients(const float* images, const std::uint8_t* labels, int n) {
  x_.resize(n, net_.input_shape());
  std::memcpy(x_.data.data(), images, x_.data.size() * sizeof(float));
  const Tensor& z = net_.forward(x_, true);
  const double loss = softmax_cross_entropy(z, labels, 0.f, dlogits_, nullptr);
  net_.backward(dlogits_);
  return loss;
}

std::uint64_t weights_hash(Net& net) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (Param* p : net.params()) {
    const auto* b = reinterpret_cast<const unsigned char*>(p->value.data());
    for (std::size_t i = 0; i < p->value.size() * sizeof(float); ++i) h = (h ^ b[i]) * 0x100000001b3ull;
  }
  return h;
}

}  // namespace convolens::train
