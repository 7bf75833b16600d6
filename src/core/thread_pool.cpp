#include "core/thread_pool.h"

#include <algorithm>

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define CONVOLENS_NO_THREADS 1
#endif

#ifndef CONVOLENS_NO_THREADS
// POSIX threads rather than std::thread/mutex/condition_variable: in the wasm build the std
// wrappers bring std::system_error and its message tables (about 8 KB of the module budget).
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <climits>
#include <cmath>
#include <cstdint>
#include <exception>
#include <new>
#ifdef __EMSCRIPTEN__
#include <emscripten/threading.h>
#endif
#endif

namespace convolens {

#ifdef CONVOLENS_NO_THREADS

void set_threads(int) {}
int threads() { return 1; }
int pool_workers() { return 0; }
namespace detail {
void run_chunks(int n, int chunks, ChunkFn fn, void* ctx) {
  for (int c = 0; c < chunks; ++c) {
    const int b = int(long(n) * c / chunks), e = int(long(n) * (c + 1) / chunks);
    if (b < e) fn(ctx, c, b, e);
  }
}
}  // namespace detail

#else

namespace {

struct Lock {
  explicit Lock(pthread_mutex_t& m) : m_(m) { pthread_mutex_lock(&m_); }
  ~Lock() { pthread_mutex_unlock(&m_); }
  pthread_mutex_t& m_;
};

// Sleeping until a word changes, for workers between jobs (blocking is fine off the main
// thread). In wasm the futex calls themselves: pthread condition variables and joins cost about
// 1.5 KB of the module budget there (docs/toolchain.md, pthreads).
#ifdef __EMSCRIPTEN__
void wait_while(std::atomic<std::uint32_t>& word, std::uint32_t old) {
  emscripten_futex_wait(&word, old, INFINITY);
}
void wake_all(std::atomic<std::uint32_t>& word) { emscripten_futex_wake(&word, INT_MAX); }
#else
void wait_while(std::atomic<std::uint32_t>& word, std::uint32_t old) { word.wait(old, std::memory_order_acquire); }
void wake_all(std::atomic<std::uint32_t>& word) { word.notify_all(); }
#endif

// Workers sleep on a futex word between jobs; chunks are claimed from an atomic counter, so a
// slow thread never holds up the others.
class Pool {
 public:
#ifndef __EMSCRIPTEN__
  // Native processes end their threads at exit; in wasm the pool lives as long as the module
  // and the loader terminates its Workers (docs/threads.md).
  ~Pool() {
    {
      Lock lk(mu_);
      stop_ = true;
    }
    wake_.fetch_add(1, std::memory_order_release);
    wake_all(wake_);
    for (int i = 0; i < n_workers_; ++i) pthread_join(workers_[i].thread, nullptr);
  }
#endif

  void set_threads(int n) {
    active_ = std::clamp(n, 1, kMaxThreads);
    while (n_workers_ < active_ - 1) {
      Worker& w = workers_[n_workers_];
      w.pool = this;
      w.id = n_workers_ + 1;
      if (pthread_create(&w.thread, nullptr, &Pool::worker_main, &w) != 0) {
        active_ = n_workers_ + 1;  // run with the threads that did start
        return;
      }
      ++n_workers_;
    }
  }
  int threads() const { return active_; }
  int workers() const { return n_workers_; }

  void run(int n, int chunks, detail::ChunkFn fn, void* ctx) {
    // One job at a time: a nested call (from inside a chunk) or a second caller runs inline.
    if (busy_.test_and_set(std::memory_order_acquire)) {
      for (int c = 0; c < chunks; ++c) run_one(n, chunks, c, fn, ctx);
      return;
    }
    {
      Lock lk(mu_);
      job_ = {fn, ctx, n, chunks, ++generation_};
      next_.store((job_.generation & 0xffffffffu) << 32, std::memory_order_relaxed);
      done_.store(0, std::memory_order_relaxed);
      error_ = nullptr;
      error_chunk_ = chunks;
      participants_ = std::min(active_, chunks);
    }
    wake_.fetch_add(1, std::memory_order_release);
    wake_all(wake_);
    claim_chunks(job_);
    // The caller waits by spinning: the work is short, and a blocking wait on the browser's
    // main thread is what Emscripten warns about (docs/threads.md).
    while (done_.load(std::memory_order_acquire) != chunks) sched_yield();
    std::exception_ptr err = error_;
    error_ = nullptr;
    busy_.clear(std::memory_order_release);
    if (err) std::rethrow_exception(err);
  }

 private:
  static void run_one(int n, int chunks, int c, detail::ChunkFn fn, void* ctx) {
    const int b = int(long(n) * c / chunks), e = int(long(n) * (c + 1) / chunks);
    if (b < e) fn(ctx, c, b, e);
  }

  struct Job {
    detail::ChunkFn fn;
    void* ctx;
    int n, chunks;
    std::uint64_t generation;
  };

  // next_ holds (generation << 32 | next chunk): a worker that copied an older job's
  // parameters can never claim a chunk of a newer job.
  void claim_chunks(const Job& job) {
    for (;;) {
      std::uint64_t v = next_.load(std::memory_order_relaxed);
      int c;
      do {
        c = int(v & 0xffffffffu);
        if ((v >> 32) != (job.generation & 0xffffffffu) || c >= job.chunks) return;
      } while (!next_.compare_exchange_weak(v, v + 1, std::memory_order_relaxed));
      try {
        run_one(job.n, job.chunks, c, job.fn, job.ctx);
      } catch (...) {
        Lock lk(mu_);
        if (c < error_chunk_) {
          error_chunk_ = c;
          error_ = std::current_exception();
        }
      }
      done_.fetch_add(1, std::memory_order_release);
    }
  }

  struct Worker {
    Pool* pool;
    int id;
    pthread_t thread;
  };
  static void* worker_main(void* arg) {
    auto* w = static_cast<Worker*>(arg);
    w->pool->worker(w->id);
    return nullptr;
  }

  void worker(int id) {
    std::uint64_t seen = 0;
    for (;;) {
      const std::uint32_t w = wake_.load(std::memory_order_acquire);
      Job job;
      bool mine = false;
      {
        Lock lk(mu_);
        if (stop_) return;
        if (generation_ != seen) {
          seen = generation_;
          mine = id < participants_;
          job = job_;
        }
      }
      if (mine) claim_chunks(job);
      else wait_while(wake_, w);  // returns at once if a job was posted since w was read
    }
  }

  pthread_mutex_t mu_ = PTHREAD_MUTEX_INITIALIZER;
  std::atomic<std::uint32_t> wake_{0};  // bumped after each job is posted (and at stop)
  Worker workers_[kMaxThreads - 1] = {};
  int n_workers_ = 0;
  std::atomic_flag busy_ = ATOMIC_FLAG_INIT;
  int active_ = 1;
  bool stop_ = false;
  std::uint64_t generation_ = 0;
  Job job_{};  // the current job, written under mu_
  int participants_ = 0;
  std::atomic<std::uint64_t> next_{0};
  std::atomic<int> done_{0};
  std::exception_ptr error_;
  int error_chunk_ = 0;
};

// A namespace-scope object, not a function-local static: no thread-safe initialisation guard
// (libc++abi's guard brings its own mutex and condition variable into the wasm).
Pool g_pool;
Pool& pool() { return g_pool; }

}  // namespace

void set_threads(int n) { pool().set_threads(n); }
int threads() { return pool().threads(); }
int pool_workers() { return pool().workers(); }
namespace detail {
void run_chunks(int n, int chunks, ChunkFn fn, void* ctx) { pool().run(n, chunks, fn, ctx); }
}  // namespace detail

#endif

}  // namespace convolens
