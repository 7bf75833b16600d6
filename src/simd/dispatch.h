// Which kernel rows a build carries (core/registry.h), as compile definitions.
//
// CONVOLENS_SIMD_ROWS: the plain wasm module (em++ without -msimd128) would run the SIMD rows
// through SIMDe's scalar emulation, which is slower than the scalar reference rows compiled
// directly; there the tables carry only the scalar rows, dispatch runs each SIMD row's twin in
// its place, and the linker drops the SIMD kernels from the module. Native builds (SIMDe over
// SSE) and the SIMD module carry every SIMD row.
//
// CONVOLENS_SCALAR_ROWS: 0 where nothing dispatches the scalar references (the shipped SIMD
// filter module's copy of the filter table, set in CMakeLists.txt); tests and benchmarks carry
// them all. The sources are the same in every build.
#pragma once
#ifndef CONVOLENS_SIMD_ROWS
#if defined(__EMSCRIPTEN__) && !defined(__wasm_simd128__)
#define CONVOLENS_SIMD_ROWS 0
#else
#define CONVOLENS_SIMD_ROWS 1
#endif
#endif
#ifndef CONVOLENS_SCALAR_ROWS
#define CONVOLENS_SCALAR_ROWS 1
#endif

// A row table lists a kernel as SIMD_ROW(f) / SCALAR_ROW(f): the kernel where this build carries
// it, else nullptr (the row then runs its twin, or is not dispatched at all).
#if CONVOLENS_SIMD_ROWS
#define SIMD_ROW(f) f
#else
#define SIMD_ROW(f) nullptr
#endif
#if CONVOLENS_SCALAR_ROWS
#define SCALAR_ROW(f) f
#else
#define SCALAR_ROW(f) nullptr
#endif
