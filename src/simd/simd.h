// One SIMD vocabulary for every build: the wasm_simd128.h intrinsics.
// em++ -msimd128 gets the real instructions; g++ (native tests, sanitizers) and the plain
// wasm module get the same source through SIMDe, so every build runs the same kernel code.
#pragma once
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define CONVOLENS_SIMD_NATIVE 1
#else
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/wasm/simd128.h>
#define CONVOLENS_SIMD_NATIVE 0
#endif

namespace convolens::simd {

// u32 lanes (< 2^23) -> f32 without i32->f32 conversion, which clang 14 scalarises
// when it can see the lanes came from a zero-extension (docs/toolchain.md, performance traps).
inline v128_t u32_to_f32_small(v128_t x) {
  const v128_t magic = wasm_i32x4_splat(0x4B000000);  // 2^23 as f32
  return wasm_f32x4_sub(wasm_v128_or(x, magic), magic);
}

// Name of the instruction set this translation unit was compiled for.
inline const char* backend_name() {
#if defined(__wasm_simd128__)
  return "wasm-simd128";
#elif defined(__EMSCRIPTEN__)
  return "wasm-plain";
#else
  return "native-simde";
#endif
}

}  // namespace convolens::simd
