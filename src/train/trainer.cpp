#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "train/parallel.h"
#include "train/rng.h"

namespace convolens::train {
namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double cpu_now() { return double(std::clock()) / CLOCKS_PER_SEC; }

std::string fmt_time(double s) {
  char b[32];
  const int t = int(s + 0.5);
  if (t >= 60)
    std::snprintf(b, sizeof b, "%dm%02ds", t / 60, t % 60);
  else
    std::snprintf(b, sizeof b, "%ds", t);
  return b;
}

}  // namespace

void to_float(const mnist::IdxImages& images, int first, int count, float* out) {
  const std::size_t n = std::size_t(count) * images.rows * images.cols;
  const std::uint8_t* p = images.image(first);
  for (std::size_t i = 0; i < n; ++i) out[i] = float(p[i]) * (1.f / 255.f);
}

double evaluate(Net& net, const mnist::IdxImages& images, const std::vector<std::uint8_t>& labels, int limit,
                Confusion* confusion) {
  const int n = limit > 0 ? std::min(limit, images.count) : images.count;
  constexpr int kBatch = 500;
  Tensor x;
  int right = 0;
  if (confusion)
    for (auto& row : *confusion) row.fill(0);
  for (int b = 0; b < n; b += kBatch) {
    const int m = std::min(kBatch, n - b);
    x.resize(m, net.input_shape());
    to_float(images, b, m, x.data.data());
    const Tensor& z = net.forward(x, false);
    for (int i = 0; i < m; ++i) {
      const float* p = z.at(i);
      const int best = int(std::max_element(p, p + z.s.size()) - p);
      right += best == labels[b + i];
      if (confusion) ++(*confusion)[labels[b + i]][best];
    }
  }
  return double(right) / n;
}

TrainResult train_mnist(Net& net, const mnist::MnistSplit& train, const mnist::MnistSplit& test, const TrainConfig& cfg) {
  auto log = [&](const std::string& s) {
    if (cfg.log) cfg.log(s);
  };
  const int n = cfg.train_limit > 0 ? std::min(cfg.train_limit, train.images.count) : train.images.count;
  const int per_image = train.images.rows * train.images.cols;
  const int steps_per_epoch = (n + cfg.batch - 1) / cfg.batch;
  const long total_steps = long(steps_per_epoch) * cfg.epochs;

  std::vector<float> all(std::size_t(n) * per_image);
  to_float(train.images, 0, n, all.data());
  std::vector<int> order(n);
  std::vector<std::uint8_t> labels(cfg.batch);
  Tensor x, dlogits;
  Adam adam;
  const auto params = net.params();
  TrainResult result;
  const double t0 = now(), c0 = cpu_now();
  long step = 0;

  for (int epoch = 0; epoch < cfg.epochs; ++epoch) {
    const double te = now();
    // Fisher-Yates with our own RNG: the same order on every platform.
    for (int i = 0; i < n; ++i) order[i] = i;
    Rng shuffle(mix_seed(cfg.seed, 1000 + epoch));
    for (int i = n - 1; i > 0; --i) std::swap(order[i], order[shuffle.below(i + 1)]);
    double loss_sum = 0, window_loss = 0;
    long right = 0, seen = 0, window_right = 0, window_seen = 0;
    for (int s = 0; s < steps_per_epoch; ++s, ++step) {
      const int b0 = s * cfg.batch, m = std::min(cfg.batch, n - b0);
      x.resize(m, net.input_shape());
      parallel_chunks(m, [&](int, int lo, int hi) {
        for (int i = lo; i < hi; ++i) {
          const int idx = order[b0 + i];
          const float* src = all.data() + std::size_t(idx) * per_image;
          if (cfg.augment) {
            Rng rng(mix_seed(cfg.seed, epoch + 1, std::uint64_t(idx) + 1));
            augment_digit(src, x.at(i), rng, cfg.augment_options);
          } else {
            std::copy(src, src + per_image, x.at(i));
          }
        }
      });
      for (int i = 0; i < m; ++i) labels[i] = train.labels[order[b0 + i]];
      const Tensor& z = net.forward(x, true);
      int correct = 0;
      const double loss = softmax_cross_entropy(z, labels.data(), cfg.label_smoothing, dlogits, &correct);
      net.backward(dlogits);
      adam.step(params, one_cycle_lr(step, total_steps, cfg.max_lr), cfg.weight_decay);
      result.batch_losses.push_back(loss);
      loss_sum += loss * m;
      right += correct;
      seen += m;
      window_loss += loss * m;
      window_right += correct;
      window_seen += m;
      if (cfg.progress_every > 0 && ((s + 1) % cfg.progress_every == 0 || s + 1 == steps_per_epoch)) {
        const double elapsed = now() - t0;
        const double left = elapsed / double(step + 1) * double(total_steps - step - 1);
        char b[256];
        std::snprintf(b, sizeof b,
                      "epoch %d/%d  batch %d/%d  loss %.4f  acc %.2f%%  lr %.5f  elapsed %s  cpu %s  left ~%s",
                      epoch + 1, cfg.epochs, s + 1, steps_per_epoch, window_loss / window_seen,
                      100.0 * window_right / window_seen, one_cycle_lr(step, total_steps, cfg.max_lr),
                      fmt_time(elapsed).c_str(), fmt_time(cpu_now() - c0).c_str(), fmt_time(left).c_str());
        log(b);
        window_loss = 0;
        window_right = window_seen = 0;
      }
    }
    EpochStats es;
    es.train_loss = loss_sum / seen;
    es.train_acc = double(right) / seen;
    es.test_acc = evaluate(net, test.images, test.labels, cfg.test_limit, nullptr);
    es.seconds = now() - te;
    result.epochs.push_back(es);
    char b[200];
    std::snprintf(b, sizeof b, "== epoch %d/%d  train loss %.4f  train acc %.2f%%  TEST ACC %.2f%%  (%s)", epoch + 1,
                  cfg.epochs, es.train_loss, 100 * es.train_acc, 100 * es.test_acc, fmt_time(es.seconds).c_str());
    log(b);
  }

  // The moving statistics tracked distorted batches with an exponential average; replace them
  // by exact averages over clean training images (what inference sees).
  if (cfg.recalibrate_images > 0) {
    const int r = std::min(cfg.recalibrate_images, n);
    net.set_bn_recalibrating(true);
    for (int b = 0; b < r; b += 500) {
      const int m = std::min(500, r - b);
      x.resize(m, net.input_shape());
      std::copy(all.begin() + std::size_t(b) * per_image, all.begin() + std::size_t(b + m) * per_image, x.data.begin());
      net.forward(x, true);
    }
    net.set_bn_recalibrating(false);
  }
  result.test_acc = evaluate(net, test.images, test.labels, cfg.test_limit, &result.confusion);
  result.seconds = now() - t0;
  result.cpu_seconds = cpu_now() - c0;
  char b[200];
  std::snprintf(b, sizeof b, "final test accuracy %.2f%% (after BatchNorm recalibration)  time %s  cpu %s",
                100 * result.test_acc, fmt_time(result.seconds).c_str(), fmt_time(result.cpu_seconds).c_str());
  log(b);
  return result;
}

}  // namespace convolens::train
