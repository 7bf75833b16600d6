// Fixed work split for training: a batch is always cut into kChunks contiguous ranges, and
// per-chunk partial sums are combined in chunk order, so results do not depend on how many
// threads ran the chunks (determinism for a seed).
#pragma once
#include <type_traits>

namespace convolens::train {

constexpr int kChunks = 4;

// Threads used by parallel_chunks (1 = run inline). Native builds default to 1; the trainer sets it.
void set_threads(int n);
int threads();

// What parallel_chunks calls: a borrowed callable (the caller's lambda outlives the call), not a
// std::function, which costs a vtable, RTTI and a type-name string per lambda in the module.
class ChunkFn {
 public:
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, ChunkFn>)
  ChunkFn(F&& f)  // NOLINT: implicit, so call sites pass a lambda
      : obj_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* o, int c, int b, int e) { (*static_cast<std::remove_reference_t<F>*>(o))(c, b, e); }) {}
  void operator()(int c, int b, int e) const { call_(obj_, c, b, e); }

 private:
  void* obj_;
  void (*call_)(void*, int, int, int);
};

// Calls f(chunk, begin, end) for each of the kChunks ranges of [0, n) (empty ranges skipped).
void parallel_chunks(int n, ChunkFn f);

}  // namespace convolens::train
