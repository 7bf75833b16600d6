// The filters the kernel sweeps run: random float and integer kernels of many shapes, rank-1,
// box, Gaussian and gradient kernels, every preset, and for each specialised row at least one
// kernel it accepts (the per-row tests fail a row that no case reaches).
#pragma once
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "image/presets.h"

namespace convolens::testing {

struct FilterCase {
  std::string name;
  FilterSpec spec;
};

inline ConvKernel random_float(int w, int h, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  ConvKernel k{w, h, std::vector<float>(std::size_t(w) * h), 1, 0};
  float sum = 0;
  for (float& v : k.weights) sum += std::fabs(v = d(rng));
  k.scale = sum;  // keeps results inside 0..255 often enough to test rounding, not just clamping
  k.offset = float(rng() % 128);
  return k;
}

inline ConvKernel random_int(int w, int h, int range, float scale, std::mt19937& rng) {
  ConvKernel k{w, h, std::vector<float>(std::size_t(w) * h), scale, float(rng() % 2 ? 128 : 0)};
  for (float& v : k.weights) v = float(int(rng() % (2 * range + 1)) - range);
  return k;
}

// A kernel of w x h with exactly `taps` non-zero integer weights (|w| <= 3).
inline ConvKernel sparse_int(int w, int h, int taps, float scale, std::mt19937& rng) {
  ConvKernel k{w, h, std::vector<float>(std::size_t(w) * h, 0.f), scale, float(rng() % 2 ? 64 : 0)};
  std::vector<int> idx(k.weights.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = int(i);
  std::shuffle(idx.begin(), idx.end(), rng);
  for (int t = 0; t < taps; ++t) k.weights[idx[t]] = float(int(rng() % 3) + 1) * (rng() % 2 ? 1.f : -1.f);
  return k;
}

inline ConvKernel outer(const std::vector<float>& ky, const std::vector<float>& kx, float scale) {
  ConvKernel k{int(kx.size()), int(ky.size()), {}, scale, 0};
  for (float a : ky)
    for (float b : kx) k.weights.push_back(a * b);
  return k;
}

inline std::vector<FilterCase> filter_cases() {
  std::mt19937 rng(20261125);
  std::vector<FilterCase> c;
  auto add = [&](std::string name, ConvKernel k) {
    FilterSpec s;
    s.kernel = std::move(k);
    c.push_back({std::move(name), s});
  };
  for (auto [w, h] : {std::pair{1, 1}, {3, 3}, {5, 5}, {1, 7}, {7, 1}, {2, 4}, {4, 2}, {6, 6}, {9, 3}, {31, 31}})
    add("random f32 " + std::to_string(w) + "x" + std::to_string(h), random_float(w, h, rng));
  add("random int 3x3", random_int(3, 3, 3, 4, rng));
  add("random int 3x2", random_int(3, 2, 4, 2, rng));
  add("random int 5x5", random_int(5, 5, 2, 16, rng));
  add("random int 1x3", random_int(1, 3, 9, 1, rng));
  for (int taps = 1; taps <= 9; ++taps) {  // every tap count of the small i16 rows, with and without a shift
    add("sparse int 3x3 taps " + std::to_string(taps), sparse_int(3, 3, taps, 1, rng));
    add("sparse int 3x3 taps " + std::to_string(taps) + " shift", sparse_int(3, 3, taps, 4, rng));
  }
  add("sparse int 2x2 taps 3", sparse_int(2, 2, 3, 2, rng));
  add("sparse int 7x7", [&] {
    ConvKernel k{7, 7, std::vector<float>(49), 8, 64};
    for (int t = 0; t < 49; t += 5) k.weights[t] = float(int(rng() % 5) - 2);
    return k;
  }());
  add("zero 3x3", ConvKernel{3, 3, std::vector<float>(9, 0.f), 1, 17});
  add("rank-1 f32 5x5", outer({0.2f, 0.7f, 1.f, 0.3f, 0.1f}, {0.5f, 1.f, 0.25f, 0.5f, 0.125f}, 6.f));
  add("rank-1 f32 signed 3x7", outer({1, -2, 1}, {0.1f, -0.4f, 0.9f, 1.f, 0.9f, -0.4f, 0.1f}, 3.f));
  add("binomial u16 5x3", outer({1, 2, 1}, {1, 4, 6, 4, 1}, 64));
  add("gauss-like u16 3x3", outer({27, 202, 27}, {27, 202, 27}, 65536));
  add("gauss-like u16 5x5", outer({1, 30, 194, 30, 1}, {1, 30, 194, 30, 1}, 65536));
  add("gauss-like u16 7x7", outer({1, 9, 56, 124, 56, 9, 1}, {1, 9, 56, 124, 56, 9, 1}, 65536));
  add("box 3x3", ConvKernel{3, 3, std::vector<float>(9, 1.f), 9, 0});
  add("box 5x3 offset", ConvKernel{5, 3, std::vector<float>(15, 2.f), 31, 3.5f});
  add("box 15x15", ConvKernel{15, 15, std::vector<float>(225, 1.f), 225, 0});
  add("box 7x7 offset 128 (q15)", ConvKernel{7, 7, std::vector<float>(49, 1.f), 98, 128});
  add("box 31x31", ConvKernel{31, 31, std::vector<float>(961, 1.f), 961, 0});
  add("box 2x1 even", ConvKernel{2, 1, std::vector<float>(2, 1.f), 2, 0});
  add("box negative (f32 finish)", ConvKernel{3, 3, std::vector<float>(9, -1.f), 9, 255});
  add("rank-1 u16 f32 finish 3x3", outer({1, 2, 1}, {1, 1, 1}, 12));
  add("rank-1 u16 asymmetric 4x3", outer({1, 3, 2}, {2, 1, 1, 4}, 48));
  for (Gradient g : {Gradient::MagnitudeL2, Gradient::MagnitudeL1}) {  // not of the Sobel family: generic path
    FilterSpec s;
    s.kernel = ConvKernel{5, 3, {1, 2, 0, -1, 3, -2, 0, 4, 1, -1, 0, 1, -3, 2, 0}, 2, 5};
    s.kernel_y = ConvKernel{5, 3, {0, -1, 2, 1, 0, 3, -2, 0, 0, 1, -4, 1, 0, 2, -1}, 1, 0};
    s.gradient = g;
    c.push_back({g == Gradient::MagnitudeL2 ? "gradient 5x3 L2" : "gradient 5x3 L1", s});
  }
  {
    FilterSpec s = make_preset("sobel-magnitude");  // Sobel with a scale and offset: the diff3 row
    s.kernel.scale = 2;
    s.kernel.offset = 10;
    c.push_back({"sobel-magnitude scaled", s});
  }
  for (const Preset& p : preset_catalog()) c.push_back({"preset " + p.name, p.spec});
  for (auto [sigma, size] : {std::pair{0.6, 0}, {2.0, 0}, {1.0, 3}, {1.0, 5}, {1.0, 7}}) {
    PresetParams params{{"sigma", sigma}};
    if (size) params["size"] = size;
    c.push_back({"gaussian sigma " + std::to_string(sigma) + " size " + std::to_string(size),
                 make_preset("gaussian", params)});
  }
  return c;
}

}  // namespace convolens::testing
