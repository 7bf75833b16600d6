// Per-function optimisation for size inside source files built for speed: every .wasm has a byte
// budget, and code that runs once per net or pass, or only as a test twin, need not be fast.
#pragma once

// Set-up and export code (constructors, build(), config_json(), tables): for size in wasm.
#if defined(__EMSCRIPTEN__)
#define CONVOLENS_SMALL __attribute__((minsize))
#else
#define CONVOLENS_SMALL
#endif

// A scalar reference twin: in a SIMD wasm build it runs only for tails, odd channel counts and as
// the tests' reference, so it is built for size there; natively and in the plain wasm builds it is
// the real path, built for speed.
#if defined(__EMSCRIPTEN__) && defined(__wasm_simd128__)
#define CONVOLENS_SMALL_IN_SIMD __attribute__((minsize))
#else
#define CONVOLENS_SMALL_IN_SIMD
#endif

// Before a set-up loop in a hot function (a few turns per row): not unrolled, for size. Only clang
// knows the pragma (GCC would warn and ignore it).
#if defined(__clang__)
#define CONVOLENS_NO_UNROLL _Pragma("clang loop unroll(disable)")
#else
#define CONVOLENS_NO_UNROLL
#endif
