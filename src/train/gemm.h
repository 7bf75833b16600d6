// f32 matrix products for training (im2col convolution, dense layers). Row-major.
//   gemm:    C(MxN) (+)= A(MxK) * B(KxN)
//   gemm_tn: C(MxN) (+)= A^T * B where A is stored KxM (weight gradients: col^T * dout)
//   gathered A: element (i, k) of A is A[a_rows[i] + a_cols[k]] (lda, trans_a unused): an
//   implicit im2col, so convolution reads the image itself instead of a copied column matrix.
// Variants: __scalar is the reference (triple loop); __blocked is register-blocked portable
// C++ (auto-vectorised; what the plain wasm build and non-AVX2 CPUs run); __wasm_simd is the
// same with explicit f32x4 (the SIMD wasm build); __avx2 uses FMA on x86-64 CPUs
// that have it (picked at run time, so results depend on the CPU: training is deterministic
// per machine, not across machines).
#pragma once

namespace convolens::train {

struct GemmArgs {
  int M, N, K;
  const float* A; int lda;
  const float* B; int ldb;
  float* C; int ldc;
  bool accumulate;  // C += product, else C = product
  bool trans_a;     // A stored K x M
  const int* a_rows = nullptr;  // gathered A (both set): M offsets, one per row of C
  const int* a_cols = nullptr;  //   and K offsets, one per step of the sum
};

void gemm__scalar(const GemmArgs& g);
void gemm__blocked(const GemmArgs& g);
void gemm__avx2(const GemmArgs& g);  // only when gemm_has_avx2()
bool gemm_has_avx2();
#if defined(__wasm_simd128__)
void gemm__wasm_simd(const GemmArgs& g);  // the SIMD wasm build's variant
#endif

struct GemmVariant {
  const char* name;
  void (*fn)(const GemmArgs&);
  bool (*available)();
};
// The registry: tests compare every available variant with the scalar reference.
const GemmVariant* gemm_variants(int* count);

// The fastest available variant, or always __blocked once set_gemm_portable(true): results then
// match the wasm build bit for bit (the FMA variant rounds differently).
void gemm(const GemmArgs& g);
void set_gemm_portable(bool on);
bool gemm_portable();

}  // namespace convolens::train
