#pragma once

namespace convolens::bench {
// Runs iterations * 96 flops of independent f32x4 mul+add chains; returns a checksum.
float simd_peak_f32x4(int iterations, float seed);
inline constexpr double kPeakFlopsPerIteration = 96;
}  // namespace convolens::bench
