#include "train/gemm.h"

#include <vector>

#include "core/per_thread.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define CONVOLENS_X86 1
#endif

namespace convolens::train {
namespace {

inline float a_at(const GemmArgs& g, int i, int k) {
  if (g.a_rows) return g.A[g.a_rows[i] + g.a_cols[k]];
  return g.trans_a ? g.A[k * g.lda + i] : g.A[i * g.lda + k];
}

// The optimized variants read every A layout as gathered: element (i, k) at A[rows[i] + cols[k]].
// Strided A gets its offset tables here (per thread: native training runs chunks on threads).
struct AIndex {
  const int* rows;
  const int* cols;
};
AIndex a_index(const GemmArgs& g) {
  if (g.a_rows) return {g.a_rows, g.a_cols};
  CONVOLENS_PER_THREAD std::vector<int> rows, cols;
  rows.resize(g.M);
  cols.resize(g.K);
  for (int i = 0; i < g.M; ++i) rows[i] = g.trans_a ? i : i * g.lda;
  for (int k = 0; k < g.K; ++k) cols[k] = g.trans_a ? k * g.lda : k;
  return {rows.data(), cols.data()};
}

bool always() { return true; }

// Rows i..i+R, columns j..j+W of C: accumulators stay in registers across the k loop.
template <int R, int W>
inline void tile(const GemmArgs& g, const AIndex& ax, int i, int j) {
  float acc[R][W];
  const float* arow[R];
  for (int r = 0; r < R; ++r) arow[r] = g.A + ax.rows[i + r];
  for (int r = 0; r < R; ++r)
    for (int w = 0; w < W; ++w) acc[r][w] = g.accumulate ? g.C[(i + r) * g.ldc + j + w] : 0.f;
  for (int k = 0; k < g.K; ++k) {
    const float* b = g.B + k * g.ldb + j;
    const int o = ax.cols[k];
    for (int r = 0; r < R; ++r) {
      const float a = arow[r][o];
      for (int w = 0; w < W; ++w) acc[r][w] += a * b[w];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int w = 0; w < W; ++w) g.C[(i + r) * g.ldc + j + w] = acc[r][w];
}

template <int R>
inline void row_block(const GemmArgs& g, const AIndex& ax, int i) {
  int j = 0;
  for (; j + 16 <= g.N; j += 16) tile<R, 16>(g, ax, i, j);
  for (; j + 4 <= g.N; j += 4) tile<R, 4>(g, ax, i, j);
  for (; j < g.N; ++j) tile<R, 1>(g, ax, i, j);
}

}  // namespace

void gemm__scalar(const GemmArgs& g) {
  for (int i = 0; i < g.M; ++i)
    for (int j = 0; j < g.N; ++j) {
      float s = g.accumulate ? g.C[i * g.ldc + j] : 0.f;
      for (int k = 0; k < g.K; ++k) s += a_at(g, i, k) * g.B[k * g.ldb + j];
      g.C[i * g.ldc + j] = s;
    }
}

void gemm__blocked(const GemmArgs& g) {
  const AIndex ax = a_index(g);
  int i = 0;
  for (; i + 4 <= g.M; i += 4) row_block<4>(g, ax, i);
  for (; i < g.M; ++i) row_block<1>(g, ax, i);
}

#ifdef CONVOLENS_X86
namespace {

// 4 rows x 16 columns: 8 ymm accumulators, 2 loads of B and 4 broadcasts per k.
template <int R>
__attribute__((target("avx2,fma"))) inline void tile_avx2(const GemmArgs& g, const AIndex& ax, int i, int j) {
  __m256 acc[R][2];
  const float* arow[R];
  for (int r = 0; r < R; ++r) arow[r] = g.A + ax.rows[i + r];
  for (int r = 0; r < R; ++r)
    for (int h = 0; h < 2; ++h)
      acc[r][h] = g.accumulate ? _mm256_loadu_ps(g.C + (i + r) * g.ldc + j + 8 * h) : _mm256_setzero_ps();
  for (int k = 0; k < g.K; ++k) {
    const float* b = g.B + k * g.ldb + j;
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    const int o = ax.cols[k];
    for (int r = 0; r < R; ++r) {
      const __m256 a = _mm256_set1_ps(arow[r][o]);
      acc[r][0] = _mm256_fmadd_ps(a, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(a, b1, acc[r][1]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int h = 0; h < 2; ++h) _mm256_storeu_ps(g.C + (i + r) * g.ldc + j + 8 * h, acc[r][h]);
}

template <int R>
__attribute__((target("avx2,fma"))) inline void tile8_avx2(const GemmArgs& g, const AIndex& ax, int i, int j) {
  __m256 acc[R];
  const float* arow[R];
  for (int r = 0; r < R; ++r) arow[r] = g.A + ax.rows[i + r];
  for (int r = 0; r < R; ++r) acc[r] = g.accumulate ? _mm256_loadu_ps(g.C + (i + r) * g.ldc + j) : _mm256_setzero_ps();
  for (int k = 0; k < g.K; ++k) {
    const __m256 b0 = _mm256_loadu_ps(g.B + k * g.ldb + j);
    const int o = ax.cols[k];
    for (int r = 0; r < R; ++r) acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(arow[r][o]), b0, acc[r]);
  }
  for (int r = 0; r < R; ++r) _mm256_storeu_ps(g.C + (i + r) * g.ldc + j, acc[r]);
}

template <int R>
__attribute__((target("avx2,fma"))) void row_block_avx2(const GemmArgs& g, const AIndex& ax, int i) {
  int j = 0;
  for (; j + 16 <= g.N; j += 16) tile_avx2<R>(g, ax, i, j);
  for (; j + 8 <= g.N; j += 8) tile8_avx2<R>(g, ax, i, j);
  for (; j < g.N; ++j) tile<R, 1>(g, ax, i, j);
}

}  // namespace

void gemm__avx2(const GemmArgs& g) {
  const AIndex ax = a_index(g);
  int i = 0;
  for (; i + 4 <= g.M; i += 4) row_block_avx2<4>(g, ax, i);
  for (; i < g.M; ++i) row_block_avx2<1>(g, ax, i);
}
bool gemm_has_avx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
#else
void gemm__avx2(const GemmArgs& g) { gemm__blocked(g); }
bool gemm_has_avx2() { return false; }
#endif

#if defined(__wasm_simd128__)
namespace {

// 4 rows x 4H columns in f32x4 accumulators: the same products and sums, in the same order, as
// tile<R, 4H> (mul then add, no fused multiply-add), so results equal __blocked bit for bit.
template <int R, int H>
inline void tile_wasm(const GemmArgs& g, const AIndex& ax, int i, int j) {
  v128_t acc[R][H];
  const float* arow[R];
  for (int r = 0; r < R; ++r) arow[r] = g.A + ax.rows[i + r];
  for (int r = 0; r < R; ++r)
    for (int h = 0; h < H; ++h)
      acc[r][h] = g.accumulate ? wasm_v128_load(g.C + (i + r) * g.ldc + j + 4 * h) : wasm_f32x4_splat(0.f);
  for (int k = 0; k < g.K; ++k) {
    const float* b = g.B + k * g.ldb + j;
    v128_t bv[H];
    for (int h = 0; h < H; ++h) bv[h] = wasm_v128_load(b + 4 * h);
    const int o = ax.cols[k];
    for (int r = 0; r < R; ++r) {
      const v128_t a = wasm_f32x4_splat(arow[r][o]);
      for (int h = 0; h < H; ++h) acc[r][h] = wasm_f32x4_add(acc[r][h], wasm_f32x4_mul(a, bv[h]));
    }
  }
  for (int r = 0; r < R; ++r)
    for (int h = 0; h < H; ++h) wasm_v128_store(g.C + (i + r) * g.ldc + j + 4 * h, acc[r][h]);
}

// The first n (1..3) floats at p in the low lanes, the others 0 (never read past p[n - 1]).
inline v128_t load_tail(const float* p, int n) {
  v128_t v = wasm_f32x4_make(p[0], 0.f, 0.f, 0.f);
  if (n > 1) v = wasm_f32x4_replace_lane(v, 1, p[1]);
  if (n > 2) v = wasm_f32x4_replace_lane(v, 2, p[2]);
  return v;
}
inline void store_tail(float* p, v128_t v, int n) {
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (n > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (n > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

// The last n (1..3) columns in one vector per row: each lane is the same sum, in the same order,
// as tile<R, 1> computes for its column, so the results stay bit-identical to __blocked.
template <int R>
inline void tail_wasm(const GemmArgs& g, const AIndex& ax, int i, int j, int n) {
  v128_t acc[R];
  const float* arow[R];
  for (int r = 0; r < R; ++r) arow[r] = g.A + ax.rows[i + r];
  for (int r = 0; r < R; ++r) acc[r] = g.accumulate ? load_tail(g.C + (i + r) * g.ldc + j, n) : wasm_f32x4_splat(0.f);
  for (int k = 0; k < g.K; ++k) {
    const v128_t bv = load_tail(g.B + k * g.ldb + j, n);
    const int o = ax.cols[k];
    for (int r = 0; r < R; ++r) acc[r] = wasm_f32x4_add(acc[r], wasm_f32x4_mul(wasm_f32x4_splat(arow[r][o]), bv));
  }
  for (int r = 0; r < R; ++r) store_tail(g.C + (i + r) * g.ldc + j, acc[r], n);
}

template <int R>
void row_block_wasm(const GemmArgs& g, const AIndex& ax, int i) {
  int j = 0;
  for (; j + 16 <= g.N; j += 16) tile_wasm<R, 4>(g, ax, i, j);
  if (j + 8 <= g.N) {
    tile_wasm<R, 2>(g, ax, i, j);
    j += 8;
  }
  if (j + 4 <= g.N) {
    tile_wasm<R, 1>(g, ax, i, j);
    j += 4;
  }
  if (j < g.N) tail_wasm<R>(g, ax, i, j, g.N - j);
}

}  // namespace

void gemm__wasm_simd(const GemmArgs& g) {
  const AIndex ax = a_index(g);
  int i = 0;
  for (; i + 4 <= g.M; i += 4) row_block_wasm<4>(g, ax, i);
  for (; i < g.M; ++i) row_block_wasm<1>(g, ax, i);
}
#endif

const GemmVariant* gemm_variants(int* count) {
  static const GemmVariant table[] = {
      {"gemm__scalar", gemm__scalar, always},
      {"gemm__blocked", gemm__blocked, always},
      {"gemm__avx2", gemm__avx2, gemm_has_avx2},
#if defined(__wasm_simd128__)
      {"gemm__wasm_simd", gemm__wasm_simd, always},
#endif
  };
  *count = int(sizeof table / sizeof table[0]);
  return table;
}

namespace {
bool g_portable = false;
}
void set_gemm_portable(bool on) { g_portable = on; }
bool gemm_portable() { return g_portable; }

void gemm(const GemmArgs& g) {
#if defined(__wasm_simd128__)
  gemm__wasm_simd(g);  // equal to __blocked bit for bit, so portable results are unchanged
  return;
#endif
  static const bool avx2 = gemm_has_avx2();
  if (avx2 && !g_portable)
    gemm__avx2(g);
  else
    gemm__blocked(g);
}

}  // namespace convolens::train
