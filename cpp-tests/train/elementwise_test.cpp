// The optimized elementwise passes equal their scalar references bit for bit (signs of zero and
// NaN payloads included), at every length around the vector width.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "train/elementwise.h"
#include "train/rng.h"

using namespace convolens::train;

TEST(Elementwise, ReluBackwardEqualsScalarBitForBit) {
  Rng rng(5);
  for (std::size_t n : {0, 1, 3, 4, 5, 8, 17, 1000}) {
    std::vector<float> out(n), g(n), want(n, 9.f), got(n, 9.f);
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = i % 7 == 0 ? 0.f : i % 11 == 0 ? -0.f : i % 13 == 0 ? NAN : rng.uniform(-1, 1);
      g[i] = i % 5 == 0 ? -0.f : rng.uniform(-1, 1);
    }
    relu_backward__scalar(out.data(), g.data(), want.data(), n);
    relu_backward(out.data(), g.data(), got.data(), n);
    // n = 0: the vectors' data() may be null, which memcmp must not get (UBSan).
    if (n > 0) {
      ASSERT_EQ(0, std::memcmp(want.data(), got.data(), n * sizeof(float))) << "n=" << n;
    }
  }
}

// BatchNorm's passes at the channel counts of the presets (and tails of 1..3 channels), alone and
// with the ReLU after them fused (its mask from the forward's scale and shift, with outputs of
// zero of both signs and NaN): the build's variant equals the reference, and the fused mask is
// relu_backward's by that ReLU's output.
TEST(Elementwise, BatchNormPassesEqualScalarBitForBit) {
  Rng rng(6);
  for (int relu = 0; relu < 2; ++relu)
    for (int C : {1, 3, 4, 10, 16, 24, 30})
      for (std::size_t per : {1, 4, 25}) {
        const std::size_t n = per * C;
        std::vector<float> a(n), b(n), m(2 * C), k1(C), k2(C), k3(C);
        for (auto& v : a) v = rng.uniform(-2, 2);
        for (std::size_t i = 0; i < n; ++i) b[i] = i % 3 == 0 ? 0.f : i % 7 == 0 ? -0.f : i % 11 == 0 ? NAN : rng.uniform(-2, 2);
        for (int c = 0; c < C; ++c)
          k1[c] = rng.uniform(-1, 1), k2[c] = rng.uniform(-1, 1), k3[c] = rng.uniform(-1, 1),
          m[c] = c % 2 ? rng.uniform(-1, 1) : 1.f, m[C + c] = c % 2 ? rng.uniform(-1, 1) : c % 4 ? -0.f : 0.f;
        const float* mask = relu ? m.data() : nullptr;
        // What the mask stands for: relu_backward by the ReLU's output max(0, b m1 + m2).
        std::vector<float> y(n), am(n), e1(C), e2(C);
        for (std::size_t i = 0; i < n; ++i) y[i] = std::max(0.f, b[i] * m[i % C] + m[C + i % C]);
        if (relu) relu_backward__scalar(y.data(), a.data(), am.data(), n);
        else am = a;
        channel_sums__scalar(am.data(), b.data(), nullptr, per, C, e1.data(), e2.data());
        std::vector<float> w1(C), w2(C), g1(C), g2(C);
        channel_sums__scalar(a.data(), b.data(), mask, per, C, w1.data(), w2.data());
        channel_sums(a.data(), b.data(), mask, per, C, g1.data(), g2.data());
        ASSERT_EQ(0, std::memcmp(e1.data(), w1.data(), C * sizeof(float))) << "mask C=" << C << " per=" << per << " relu=" << relu;
        ASSERT_EQ(0, std::memcmp(e2.data(), w2.data(), C * sizeof(float))) << "mask C=" << C << " per=" << per << " relu=" << relu;
        ASSERT_EQ(0, std::memcmp(w1.data(), g1.data(), C * sizeof(float))) << "sums C=" << C << " per=" << per << " relu=" << relu;
        ASSERT_EQ(0, std::memcmp(w2.data(), g2.data(), C * sizeof(float))) << "product sums C=" << C << " per=" << per << " relu=" << relu;
        std::vector<float> want(n), got(n), apart(n);
        bn_forward__scalar(a.data(), per, C, k1.data(), k2.data(), relu, want.data());
        bn_forward(a.data(), per, C, k1.data(), k2.data(), relu, got.data());
        ASSERT_EQ(0, std::memcmp(want.data(), got.data(), n * sizeof(float))) << "forward C=" << C << " per=" << per << " relu=" << relu;
        bn_backward__scalar(am.data(), nullptr, b.data(), per, C, k1.data(), k2.data(), k3.data(), apart.data());
        bn_backward__scalar(a.data(), mask, b.data(), per, C, k1.data(), k2.data(), k3.data(), want.data());
        bn_backward(a.data(), mask, b.data(), per, C, k1.data(), k2.data(), k3.data(), got.data());
        ASSERT_EQ(0, std::memcmp(apart.data(), want.data(), n * sizeof(float))) << "mask C=" << C << " per=" << per << " relu=" << relu;
        ASSERT_EQ(0, std::memcmp(want.data(), got.data(), n * sizeof(float))) << "backward C=" << C << " per=" << per << " relu=" << relu;
      }
}

// Max-pool with and without the fused ReLU: odd sizes (a row and a column in no window) and
// channel counts with tails; inputs with ties, zeros of both signs and NaN.
TEST(Elementwise, MaxPoolEqualsScalarBitForBit) {
  Rng rng(8);
  for (int relu = 0; relu < 2; ++relu)
    for (int C : {1, 3, 4, 8, 10, 16})
      for (int H : {2, 3, 5, 8}) {
        const int W = H + 1, OH = H / 2, OW = W / 2;
        const std::size_t n = std::size_t(H) * W * C, m = std::size_t(OH) * OW * C;
        std::vector<float> a(n), g(m);
        for (std::size_t i = 0; i < n; ++i)
          a[i] = i % 9 == 0 ? 0.f : i % 11 == 0 ? -0.f : i % 23 == 0 ? NAN : i % 5 == 0 ? 0.5f : rng.uniform(-1, 1);
        for (std::size_t i = 0; i < m; ++i) g[i] = i % 7 == 0 ? -0.f : rng.uniform(-1, 1);
        std::vector<float> want(m), got(m);
        std::vector<unsigned char> wa(m), ga(m);
        maxpool2_forward__scalar(a.data(), W, C, OH, OW, relu, want.data(), wa.data());
        maxpool2_forward(a.data(), W, C, OH, OW, relu, got.data(), ga.data());
        ASSERT_EQ(0, std::memcmp(want.data(), got.data(), m * sizeof(float))) << "forward relu=" << relu << " C=" << C << " H=" << H;
        ASSERT_EQ(wa, ga) << "arg relu=" << relu << " C=" << C << " H=" << H;
        std::vector<float> wd(n, 9.f), gd(n, 9.f);
        maxpool2_backward__scalar(g.data(), wa.data(), H, W, C, wd.data());
        maxpool2_backward(g.data(), wa.data(), H, W, C, gd.data());
        ASSERT_EQ(0, std::memcmp(wd.data(), gd.data(), n * sizeof(float))) << "backward relu=" << relu << " C=" << C << " H=" << H;
      }
}

// BatchNorm (+ ReLU) with the max-pool after it fused: the same floats as the passes apart
// (bn_forward, maxpool2_forward; maxpool2_backward, relu_backward, channel_sums, bn_backward), for the fused reference and the build's variant; odd sizes, channel tails, zeros of
// both signs and NaN. The fused sums are channel_sums of maxpool2_backward with the fused arg.
TEST(Elementwise, BatchNormWithPoolEqualsThePassesApartBitForBit) {
  Rng rng(10);
  for (int relu = 0; relu < 2; ++relu)
    for (int C : {1, 3, 4, 10, 16})
      for (int H : {2, 3, 5, 8}) {
        const int W = H + 1, OH = H / 2, OW = W / 2;
        const std::size_t n = std::size_t(H) * W * C, m = std::size_t(OH) * OW * C, per = std::size_t(H) * W;
        std::vector<float> a(n), g(m), k1(C), k2(C), b1(C), b2(C), b3(C);
        for (std::size_t i = 0; i < n; ++i)
          a[i] = i % 9 == 0 ? 0.f : i % 11 == 0 ? -0.f : i % 23 == 0 ? NAN : i % 5 == 0 ? 0.5f : rng.uniform(-1, 1);
        for (std::size_t i = 0; i < m; ++i) g[i] = i % 7 == 0 ? -0.f : rng.uniform(-1, 1);
        for (int c = 0; c < C; ++c)
          k1[c] = c == 1 ? 0.f : rng.uniform(-1, 1), k2[c] = c == 1 ? -0.f : rng.uniform(-1, 1),
          b1[c] = rng.uniform(-1, 1), b2[c] = rng.uniform(-1, 1), b3[c] = rng.uniform(-1, 1);
        // The passes apart, as the layers one by one run them.
        std::vector<float> t(n), want(m), d(n), ws1(C), ws2(C), wdx(n);
        std::vector<unsigned char> targ(m);
        bn_forward__scalar(a.data(), per, C, k1.data(), k2.data(), relu, t.data());
        maxpool2_forward__scalar(t.data(), W, C, OH, OW, false, want.data(), targ.data());
        maxpool2_backward__scalar(g.data(), targ.data(), H, W, C, d.data());
        if (relu) relu_backward__scalar(t.data(), d.data(), d.data(), n);
        channel_sums__scalar(d.data(), a.data(), nullptr, per, C, ws1.data(), ws2.data());
        bn_backward__scalar(d.data(), nullptr, a.data(), per, C, b1.data(), b2.data(), b3.data(), wdx.data());
        // The fused arg: the pool's with the ReLU inside it.
        std::vector<float> u(n), uo(m);
        std::vector<unsigned char> warg(m);
        bn_forward__scalar(a.data(), per, C, k1.data(), k2.data(), false, u.data());
        maxpool2_forward__scalar(u.data(), W, C, OH, OW, relu, uo.data(), warg.data());
        const PoolGeom p{H, W, C, k1.data(), k2.data(), bool(relu)};
        const std::string at = "relu=" + std::to_string(relu) + " C=" + std::to_string(C) + " H=" + std::to_string(H);
        for (int v = 0; v < 2; ++v) {
          std::vector<float> o(m), s1(C), s2(C), dx(n);
          std::vector<unsigned char> arg(m);
          (v ? bn_pool_forward : bn_pool_forward__scalar)(a.data(), p, o.data(), arg.data());
          ASSERT_EQ(0, std::memcmp(want.data(), o.data(), m * sizeof(float))) << "forward v=" << v << " " << at;
          ASSERT_EQ(warg, arg) << "arg v=" << v << " " << at;
          (v ? bn_pool_backward : bn_pool_backward__scalar)(g.data(), arg.data(), a.data(), H, W, C, b1.data(),
                                                            b2.data(), b3.data(), dx.data());
          // BatchNorm's sums: on the scattered gradient, unmasked (arg says where the ReLU blocks).
          std::vector<float> sd(n);
          (v ? maxpool2_backward : maxpool2_backward__scalar)(g.data(), arg.data(), H, W, C, sd.data());
          (v ? channel_sums : channel_sums__scalar)(sd.data(), a.data(), nullptr, per, C, s1.data(), s2.data());
          ASSERT_EQ(0, std::memcmp(ws1.data(), s1.data(), C * sizeof(float))) << "sums v=" << v << " " << at;
          ASSERT_EQ(0, std::memcmp(ws2.data(), s2.data(), C * sizeof(float))) << "product sums v=" << v << " " << at;
          ASSERT_EQ(0, std::memcmp(wdx.data(), dx.data(), n * sizeof(float))) << "backward v=" << v << " " << at;
        }
      }
}

TEST(Elementwise, AdamEqualsScalarBitForBit) {
  Rng rng(9);
  for (std::size_t n : {1, 3, 4, 7, 100})
    for (int decay = 0; decay < 2; ++decay) {
      std::vector<float> w(n), g(n), m(n), v(n);
      for (std::size_t i = 0; i < n; ++i)
        w[i] = rng.uniform(-1, 1), g[i] = i % 5 == 0 ? 0.f : rng.uniform(-1, 1), m[i] = rng.uniform(-0.1f, 0.1f),
        v[i] = rng.uniform(0, 0.01f);
      auto w2 = w, m2 = m, v2 = v;
      const AdamStep k{0.9f, 0.999f, 0.271f, 0.00299f, 1e-7f, 0.01f, decay ? 1e-4f : 0.f, bool(decay)};
      for (int step = 0; step < 3; ++step) {
        adam_update__scalar(w.data(), g.data(), m.data(), v.data(), n, k);
        adam_update(w2.data(), g.data(), m2.data(), v2.data(), n, k);
      }
      ASSERT_EQ(0, std::memcmp(w.data(), w2.data(), n * sizeof(float))) << "n=" << n;
      ASSERT_EQ(0, std::memcmp(m.data(), m2.data(), n * sizeof(float))) << "n=" << n;
      ASSERT_EQ(0, std::memcmp(v.data(), v2.data(), n * sizeof(float))) << "n=" << n;
    }
}

TEST(Elementwise, U8ToFloatEqualsScalarBitForBit) {
  for (std::size_t n : {0, 1, 15, 16, 17, 784, 790}) {
    std::vector<unsigned char> p(n + 1);
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(i * 37 + 11);
    std::vector<float> want(n + 1, 9.f), got(n + 1, 9.f);
    u8_to_float__scalar(p.data(), want.data(), n);
    u8_to_float(p.data(), got.data(), n);
    ASSERT_EQ(0, std::memcmp(want.data(), got.data(), (n + 1) * sizeof(float))) << "n=" << n;
  }
}

TEST(Elementwise, CombinePartsEqualsScalarBitForBit) {
  Rng rng(10);
  for (std::size_t n : {1, 3, 4, 9, 50})
    for (int count : {1, 2, 3}) {
      const std::size_t stride = n + 5;
      std::vector<float> parts(stride * count);
      for (std::size_t i = 0; i < parts.size(); ++i) parts[i] = i % 6 == 0 ? -0.f : rng.uniform(-1, 1);
      const int images[3] = {32, 31, 0};
      std::vector<float> want(n), got(n);
      combine_parts__scalar(parts.data(), stride, images, count, 63.f, want.data(), n);
      combine_parts(parts.data(), stride, images, count, 63.f, got.data(), n);
      ASSERT_EQ(0, std::memcmp(want.data(), got.data(), n * sizeof(float))) << "n=" << n << " parts=" << count;
    }
}
