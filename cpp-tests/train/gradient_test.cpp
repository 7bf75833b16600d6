// Backward passes against central finite differences: for a random projection r, the loss
// L = sum(r * layer(x)) has dL/dy = r; the analytic dL/dx and dL/dparams must match
// (L(v + h) - L(v - h)) / 2h for every input and parameter element (sampled for big tensors).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>

#include "train/layers.h"
#include "train/net.h"
#include "train/rng.h"

using namespace convolens::train;

namespace {

double projected(const Tensor& y, const Tensor& r) {
  double s = 0;
  for (std::size_t i = 0; i < y.data.size(); ++i) s += double(y.data[i]) * r.data[i];
  return s;
}

// Every checked element of `v` (analytic gradient `g`) must match a central difference for at
// least one of the steps `hs`: a large step fails where a ReLU/max kink lies within it, a tiny
// step drowns in float rounding, so the whole net is checked with a few steps.
void check_elements(const std::string& what, std::vector<float>& v, const std::vector<float>& g,
                    const std::function<double()>& loss, int max_checks, std::vector<float> hs, double rel_tol,
                    double abs_tol = 0) {
  const int n = int(v.size()), stride = std::max(1, n / max_checks);
  for (int i = 0; i < n; i += stride) {
    const float keep = v[i];
    std::string tried;
    bool ok = false;
    for (float h : hs) {
      v[i] = keep + h;
      const double up = loss();
      v[i] = keep - h;
      const double down = loss();
      v[i] = keep;
      const double numeric = (up - down) / (2.0 * h);
      const double err = std::fabs(numeric - g[i]);
      ok = ok || err <= abs_tol + rel_tol * std::max(1e-3, std::fabs(numeric) + std::fabs(g[i]));
      tried += " h=" + std::to_string(h) + ": " + std::to_string(numeric);
    }
    ASSERT_TRUE(ok) << what << " element " << i << ": analytic " << g[i] << ", numeric" << tried;
  }
}

// Inputs: uniform in [-1, 1], or for layers with kinks (ReLU, max) values that stay more than
// the finite-difference step away from them.
enum class Inputs { uniform, away_from_zero, distinct };

void check_layer(Layer& layer, Shape in, int batch, std::uint64_t seed, bool training = true, double tol = 2e-3,
                 Inputs kind = Inputs::uniform) {
  layer.build(in);
  Rng rng(seed);
  for (Param* p : layer.params())
    for (auto& w : p->value) w = p->name.find("variance") != std::string::npos ? rng.uniform(0.5f, 1.5f) : rng.uniform(-1, 1);
  Tensor x, y, r, dx;
  x.resize(batch, in);
  for (std::size_t i = 0; i < x.data.size(); ++i) {
    float& v = x.data[i];
    if (kind == Inputs::uniform) v = rng.uniform(-1, 1);
    if (kind == Inputs::away_from_zero) v = (rng.uniform() < 0.5f ? -1.f : 1.f) * rng.uniform(0.1f, 1.f);
    if (kind == Inputs::distinct) v = 0.05f * float((i * 7919) % x.data.size()) - 1.f;  // a permutation, 0.05 apart
  }
  layer.forward(x, y, training);
  r.resize(y.n, y.s);
  for (auto& v : r.data) v = rng.uniform(-1, 1);
  layer.backward(x, y, r, &dx);
  auto loss = [&]() {
    Tensor t;
    layer.forward(x, t, training);
    return projected(t, r);
  };
  const std::string name = std::string(layer.class_name()) + " " + layer.name();
  check_elements(name + " dx", x.data, dx.data, loss, 200, {1e-2f}, tol);
  for (Param* p : layer.params())
    if (p->trainable) check_elements(name + " d" + p->name, p->value, p->grad, loss, 100, {1e-2f}, tol);
}

}  // namespace

TEST(Gradients, Conv2DNoBias) {
  Conv2D c("conv", 5, 3, false);
  check_layer(c, {7, 6, 3}, 3, 1);
}
TEST(Gradients, Conv2DWithBias) {
  Conv2D c("conv", 4, 3, true);
  check_layer(c, {5, 5, 2}, 2, 2);
}
TEST(Gradients, Conv2DOneByOne) {
  Conv2D c("conv", 3, 1, true);
  check_layer(c, {4, 3, 5}, 2, 3);
}
TEST(Gradients, BatchNormTraining) {
  BatchNorm b("bn");
  check_layer(b, {4, 3, 5}, 4, 4, true, 5e-3);
}
TEST(Gradients, BatchNormInference) {
  BatchNorm b("bn");
  check_layer(b, {3, 3, 4}, 2, 5, false);
}
TEST(Gradients, Relu) {
  Relu r("relu");
  check_layer(r, {5, 5, 3}, 2, 6, true, 2e-3, Inputs::away_from_zero);
}
TEST(Gradients, MaxPool) {
  MaxPool2 m("pool");
  check_layer(m, {6, 7, 3}, 2, 7, true, 2e-3, Inputs::distinct);  // odd width: the last column is dropped, like 'valid'
}
TEST(Gradients, GlobalAveragePool) {
  GlobalAvgPool g("gap");
  check_layer(g, {3, 4, 5}, 3, 8);
}
TEST(Gradients, Dense) {
  Dense d("dense", 7, "linear");
  check_layer(d, {1, 1, 9}, 5, 9);
}
TEST(Gradients, Flatten) {
  Flatten f("flat");
  check_layer(f, {2, 3, 2}, 2, 10);
}

// The whole shipped architecture with softmax cross-entropy, end to end: checks the wiring
// (each layer's exact check is above), so the tolerance allows for kinks and float rounding.
TEST(Gradients, MnistNetWithCrossEntropy) {
  auto net = make_mnist_net();
  net->init(3);
  Rng rng(11);
  Tensor x, dz;
  x.resize(3, {28, 28, 1});
  for (auto& v : x.data) v = rng.uniform(0, 1);
  const std::uint8_t labels[3] = {3, 1, 4};
  auto loss = [&]() {
    Tensor d;
    return softmax_cross_entropy(net->forward(x, true), labels, 0.1f, d, nullptr);
  };
  softmax_cross_entropy(net->forward(x, true), labels, 0.1f, dz, nullptr);
  net->backward(dz);
  for (Param* p : net->params()) {
    if (!p->trainable) continue;
    const std::vector<float> g = p->grad;
    check_elements(p->name, p->value, g, loss, 6, {3e-3f, 1e-3f, 3e-4f}, 5e-2, 1e-3);
  }
}

TEST(Gradients, CrossEntropyMatchesDefinition) {
  Tensor z, d;
  z.resize(2, {1, 1, 3});
  z.data = {1.f, 2.f, 3.f, 0.f, 0.f, 0.f};
  const std::uint8_t labels[2] = {2, 0};
  int correct = 0;
  const double loss = softmax_cross_entropy(z, labels, 0.f, d, &correct);
  const double l0 = -std::log(std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)));
  const double l1 = std::log(3.0);
  EXPECT_NEAR(loss, (l0 + l1) / 2, 1e-6);
  EXPECT_EQ(correct, 2);  // the second row is a three-way tie: argmax picks class 0, its label
}
