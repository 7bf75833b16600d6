// A small, fully specified RNG (splitmix64) so training and augmentation give the same
// numbers on every platform and standard library (std:: distributions are implementation-defined).
#pragma once
#include <cstdint>

namespace convolens::train {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  float uniform() { return float(next() >> 40) * (1.f / 16777216.f); }  // [0, 1)
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  int below(int n) { return int((next() >> 33) % std::uint64_t(n)); }

 private:
  std::uint64_t s_;
};

// Independent stream for (seed, a, b): e.g. one per (epoch, image) so parallel work is reproducible.
inline std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0) {
  Rng r(seed ^ (a * 0xD1B54A32D192ED03ull) ^ (b * 0x8CB92BA72F3D8DD7ull));
  return r.next();
}

}  // namespace convolens::train
