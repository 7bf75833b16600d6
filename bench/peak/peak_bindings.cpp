// The benchmark-only module: simdPeak(iterations, seed) for bench/cnn.js's peak row.
#include <emscripten/bind.h>

#include "peak/simd_peak.h"

EMSCRIPTEN_BINDINGS(convolens_bench_peak) {
  emscripten::function("simdPeak", &convolens::bench::simd_peak_f32x4);
  emscripten::constant("peakFlopsPerIteration", convolens::bench::kPeakFlopsPerIteration);
}
