// Filters across threads (core/thread_pool.h): a frame is cut into bands of output rows, one
// per thread, and every band runs the same kernel row over its rows (apply_filter_rows: each
// band reads its halo rows and restarts running sums at its first row), each with its own
// Scratch. The result is the single-thread frame byte for byte, by construction.
#pragma once
#include <vector>

#include "image/conv_registry.h"

namespace convolens {

// Frames below this many pixels run on the calling thread: waking the pool costs more than it
// saves there (measured, docs/threads.md).
constexpr long kMinBandedPixels = 48 * 1024;
// A band has at least this many rows (every band recomputes the halo rows its window needs).
constexpr int kMinBandRows = 16;

// apply_filter, in bands over the pool's threads when the frame is large enough.
// band_scratch: the Scratch of bands 1.. (band 0 uses `scratch`), grown as needed and kept.
void apply_filter_banded(const ImageView& src, const MutableImageView& dst, const Plan& plan, Scratch& scratch,
                         std::vector<Scratch>& band_scratch, const ConvVariant* variant = nullptr);

// Tests: band every frame (min_pixels 0, min_rows 1); negative values restore the defaults.
void set_band_thresholds(long min_pixels, int min_rows);

}  // namespace convolens
