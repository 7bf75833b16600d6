// The inside of a Model: a chain of ready-to-run layers (weights packed for the chosen
// kernel variant) and the scratch buffers every call reuses.
#pragma once
#include <vector>

#include "core/buffer.h"
#include "core/thread_pool.h"
#include "nn/kernels.h"
#include "nn/model.h"

namespace convolens::nn {

enum class Op { Conv2D, Depthwise, Dense, MaxPool, AvgPool, GlobalAvgPool, Identity, ZeroPad, ScaleShift, Activation };

struct Layer {
  Op op = Op::Identity;
  LayerInfo info;
  Shape in, out;
  ConvGeom g{};                   // Conv2D, Depthwise, pooling
  Act act = Act::Linear;          // applied after the layer (Linear/Relu/Relu6 fused into the kernel)
  // predict() only: a relu/relu6 Activation layer right after a linear conv/dense is fused into
  // it (fast_act) and skipped; activations() runs every layer as written, so views stay exact.
  Act fast_act = Act::Linear;
  bool skip_in_predict = false;
  float alpha = 0.f;              // leaky_relu slope / elu alpha
  int pad_t = 0, pad_b = 0, pad_l = 0, pad_r = 0;  // ZeroPadding2D
  Buffer kernel, bias, packed;    // compute weights (BatchNormalization folded in)
  int packed_stride = 0;
  bool has_bias = false;
  Buffer scale, shift;            // standalone BatchNormalization
  Buffer file_weights;            // the kernel as loaded (for Model::weights)
  std::vector<int> file_shape;
  const ConvVariant* conv = nullptr;    // chosen kernel rows (kernel_rows.cpp)
  const DenseVariant* dense = nullptr;
  const PoolVariant* pool = nullptr;
};

struct ModelImpl {
  Shape input;
  std::vector<Layer> layers;
  std::vector<LayerInfo> infos;
  Buffer ping, pong, scratch;    // predict(): layer outputs alternate between ping and pong
  std::vector<Buffer> acts;      // activations(): one output buffer per layer
  std::vector<const float*> act_ptrs;
  std::size_t max_elems = 0, scratch_elems = 0;
#if CONVOLENS_THREADS
  // src/nn/schedule.cpp: the ping/pong/scratch of batch lanes 1.., or the scratch of conv row
  // bands (never both at once), in one buffer. Builds without threads carry none of it.
  Buffer thread_bufs;
#endif
  bool reference = false;

  // Sizes the buffers and picks kernel variants; called once after loading.
  void finalize();
  // Runs layer l on one image; returns where its output is (out, or in for identities).
  // fast: use the predict()-only fusions.
#if CONVOLENS_THREADS
  // scratch: the conv scratch to use (default: the model's); split: big conv layers may be split
  // into row bands over the thread pool.
  const float* run(Layer& l, const float* in, float* out, bool fast, float* scratch = nullptr, bool split = false);
#else
  const float* run(Layer& l, const float* in, float* out, bool fast);
#endif
};

}  // namespace convolens::nn
