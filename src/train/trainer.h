// The MNIST training loop shared by tools/train_mnist and the smoke test: shuffling,
// augmentation, Adam with a one-cycle schedule, progress lines, per-epoch test accuracy, and
// a final BatchNorm recalibration on undistorted training images.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mnist/idx.h"
#include "train/augment.h"
#include "train/net.h"

namespace convolens::train {

struct TrainConfig {
  int epochs = 20;
  int batch = 128;
  float max_lr = 0.005f;
  float weight_decay = 0.f;
  float label_smoothing = 0.f;
  std::uint64_t seed = 1;
  bool augment = true;
  AugmentOptions augment_options;
  int train_limit = 0;  // 0 = all
  int test_limit = 0;
  int progress_every = 100;  // batches
  int recalibrate_images = 10000;
  std::function<void(const std::string&)> log;  // progress lines (none when empty)
};

using Confusion = std::array<std::array<int, 10>, 10>;  // [true][predicted]

struct EpochStats {
  double train_loss = 0, train_acc = 0, test_acc = 0, seconds = 0;
};

struct TrainResult {
  std::vector<EpochStats> epochs;
  std::vector<double> batch_losses;
  double test_acc = 0;
  Confusion confusion{};
  double seconds = 0, cpu_seconds = 0;
};

// u8 images (0..255) -> floats 0..1.
void to_float(const mnist::IdxImages& images, int first, int count, float* out);

// Accuracy over the first `limit` images (0 = all) in inference mode.
double evaluate(Net& net, const mnist::IdxImages& images, const std::vector<std::uint8_t>& labels, int limit,
                Confusion* confusion);

TrainResult train_mnist(Net& net, const mnist::MnistSplit& train, const mnist::MnistSplit& test, const TrainConfig& cfg);

}  // namespace convolens::train
