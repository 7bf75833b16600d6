// Filters across threads: every kernel row, computed in bands on 1..8 real threads, gives the
// single-thread frame byte for byte, for every border mode, channel mode and odd heights; the
// Filter/Pipeline objects do the same above the measured size threshold.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "core/errors.h"
#include "core/thread_pool.h"
#include "filter_cases.h"
#include "filter_reference.h"
#include "image/filter.h"
#include "image/filter_bands.h"
#include "image/presets.h"
#include "row_sweep.h"

namespace convolens {
namespace {

using testing::Img;
using testing::kBorders;

struct BandsGuard {
  ~BandsGuard() {
    set_threads(1);
    set_band_thresholds(-1, -1);
  }
};

TEST(FilterBands, EveryRowOnOneToEightThreadsEqualsOneThread) {
  BandsGuard g;
  set_band_thresholds(0, 1);  // band every frame, down to one row a band
  int runs = 0;
  for (const ConvVariant& row : conv_variants())
    testing::for_each_row_case(row, 31, [&](const testing::RowCase& rc) {
      if (rc.spec.kernel.width * rc.spec.kernel.height > 200) return;  // the 31x31 cases: too slow here
      const int channels = rc.channels;
      for (auto [w, h] : {std::pair{19, 13}, {7, 9}}) {
        const Img src(w, h, channels, 5u + w + h * 3 + channels);
        Img want(w, h, channels);
        Scratch s0;
        apply_filter(src.view(), want.mview(), rc.plan, s0, &row);
        for (int t = 1; t <= 8; ++t) {
          set_threads(t);
          Img got(w, h, channels);
          Scratch s;
          std::vector<Scratch> more;
          apply_filter_banded(src.view(), got.mview(), rc.plan, s, more, &row);
          ++runs;
          ASSERT_EQ(std::memcmp(got.px.data(), want.px.data(), got.px.size()), 0)
              << row.name << " on " << rc.where(w, h) << ", " << t << " threads";
        }
      }
    });
  EXPECT_GT(runs, 1000);
}

TEST(FilterBands, FiltersAndPipelinesAboveTheThresholdEqualOneThread) {
  BandsGuard g;
  const Img src(401, 203, 4, 77);
  for (const char* name : {"sharpen", "gaussian", "box", "sobel-magnitude", "emboss"}) {
    Filter f(make_preset(name, {}));
    Img want(src.w, src.h, 4);
    set_threads(1);
    f.apply(src.view(), want.mview());
    for (int t : {2, 3, 4, 8}) {
      set_threads(t);
      Img got(src.w, src.h, 4);
      f.apply(src.view(), got.mview());
      ASSERT_EQ(std::memcmp(got.px.data(), want.px.data(), got.px.size()), 0) << name << ", " << t << " threads";
    }
  }
  Filter a(make_preset("gaussian", {})), b(make_preset("sharpen", {})), c(make_preset("sobel-magnitude", {}));
  Pipeline p;
  p.add(&a);
  p.add(&b);
  p.add(&c);
  Img want(src.w, src.h, 4);
  set_threads(1);
  p.apply(src.view(), want.mview());
  set_threads(3);
  Img got(src.w, src.h, 4);
  p.apply(src.view(), got.mview());
  EXPECT_EQ(std::memcmp(got.px.data(), want.px.data(), got.px.size()), 0) << "pipeline, 3 threads";
}

// ---- pipelines chained per band ----

// Stage kernels of every shape the chain's row spans must handle: 3x3 taps, separable 5x5, a
// 15x15 running-sum box (halo larger than small bands), the Sobel gradient, 1x7 and 7x1 lines, a
// float 5x5 (the f32 rows) and an even 2x4 (asymmetric halo).
std::vector<FilterSpec> chain_specs() {
  std::vector<FilterSpec> v;
  for (const char* name : {"sharpen", "gaussian", "sobel-magnitude"}) v.push_back(make_preset(name, {}));
  v.push_back(make_preset("box", {{"size", 15}}));
  FilterSpec line;
  line.kernel = ConvKernel{7, 1, std::vector<float>(7, 1.f), 7, 0};
  v.push_back(line);
  line.kernel = ConvKernel{1, 7, {1, -2, 3, 5, 3, -2, 1}, 9, 10};
  v.push_back(line);
  FilterSpec f32;
  f32.kernel = ConvKernel{5, 5, std::vector<float>(25), 1, 3};
  for (int i = 0; i < 25; ++i) f32.kernel.weights[i] = 0.013f * float((i * 7) % 11) - 0.02f;
  v.push_back(f32);
  FilterSpec even;
  even.kernel = ConvKernel{2, 4, {1, 2, 0, 1, 3, 1, -1, 2}, 8, 0};
  v.push_back(even);
  return v;
}

// 2, 3 and 4 stage pipelines out of chain_specs() (indices), each stage with its own border.
// The even kernel last ({0, 7}, {6, 2, 7}): its input reaches 2 rows below a band, and reflect101
// maps the rows below the frame to rows above the band's top halo.
constexpr int kChains[][4] = {{0, 2, -1, -1}, {1, 3, -1, -1}, {3, 1, -1, -1}, {0, 7, -1, -1}, {4, 5, 6, -1},
                              {7, 0, 3, -1},  {6, 2, 7, -1},  {3, 7, 5, 2},   {6, 4, 1, 0}};

TEST(FilterBands, PipelinesChainedPerBandEqualOneThread) {
  BandsGuard g;
  const std::vector<FilterSpec> specs = chain_specs();
  int chained = 0, fell_back = 0;
  for (int c = 0; c < int(std::size(kChains)); ++c)
    for (int bset = 0; bset < 4; ++bset)
      for (int mode = 0; mode < 3; ++mode) {  // gray (1 channel), RGBA, RGBA in Mode::Gray
        std::vector<std::unique_ptr<Filter>> filters;
        for (int i = 0; i < 4 && kChains[c][i] >= 0; ++i) {
          FilterSpec spec = specs[kChains[c][i]];
          spec.border = kBorders[(bset + i + c) % 4];  // every border at every stage position
          spec.border_value = 200;
          spec.mode = mode == 2 ? Mode::Gray : Mode::Rgb;
          filters.push_back(std::make_unique<Filter>(spec));
        }
        const int channels = mode == 0 ? 1 : 4;
        // twin 0: each stage's dispatched row; twin 1: the last eligible row (the scalar reference)
        for (int twin = 0; twin < 2; ++twin) {
          std::vector<Filter*> stages;
          for (auto& f : filters) {
            if (twin)
              for (const ConvVariant& r : conv_variants())
                if (r.eligible(f->plan())) f->use_variant(r);
            stages.push_back(f.get());
          }
          for (auto [w, h] : {std::pair{23, 37}, {9, 2}, {17, 5}}) {
            const Img src(w, h, channels, 3u + w * 5 + h + channels + c);
            Img want(w, h, channels), tmp(w, h, channels), tmp2(w, h, channels);
            {  // one thread, stage by stage
              ImageView in = src.view();
              for (std::size_t i = 0; i < stages.size(); ++i) {
                Img& out = i + 1 == stages.size() ? want : (i % 2 ? tmp2 : tmp);
                Scratch s;
                apply_filter(in, out.mview(), stages[i]->plan(), s, &stages[i]->variant());
                in = out.view();
              }
            }
            set_band_thresholds(0, 1);  // band every frame, down to one row a band
            std::vector<Scratch> work;
            for (int t = 1; t <= 8; ++t) {
              set_threads(t);
              Img got(w, h, channels);
              const bool ran = apply_pipeline_banded(src.view(), got.mview(), stages, work);
              if (threads() > 1) {  // builds without threads run everything stage by stage
                EXPECT_EQ(ran, can_chain(stages));  // h >= 2: always banded
              }
              if (!ran) continue;
              ++chained;
              ASSERT_EQ(std::memcmp(got.px.data(), want.px.data(), got.px.size()), 0)
                  << "chain " << c << ", borders " << bset << ", " << w << "x" << h << "x" << channels
                  << (mode == 2 ? " gray mode" : "") << (twin ? ", scalar rows" : "") << ", " << t << " threads";
            }
            fell_back += !can_chain(stages);
            set_band_thresholds(-1, -1);
          }
        }
      }
  if (kThreadsBuilt) {
    EXPECT_GT(chained, 1500);
  }
  EXPECT_GT(fell_back, 0);  // a stage after the first with a wrap border
}

TEST(FilterBands, PipelineObjectsChainOrFallBackAndEqualOneThread) {
  BandsGuard g;
  const Img src(301, 203, 4, 91);  // above the default thresholds
  for (Border later : kBorders) {
    FilterSpec a = make_preset("gaussian", {}), b = make_preset("sharpen", {}), c = make_preset("sobel-magnitude", {});
    a.border = Border::Wrap;  // the first stage reads the source frame: any border chains
    b.border = later;
    c.border = Border::Reflect101;
    c.mode = Mode::Gray;
    Filter fa(a), fb(b), fc(c);
    Pipeline p;
    for (Filter* f : {&fa, &fb, &fc, &fb}) p.add(f);  // a filter may appear twice
    Img want(src.w, src.h, 4);
    set_threads(1);
    p.apply(src.view(), want.mview());
    for (int t : {2, 3, 5}) {
      set_threads(t);
      for (int frame = 0; frame < 2; ++frame) {  // the band buffers are reused
        Img got(src.w, src.h, 4);
        p.apply(src.view(), got.mview());
        ASSERT_EQ(std::memcmp(got.px.data(), want.px.data(), got.px.size()), 0)
            << "border " << border_name(later) << ", " << t << " threads, frame " << frame;
      }
    }
  }
}

TEST(FilterBands, ChainedPipelineBadInputFailsOnTheCallingThread) {
  BandsGuard g;
  set_threads(4);
  set_band_thresholds(0, 1);
  Filter a(make_preset("sharpen", {})), b(make_preset("gaussian", {}));
  Pipeline p;
  p.add(&a);
  p.add(&b);
  const Img src(64, 64, 4, 1);
  Img dst(64, 63, 4);
  EXPECT_THROW(p.apply(src.view(), dst.mview()), RangeError);
}

TEST(FilterBands, BadInputFailsOnTheCallingThreadWithItsMessage) {
  BandsGuard g;
  set_threads(4);
  set_band_thresholds(0, 1);
  Filter f(make_preset("sharpen", {}));
  const Img src(64, 64, 4, 1);
  Img dst(32, 64, 4);
  EXPECT_THROW(f.apply(src.view(), dst.mview()), RangeError);
}

}  // namespace
}  // namespace convolens
