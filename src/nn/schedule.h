// How a Model's work is spread over the module's threads (core/thread_pool.h): the layer
// kernels and their order stay as they are, only which thread runs which part changes, so every
// output is bit-identical to one thread.
//   - a batch is cut into contiguous chunks of images, 8 per thread, claimed one at a time; a
//     running chunk holds one of the per-thread ping/pong/scratch buffer sets;
//   - one image's large Conv2D/DepthwiseConv2D layers are cut into bands of output rows (each
//     band reads the input rows its window needs, with the same zero padding).
// Small work stays on the calling thread: fork/join costs more than it saves there. Only
// threaded builds carry it (CONVOLENS_THREADS); the others run model.cpp's plain loops.
#pragma once
#include "nn/kernels.h"

namespace convolens::nn {

struct ModelImpl;

// Multiply-adds of one conv layer below which its rows are not split: 2 threads were
// consistently faster from 0.33 M on, slower or even at 0.15-0.28 M (bench/nn-threshold.js on an
// idle 2-core machine; docs/threads.md). The tiny MNIST net's second layer (0.63 M) splits.
constexpr double kConvSplitMacs = 3.0e5;
// Multiply-adds of a whole batch below which it runs on one thread (measured as above: 2 threads
// slower at 0.13-0.20 M, mixed at 0.26 M, consistently faster from 0.33 M on).
constexpr double kBatchSplitMacs = 3.0e5;
// Tests lower the thresholds (0 = split everything); negative restores the measured ones.
void set_split_thresholds(double conv_macs, double batch_macs);

// predict() over a batch: images [0, batch) of `input` -> `output`.
void predict_batch(ModelImpl& m, const float* input, int batch, float* output);

// Runs one conv layer; with `split` and enough work, by output-row bands over the pool.
void run_conv(ModelImpl& m, ConvFn fn, const ConvParams& p, bool depthwise, const float* in, float* out, float* scratch,
              bool split);

// Multiply-adds of a conv layer, and of one image through the model (for the thresholds).
double conv_macs(const ConvGeom& g, bool depthwise);
double model_macs(const ModelImpl& m);

}  // namespace convolens::nn
