// Filters across threads: every kernel row, computed in bands on 1..8 real threads, gives the
// single-thread frame byte for byte, for every border mode, channel mode and odd heights; the
// Filter/Pipeline objects do the same above the measured size threshold.
#include <gtest/gtest.h>

#include <cstring>

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
