// Per-layer time of a training step (forward in training mode, backward; no Adam) for the three
// presets, batch 64 of random images, µs per image: where a step's time goes. Native:
//   build/native/train_layers [reps] [preset]
// wasm SIMD (what the browser runs; link against a build/wasm tree):
//   em++ -std=c++20 -O3 -msimd128 -fwasm-exceptions -Isrc tools/train_layers.cpp src/train/*.cpp
//     build/wasm/libconvolens_nn_simd.a build/wasm/libconvolens_core_simd.a -o /tmp/tl.js
//     -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=node && node --no-experimental-fetch /tmp/tl.js
// (one command line)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "train/net.h"
#include "train/rng.h"
#include "train/spec.h"

using namespace convolens::train;
using clk = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 40, warm = 5;
  for (const char* preset : {"tiny", "convnetjs", "mnist"}) {
    if (argc > 2 && std::string(argv[2]) != preset) continue;
    auto net = make_net(preset_spec(preset), {28, 28, 1});
    net->init(1);
    Tensor x;
    x.resize(64, {28, 28, 1});
    Rng rng(3);
    for (auto& v : x.data) v = rng.uniform();
    const auto& L = net->layers();
    const std::size_t n = L.size();
    std::vector<Tensor> acts(n + 1), grads(n + 1);
    std::vector<double> tf(n), tb(n);
    double total = 0, best = 1e30;
    auto secs = [](clk::time_point t0) { return std::chrono::duration<double>(clk::now() - t0).count(); };
    for (int r = 0; r < reps + warm; ++r) {
      const auto t00 = clk::now();
      const Tensor* in = &x;
      for (std::size_t i = 0; i < n; ++i) {
        const auto t0 = clk::now();
        L[i]->forward(*in, acts[i + 1], true);
        if (r >= warm) tf[i] += secs(t0);
        in = &acts[i + 1];
      }
      Tensor dl;
      dl.resize(64, acts[n].s);
      // Random, not constant: a constant loss gradient leaves BatchNorm's input gradients near
      // zero, and subnormal products are many times slower on x86 (wasm keeps subnormals).
      Rng grng(9);
      for (auto& v : dl.data) v = grng.uniform(-0.01f, 0.01f);
      const Tensor* dy = &dl;
      for (std::size_t i = n; i-- > 0;) {
        const auto t0 = clk::now();
        L[i]->backward(i == 0 ? x : acts[i], acts[i + 1], *dy, i == 0 ? nullptr : &grads[i]);
        if (r >= warm) tb[i] += secs(t0);
        dy = &grads[i];
      }
      if (r >= warm) total += secs(t00), best = std::min(best, secs(t00));
    }
    const double per = 1e6 / (reps * 64.0);
    // The best step too: this VM has slow spells of seconds that move the mean.
    std::printf("== %s: %.2f us/img forward + backward (%.0f img/s, no Adam; best step %.2f us/img)\n", preset,
                total * per, 1e6 / (total * per), best * 1e6 / 64);
    for (std::size_t i = 0; i < n; ++i)
      std::printf("  %-28s %-22s fwd %7.2f  bwd %7.2f us/img  (%4.1f%%)\n", L[i]->name().c_str(), L[i]->class_name(),
                  tf[i] * per, tb[i] * per, 100 * (tf[i] + tb[i]) / total);
  }
}
