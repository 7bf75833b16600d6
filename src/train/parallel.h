// Fixed work split for training: a batch is always cut into kChunks contiguous ranges, and
// per-chunk partial sums are combined in chunk order, so results do not depend on how many
// threads ran the chunks (determinism for a seed).
#pragma once
#include <functional>

namespace convolens::train {

constexpr int kChunks = 4;

// Threads used by parallel_chunks (1 = run inline). Native builds default to 1; the trainer sets it.
void set_threads(int n);
int threads();

// Calls f(chunk, begin, end) for each of the kChunks ranges of [0, n) (empty ranges skipped).
void parallel_chunks(int n, const std::function<void(int, int, int)>& f);

}  // namespace convolens::train
