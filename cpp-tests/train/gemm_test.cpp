// Every registered GEMM variant against the scalar reference, over sizes that hit every tile
// edge (4-row blocks, 16/8/4/1-column blocks), both A layouts, overwrite and accumulate.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "train/gemm.h"
#include "train/rng.h"

using namespace convolens::train;

TEST(Gemm, VariantsMatchScalarReference) {
  int count = 0;
  const GemmVariant* variants = gemm_variants(&count);
  Rng rng(7);
  const int sizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 33};
  for (int v = 1; v < count; ++v) {
    if (!variants[v].available()) continue;
    for (int M : sizes)
      for (int N : sizes)
        for (int K : {1, 3, 9, 16, 37})
          for (bool trans : {false, true})
            for (bool acc : {false, true}) {
              const int lda = trans ? M + 1 : K + 2, ldb = N + 3, ldc = N + 1;
              std::vector<float> A((trans ? K : M) * lda), B(K * ldb), C0(M * ldc), C1;
              for (auto& x : A) x = rng.uniform(-1, 1);
              for (auto& x : B) x = rng.uniform(-1, 1);
              for (auto& x : C0) x = rng.uniform(-1, 1);
              C1 = C0;
              std::vector<float> want = C0;
              gemm__scalar({M, N, K, A.data(), lda, B.data(), ldb, want.data(), ldc, acc, trans});
              variants[v].fn({M, N, K, A.data(), lda, B.data(), ldb, C1.data(), ldc, acc, trans});
              for (int i = 0; i < M; ++i)
                for (int j = 0; j < ldc; ++j) {
                  const float w = want[i * ldc + j], g = C1[i * ldc + j];
                  ASSERT_NEAR(g, w, 1e-4f * (1 + std::fabs(w)))
                      << variants[v].name << " M=" << M << " N=" << N << " K=" << K << " trans_a=" << trans
                      << " accumulate=" << acc << " at i=" << i << " j=" << j << (j >= N ? " (padding column written)" : "");
                }
            }
  }
}

// Same seed, same weights in native and wasm: the SIMD wasm variant (full 16/8/4-column tiles,
// then the last 1..3 columns in one partial vector) must equal __blocked bit for bit.
TEST(Gemm, WasmSimdEqualsBlockedBitForBit) {
#if !defined(__wasm_simd128__)
  GTEST_SKIP() << "gemm__wasm_simd exists in the SIMD wasm build only";
#else
  Rng rng(9);
  for (int M : {1, 3, 4, 5, 9})
    for (int N = 1; N <= 37; ++N)
      for (int K : {1, 7, 16})
        for (bool trans : {false, true})
          for (bool acc : {false, true}) {
            const int lda = trans ? M + 1 : K + 2, ldb = N + 3, ldc = N + 1;
            std::vector<float> A((trans ? K : M) * lda), B(K * ldb), C0(M * ldc);
            for (auto& x : A) x = rng.uniform(-1, 1);
            for (auto& x : B) x = rng.uniform(-1, 1);
            for (auto& x : C0) x = rng.uniform(-1, 1);
            std::vector<float> want = C0, got = C0;
            gemm__blocked({M, N, K, A.data(), lda, B.data(), ldb, want.data(), ldc, acc, trans});
            gemm__wasm_simd({M, N, K, A.data(), lda, B.data(), ldb, got.data(), ldc, acc, trans});
            for (int i = 0; i < M * ldc; ++i)
              ASSERT_EQ(got[i], want[i]) << "M=" << M << " N=" << N << " K=" << K << " trans_a=" << trans
                                         << " accumulate=" << acc << " at " << i;
          }
#endif
}

// Gathered A (the convolution's implicit im2col): every variant (the scalar reference too),
// reading the image through the offset tables, equals itself on the explicit column matrix bit
// for bit, for the forward (pixels x taps) and weight-gradient (taps x pixels) forms.
TEST(Gemm, GatheredAEqualsExplicitColumns) {
  int count = 0;
  const GemmVariant* variants = gemm_variants(&count);
  Rng rng(11);
  struct Case { int h, w, cin, k, f; };
  for (const Case& c : {Case{7, 6, 1, 3, 10}, Case{6, 7, 3, 3, 5}, Case{5, 5, 2, 5, 17}, Case{4, 4, 5, 1, 4}}) {
    const int oh = c.h - c.k + 1, ow = c.w - c.k + 1, P = oh * ow, K = c.k * c.k * c.cin;
    std::vector<float> img(c.h * c.w * c.cin), col(P * K), B(P * 20), W(K * c.f);
    for (auto& x : img) x = rng.uniform(-1, 1);
    for (auto& x : B) x = rng.uniform(-1, 1);
    for (auto& x : W) x = rng.uniform(-1, 1);
    std::vector<int> pix(P), tap(K);
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x) pix[y * ow + x] = (y * c.w + x) * c.cin;
    for (int ky = 0, t = 0; ky < c.k; ++ky)
      for (int j = 0; j < c.k * c.cin; ++j) tap[t++] = ky * c.w * c.cin + j;
    for (int p = 0; p < P; ++p)
      for (int t = 0; t < K; ++t) col[p * K + t] = img[pix[p] + tap[t]];
    for (int v = 0; v < count; ++v) {
      if (!variants[v].available()) continue;
      for (bool acc : {false, true}) {
        // forward: C(P x f) = col * W
        std::vector<float> want(P * c.f, 0.5f), got = want;
        variants[v].fn({P, c.f, K, col.data(), K, W.data(), c.f, want.data(), c.f, acc, false});
        variants[v].fn({P, c.f, K, img.data(), 0, W.data(), c.f, got.data(), c.f, acc, false, pix.data(), tap.data()});
        for (int i = 0; i < P * c.f; ++i) ASSERT_EQ(got[i], want[i]) << variants[v].name << " forward at " << i;
        // weight gradient: C(K x f) = col^T * B
        std::vector<float> want2(K * c.f, 0.25f), got2 = want2;
        variants[v].fn({K, c.f, P, col.data(), K, B.data(), c.f, want2.data(), c.f, acc, true});
        variants[v].fn({K, c.f, P, img.data(), 0, B.data(), c.f, got2.data(), c.f, acc, true, tap.data(), pix.data()});
        for (int i = 0; i < K * c.f; ++i) ASSERT_EQ(got2[i], want2[i]) << variants[v].name << " weight gradient at " << i;
      }
    }
  }
}
