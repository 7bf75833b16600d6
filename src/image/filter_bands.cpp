#include "image/filter_bands.h"

#include <algorithm>

#include "core/thread_pool.h"

namespace convolens {
namespace {
long g_min_pixels = kMinBandedPixels;
int g_min_rows = kMinBandRows;
}  // namespace

void set_band_thresholds(long min_pixels, int min_rows) {
  g_min_pixels = min_pixels < 0 ? kMinBandedPixels : min_pixels;
  g_min_rows = min_rows < 1 ? kMinBandRows : min_rows;
}

void apply_filter_banded(const ImageView& src, const MutableImageView& dst, const Plan& plan, Scratch& scratch,
                         std::vector<Scratch>& band_scratch, const ConvVariant* variant) {
  const int bands = std::min(threads(), src.height / g_min_rows);
  if (!kThreadsBuilt || bands <= 1 || long(src.width) * src.height < g_min_pixels) {
    apply_filter(src, dst, plan, scratch, variant);
    return;
  }
  validate_images(src, dst);  // bad input fails here, on the calling thread
  const ConvVariant* row = variant ? variant : &select_variant(plan);
  if (band_scratch.size() < std::size_t(bands - 1)) band_scratch.resize(bands - 1);
  parallel_chunks(src.height, bands, [&](int band, int y0, int y1) {
    apply_filter_rows(src, dst, y0, y1, plan, band == 0 ? scratch : band_scratch[band - 1], row);
  });
}

}  // namespace convolens
