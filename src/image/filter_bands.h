// Filters across threads (core/thread_pool.h): a frame is cut into bands of output rows, one or
// more per thread, and every band runs the same kernel row over its rows (apply_filter_rows: each
// band reads its halo rows and restarts running sums at its first row), each with its own
// Scratch. The result is the single-thread frame byte for byte, by construction.
#pragma once
#include <span>
#include <vector>

#include "image/conv_registry.h"

namespace convolens {

// Frames below this many pixels run on the calling thread: waking the pool costs more than it
// saves there (measured, docs/threads.md).
constexpr long kMinBandedPixels = 48 * 1024;
// A band has at least this many rows (every band recomputes the halo rows its window needs).
constexpr int kMinBandRows = 16;
// Bands per thread of a single direct 2-D kernel from 3x3 to 7 rows (filter_bands.cpp).
constexpr int kBandsPerThread = 4;
// With one band per thread, the last this many percent of the frame's rows go to a second round
// of smaller bands (a guided split, filter_bands.cpp).
constexpr int kGuidedTailPercent = 20;

// apply_filter, in bands over the pool's threads when the frame is large enough (a filter's
// plan and row; Filter::apply runs the same bands through apply_pipeline_banded).
// band_scratch: the Scratch of bands 1.. (band 0 uses `scratch`), grown as needed and kept.
void apply_filter_banded(const ImageView& src, const MutableImageView& dst, const Plan& plan, Scratch& scratch,
                         std::vector<Scratch>& band_scratch, const ConvVariant* variant = nullptr);

// ---- pipelines chained per band ----
// A band runs every stage on its own rows: the last stage's output rows, the rows of the stage
// before that those read (their halo, through the border), and so on back to the source. One
// pass over the pool per frame instead of one per stage, and a band's intermediate rows stay
// with its thread. Each band recomputes the halo rows it shares with its neighbours.
class Filter;

// Whether the stages can chain per band: a stage after the first reads the previous stage's
// rows through its border, and Wrap reads the far edge's rows, which no band near the near edge
// computes. Such pipelines run stage by stage (each stage banded).
bool can_chain(std::span<Filter* const> stages);

// Runs the filters in sequence, chained per band (Filter::apply: one stage). Returns false,
// having done nothing, when the frame is not banded (small, few rows, one thread) or
// !can_chain: the caller then runs on one thread, or stage by stage. Bad input throws here, on
// the calling thread. band_scratch: one per band (its Scratch::chain buffers hold the band's
// intermediate rows), grown as needed and kept.
bool apply_pipeline_banded(const ImageView& src, const MutableImageView& dst, std::span<Filter* const> stages,
                           std::vector<Scratch>& band_scratch);

// Tests: band every frame (min_pixels 0, min_rows 1); negative values restore the defaults.
void set_band_thresholds(long min_pixels, int min_rows);

}  // namespace convolens
