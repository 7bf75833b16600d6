#include "nn/schedule.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "core/thread_pool.h"
#include "nn/model_impl.h"

#if CONVOLENS_THREADS  // builds without threads run the plain loops in model.cpp
namespace convolens::nn {
namespace {

// Chunks of images per lane: a batch's images are independent, so a chunk costs nothing to start,
// and with several per thread, claimed one at a time, a thread the machine slows for a while
// takes fewer of them (with one run per thread, the batch waited for the slow one).
constexpr int kChunksPerLane = 8;

double g_conv_split_macs = kConvSplitMacs;
double g_batch_split_macs = kBatchSplitMacs;

// One image through the layer chain (predict()'s fusions), alternating between two buffers.
void predict_one(ModelImpl& m, const float* in, float* out, float* ping, float* pong, float* scratch, bool split) {
  const float* cur = in;
  float* bufs[2] = {ping, pong};
  int next = 0;
  for (auto& l : m.layers) {
    if (l.skip_in_predict) continue;
    const float* r = m.run(l, cur, bufs[next], true, scratch, split);
    if (r != cur) {
      cur = r;
      next ^= 1;
    }
  }
  const std::size_t out_n = m.layers.empty() ? m.input.size() : m.layers.back().out.size();
  std::memcpy(out, cur, out_n * sizeof(float));
}

// The sub-geometry that computes output rows [y0, y1) from input rows [r0, r1) (returned in
// r0): the same window and strides, the zero rows it reads at either end as its padding.
ConvGeom band_geom(const ConvGeom& g, int y0, int y1, int& r0) {
  const int first = y0 * g.sh - g.pad_t;                           // first padded row read
  const int last = (y1 - 1) * g.sh - g.pad_t + (g.kh - 1) * g.dh;  // last padded row read
  ConvGeom b = g;
  r0 = std::clamp(first, 0, g.in_h);
  const int r1 = std::clamp(last + 1, r0, g.in_h);
  b.in_h = r1 - r0;
  b.out_h = y1 - y0;
  b.pad_t = r0 - first;
  b.pad_b = last + 1 - r1;
  return b;
}

// The model's thread buffer with room for n floats (it only grows: no allocation per call).
float* thread_floats(ModelImpl& m, std::size_t n) {
  if (m.thread_bufs.size() < n * sizeof(float)) m.thread_bufs.resize(n * sizeof(float));
  return m.thread_bufs.as<float>();
}

}  // namespace

void set_split_thresholds(double conv, double batch) {
  g_conv_split_macs = conv < 0 ? kConvSplitMacs : conv;
  g_batch_split_macs = batch < 0 ? kBatchSplitMacs : batch;
}

double conv_macs(const ConvGeom& g, bool depthwise) {
  return double(g.out_h) * g.out_w * g.out_c * g.kh * g.kw * (depthwise ? 1 : g.in_c);
}

double model_macs(const ModelImpl& m) {
  double macs = 0;
  for (const auto& l : m.layers) {
    if (l.op == Op::Conv2D || l.op == Op::Depthwise) macs += conv_macs(l.g, l.op == Op::Depthwise);
    else macs += double(l.in.size()) + double(l.out.size()) * (l.op == Op::Dense ? l.in.c : 1);
  }
  return macs;
}

void run_conv(ModelImpl& m, ConvFn fn, const ConvParams& p, bool depthwise, const float* in, float* out, float* scratch,
              bool split) {
  const int bands = std::min(threads(), p.g.out_h);
  if (!split || bands <= 1 || conv_macs(p.g, depthwise) < g_conv_split_macs) {
    fn(p, in, out, scratch);
    return;
  }
  // Per-band scratch: a band's padded input is the window rows of its output rows.
  const int max_rows = (p.g.out_h + bands - 1) / bands;
  const std::size_t band_scratch = std::size_t((max_rows - 1) * p.g.sh + (p.g.kh - 1) * p.g.dh + 1) *
                                   (p.g.in_w + p.g.pad_l + p.g.pad_r) * p.g.in_c;
  float* bufs = thread_floats(m, band_scratch * bands);
  const std::size_t in_row = std::size_t(p.g.in_w) * p.g.in_c, out_row = std::size_t(p.g.out_w) * p.g.out_c;
  parallel_chunks(p.g.out_h, bands, [&](int c, int y0, int y1) {
    int r0 = 0;
    ConvParams bp = p;
    bp.g = band_geom(p.g, y0, y1, r0);
    fn(bp, in + r0 * in_row, out + y0 * out_row, bufs + c * band_scratch);
  });
}

void predict_batch(ModelImpl& m, const float* input, int batch, float* output) {
  const std::size_t in_n = m.input.size();
  const std::size_t out_n = m.layers.empty() ? in_n : m.layers.back().out.size();
  const int lanes = std::min(threads(), batch);
  if (lanes > 1 && model_macs(m) * batch >= g_batch_split_macs) {
    // Buffer sets: 0 is the model's own ping, pong and scratch, 1..lanes-1 the thread buffers.
    // A chunk takes a free set and gives it back; at most `lanes` chunks run at once (the pool
    // starts min(threads, chunks) threads), so one is always free.
    const std::size_t ping = m.ping.size() / sizeof(float), scratch = m.scratch.size() / sizeof(float);
    const std::size_t lane = 2 * ping + scratch;
    float* bufs = thread_floats(m, lane * (lanes - 1));
    std::atomic<bool> taken[kMaxThreads] = {};
    parallel_chunks(batch, std::min(batch, lanes * kChunksPerLane), [&](int c, int b0, int b1) {
      int set = c % lanes;
      while (taken[set].exchange(true, std::memory_order_acquire)) set = (set + 1) % lanes;
      float* own = bufs + std::size_t(set > 0 ? set - 1 : 0) * lane;
      float* a = set ? own : m.ping.as<float>();
      float* b = set ? own + ping : m.pong.as<float>();
      float* s = set ? own + 2 * ping : m.scratch.as<float>();
      for (int i = b0; i < b1; ++i) predict_one(m, input + i * in_n, output + i * out_n, a, b, s, false);
      taken[set].store(false, std::memory_order_release);
    });
    return;
  }
  // One thread (or little work): the plain loop; a single image may still split big layers.
  for (int b = 0; b < batch; ++b)
    predict_one(m, input + b * in_n, output + b * out_n, m.ping.as<float>(), m.pong.as<float>(), m.scratch.as<float>(),
                true);
}

}  // namespace convolens::nn
#endif
