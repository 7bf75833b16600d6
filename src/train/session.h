// Training in small pieces for a host that must stay responsive (a browser worker): the data
// lives in the session as u8 images, and run(k) does at most k optimizer steps, so the caller
// can report progress, pause or stop between calls. Same schedule as train_mnist: per-epoch
// Fisher-Yates shuffle, optional augmentation, Adam with a one-cycle learning rate, and a final
// BatchNorm recalibration on clean images.
#pragma once
#include <cstdint>
#include <vector>

#include "core/buffer.h"
#include "train/augment.h"
#include "train/net.h"

namespace convolens::train {

struct FitConfig {
  int epochs = 1;
  int batch = 64;
  float learning_rate = 0.005f;  // the one-cycle peak
  bool augment = false;
  std::uint64_t seed = 1;
  int recalibrate_images = 2000;  // 0 = keep the exponential BatchNorm statistics
};
void check_fit_config(const FitConfig& c);  // RangeError naming the bad option

struct Progress {
  long step = 0, total_steps = 0;
  int epoch = 0;            // 0-based epoch of the last step
  double loss = 0;          // mean loss of the steps since the previous run()
  double accuracy = 0;      // train accuracy of those steps
  bool done = false;
};

class Session {
 public:
  explicit Session(Net& net) : net_(net) {}
  // Room for n 28x28 u8 images followed by n labels; the host writes them, then start().
  std::uint8_t* reserve(int n);
  void start(int n, const FitConfig& cfg);
  // At most max_steps steps; the last call also recalibrates BatchNorm.
  Progress run(int max_steps);
  // Argmax class of n u8 images at `images`, in inference mode.
  void predict(const std::uint8_t* images, int n, std::uint8_t* classes);
  // Loss of one batch of float images in training mode; leaves this batch's gradients in the params.
  double gradients(const float* images, const std::uint8_t* labels, int n);

  // Data-parallel steps, for hosts that train one net together (two browser workers): each runs
  // the same session (same spec, seed, data and config, so the same weights and batch order).
  // For every step each host computes the gradients of its part of the batch (part_gradients),
  // the hosts exchange them, and each applies the same combined Adam step (apply_parts), so the
  // weights stay identical everywhere. Same maths as run() up to float summation order for nets
  // without BatchNorm; with BatchNorm each part is normalised by its own batch statistics.
  struct PartResult {
    int images = 0;  // images in this part (0 when the batch is smaller than the part count)
    double loss = 0;  // mean loss over them
    int correct = 0;
  };
  // Part `part` of `parts` of the current step's batch; the gradients (mean over the part's images,
  // trainable parameters in order) are left in packed_gradients().
  PartResult part_gradients(int part, int parts);
  const float* packed_gradients() const { return packed_.data(); }
  std::size_t gradient_count();
  // Room for `parts` packed gradient vectors, one after the other, for apply_parts.
  float* parts_buffer(int parts);
  // Combines the parts in parts_buffer() weighted by their image counts (in part order), takes the
  // current step's Adam step and moves on; after the last step recalibrates BatchNorm, as run().
  // Progress carries step, epoch and done (the host sums loss and accuracy over its parts).
  Progress apply_parts(const int* images, int parts);

 private:
  void shuffle(int epoch);
  void load_batch(int epoch, int first, int count);  // x_ and labels_ from order_[first, first + count)
  void recalibrate();
  Net& net_;
  Buffer data_;
  int n_ = 0, steps_per_epoch_ = 0;
  long step_ = 0, total_ = 0;
  FitConfig cfg_;
  std::vector<int> order_;
  std::vector<std::uint8_t> labels_;
  Tensor x_, dlogits_;
  Adam adam_;
  std::vector<float> packed_, parts_;
};

// FNV-1a over every saved weight's bytes (params in order): a cheap "same weights bit for bit" check.
std::uint64_t weights_hash(Net& net);

}  // namespace convolens::train
