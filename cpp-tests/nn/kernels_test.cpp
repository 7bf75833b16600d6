// One parameterised case per row of the layer kernel tables (a failure names the row and the
// case): every row against its scalar twin over sweeps of shapes, NaN-prefilled outputs; a row
// no case reaches fails ("never ran"). The scalar references against the definition computed
// independently in double precision.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <span>

#include "core/errors.h"
#include "nn/kernels.h"
#include "simd/dispatch.h"
#include "nn_test_util.h"
#include "test_util.h"

namespace convolens::nn {
namespace {

using testing::first_mismatch;
using testing::random_floats;

const int kChannels[] = {1, 3, 4, 5, 8, 13, 16, 32};
const float kNaN = std::numeric_limits<float>::quiet_NaN();

struct ConvCase {
  int h, w, cin, cout, k, stride, dil;
  bool same;
  int mult = 1;
  std::string name() const {
    return std::to_string(h) + "x" + std::to_string(w) + " cin=" + std::to_string(cin) + " cout=" +
           std::to_string(cout) + " k=" + std::to_string(k) + " s=" + std::to_string(stride) + " d=" +
           std::to_string(dil) + (same ? " same" : " valid") + " mult=" + std::to_string(mult);
  }
};

std::vector<ConvCase> conv_cases() {
  std::vector<ConvCase> cs;
  // Every in/out channel pair on a small odd image, cycling through the geometries so each
  // channel count meets stride 1 and 2, both paddings and several kernel sizes.
  const struct { int h, w, k, s, d; bool same; } geoms[] = {
      {7, 9, 3, 1, 1, true}, {9, 7, 3, 2, 1, false}, {5, 11, 5, 1, 1, true}, {8, 6, 1, 2, 1, true},
      {11, 5, 3, 2, 1, true}, {9, 9, 3, 1, 2, false}, {6, 7, 2, 1, 1, false}, {13, 3, 5, 2, 1, true}};
  int gi = 0;
  for (int ci : kChannels)
    for (int co : kChannels) {
      const auto& g = geoms[gi++ % 8];
      cs.push_back({g.h, g.w, ci, co, g.k, g.s, g.d, g.same});
    }
  // Edges: 1x1 images, windows as large as the input, wide rows (many pixel tiles + remainder).
  cs.push_back({1, 1, 3, 5, 3, 1, 1, true});
  cs.push_back({5, 5, 4, 8, 5, 1, 1, false});
  cs.push_back({3, 29, 2, 16, 3, 1, 1, true});
  cs.push_back({4, 31, 1, 8, 5, 2, 1, true});
  cs.push_back({28, 28, 1, 8, 5, 1, 1, true});   // the MNIST net's layers
  cs.push_back({14, 14, 8, 16, 5, 1, 1, true});
  return cs;
}

ConvParams params_for(const ConvCase& c, bool depthwise, std::vector<float>& kernel, std::vector<float>& bias,
                      std::vector<float>& packed, Act act) {
  const int oc = depthwise ? c.cin * c.mult : c.cout;
  const ConvGeom g = make_geom("test", c.h, c.w, c.cin, c.k, c.k, c.stride, c.stride, c.dil, c.dil, c.same, oc, c.mult);
  const int rows = c.k * c.k * (depthwise ? 1 : c.cin);
  kernel = random_floats(std::size_t(rows) * oc, 11 + c.cin * 7 + oc);
  bias = random_floats(oc, 5 + oc);
  const int stride = packed_conv_stride(oc);
  packed.assign(std::size_t(rows) * stride, 0.f);
  pack_conv_kernel(kernel.data(), rows, oc, packed.data());
  return {g, kernel.data(), bias.data(), packed.data(), stride, act};
}

// The row's expected output: its scalar twin's (a reference row is compared with itself, which
// still checks that it writes every output and runs on the sweep).
template <class Row>
const Row& reference_of(const Row& row) {
  return row.twin ? *row.twin : row;
}

class NnConvRow : public ::testing::TestWithParam<const ConvVariant*> {};

TEST_P(NnConvRow, MatchesScalarTwinOverShapeSweep) {
  const ConvVariant& row = *GetParam();
  const ConvVariant& ref = reference_of(row);
  const bool depthwise = std::string(row.name).rfind("depthwise", 0) == 0;
  int runs = 0, i = 0;
  for (auto c : conv_cases())
    for (Act act : {Act::Linear, Act::Relu, Act::Relu6}) {
      if (depthwise) c.mult = (i++ % 5 == 4) ? 2 : 1;  // some depth multipliers > 1
      std::vector<float> k, b, pk;
      const ConvParams p = params_for(c, depthwise, k, b, pk, act);
      if (!row.eligible(p.g)) continue;
      ++runs;
      const auto in = random_floats(std::size_t(c.h) * c.w * c.cin, 3 + c.h * c.cin, -2.f, 2.f);
      const std::size_t n = std::size_t(p.g.out_h) * p.g.out_w * p.g.out_c;
      std::vector<float> want(n, kNaN), got(n, kNaN), scratch(p.g.padded_size() + 1);  // unwritten outputs stay NaN
      ref.run(p, in.data(), want.data(), scratch.data());
      row.run(p, in.data(), got.data(), scratch.data());
      EXPECT_EQ(first_mismatch(got.data(), want.data(), n, 1e-6f), "")
          << row.name << " vs " << ref.name << " " << c.name() << " act=" << act_name(act);
    }
  EXPECT_GT(runs, 0) << row.name << " never ran";
}

class NnDenseRow : public ::testing::TestWithParam<const DenseVariant*> {};

TEST_P(NnDenseRow, MatchesScalarTwinOverSizes) {
  const DenseVariant& row = *GetParam();
  const DenseVariant& ref = reference_of(row);
  int runs = 0;
  for (int rows : {1, 3})
    for (int in : {1, 3, 5, 16, 33, 200})
      for (int out : {1, 3, 4, 5, 8, 10, 13, 16, 17, 32, 45}) {
        const auto k = random_floats(std::size_t(in) * out, in * 100 + out), b = random_floats(out, out);
        const int stride = packed_conv_stride(out);
        std::vector<float> pk(std::size_t(in) * stride);
        pack_conv_kernel(k.data(), in, out, pk.data());
        const DenseParams p{rows, in, out, k.data(), b.data(), pk.data(), stride, Act::Relu};
        if (!row.eligible(p)) continue;
        ++runs;
        const auto x = random_floats(std::size_t(rows) * in, 77 + in);
        std::vector<float> want(std::size_t(rows) * out, kNaN), got(want.size(), kNaN);
        ref.run(p, x.data(), want.data());
        row.run(p, x.data(), got.data());
        EXPECT_EQ(first_mismatch(got.data(), want.data(), got.size(), 1e-6f), "")
            << row.name << " vs " << ref.name << " rows=" << rows << " in=" << in << " out=" << out;
      }
  EXPECT_GT(runs, 0) << row.name << " never ran";
}

class NnPoolRow : public ::testing::TestWithParam<const PoolVariant*> {};

TEST_P(NnPoolRow, MatchesScalarTwinOverShapeSweep) {
  const PoolVariant& row = *GetParam();
  const PoolVariant& ref = reference_of(row);
  auto cases = conv_cases();
  for (int ch : kChannels)  // 2x2 stride 2 (the fast path), even and odd sizes, both paddings
    for (auto [h, w] : {std::pair{28, 28}, {7, 5}, {2, 3}})
      for (bool same : {false, true}) cases.push_back({h, w, ch, ch, 2, 2, 1, same});
  int runs = 0;
  for (const auto& c : cases) {
    // pooling windows: k and stride from the case, dilation 1
    const ConvGeom g = make_geom("test", c.h, c.w, c.cin, std::min(c.k, c.h), std::min(c.k, c.w), c.stride, c.stride,
                                 1, 1, c.same, c.cin, 1);
    if (!row.eligible(g)) continue;
    ++runs;
    const auto in = random_floats(std::size_t(c.h) * c.w * c.cin, 21 + c.h * c.cin, -2.f, 2.f);
    const std::size_t n = std::size_t(g.out_h) * g.out_w * g.out_c;
    std::vector<float> want(n, kNaN), got(n, kNaN);
    ref.run(g, in.data(), want.data());
    row.run(g, in.data(), got.data());
    EXPECT_EQ(first_mismatch(got.data(), want.data(), n, 1e-6f), "") << row.name << " vs " << ref.name << " " << c.name();
  }
  EXPECT_GT(runs, 0) << row.name << " never ran";
}

template <class Row>
std::vector<const Row*> rows_of(std::span<const Row> carried) {
  std::vector<const Row*> v;
  for (const Row& r : carried) v.push_back(&r);
  return v;
}
INSTANTIATE_TEST_SUITE_P(Conv2D, NnConvRow, ::testing::ValuesIn(rows_of(conv2d_variants())), row_name<ConvVariant>);
INSTANTIATE_TEST_SUITE_P(Depthwise, NnConvRow, ::testing::ValuesIn(rows_of(depthwise2d_variants())),
                         row_name<ConvVariant>);
INSTANTIATE_TEST_SUITE_P(Dense, NnDenseRow, ::testing::ValuesIn(rows_of(dense_variants())), row_name<DenseVariant>);
INSTANTIATE_TEST_SUITE_P(MaxPool, NnPoolRow, ::testing::ValuesIn(rows_of(max_pool_variants())), row_name<PoolVariant>);
INSTANTIATE_TEST_SUITE_P(AvgPool, NnPoolRow, ::testing::ValuesIn(rows_of(avg_pool_variants())), row_name<PoolVariant>);

// The tables: optimized rows first; the model runs the first eligible row, so the SIMD row where
// this build carries it, its scalar twin where not (plain wasm module), and the twin in
// reference mode.
TEST(NnKernels, FirstEligibleRowWins) {
  const ConvGeom mult2 = make_geom("t", 5, 5, 3, 3, 3, 1, 1, 1, 1, true, 6, 2);
  const ConvGeom mult1 = make_geom("t", 5, 5, 3, 3, 3, 1, 1, 1, 1, true, 3, 1);
  EXPECT_EQ(std::string(select_row(depthwise2d_table(), mult2)->name), "depthwise2d__scalar");
  EXPECT_EQ(std::string(select_row(depthwise2d_table(), mult1)->name),
            CONVOLENS_SIMD_ROWS ? "depthwise2d__wasmsimd" : "depthwise2d__scalar");
  EXPECT_EQ(std::string(select_row(conv2d_table(), mult1)->name),
            CONVOLENS_SIMD_ROWS ? "conv2d__wasmsimd_direct" : "conv2d__scalar");
  for (auto table : {conv2d_table(), depthwise2d_table()}) {
    EXPECT_FALSE(table.front().reference()) << table.front().name;
    EXPECT_TRUE(table.back().reference()) << table.back().name;
    EXPECT_TRUE(table.back().carried()) << table.back().name << ": the CNN module keeps its references";
  }
}

// The definition, independently: out = bias + sum over the window of in * w, zero outside.
TEST(NnKernels, ScalarConvMatchesDefinitionInDouble) {
  for (const ConvCase& c : {ConvCase{5, 6, 2, 3, 3, 1, 1, true}, ConvCase{7, 7, 3, 2, 3, 2, 1, true},
                            ConvCase{8, 5, 1, 4, 2, 2, 1, true}, ConvCase{9, 9, 2, 2, 3, 1, 3, false}}) {
    std::vector<float> k, b, pk;
    const ConvParams p = params_for(c, false, k, b, pk, Act::Linear);
    const ConvGeom& g = p.g;
    const auto in = random_floats(std::size_t(c.h) * c.w * c.cin, 1);
    std::vector<float> out(std::size_t(g.out_h) * g.out_w * g.out_c);
    conv2d__scalar(p, in.data(), out.data(), nullptr);
    // TF 'same': out = ceil(in / stride); padding split with the extra row/column after.
    if (c.same) {
      EXPECT_EQ(g.out_h, (c.h + c.stride - 1) / c.stride) << c.name();
      EXPECT_EQ(g.out_w, (c.w + c.stride - 1) / c.stride) << c.name();
    }
    for (int oy = 0; oy < g.out_h; ++oy)
      for (int ox = 0; ox < g.out_w; ++ox)
        for (int co = 0; co < g.out_c; ++co) {
          double acc = b[co];
          for (int ky = 0; ky < c.k; ++ky)
            for (int kx = 0; kx < c.k; ++kx)
              for (int ci = 0; ci < c.cin; ++ci) {
                const int y = oy * c.stride + ky * c.dil - g.pad_t, x = ox * c.stride + kx * c.dil - g.pad_l;
                if (y < 0 || y >= c.h || x < 0 || x >= c.w) continue;
                acc += double(in[(y * c.w + x) * c.cin + ci]) * k[((ky * c.k + kx) * c.cin + ci) * g.out_c + co];
              }
          ASSERT_NEAR(out[(oy * g.out_w + ox) * g.out_c + co], acc, 1e-5) << c.name() << " at " << oy << "," << ox << "," << co;
        }
  }
}

TEST(NnKernels, SamePaddingSplitsLikeTensorFlow) {
  // 8 wide, kernel 4, stride 2 -> out 4, total pad 2 -> 1 before, 1 after; 7 wide k=2 s=1 -> pad 0 before, 1 after.
  const ConvGeom a = make_geom("t", 8, 8, 1, 4, 4, 2, 2, 1, 1, true, 1, 1);
  EXPECT_EQ(a.out_w, 4);
  EXPECT_EQ(a.pad_l, 1);
  EXPECT_EQ(a.pad_r, 1);
  const ConvGeom b = make_geom("t", 7, 7, 1, 2, 2, 1, 1, 1, 1, true, 1, 1);
  EXPECT_EQ(b.pad_l, 0);
  EXPECT_EQ(b.pad_r, 1);
  EXPECT_THROW(make_geom("t", 3, 3, 1, 5, 5, 1, 1, 1, 1, false, 1, 1), RangeError);
  EXPECT_THROW(make_geom("t", 3, 3, 0, 1, 1, 1, 1, 1, 1, false, 1, 1), RangeError);
  EXPECT_THROW(make_geom("t", 16384, 16384, 16384, 1, 1, 1, 1, 1, 1, false, 1, 1), RangeError);
}

TEST(NnKernels, PoolingByHand) {
  // 3x3 single channel, pool 2 stride 2 'same': windows {0,1,3,4} {2,5} {6,7} {8}.
  const float in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const ConvGeom g = make_geom("t", 3, 3, 1, 2, 2, 2, 2, 1, 1, true, 1, 1);
  float mx[4], av[4];
  max_pool__scalar(g, in, mx);
  avg_pool__scalar(g, in, av);
  EXPECT_EQ(std::vector<float>(mx, mx + 4), (std::vector<float>{5, 6, 8, 9}));
  EXPECT_EQ(std::vector<float>(av, av + 4), (std::vector<float>{3, 4.5f, 7.5f, 9}));  // padding not counted
  float gap[2];
  const float two[6] = {1, 10, 2, 20, 3, 30};
  global_avg_pool__scalar(3, 2, two, gap);
  EXPECT_EQ(gap[0], 2.f);
  EXPECT_EQ(gap[1], 20.f);
}

TEST(NnKernels, ActivationsByDefinition) {
  const std::vector<float> x = {-2.f, -0.5f, 0.f, 0.5f, 7.f};
  auto run = [&](Act a, float alpha = 0.f) {
    auto v = x;
    apply_activation(v.data(), v.size(), int(v.size()), a, alpha);
    return v;
  };
  EXPECT_EQ(run(Act::Relu), (std::vector<float>{0, 0, 0, 0.5f, 7}));
  EXPECT_EQ(run(Act::Relu6), (std::vector<float>{0, 0, 0, 0.5f, 6}));
  EXPECT_EQ(run(Act::LeakyRelu, 0.1f), (std::vector<float>{-0.2f, -0.05f, 0, 0.5f, 7}));
  EXPECT_FLOAT_EQ(run(Act::Elu, 1.f)[0], std::expm1(-2.f));
  EXPECT_FLOAT_EQ(run(Act::Sigmoid)[3], 1.f / (1.f + std::exp(-0.5f)));
  EXPECT_FLOAT_EQ(run(Act::Tanh)[1], std::tanh(-0.5f));
  const auto s = run(Act::Softmax);
  double sum = 0;
  for (float v : s) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_NEAR(s[4] / s[3], std::exp(6.5), 1e-1);
  std::vector<float> big = {1000.f, 1000.f};  // no overflow: max is subtracted first
  apply_activation(big.data(), 2, 2, Act::Softmax, 0);
  EXPECT_EQ(big[0], 0.5f);
}

}  // namespace
}  // namespace convolens::nn
