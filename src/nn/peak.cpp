// The f32x4 mul+add peak of this machine, measured by the CNN benchmark next to the kernels:
// 12 independent accumulator chains (what V8 keeps in registers), 96 flops per iteration.
#include "nn/peak.h"

#include "simd/simd.h"

namespace convolens::nn {

__attribute__((noinline)) float simd_peak_f32x4(int iterations, float seed) {
  const v128_t m = wasm_f32x4_splat(0.999999f), a = wasm_f32x4_splat(1e-7f);
  v128_t c[12];
  for (int i = 0; i < 12; ++i) c[i] = wasm_f32x4_splat(seed + float(i));
  for (int it = 0; it < iterations; ++it)
    for (int i = 0; i < 12; ++i) c[i] = wasm_f32x4_add(wasm_f32x4_mul(c[i], m), a);
  v128_t s = c[0];
  for (int i = 1; i < 12; ++i) s = wasm_f32x4_add(s, c[i]);
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 3);
}

}  // namespace convolens::nn
