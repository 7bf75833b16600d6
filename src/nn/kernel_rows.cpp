// The layer kernel tables: optimized rows first, then the scalar references (core/registry.h:
// the first eligible row wins; a row this build does not carry runs its twin in its place).
// Adding a kernel = one row here.
#include "nn/kernels.h"
#include "simd/dispatch.h"

namespace convolens::nn {
namespace {

bool any_geom(const ConvGeom&) { return true; }
bool any_dense(const DenseParams&) { return true; }
bool depth_mult1(const ConvGeom& g) { return g.mult == 1; }

constexpr ConvVariant kConv[2] = {  // [0] optimized, [1] its scalar twin
    {"conv2d__wasmsimd_direct", any_geom, SIMD_ROW(conv2d__wasmsimd_direct), &kConv[1]},
    {"conv2d__scalar", any_geom, conv2d__scalar, nullptr},
};
constexpr ConvVariant kDepthwise[2] = {  // [0] optimized, [1] its scalar twin
    {"depthwise2d__wasmsimd", depth_mult1, SIMD_ROW(depthwise2d__wasmsimd), &kDepthwise[1]},
    {"depthwise2d__scalar", any_geom, depthwise2d__scalar, nullptr},
};
constexpr DenseVariant kDense[2] = {  // [0] optimized, [1] its scalar twin
    {"dense__wasmsimd", any_dense, SIMD_ROW(dense__wasmsimd), &kDense[1]},
    {"dense__scalar", any_dense, dense__scalar, nullptr},
};
constexpr PoolVariant kMaxPool[2] = {  // [0] optimized, [1] its scalar twin
    {"max_pool__wasmsimd", any_geom, SIMD_ROW(max_pool__wasmsimd), &kMaxPool[1]},
    {"max_pool__scalar", any_geom, max_pool__scalar, nullptr},
};
constexpr PoolVariant kAvgPool[2] = {  // [0] optimized, [1] its scalar twin
    {"avg_pool__wasmsimd", any_geom, SIMD_ROW(avg_pool__wasmsimd), &kAvgPool[1]},
    {"avg_pool__scalar", any_geom, avg_pool__scalar, nullptr},
};
static_assert(twins_match(kConv) && twins_match(kDepthwise) && twins_match(kDense) && twins_match(kMaxPool) &&
              twins_match(kAvgPool));

}  // namespace

std::span<const ConvVariant> conv2d_table() { return kConv; }
std::span<const ConvVariant> depthwise2d_table() { return kDepthwise; }
std::span<const DenseVariant> dense_table() { return kDense; }
std::span<const PoolVariant> max_pool_table() { return kMaxPool; }
std::span<const PoolVariant> avg_pool_table() { return kAvgPool; }

std::span<const ConvVariant> conv2d_variants() { return carried_rows(conv2d_table()); }
std::span<const ConvVariant> depthwise2d_variants() { return carried_rows(depthwise2d_table()); }
std::span<const DenseVariant> dense_variants() { return carried_rows(dense_table()); }
std::span<const PoolVariant> max_pool_variants() { return carried_rows(max_pool_table()); }
std::span<const PoolVariant> avg_pool_variants() { return carried_rows(avg_pool_table()); }

}  // namespace convolens::nn
