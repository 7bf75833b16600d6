// Model: runs the layer chain image by image through two reused buffers, so a batch of any
// size needs no memory beyond one image's largest activation (and stays in cache).
#include "nn/model.h"

#include <cstring>

#include "core/errors.h"
#include "core/number_text.h"
#include "nn/model_impl.h"
#if CONVOLENS_THREADS
#include "nn/schedule.h"
#endif

namespace convolens::nn {

void ModelImpl::finalize() {
  max_elems = input.size();
  scratch_elems = 1;
  for (auto& l : layers) {
    max_elems = std::max(max_elems, l.out.size());
    if (l.op == Op::Conv2D || l.op == Op::Depthwise) scratch_elems = std::max(scratch_elems, l.g.padded_size());
    // The first eligible row of each table (core/registry.h; every table ends with a reference
    // that accepts any shape); reference mode runs its scalar twin.
    const auto pick = [&](auto table, const auto& query) {
      const auto* row = select_row(table, query);
      return reference && row->twin ? row->twin : row;
    };
    if (l.op == Op::Conv2D || l.op == Op::Depthwise)
      l.conv = pick(l.op == Op::Conv2D ? conv2d_table() : depthwise2d_table(), l.g);
    if (l.op == Op::Dense)
      l.dense = pick(dense_table(), DenseParams{int(l.in.size() / l.in.c), l.in.c, l.out.c, nullptr, nullptr, nullptr, 0, l.act});
    if (l.op == Op::MaxPool || l.op == Op::AvgPool) l.pool = pick(l.op == Op::MaxPool ? max_pool_table() : avg_pool_table(), l.g);
  }
  Layer* producer = nullptr;  // the last conv/dense whose output reaches here unchanged
  for (auto& l : layers) {
    l.fast_act = l.act;
    l.skip_in_predict = false;
    if (l.op == Op::Conv2D || l.op == Op::Depthwise || l.op == Op::Dense) {
      producer = l.act == Act::Linear ? &l : nullptr;
    } else if (l.op == Op::Activation && producer && (l.act == Act::Relu || l.act == Act::Relu6)) {
      producer->fast_act = l.act;
      l.skip_in_predict = true;
      producer = nullptr;
    } else if (l.op != Op::Identity) {
      producer = nullptr;
    }
  }
  ping.resize(max_elems * sizeof(float));
  pong.resize(max_elems * sizeof(float));
  scratch.resize(scratch_elems * sizeof(float));
}

#if CONVOLENS_THREADS
const float* ModelImpl::run(Layer& l, const float* in, float* out, bool fast, float* scratch_buf, bool split) {
#else
const float* ModelImpl::run(Layer& l, const float* in, float* out, bool fast) {
#endif
  const std::size_t n = l.out.size();
  const Act act = fast ? l.fast_act : l.act;
  switch (l.op) {
    case Op::Identity: return in;
    case Op::Conv2D:
    case Op::Depthwise: {
      const ConvParams p{l.g, l.kernel.as<float>(), l.has_bias ? l.bias.as<float>() : nullptr, l.packed.as<float>(),
                         l.packed_stride, act};
#if CONVOLENS_THREADS
      run_conv(*this, l.conv->run, p, l.op == Op::Depthwise, in, out, scratch_buf ? scratch_buf : scratch.as<float>(), split);
#else
      l.conv->run(p, in, out, scratch.as<float>());
#endif
      break;
    }
    case Op::Dense: {
      const DenseParams p{int(l.in.size() / l.in.c), l.in.c, l.out.c, l.kernel.as<float>(),
                          l.has_bias ? l.bias.as<float>() : nullptr, l.packed.as<float>(), l.packed_stride, act};
      l.dense->run(p, in, out);
      break;
    }
    case Op::MaxPool:
    case Op::AvgPool: l.pool->run(l.g, in, out); break;
    case Op::GlobalAvgPool: global_avg_pool__scalar(l.in.h * l.in.w, l.in.c, in, out); break;
    case Op::ZeroPad: zero_pad__scalar(l.in, l.pad_t, l.pad_b, l.pad_l, l.pad_r, in, out); break;
    case Op::ScaleShift: scale_shift__scalar(n, l.out.c, l.scale.as<float>(), l.shift.as<float>(), in, out); break;
    case Op::Activation: std::memcpy(out, in, n * sizeof(float)); break;
  }
  const bool fused = (l.op == Op::Conv2D || l.op == Op::Depthwise || l.op == Op::Dense) &&
                     (act == Act::Linear || act == Act::Relu || act == Act::Relu6);
  if (!fused) apply_activation(out, n, l.out.c, act, l.alpha);
  return out;
}

Model::Model() : impl_(std::make_unique<ModelImpl>()) {}
Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

ModelImpl& Model::impl() const {
  if (!impl_) throw RangeError("this Model was moved from");
  return *impl_;
}

std::vector<int> Model::input_shape() const { return impl().input.dims(); }
int Model::input_size() const { return int(impl().input.size()); }
int Model::output_size() const {
  return int(impl().layers.empty() ? impl().input.size() : impl().layers.back().out.size());
}
std::vector<int> Model::output_shape() const {
  return impl().layers.empty() ? impl().input.dims() : impl().layers.back().out.dims();
}
const std::vector<LayerInfo>& Model::layers() const { return impl().infos; }

void Model::predict(const float* input, int batch, float* output) {
  if (batch < 0) throw RangeError("batch must be >= 0, got " + std::to_string(batch));
  ModelImpl& m = impl();
  if (m.ping.size() == 0 && m.max_elems == 0) throw RangeError("model is empty (default-constructed)");
#if CONVOLENS_THREADS
  predict_batch(m, input, batch, output);  // spread over threads (nn/schedule.cpp)
#else
  const std::size_t in_n = m.input.size(), out_n = std::size_t(output_size());
  for (int b = 0; b < batch; ++b) {
    const float* cur = input + b * in_n;
    float* bufs[2] = {m.ping.as<float>(), m.pong.as<float>()};
    int next = 0;
    for (auto& l : m.layers) {
      if (l.skip_in_predict) continue;
      const float* r = m.run(l, cur, bufs[next], true);
      if (r != cur) {
        cur = r;
        next ^= 1;
      }
    }
    std::memcpy(output + b * out_n, cur, out_n * sizeof(float));
  }
#endif
}

void Model::activations(const float* input) {
  ModelImpl& m = impl();
  if (m.acts.size() != m.layers.size()) {  // first call: one buffer per layer, kept for later calls
    double total = 0;
    for (auto& l : m.layers) total += double(l.out.size());
    if (total > double(1 << 27))
      throw RangeError("activations(): the layer outputs together exceed 2^27 values (" + format_number(total) + ")");
    m.acts.clear();
    m.acts.reserve(m.layers.size());
    for (auto& l : m.layers) m.acts.emplace_back(l.op == Op::Identity ? 0 : l.out.size() * sizeof(float));
    m.act_ptrs.assign(m.layers.size(), nullptr);
  }
  const float* cur = input;
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
#if CONVOLENS_THREADS
    cur = m.run(m.layers[i], cur, m.acts[i].as<float>(), false, nullptr, true);  // big conv layers in row bands
#else
    cur = m.run(m.layers[i], cur, m.acts[i].as<float>(), false);
#endif
    m.act_ptrs[i] = cur;
  }
  if (m.layers.size() && m.layers[0].op == Op::Identity) {
    // An identity first layer would point into the caller's input; keep a copy instead.
    Layer& l = m.layers[0];
    m.acts[0].resize(l.out.size() * sizeof(float));
    std::memcpy(m.acts[0].data(), input, l.out.size() * sizeof(float));
    for (std::size_t i = 0; i < m.layers.size() && m.act_ptrs[i] == input; ++i) m.act_ptrs[i] = m.acts[0].as<float>();
  }
}

const float* Model::activation(int i) const {
  if (i < 0 || std::size_t(i) >= impl().act_ptrs.size())
    throw RangeError("activation index " + std::to_string(i) + " out of range (call activations() first)");
  return impl().act_ptrs[i];
}

Model::Weights Model::weights(int i) const {
  if (i < 0 || std::size_t(i) >= impl().layers.size())
    throw RangeError("layer index " + std::to_string(i) + " out of range 0.." + std::to_string(impl().layers.size()));
  const Layer& l = impl().layers[i];
  if (l.file_shape.empty()) return {};
  return {l.file_shape, l.file_weights.as<float>()};
}

void Model::set_reference(bool reference) {
  impl().reference = reference;
  impl().finalize();
}

}  // namespace convolens::nn
