// The module's worker threads and a parallel loop over them. One pool per process (per wasm
// instance): set_threads(n) makes n threads take part (the caller plus n - 1 workers, created
// on first need and kept). parallel_for with one thread, or called while the pool is already
// busy (nested, or from a worker), is the plain loop on the calling thread.
//
// The caller does a share of the work and then waits for the rest by spinning on an atomic
// counter, never by a blocking join or condition wait: see docs/threads.md for why.
#pragma once
#include <type_traits>

namespace convolens {

constexpr int kMaxThreads = 16;

// Whether this build has threads at all (the single-thread wasm modules do not: their parallel
// loops compile to the plain loop and carry no scheduling code).
// CONVOLENS_THREADS is the same for the preprocessor (code only threaded builds carry).
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define CONVOLENS_THREADS 0
inline constexpr bool kThreadsBuilt = false;
#else
#define CONVOLENS_THREADS 1
inline constexpr bool kThreadsBuilt = true;
#endif

// Threads that take part in parallel loops, clamped to 1..kMaxThreads (1 in builds without
// threads). Creates missing workers; call it from the thread that runs the loops.
void set_threads(int n);
int threads();
// Workers started so far (tests: workers are created once and reused).
int pool_workers();

namespace detail {
using ChunkFn = void (*)(void* ctx, int chunk, int begin, int end);
void run_chunks(int n, int chunks, ChunkFn fn, void* ctx);
}  // namespace detail

// Calls f(chunk, begin, end) for `chunks` contiguous ranges that cover [0, n) in order (chunk c
// is [n*c/chunks, n*(c+1)/chunks), empty ones skipped), spread over the pool's threads. The
// ranges depend only on n and chunks, never on timing. Returns when all are done; an exception
// thrown by f is rethrown here (the lowest chunk's, when several threw).
template <class F>
void parallel_chunks(int n, int chunks, F&& f) {
  if (n <= 0) return;
  if (chunks > n) chunks = n;
  if (!kThreadsBuilt || chunks <= 1 || threads() == 1) {
    for (int c = 0; c < chunks; ++c) {
      const int b = int(long(n) * c / chunks), e = int(long(n) * (c + 1) / chunks);
      if (b < e) f(c, b, e);
    }
    return;
  }
  using Fn = std::remove_reference_t<F>;
  detail::run_chunks(n, chunks, [](void* ctx, int c, int b, int e) { (*static_cast<Fn*>(ctx))(c, b, e); },
                     const_cast<void*>(static_cast<const void*>(&f)));
}

// f(begin, end) over one range per thread; with one thread exactly f(0, n).
template <class F>
void parallel_for(int n, F&& f) {
  if (!kThreadsBuilt || threads() == 1) {
    if (n > 0) f(0, n);
    return;
  }
  parallel_chunks(n, threads(), [&](int, int b, int e) { f(b, e); });
}

}  // namespace convolens
