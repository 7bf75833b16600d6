// Where a training step's time goes, for the three presets: batch 64 of random images, µs per
// image. Per layer as Net runs it (fused passes: a ReLU inside the BatchNorm before it or the
// max-pool after it, Flatten skipped), forward in training mode and backward; then the rest of
// a Session step (u8 -> float, softmax, Adam, Net's own loop) and a whole Session::run step for
// comparison; then BatchNorm's four passes one by one. Native:
//   build/native/train_layers [reps] [preset]
// wasm SIMD (what the browser runs; link against a build/wasm tree, whose libraries carry the
// shipped modules' per-source optimisation levels):
//   em++ -std=c++20 -O3 -msimd128 -fwasm-exceptions -Isrc tools/train_layers.cpp
//     build/wasm/libconvolens_train_simd.a build/wasm/libconvolens_nn_simd.a
//     build/wasm/libconvolens_core_simd.a -o /tmp/tl.js -sALLOW_MEMORY_GROWTH=1
//     -sENVIRONMENT=node && node --no-experimental-fetch /tmp/tl.js
// (one command line)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "train/elementwise.h"
#include "train/net.h"
#include "train/rng.h"
#include "train/session.h"
#include "train/spec.h"

using namespace convolens::train;
using clk = std::chrono::steady_clock;

namespace {
double secs(clk::time_point t0) { return std::chrono::duration<double>(clk::now() - t0).count(); }

// Best of `rounds` of `reps` calls, seconds per call.
template <class F>
double best(int rounds, int reps, F&& f) {
  double b = 1e30;
  for (int r = 0; r < rounds; ++r) {
    const auto t0 = clk::now();
    for (int i = 0; i < reps; ++i) f();
    b = std::min(b, secs(t0) / reps);
  }
  return b;
}
}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 40, warm = 5, B = 64;
  for (const char* preset : {"tiny", "convnetjs", "mnist"}) {
    if (argc > 2 && std::string(argv[2]) != preset) continue;
    auto net = make_net(preset_spec(preset), {28, 28, 1});
    net->init(1);
    Tensor x;
    x.resize(B, {28, 28, 1});
    Rng rng(3);
    for (auto& v : x.data) v = rng.uniform();
    const auto& L = net->layers();
    const std::size_t n = L.size();
    std::vector<Tensor> acts(n + 1), grads(n + 1);
    std::vector<const Tensor*> in_of(n), out_of(n);
    std::vector<double> tf(n), tb(n);
    double total = 0, best_step = 1e30;
    for (int r = 0; r < reps + warm; ++r) {
      const auto t00 = clk::now();
      const Tensor* in = &x;
      for (std::size_t i = 0; i < n; ++i) {
        in_of[i] = in;
        if (!net->fused_away(i)) {
          const auto t0 = clk::now();
          L[i]->forward(*in, acts[i + 1], true);
          if (r >= warm) tf[i] += secs(t0);
          in = &acts[i + 1];
        }
        out_of[i] = in;
      }
      Tensor dl;
      dl.resize(B, in->s);
      // Random, not constant: a constant loss gradient leaves BatchNorm's input gradients near
      // zero, and subnormal products are many times slower on x86 (wasm keeps subnormals).
      Rng grng(9);
      for (auto& v : dl.data) v = grng.uniform(-0.01f, 0.01f);
      const Tensor* dy = &dl;
      for (std::size_t i = n; i-- > 0;) {
        if (net->fused_away(i)) continue;
        const auto t0 = clk::now();
        L[i]->backward(*in_of[i], *out_of[i], *dy, i == 0 ? nullptr : &grads[i]);
        if (r >= warm) tb[i] += secs(t0);
        dy = &grads[i];
      }
      if (r >= warm) total += secs(t00), best_step = std::min(best_step, secs(t00));
    }
    const double per = 1e6 / (reps * double(B));
    double conv = 0;
    // The best step too: this VM has slow spells of seconds that move the mean.
    std::printf("== %s: %.2f us/img forward + backward (%.0f img/s, no Adam; best step %.2f us/img)\n", preset,
                total * per, 1e6 / (total * per), best_step * 1e6 / B);
    for (std::size_t i = 0; i < n; ++i) {
      if (net->fused_away(i)) {
        std::printf("  %-28s %-22s (fused)\n", L[i]->name().c_str(), L[i]->class_name());
        continue;
      }
      if (std::string(L[i]->class_name()) == "Conv2D") conv += tf[i] + tb[i];
      std::printf("  %-28s %-22s fwd %7.2f  bwd %7.2f us/img  (%4.1f%%)\n", L[i]->name().c_str(), L[i]->class_name(),
                  tf[i] * per, tb[i] * per, 100 * (tf[i] + tb[i]) / total);
    }
    // The rest of a step, as Session::run does it.
    std::vector<unsigned char> u8(std::size_t(B) * 784);
    for (auto& v : u8) v = static_cast<unsigned char>(rng.below(256));
    std::vector<std::uint8_t> labels(B);
    for (auto& v : labels) v = static_cast<std::uint8_t>(rng.below(10));
    const int rounds = 7, r2 = std::max(1, reps / 2);
    Tensor xf;
    xf.resize(B, {28, 28, 1});
    const double t_u8 = best(rounds, r2, [&] { u8_to_float(u8.data(), xf.data.data(), u8.size()); });
    Tensor dlog;
    const Tensor& z = net->forward(x, true);
    Tensor zc = z;
    const double t_sm = best(rounds, r2, [&] { softmax_cross_entropy(zc, labels.data(), 0.f, dlog, nullptr); });
    Adam adam;
    const auto params = net->params();
    const double t_adam = best(rounds, r2, [&] { adam.step(params, 1e-9f, 0.f); });
    Tensor dl;
    dl.resize(B, zc.s);
    Rng grng(9);
    for (auto& v : dl.data) v = grng.uniform(-0.01f, 0.01f);
    const double t_net = best(rounds, std::max(1, reps / 4), [&] {
      net->forward(x, true);
      net->backward(dl);
    });
    // A real step: Session::run on u8 images (shuffle, load, forward, loss, backward, Adam).
    const int N = 64 * 64;
    Session session(*net);
    std::uint8_t* d = session.reserve(N);
    for (int i = 0; i < N * 785; ++i) d[i] = static_cast<std::uint8_t>(i < N * 784 ? rng.below(256) : rng.below(10));
    FitConfig cfg;
    cfg.recalibrate_images = 0;
    cfg.epochs = 1000;
    session.start(N, cfg);
    session.run(2);
    const double t_step = best(rounds, std::max(1, reps / 4), [&] { session.run(1); });
    std::printf("  conv layers %.2f, the other layers %.2f us/img; u8->float %.2f, softmax %.2f, Adam %.2f; "
                "Net::forward+backward %.2f; Session step %.2f us/img\n",
                conv * per, (total - conv) * per, t_u8 * 1e6 / B, t_sm * 1e6 / B, t_adam * 1e6 / B, t_net * 1e6 / B,
                t_step * 1e6 / B);
    // BatchNorm's passes one by one, on its input's shape (training: sums, affine; backward: sums
    // masked by the fused ReLU's output, affine).
    for (std::size_t i = 0; i < n; ++i) {
      if (std::string(L[i]->class_name()) != "BatchNormalization") continue;
      const Shape s = L[i]->in_shape();
      const std::size_t px = std::size_t(s.h) * s.w, sz = px * s.c;
      std::vector<float> a(sz * B), g(sz * B), y(sz * B), o(sz * B), k(s.c, 0.5f), s1(s.c), s2(s.c);
      for (std::size_t j = 0; j < a.size(); ++j) a[j] = rng.uniform() - 0.5f, g[j] = rng.uniform() - 0.5f, y[j] = rng.uniform() - 0.5f;
      const int rr = std::max(1, reps / 4);
      const double f_s = best(rounds, rr, [&] {
        for (int im = 0; im < B; ++im) channel_sums(a.data() + im * sz, a.data() + im * sz, nullptr, px, s.c, s1.data(), s2.data());
      });
      const double f_a = best(rounds, rr, [&] {
        for (int im = 0; im < B; ++im) bn_forward(a.data() + im * sz, px, s.c, k.data(), k.data(), true, o.data() + im * sz);
      });
      const double b_s = best(rounds, rr, [&] {
        for (int im = 0; im < B; ++im) channel_sums(g.data() + im * sz, a.data() + im * sz, y.data() + im * sz, px, s.c, s1.data(), s2.data());
      });
      const double b_a = best(rounds, rr, [&] {
        for (int im = 0; im < B; ++im)
          bn_backward(g.data() + im * sz, y.data() + im * sz, a.data() + im * sz, px, s.c, k.data(), k.data(), k.data(), o.data() + im * sz);
      });
      std::printf("    %-26s %2dx%2dx%2d  fwd sums %6.2f affine %6.2f  bwd sums %6.2f affine %6.2f us/img\n",
                  L[i]->name().c_str(), s.h, s.w, s.c, f_s * 1e6 / B, f_a * 1e6 / B, b_s * 1e6 / B, b_a * 1e6 / B);
    }
  }
}
