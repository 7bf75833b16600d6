#include "train/parallel.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace convolens::train {
namespace {
int g_threads = 1;
}

void set_threads(int n) { g_threads = std::clamp(n, 1, kChunks); }
int threads() { return g_threads; }

void parallel_chunks(int n, ChunkFn f) {
  auto run = [&](int c) {
    const int b = int(long(n) * c / kChunks), e = int(long(n) * (c + 1) / kChunks);
    if (b < e) f(c, b, e);
  };
#if defined(__EMSCRIPTEN__)
  for (int c = 0; c < kChunks; ++c) run(c);
#else
  if (g_threads <= 1) {
    for (int c = 0; c < kChunks; ++c) run(c);
    return;
  }
  // Thread t runs chunks t, t+T, ...: a fixed assignment, and each chunk writes only its own outputs.
  std::vector<std::thread> pool;
  for (int t = 1; t < g_threads; ++t)
    pool.emplace_back([&, t] {
      for (int c = t; c < kChunks; c += g_threads) run(c);
    });
  for (int c = 0; c < kChunks; c += g_threads) run(c);
  for (auto& th : pool) th.join();
#endif
}

}  // namespace convolens::train
