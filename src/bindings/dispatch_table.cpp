// The filter dispatch table of the shipped modules: image/conv_registry.cpp without the scalar
// reference rows wherever the SIMD rows run, so the linker leaves the scalar kernels out of the
// SIMD module (~11 KB). Linked as an object before the core library: the library's own copy of
// the table (all rows, for the tests and benchmarks) is then never pulled in.
#include "simd/dispatch.h"
#define CONVOLENS_SCALAR_ROWS (!CONVOLENS_SIMD_ROWS)
#include "image/conv_registry.cpp"
