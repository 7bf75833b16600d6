// Every convolution variant (forward, weight gradient, input gradient) against the scalar
// reference, bit for bit (memcmp): the trainer's weights must not depend on the build. Odd sizes
// hit every tile edge (filter counts that are not multiples of 4, kernel rows longer than 8
// vectors, rows shorter than a pixel tile, 1x1 outputs).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "train/conv.h"
#include "train/gemm.h"
#include "train/rng.h"

using namespace convolens::train;

namespace {
std::vector<float> random(std::size_t n, Rng& rng) {
  std::vector<float> v(n);
  for (auto& x : v) x = rng.uniform(-1, 1);
  return v;
}
}  // namespace

TEST(Conv, VariantsEqualScalarReferenceBitForBit) {
  set_gemm_portable(true);  // natively the gemm's FMA variant rounds differently
  int count = 0;
  const ConvVariant* v = conv_variants(&count);
  Rng rng(5);
  const ConvGeom shapes[] = {{5, 5, 1, 3, 1},  {7, 6, 1, 3, 8},  {9, 8, 1, 5, 10}, {6, 9, 3, 3, 5},
                             {8, 8, 8, 5, 16}, {6, 7, 10, 3, 17}, {5, 6, 16, 3, 24}, {4, 4, 32, 3, 32},
                             {3, 3, 2, 3, 6},  {6, 5, 11, 1, 13}, {7, 7, 3, 2, 35}, {4, 3, 1, 1, 9}, {2, 9, 2, 2, 3}};
  for (const ConvGeom& g : shapes)
    for (int images : {1, 3}) {
      const std::size_t K = std::size_t(g.taps());
      const auto x = random(images * std::size_t(g.in_size()), rng), dy = random(images * std::size_t(g.out_size()), rng);
      const auto W = random(K * g.n, rng), bias = random(g.n, rng), dw0 = random(K * g.n, rng);
      std::vector<float> y0(images * std::size_t(g.out_size())), dx0(images * std::size_t(g.in_size())), dW0 = dw0;  // dW is overwritten
      v[0].forward(g, images, x.data(), W.data(), bias.data(), y0.data());
      std::vector<float> db0(g.n + 1, 7.f);
      v[0].weight_grad(g, images, x.data(), dy.data(), dW0.data(), db0.data());
      v[0].input_grad(g, images, dy.data(), W.data(), dx0.data());
      for (int r = 1; r < count; ++r) {
        const std::string at = std::string(v[r].name) + " h=" + std::to_string(g.h) + " w=" + std::to_string(g.w) +
                               " cin=" + std::to_string(g.cin) + " k=" + std::to_string(g.k) + " n=" +
                               std::to_string(g.n) + " images=" + std::to_string(images);
        // Outputs get one float of slack on each side, which must stay untouched.
        std::vector<float> y(y0.size() + 2, 7.f), dx(dx0.size() + 2, 7.f), dW = dw0;
        v[r].forward(g, images, x.data(), W.data(), bias.data(), y.data() + 1);
        EXPECT_EQ(0, std::memcmp(y.data() + 1, y0.data(), y0.size() * 4)) << "forward " << at;
        EXPECT_TRUE(y.front() == 7.f && y.back() == 7.f) << "forward wrote outside y: " << at;
        v[r].forward(g, images, x.data(), W.data(), nullptr, y.data() + 1);
        std::vector<float> ynb(y0.size());
        v[0].forward(g, images, x.data(), W.data(), nullptr, ynb.data());
        EXPECT_EQ(0, std::memcmp(y.data() + 1, ynb.data(), ynb.size() * 4)) << "forward without bias " << at;
        std::vector<float> db(g.n + 1, 7.f);
        v[r].weight_grad(g, images, x.data(), dy.data(), dW.data(), db.data());
        EXPECT_EQ(0, std::memcmp(dW.data(), dW0.data(), dW0.size() * 4)) << "weight grad " << at;
        EXPECT_EQ(0, std::memcmp(db.data(), db0.data(), db0.size() * 4)) << "bias grad (or wrote past it) " << at;
        v[r].weight_grad(g, images, x.data(), dy.data(), dW.data(), nullptr);
        EXPECT_EQ(0, std::memcmp(dW.data(), dW0.data(), dW0.size() * 4)) << "weight grad without bias " << at;
        v[r].input_grad(g, images, dy.data(), W.data(), dx.data() + 1);
        EXPECT_EQ(0, std::memcmp(dx.data() + 1, dx0.data(), dx0.size() * 4)) << "input grad " << at;
        EXPECT_TRUE(dx.front() == 7.f && dx.back() == 7.f) << "input grad wrote outside dx: " << at;
      }
    }
  set_gemm_portable(false);
}

// Native default (FMA gemm, another summation order for the input gradient): close to the
// reference; in the wasm builds the dispatchers are the variants above.
TEST(Conv, DispatchersAgreeWithTheReference) {
  Rng rng(6);
  for (const ConvGeom g : {ConvGeom{9, 8, 5, 3, 7}, ConvGeom{9, 8, 12, 3, 10}}) {  // direct, Winograd
  const auto x = random(2 * std::size_t(g.in_size()), rng), dy = random(2 * std::size_t(g.out_size()), rng);
  const auto W = random(std::size_t(g.taps()) * g.n, rng);
  for (bool portable : {false, true}) {
    set_gemm_portable(portable);
    std::vector<float> y(2 * g.out_size()), y0 = y, dx(2 * g.in_size()), dx0 = dx, dW(g.taps() * g.n), dW0 = dW, db(g.n), db0 = db;
    conv_forward(g, 2, x.data(), W.data(), nullptr, y.data());
    conv_weight_grad(g, 2, x.data(), dy.data(), dW.data(), db.data());
    conv_input_grad(g, 2, dy.data(), W.data(), dx.data());
    int count = 0;
    const ConvVariant* v = conv_variants(&count);
    v[0].forward(g, 2, x.data(), W.data(), nullptr, y0.data());
    v[0].weight_grad(g, 2, x.data(), dy.data(), dW0.data(), db0.data());
    v[0].input_grad(g, 2, dy.data(), W.data(), dx0.data());
    for (std::size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], y0[i], 1e-5f * (1 + std::fabs(y0[i]))) << i;
    for (std::size_t i = 0; i < dW.size(); ++i) ASSERT_NEAR(dW[i], dW0[i], 1e-5f * (1 + std::fabs(dW0[i]))) << i;
    for (std::size_t i = 0; i < db.size(); ++i) ASSERT_NEAR(db[i], db0[i], 1e-5f * (1 + std::fabs(db0[i]))) << i;
    for (std::size_t i = 0; i < dx.size(); ++i) ASSERT_NEAR(dx[i], dx0[i], 1e-5f * (1 + std::fabs(dx0[i]))) << i;
    if (portable && !conv_winograd_input_grad(g)) {
      EXPECT_EQ(0, std::memcmp(dx.data(), dx0.data(), dx.size() * 4)) << "portable input gradient bits";
    }
    // A prepared kernel gives the same bits as one transformed in the call.
    ConvPrep prep;
    conv_prepare(g, W.data(), false, prep);
    conv_prepare(g, W.data(), true, prep);
    std::vector<float> y2(y.size()), dx2(dx.size());
    conv_forward(g, 2, x.data(), W.data(), nullptr, y2.data(), &prep);
    conv_input_grad(g, 2, dy.data(), W.data(), dx2.data(), &prep);
    EXPECT_EQ(0, std::memcmp(y.data(), y2.data(), y.size() * 4)) << "prepared forward";
    EXPECT_EQ(0, std::memcmp(dx.data(), dx2.data(), dx.size() * 4)) << "prepared input gradient";
  }
  }
  set_gemm_portable(false);
}

namespace {
const WinoGeom kWinoShapes[] = {{4, 4, 1, 1, 0},  {5, 5, 1, 3, 0},  {7, 6, 10, 16, 0}, {6, 9, 3, 5, 2},
                                {4, 4, 32, 32, 0}, {2, 2, 32, 32, 2}, {3, 3, 5, 17, 1}, {9, 8, 13, 10, 2},
                                {3, 8, 4, 9, 0},  {12, 11, 16, 24, 0}};
}  // namespace

// Every Winograd variant (the transforms around the gemm, in floats or f32x4) against its scalar
// reference, bit for bit: odd outputs (partial tiles), channel counts not a multiple of 4,
// padding, more tiles than a block.
TEST(Conv, WinogradVariantsEqualScalarReferenceBitForBit) {
  set_gemm_portable(true);
  int count = 0;
  const ConvVariant* v = conv_variants(&count);
  Rng rng(8);
  for (const WinoGeom& g : kWinoShapes)
    for (int images : {1, 3}) {
      const std::size_t in = std::size_t(g.h) * g.w * g.c, out = std::size_t(g.oh()) * g.ow() * g.n;
      const auto x = random(images * in, rng), U = random(16 * std::size_t(g.c) * winograd_stride(g.n), rng), bias = random(g.n, rng);
      for (const float* b : {bias.data(), static_cast<const float*>(nullptr)}) {
        std::vector<float> y0(images * out);
        v[0].winograd(g, images, x.data(), U.data(), b, y0.data());
        for (int r = 1; r < count; ++r) {
          std::vector<float> y(y0.size() + 2, 7.f);
          v[r].winograd(g, images, x.data(), U.data(), b, y.data() + 1);
          const std::string at = std::string(v[r].name) + " h=" + std::to_string(g.h) + " w=" + std::to_string(g.w) +
                                 " c=" + std::to_string(g.c) + " n=" + std::to_string(g.n) + " pad=" +
                                 std::to_string(g.pad) + " images=" + std::to_string(images) + (b ? " bias" : "");
          EXPECT_EQ(0, std::memcmp(y.data() + 1, y0.data(), y0.size() * 4)) << "winograd " << at;
          EXPECT_TRUE(y.front() == 7.f && y.back() == 7.f) << "winograd wrote outside y: " << at;
        }
      }
      // The weight gradient (no padding): x as above, dy of the unpadded output.
      const WinoGeom w{g.h, g.w, g.c, g.n, 0};
      if (w.oh() < 1 || w.ow() < 1) continue;
      const auto dy = random(images * std::size_t(w.oh()) * w.ow() * g.n, rng);
      std::vector<float> dW0(9 * std::size_t(g.c) * g.n);
      v[0].winograd_wgrad(w, images, x.data(), dy.data(), dW0.data());
      for (int r = 1; r < count; ++r) {
        std::vector<float> dW(dW0.size() + 2, 7.f);
        v[r].winograd_wgrad(w, images, x.data(), dy.data(), dW.data() + 1);
        EXPECT_EQ(0, std::memcmp(dW.data() + 1, dW0.data(), dW0.size() * 4))
            << "winograd weight grad " << v[r].name << " h=" << g.h << " w=" << g.w << " c=" << g.c << " n=" << g.n
            << " images=" << images;
        EXPECT_TRUE(dW.front() == 7.f && dW.back() == 7.f) << "winograd weight grad wrote outside dW";
      }
    }
  set_gemm_portable(false);
}

// The scalar Winograd (with winograd_kernel) is the convolution: forward and input gradient
// against the direct references, to float rounding.
TEST(Conv, WinogradComputesTheConvolution) {
  int count = 0;
  const ConvVariant* v = conv_variants(&count);
  Rng rng(9);
  for (const ConvGeom g : {ConvGeom{7, 6, 10, 3, 16}, ConvGeom{4, 4, 32, 3, 32}, ConvGeom{9, 8, 5, 3, 3}}) {
    const int images = 2;
    const auto x = random(images * std::size_t(g.in_size()), rng), dy = random(images * std::size_t(g.out_size()), rng);
    const auto W = random(std::size_t(g.taps()) * g.n, rng), bias = random(g.n, rng);
    std::vector<float> U(16 * std::size_t(g.cin) * winograd_stride(g.n));
    std::vector<float> y0(images * std::size_t(g.out_size())), y = y0, dx0(images * std::size_t(g.in_size())), dx = dx0;
    v[0].forward(g, images, x.data(), W.data(), bias.data(), y0.data());
    winograd_kernel(W.data(), g.cin, g.n, false, U.data());
    v[0].winograd({g.h, g.w, g.cin, g.n, 0}, images, x.data(), U.data(), bias.data(), y.data());
    for (std::size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], y0[i], 1e-5f * (1 + std::fabs(y0[i])) * g.cin) << i;
    v[0].input_grad(g, images, dy.data(), W.data(), dx0.data());
    U.resize(16 * std::size_t(g.n) * winograd_stride(g.cin));
    winograd_kernel(W.data(), g.n, g.cin, true, U.data());
    v[0].winograd({g.oh(), g.ow(), g.n, g.cin, 2}, images, dy.data(), U.data(), nullptr, dx.data());
    for (std::size_t i = 0; i < dx.size(); ++i) ASSERT_NEAR(dx[i], dx0[i], 1e-5f * (1 + std::fabs(dx0[i])) * g.n) << i;
    std::vector<float> dW0(std::size_t(g.taps()) * g.n), dW = dW0;
    v[0].weight_grad(g, images, x.data(), dy.data(), dW0.data(), nullptr);
    v[0].winograd_wgrad({g.h, g.w, g.cin, g.n, 0}, images, x.data(), dy.data(), dW.data());
    const float tol = 1e-5f * images * g.oh() * g.ow();
    for (std::size_t i = 0; i < dW.size(); ++i) ASSERT_NEAR(dW[i], dW0[i], tol * (1 + std::fabs(dW0[i]))) << i;
  }
}
