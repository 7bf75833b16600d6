// One parameterised case per row of the filter kernel table (a failure names the row and the
// case): every row within 1 of the exact double-precision definition, every optimized row bit
// for bit equal to its scalar twin, and every row computing a frame band by band equal to the
// whole frame. The sweeps use EXPECT, so one failure does not hide the rest; outputs start as a
// 0xAB sentinel, so unwritten pixels fail too. A row that no case of the sweep reaches fails
// ("never ran").
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>

#include "filter_cases.h"
#include "filter_reference.h"
#include "row_sweep.h"
#include "image/conv_registry.h"

namespace convolens {
namespace {

using testing::Img;


using testing::kBorders;
// Single pixels and lines, widths off the 16-byte grid, kernels larger than the image.
const std::pair<int, int> kSizes[] = {{1, 1}, {1, 9}, {9, 1}, {2, 3}, {17, 5}, {33, 4}, {6, 13}};
// 31x31 kernels cost ~1000 taps a pixel in the reference: lines only, and small frames.
int pixels_budget(const FilterSpec& s) { return s.kernel.width * s.kernel.height > 200 ? 40 : 1 << 30; }

// One filter on one image: the input, the plan and the exact result, computed once for all rows.
struct Sample {
  std::string where;  // "case, WxHxC, border B"
  Plan plan;
  Img src, want;
};

const std::vector<std::unique_ptr<Sample>>& samples() {
  static const auto all = [] {
    std::vector<std::unique_ptr<Sample>> v;
    for (const testing::FilterCase& cs : testing::filter_cases())
      for (Border border : kBorders)
        for (int channels : {4, 1})
          for (auto [w, h] : kSizes) {
            if (w * h > pixels_budget(cs.spec) && !(w == 1 || h == 1)) continue;
            FilterSpec spec = cs.spec;
            spec.border = border;
            spec.border_value = 77;
            Img src(w, h, channels, 1000u + w * 31 + h * 7 + channels);
            Img want = testing::reference_image(src, spec);
            v.push_back(std::make_unique<Sample>(Sample{cs.name + ", " + std::to_string(w) + "x" + std::to_string(h) +
                                                            "x" + std::to_string(channels) + ", border " +
                                                            border_name(border),
                                                        make_plan(spec), std::move(src), std::move(want)}));
          }
    return v;
  }();
  return all;
}

Img run(const ConvVariant& row, const Sample& s, Scratch& scratch) {
  Img got(s.src.w, s.src.h, s.src.c);
  apply_filter(s.src.view(), got.mview(), s.plan, scratch, &row);
  return got;
}

class ConvRow : public ::testing::TestWithParam<const ConvVariant*> {};
class ConvOptimizedRow : public ConvRow {};  // rows with a scalar twin

TEST_P(ConvRow, WithinOneOfExact) {
  const ConvVariant& row = *GetParam();
  Scratch scratch;
  int runs = 0;
  for (const auto& s : samples()) {
    if (!row.eligible(s->plan)) continue;
    ++runs;
    EXPECT_EQ(testing::within(run(row, *s, scratch), s->want, 1), "") << row.name << " on " << s->where;
  }
  EXPECT_GT(runs, 0) << row.name << " never ran: no case of the sweep is eligible";
}

TEST_P(ConvOptimizedRow, BitIdenticalToItsScalarTwin) {
  const ConvVariant& row = *GetParam();
  ASSERT_TRUE(row.twin->carried()) << row.twin->name;
  Scratch scratch;
  int runs = 0;
  for (const auto& s : samples()) {
    if (!row.eligible(s->plan)) continue;
    ASSERT_TRUE(row.twin->eligible(s->plan)) << row.twin->name << " must accept whatever " << row.name << " accepts";
    ++runs;
    const Img a = run(row, *s, scratch), b = run(*row.twin, *s, scratch);
    EXPECT_EQ(testing::first_difference(a.px.data(), b.px.data(), a.w, a.h, a.c), "")
        << row.name << " vs " << row.twin->name << " on " << s->where;
  }
  EXPECT_GT(runs, 0) << row.name << " never ran";
}

const ConvVariant* simd_box() {
  for (const ConvVariant& r : conv_variants())
    if (std::string(r.name) == "box_blur__running_sum_wasmsimd") return &r;
  return nullptr;
}

// The plan of a kw x kh box (all weights 1, scale kw * kh) with the given border and offset.
Plan box_plan(int kw, int kh, Border border, float offset) {
  FilterSpec spec;
  spec.kernel = ConvKernel{kw, kh, std::vector<float>(std::size_t(kw) * kh, 1.f), float(kw * kh), offset};
  spec.border = border;
  spec.border_value = 77;
  return make_plan(spec);
}

// The RGBA q15 box row runs four pixels a step with its vertical update one chunk ahead and its
// last store partial, and reads the source in place two steps a turn where the frame is wide
// enough (15x15: 20 pixels and more): every width residue (1..13, 20, 27, 36, 45), odd and even
// heights, small and 15-wide kernels, every border, with and without an offset, against the
// scalar twin byte for byte.
TEST(BoxRgbaQ15, EveryWidthResidueEqualsTheScalarTwin) {
  const ConvVariant* box = simd_box();
  if (!box) GTEST_SKIP() << "no SIMD box row in this build";
  Scratch scratch;
  int runs = 0;
  for (auto [kw, kh] : {std::pair{1, 1}, {2, 1}, {3, 3}, {5, 3}, {15, 15}})
    for (Border border : kBorders)
      for (int w : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 20, 27, 36, 45})
        for (int h : {1, 2, 5})
          for (float offset : {0.f, -3.f}) {
            const Plan plan = box_plan(kw, kh, border, offset);
            if (!plan.box.q15 || !box->eligible(plan)) continue;
            ++runs;
            const Img src(w, h, 4, 7u + w * 31 + h * kw);
            Img a(w, h, 4), b(w, h, 4);
            apply_filter(src.view(), a.mview(), plan, scratch, box);
            apply_filter(src.view(), b.mview(), plan, scratch, box->twin);
            EXPECT_EQ(testing::first_difference(a.px.data(), b.px.data(), w, h, 4), "")
                << kw << "x" << kh << " on " << w << "x" << h << ", border " << border_name(border) << ", offset "
                << offset;
          }
  EXPECT_GT(runs, 1000);  // 1224 in the SIMD builds
}

// Cut points 0 = c0 < c1 < ... = h, random, with 1-row bands among them.
std::vector<int> random_cuts(int h, std::mt19937& rng) {
  std::vector<int> cuts{0};
  while (cuts.back() < h) {
    const int left = h - cuts.back();
    const int step = rng() % 3 == 0 ? 1 : 1 + int(rng() % std::max(1, left / 2 + 1));
    cuts.push_back(cuts.back() + std::min(step, left));
  }
  return cuts;
}

// The threaded module runs the kernel on bands of any height (1 row too): each band restarts its
// column sums and reads the source in place; band by band must equal the scalar twin's frame.
TEST(BoxRgbaQ15, BandsOfAnyHeightEqualTheScalarTwin) {
  const ConvVariant* box = simd_box();
  if (!box) GTEST_SKIP() << "no SIMD box row in this build";
  std::mt19937 rng(11);
  Scratch scratch, band_scratch;
  int runs = 0;
  for (auto [kw, kh] : {std::pair{3, 3}, {4, 2}, {15, 15}})
    for (Border border : kBorders)
      for (int w : {20, 29, 44})
        for (int h : {1, 7, 16}) {
          const Plan plan = box_plan(kw, kh, border, 0.f);
          if (!plan.box.q15 || !box->eligible(plan)) continue;
          ++runs;
          const Img src(w, h, 4, 5u + w * 17 + h * kw);
          Img want(w, h, 4), got(w, h, 4);
          apply_filter(src.view(), want.mview(), plan, scratch, box->twin);
          const std::vector<int> cuts = random_cuts(h, rng);
          std::string where = std::to_string(kw) + "x" + std::to_string(kh) + " on " + std::to_string(w) + "x" +
                              std::to_string(h) + ", border " + border_name(border) + ", bands";
          for (std::size_t i = 1; i < cuts.size(); ++i) {
            apply_filter_rows(src.view(), got.mview(), cuts[i - 1], cuts[i], plan, band_scratch, box);
            where += ' ' + std::to_string(cuts[i - 1]) + ".." + std::to_string(cuts[i]);
          }
          EXPECT_EQ(testing::first_difference(got.px.data(), want.px.data(), w, h, 4), "") << where;
        }
  EXPECT_GT(runs, 100);  // 108 in the SIMD builds
}

// Bands run in a random order, alternating between two Scratch objects (as threads would hold
// them), onto a sentinel frame; each band must leave the rows of the others alone.
TEST_P(ConvRow, BandsEqualTheWholeFrame) {
  const ConvVariant& row = *GetParam();
  const std::pair<int, int> sizes[] = {{1, 9}, {5, 1}, {17, 13}, {6, 7}, {33, 11}};
  std::mt19937 rng(7);
  Scratch whole_scratch, band_scratch[2];
  int runs = 0;
  testing::for_each_row_case(row, 200, [&](const testing::RowCase& rc) {
    for (auto [w, h] : sizes) {
      if (w * h > pixels_budget(rc.spec) && !(w == 1 || h == 1)) continue;
      ++runs;
      const int channels = rc.channels;
      const Img src(w, h, channels, 99u + w * 13 + h + channels);
      Img whole(w, h, channels), bands(w, h, channels);
      apply_filter(src.view(), whole.mview(), rc.plan, whole_scratch, &row);
      const std::vector<int> cuts = random_cuts(h, rng);
      std::vector<int> order(cuts.size() - 1);
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = int(i);
      std::shuffle(order.begin(), order.end(), rng);
      std::vector<bool> done(order.size());
      std::string where = std::string(row.name) + " on " + rc.where(w, h) + ", bands";
      for (std::size_t i = 1; i < cuts.size(); ++i) where += ' ' + std::to_string(cuts[i - 1]) + ".." + std::to_string(cuts[i]);
      for (std::size_t k = 0; k < order.size(); ++k) {
        const int b = order[k];
        apply_filter_rows(src.view(), bands.mview(), cuts[b], cuts[b + 1], rc.plan, band_scratch[k % 2], &row);
        done[b] = true;
        for (std::size_t o = 0; o < done.size(); ++o) {
          if (done[o]) continue;
          const std::size_t first = std::size_t(cuts[o]) * w * channels, last = std::size_t(cuts[o + 1]) * w * channels;
          EXPECT_TRUE(std::all_of(bands.px.begin() + first, bands.px.begin() + last, [](std::uint8_t v) { return v == 0xAB; }))
              << where << ": band " << cuts[b] << ".." << cuts[b + 1] << " wrote rows of band " << cuts[o] << ".."
              << cuts[o + 1];
        }
      }
      EXPECT_EQ(testing::first_difference(bands.px.data(), whole.px.data(), w, h, channels), "") << where;
    }
  });
  EXPECT_GT(runs, 0) << row.name << " never ran";
}

std::vector<const ConvVariant*> carried(bool optimized_only) {
  std::vector<const ConvVariant*> v;
  for (const ConvVariant& r : conv_variants())
    if (!optimized_only || !r.reference()) v.push_back(&r);
  return v;
}

INSTANTIATE_TEST_SUITE_P(Rows, ConvRow, ::testing::ValuesIn(carried(false)), row_name<ConvVariant>);
// The plain wasm build carries no optimized rows: there this suite has no instance.
INSTANTIATE_TEST_SUITE_P(Rows, ConvOptimizedRow, ::testing::ValuesIn(carried(true)), row_name<ConvVariant>);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ConvOptimizedRow);

}  // namespace
}  // namespace convolens
