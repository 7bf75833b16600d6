// Whether dispatch tables list the SIMD rows. The plain wasm module (em++ without -msimd128)
// would run them through SIMDe's scalar emulation, which is slower than the scalar reference
// rows compiled directly; there the tables hold only the scalar rows, dispatch picks them, and
// the linker drops the SIMD kernels from the module. Native builds (SIMDe over SSE) and the
// SIMD module keep every row. One compile-time switch; the sources are the same in every build.
#pragma once
#if defined(__EMSCRIPTEN__) && !defined(__wasm_simd128__)
#define CONVOLENS_SIMD_ROWS 0
#else
#define CONVOLENS_SIMD_ROWS 1
#endif
