// The trainer's inference forward and the inference engine (src/nn) loading the trainer's
// TF.js output must compute the same probabilities: the writer's layouts, names and configs
// are what the loader expects, and both forwards are the same function.
#include <gtest/gtest.h>

#include <cmath>
#include <span>
#include <string>

#include "nn/model.h"
#include "train/net.h"
#include "train/rng.h"
#include "train/tfjs_writer.h"

using namespace convolens;

TEST(EngineAgreement, TrainerForwardEqualsNnEngineOnTheWrittenModel) {
  auto net = train::make_mnist_net();
  net->init(9);
  train::Rng rng(4);
  // Non-trivial BatchNorm parameters and statistics, so folding mistakes would show.
  for (train::Param* p : net->params()) {
    if (p->name.find("batch_normalization") == std::string::npos) continue;
    const bool var = p->name.find("variance") != std::string::npos;
    for (auto& v : p->value) v = var ? rng.uniform(0.2f, 2.f) : rng.uniform(-0.5f, 0.5f);
  }
  const auto files = train::to_tfjs(*net, "weights.bin", "test");
  auto model = nn::Model::from_tfjs(
      files.model_json,
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(files.weights.data()), files.weights.size() * 4));
  const int n = 16;
  train::Tensor x;
  x.resize(n, {28, 28, 1});
  for (auto& v : x.data) v = rng.uniform() < 0.8f ? 0.f : rng.uniform();
  const auto& logits = net->forward(x, false);
  std::vector<float> probs(n * 10);
  model.predict(x.data.data(), n, probs.data());
  for (int i = 0; i < n; ++i) {
    const float* z = logits.at(i);
    float zmax = z[0], sum = 0;
    for (int k = 1; k < 10; ++k) zmax = std::max(zmax, z[k]);
    for (int k = 0; k < 10; ++k) sum += std::exp(z[k] - zmax);
    for (int k = 0; k < 10; ++k)
      ASSERT_NEAR(probs[i * 10 + k], std::exp(z[k] - zmax) / sum, 2e-5f) << "image " << i << " class " << k;
  }
}
