// Helpers for the nn suites: seeded tensors, NaN-prefilled outputs, readable case names,
// and a small writer of TF.js model.json + weight bytes.
#pragma once
#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace convolens::nn::testing {

inline std::vector<float> random_floats(std::size_t n, std::uint32_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// Index and values of the first element where |got - want| > tol * (1 + |want|), or "".
inline std::string first_mismatch(const float* got, const float* want, std::size_t n, float tol) {
  for (std::size_t i = 0; i < n; ++i)
    if (!(std::fabs(got[i] - want[i]) <= tol * (1.f + std::fabs(want[i])))) {
      std::ostringstream s;
      s << "index " << i << ": got " << got[i] << " want " << want[i];
      return s.str();
    }
  return "";
}

// A weight to put in the manifest; bytes are float32 unless `quant` is uint8/uint16/float16.
struct TestWeight {
  std::string name;
  std::vector<int> shape;
  std::vector<float> values;
};

inline std::string shape_json(const std::vector<int>& s) {
  std::string r = "[";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i) r += ",";
    r += std::to_string(s[i]);
  }
  return r + "]";
}

// model.json for a Sequential model whose layers are given as JSON objects.
inline std::string sequential_json(const std::vector<std::string>& layers, const std::vector<TestWeight>& ws) {
  std::string j = R"({"format":"layers-model","modelTopology":{"class_name":"Sequential","config":{"name":"t","layers":[)";
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (i) j += ",";
    j += layers[i];
  }
  j += R"(]}},"weightsManifest":[{"paths":["w.bin"],"weights":[)";
  for (std::size_t i = 0; i < ws.size(); ++i) {
    if (i) j += ",";
    j += R"({"name":")" + ws[i].name + R"(","shape":)" + shape_json(ws[i].shape) + R"(,"dtype":"float32"})";
  }
  return j + "]}]}";
}

inline std::vector<std::uint8_t> weight_bytes(const std::vector<TestWeight>& ws) {
  std::vector<std::uint8_t> b;
  for (const auto& w : ws) {
    const std::size_t o = b.size();
    b.resize(o + w.values.size() * 4);
    std::memcpy(b.data() + o, w.values.data(), w.values.size() * 4);
  }
  return b;
}

}  // namespace convolens::nn::testing
