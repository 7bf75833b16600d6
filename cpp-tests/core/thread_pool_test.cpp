#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/errors.h"

namespace convolens {
namespace {

struct ThreadsGuard {
  ~ThreadsGuard() { set_threads(1); }
};

TEST(ThreadPool, OneThreadIsThePlainLoop) {
  set_threads(1);
  std::vector<std::pair<int, int>> calls;
  const auto me = std::this_thread::get_id();
  parallel_for(10, [&](int b, int e) {
    EXPECT_EQ(std::this_thread::get_id(), me);
    calls.push_back({b, e});
  });
  EXPECT_EQ(calls, (std::vector<std::pair<int, int>>{{0, 10}}));
  parallel_for(0, [&](int, int) { ADD_FAILURE() << "called for n = 0"; });
}

TEST(ThreadPool, ChunksCoverEveryItemOnceForEveryThreadCount) {
  ThreadsGuard g;
  for (int t = 1; t <= 8; ++t) {
    set_threads(t);
    EXPECT_EQ(threads(), kThreadsBuilt ? t : 1);  // builds without threads run everything inline
    for (int n : {0, 1, 2, 3, 7, 8, 9, 100, 1001}) {
      for (int chunks : {1, 2, 3, t, 2 * t, 64}) {
        std::vector<std::atomic<int>> hits(n);
        std::vector<std::atomic<int>> seen_chunk(chunks);
        parallel_chunks(n, chunks, [&](int c, int b, int e) {
          // The split is a pure function of n and chunks.
          const int cc = std::min(chunks, n);
          EXPECT_EQ(b, int(long(n) * c / cc)) << "t=" << t << " n=" << n << " chunks=" << chunks;
          EXPECT_EQ(e, int(long(n) * (c + 1) / cc));
          seen_chunk[c]++;
          for (int i = b; i < e; ++i) hits[i]++;
        });
        for (int i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "t=" << t << " n=" << n << " chunks=" << chunks << " i=" << i;
      }
    }
  }
}

TEST(ThreadPool, WorkersAreCreatedOnceAndReused) {
  if (!kThreadsBuilt) GTEST_SKIP() << "this build has no threads";
  ThreadsGuard g;
  set_threads(4);
  const int w = pool_workers();
  EXPECT_GE(w, 3);
  for (int rep = 0; rep < 2000; ++rep) {
    std::atomic<long> sum{0};
    parallel_for(1000, [&](int b, int e) {
      long s = 0;
      for (int i = b; i < e; ++i) s += i;
      sum += s;
    });
    ASSERT_EQ(sum.load(), 999L * 1000 / 2) << "rep " << rep;
  }
  set_threads(2);
  set_threads(4);
  EXPECT_EQ(pool_workers(), w);
}

TEST(ThreadPool, SeveralThreadsReallyRun) {
  if (!kThreadsBuilt) GTEST_SKIP() << "this build has no threads";
  ThreadsGuard g;
  set_threads(2);
  // Chunk 1 waits (bounded) until chunk 0 has started: both run at once only with two threads.
  std::atomic<int> started{0};
  std::atomic<bool> overlapped{false};
  parallel_chunks(2, 2, [&](int, int, int) {
    started++;
    for (int spin = 0; spin < 200000000 && started.load() < 2; ++spin) std::this_thread::yield();
    if (started.load() == 2) overlapped = true;
  });
  EXPECT_TRUE(overlapped.load());
}

TEST(ThreadPool, AnErrorInAWorkerReachesTheCallerWithItsType) {
  ThreadsGuard g;
  for (int t : {1, 2, 3, 8}) {
    set_threads(t);
    try {
      parallel_chunks(8, 8, [&](int c, int, int) {
        if (c >= 5) throw RangeError("chunk " + std::to_string(c) + " failed");
      });
      ADD_FAILURE() << "no exception with " << t << " threads";
    } catch (const RangeError& e) {
      EXPECT_STREQ(e.what(), "chunk 5 failed") << t << " threads";
    }
    // The pool is usable afterwards.
    std::atomic<int> n{0};
    parallel_for(100, [&](int b, int e) { n += e - b; });
    EXPECT_EQ(n.load(), 100);
  }
}

TEST(ThreadPool, NestedLoopsRunInline) {
  ThreadsGuard g;
  set_threads(3);
  std::vector<std::atomic<int>> hits(30 * 30);
  parallel_for(30, [&](int b, int e) {
    for (int i = b; i < e; ++i)
      parallel_for(30, [&](int b2, int e2) {
        for (int j = b2; j < e2; ++j) hits[i * 30 + j]++;
      });
  });
  for (auto& h : hits) ASSERT_EQ(h.load(), 1);
}

TEST(ThreadPool, ThreadCountIsClamped) {
  if (!kThreadsBuilt) GTEST_SKIP() << "this build has no threads";
  ThreadsGuard g;
  set_threads(0);
  EXPECT_EQ(threads(), 1);
  set_threads(1000);
  EXPECT_EQ(threads(), kMaxThreads);
}

}  // namespace
}  // namespace convolens
