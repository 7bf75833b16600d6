#include "image/filter_bands.h"

#include <algorithm>

#include "core/thread_pool.h"
#include "image/filter.h"

namespace convolens {
namespace {
long g_min_pixels = kMinBandedPixels;
int g_min_rows = kMinBandRows;

// Bands per thread. A single direct 2-D kernel (not separable, not a box, not a gradient) larger
// than 3x3 and up to 7 rows cuts the frame into kBandsPerThread bands per thread, claimed one at
// a time, so a thread the machine slows for a while takes fewer of them: its rows are the most
// work per pixel (kw * kh taps), and a band's restart only copies kh - 1 halo rows again. Every
// other filter keeps one band per thread: 4 per thread cost the box (its column sums restart over
// kh rows) 4-6 %, Sobel 12-14 % and the 3x3 and separable rows 1-3 % of their fastest rounds
// (docs/threads.md); they split guided instead (apply_pipeline_banded). Pipelines keep one band
// per thread too (every band edge recomputes each stage's halo rows).
int bands_per_thread(std::span<Filter* const> stages) {
  if (stages.size() != 1) return 1;
  const Plan& p = stages[0]->plan();
  const bool direct = !p.box.ok && !p.sep.ok && !p.sep16.ok && p.spec.gradient == Gradient::None;
  return direct && p.kw() * p.kh() > 9 && p.kh() <= 7 ? kBandsPerThread : 1;
}

// Frames run in this many bands (<= 1: on the calling thread).
int band_count(const ImageView& src, std::span<Filter* const> stages = {}) {
  if (!kThreadsBuilt || long(src.width) * src.height < g_min_pixels) return 1;
  return std::min(threads() * bands_per_thread(stages), src.height / g_min_rows);
}

// The rows of a stage's input that its output rows [y0, y1) read: the window's virtual rows
// [y0 - ay, y1 - ay + kh - 1) in the frame, and those outside it mapped through the border.
// Constant maps them to no row, Replicate to the edge row (already in). Reflect101 mirrors them
// about the edge row: above the frame, row -r (r <= ay) is inside [0, y1 + kh - 1 - ay), as the
// window reaches at least as far down as up; below it, the even kernels' longer reach down
// mirrors to rows above the window's top, and small frames bounce anywhere. Wrap never chains.
void input_rows(const Plan& p, int y0, int y1, int h, int& lo, int& hi) {
  const int top = y0 - p.ay(), bottom = y1 - p.ay() + p.kh() - 1;
  lo = std::max(top, 0);
  hi = std::min(bottom, h);
  if (p.spec.border == Border::Reflect101 && bottom > h) lo = std::min(lo, std::max(0, 2 * h - 1 - bottom));  // r -> 2h - 2 - r
}

// All stages for the final output rows [y0, y1), on the calling thread. Intermediate stage i
// writes its rows [lo, hi) into one of the band's chain buffers, seen through a frame-sized view
// whose row lo is the buffer's start (only those rows are ever read or written: input_rows is
// exactly what the kernels read, see run_filter_rows).
void chain_rows(const ImageView& src, const MutableImageView& dst, int y0, int y1, std::span<Filter* const> stages,
                Scratch& scratch) {
  const int n = int(stages.size()), w = src.width, h = src.height, C = src.channels;
  const std::ptrdiff_t stride = std::ptrdiff_t(w) * C;
  ImageView in = src;
  for (int i = 0; i < n; ++i) {
    int lo = y0, hi = y1;  // the rows the later stages read
    for (int j = n - 1; j > i; --j) input_rows(stages[j]->plan(), lo, hi, h, lo, hi);
    MutableImageView out = dst;
    if (i + 1 < n) {
      Buffer& buf = scratch.chain[i % 2];
      buf.resize(std::size_t(hi - lo) * stride);
      out = MutableImageView{buf.data() - lo * stride, w, h, C, stride};
    }
    run_filter_rows(in, out, lo, hi, stages[i]->plan(), scratch, stages[i]->variant());
    in = out;
  }
}

}  // namespace

void set_band_thresholds(long min_pixels, int min_rows) {
  g_min_pixels = min_pixels < 0 ? kMinBandedPixels : min_pixels;
  g_min_rows = min_rows < 1 ? kMinBandRows : min_rows;
}


void apply_filter_banded(const ImageView& src, const MutableImageView& dst, const Plan& plan, Scratch& scratch,
                         std::vector<Scratch>& band_scratch, const ConvVariant* variant) {
  const int bands = band_count(src);
  if (bands <= 1) {
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

bool can_chain(std::span<Filter* const> stages) {
  for (std::size_t i = 1; i < stages.size(); ++i)
    if (stages[i]->spec().border == Border::Wrap) return false;
  return true;
}

bool apply_pipeline_banded(const ImageView& src, const MutableImageView& dst, std::span<Filter* const> stages,
                           std::vector<Scratch>& band_scratch) {
  const int bands = band_count(src, stages), h = src.height;
  if (bands <= 1 || !can_chain(stages)) return false;
  validate_images(src, dst);  // bad input fails here, on the calling thread
  // One band per thread: a guided split instead of an even one. `bands` bands share the frame but
  // its last kGuidedTailPercent evenly, then `bands` more share that tail; bands are claimed in
  // order, so each thread takes a large band first and whoever finishes first takes the small
  // ones: a thread the machine slows for a while takes fewer rows (docs/threads.md).
  const int tail = bands == threads() && h * kGuidedTailPercent / 100 / bands >= g_min_rows ? h * kGuidedTailPercent / 100 : 0;
  const int head = h - tail, n = tail ? 2 * bands : bands;
  auto start = [&](int c) { return c <= bands ? int(long(head) * c / bands) : head + tail * (c - bands) / bands; };
  if (band_scratch.size() < std::size_t(n)) band_scratch.resize(n);
  parallel_chunks(n, n, [&](int band, int, int) { chain_rows(src, dst, start(band), start(band + 1), stages, band_scratch[band]); });
  return true;
}

}  // namespace convolens
