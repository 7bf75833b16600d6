// Helpers shared by the GoogleTest suites: seeded random data, hashes, readable case names.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "core/registry.h"

namespace convolens {
// Kernel rows as test parameters: listings (and ctest names) show the row's name, not its address.
template <class Q, class F>
void PrintTo(const KernelRow<Q, F>* row, std::ostream* os) {
  *os << row->name;
}
// One parameterised test instance per row, named after it.
template <class Row>
std::string row_name(const ::testing::TestParamInfo<const Row*>& info) {
  return info.param->name;
}
}  // namespace convolens

namespace convolens::testing {

inline std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng() >> 24);
  return v;
}

// FNV-1a 64: a fixed function of the bytes, identical on every platform, so a golden value
// computed natively must be reproduced by the wasm build (bit-identity test).
inline std::uint64_t fnv1a(const std::uint8_t* p, std::size_t n, std::uint64_t h = 1469598103934665603ull) {
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

// Index of the first differing byte as "x=.. y=.. c=.. got .. want ..", or "" when equal.
inline std::string first_difference(const std::uint8_t* got, const std::uint8_t* want, int width, int height,
                                    int channels) {
  for (int i = 0; i < width * height * channels; ++i)
    if (got[i] != want[i]) {
      const int px = i / channels;
      return "x=" + std::to_string(px % width) + " y=" + std::to_string(px / width) + " c=" +
             std::to_string(i % channels) + " got " + std::to_string(got[i]) + " want " + std::to_string(want[i]);
    }
  return "";
}

}  // namespace convolens::testing
