// The f32x4 mul+add peak of this machine, measured by the CNN benchmark next to the kernels
// (benchmark only: built into build/wasm/convolens-bench-peak.cjs, never into a shipped module):
// 12 independent accumulator chains (what V8 keeps in registers), 96 flops per iteration.
// Lanes and chains start from different values so the compiler cannot share or scalarise them.
#include "peak/simd_peak.h"

#include "simd/simd.h"

namespace convolens::bench {

__attribute__((noinline)) float simd_peak_f32x4(int iterations, float seed) {
  const v128_t m = wasm_f32x4_make(0.999999f, 0.999998f, 0.999997f, 0.999996f * seed / seed);
  const v128_t a = wasm_f32x4_make(1e-7f, 2e-7f, 3e-7f, 4e-7f * seed);
  v128_t c0 = wasm_f32x4_make(seed, seed + 1, seed + 2, seed + 3), c1 = wasm_f32x4_add(c0, c0),
         c2 = wasm_f32x4_add(c1, c0), c3 = wasm_f32x4_add(c2, c0), c4 = wasm_f32x4_add(c3, c0),
         c5 = wasm_f32x4_add(c4, c0), c6 = wasm_f32x4_add(c5, c0), c7 = wasm_f32x4_add(c6, c0),
         c8 = wasm_f32x4_add(c7, c0), c9 = wasm_f32x4_add(c8, c0), c10 = wasm_f32x4_add(c9, c0),
         c11 = wasm_f32x4_add(c10, c0);
#define STEP(c) c = wasm_f32x4_add(wasm_f32x4_mul(c, m), a)
  for (int it = 0; it < iterations; ++it) {
    STEP(c0); STEP(c1); STEP(c2); STEP(c3); STEP(c4); STEP(c5);
    STEP(c6); STEP(c7); STEP(c8); STEP(c9); STEP(c10); STEP(c11);
  }
#undef STEP
  const v128_t s = wasm_f32x4_add(
      wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(c0, c1), wasm_f32x4_add(c2, c3)), wasm_f32x4_add(c4, c5)),
      wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(c6, c7), wasm_f32x4_add(c8, c9)), wasm_f32x4_add(c10, c11)));
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) + wasm_f32x4_extract_lane(s, 2) +
         wasm_f32x4_extract_lane(s, 3);
}

}  // namespace convolens::bench
