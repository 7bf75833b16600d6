#include "train/layers.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "core/size_attrs.h"
#include "train/conv.h"
#include "train/elementwise.h"
#include "train/gemm.h"
#include "train/parallel.h"

namespace convolens::train {
namespace {

CONVOLENS_SMALL Param make_param(const std::string& layer, const char* what, std::vector<int> shape, bool trainable = true) {
  Param p;
  p.name = layer + "/" + what;
  p.shape = std::move(shape);
  std::size_t n = 1;
  for (int d : p.shape) n *= std::size_t(d);
  p.value.assign(n, 0.f);
  p.grad.assign(n, 0.f);
  p.trainable = trainable;
  return p;
}

void transpose(const std::vector<float>& w, int rows, int cols, std::vector<float>& wt) {
  wt.resize(w.size());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) wt[std::size_t(c) * rows + r] = w[std::size_t(r) * cols + c];
}

// Sums per-chunk partial gradients in chunk order (deterministic for any thread count).
void reduce_chunks(const std::vector<std::vector<float>>& parts, std::vector<float>& out) {
  std::fill(out.begin(), out.end(), 0.f);
  for (const auto& p : parts)
    for (std::size_t i = 0; i < out.size(); ++i) out[i] += p[i];
}

const char* kDtype = R"("trainable":true)";  // tfjs writes dtype only on the first layer
// tfjs's default initializer, written for completeness (the weights come from the shard).
const std::string kGlorotNormal =
    R"({"class_name":"VarianceScaling","config":{"scale":1,"mode":"fan_avg","distribution":"normal","seed":null}})";

}  // namespace

// ---- Conv2D ----------------------------------------------------------------------------------

CONVOLENS_SMALL Conv2D::Conv2D(std::string name, int filters, int kernel, bool use_bias)
    : Layer(std::move(name)), filters_(filters), k_(kernel), use_bias_(use_bias) {}

CONVOLENS_SMALL Shape Conv2D::build(Shape in) {
  if (in.h < k_ || in.w < k_) throw RangeError(name_ + ": input smaller than the kernel");
  in_ = in;
  out_ = {in.h - k_ + 1, in.w - k_ + 1, filters_};
  kernel = make_param(name_, "kernel", {k_, k_, in.c, filters_});
  if (use_bias_) bias = make_param(name_, "bias", {filters_});
  dw_.assign(kChunks, std::vector<float>(std::size_t(k_) * k_ * in.c * filters_));
  db_.assign(kChunks, std::vector<float>(filters_));
  return out_;
}

std::vector<Param*> Conv2D::params() {
  if (use_bias_) return {&kernel, &bias};
  return {&kernel};
}

void Conv2D::forward(const Tensor& x, Tensor& y, bool) {
  y.resize(x.n, out_);
  const ConvGeom g{in_.h, in_.w, in_.c, k_, filters_};
  conv_prepare(g, kernel.value.data(), false, prep_);
  parallel_chunks(x.n, [&](int, int b, int e) {
    conv_forward(g, e - b, x.at(b), kernel.value.data(), use_bias_ ? bias.value.data() : nullptr, y.at(b), &prep_);
  });
}

void Conv2D::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  const ConvGeom g{in_.h, in_.w, in_.c, k_, filters_};
  if (dx) {
    dx->resize(x.n, in_);
    conv_prepare(g, kernel.value.data(), true, prep_);
  }
  parallel_chunks(x.n, [&](int c, int b, int e) {
    conv_weight_grad(g, e - b, x.at(b), dy.at(b), dw_[c].data(), use_bias_ ? db_[c].data() : nullptr);
    if (dx) conv_input_grad(g, e - b, dy.at(b), kernel.value.data(), dx->at(b), &prep_);
  });
  reduce_chunks(dw_, kernel.grad);
  if (use_bias_) reduce_chunks(db_, bias.grad);
}

CONVOLENS_SMALL std::string Conv2D::config_json() const {
  // Key order as tfjs-layers' Conv2D.getConfig() writes it.
  return R"("filters":)" + std::to_string(filters_) + R"(,"kernel_initializer":)" + kGlorotNormal +
         R"(,"kernel_regularizer":null,"kernel_constraint":null,"kernel_size":[)" + std::to_string(k_) + "," +
         std::to_string(k_) +
         R"(],"strides":[1,1],"padding":"valid","data_format":"channels_last","dilation_rate":[1,1],"activation":"linear","use_bias":)" +
         (use_bias_ ? "true" : "false") +
         R"(,"bias_initializer":{"class_name":"Zeros","config":{}},"bias_regularizer":null,"activity_regularizer":null,"bias_constraint":null,"name":")" +
         name_ + "\"," + kDtype;
}

// ---- BatchNormalization -----------------------------------------------------------------------

CONVOLENS_SMALL Shape BatchNorm::build(Shape in) {
  in_ = out_ = in;
  gamma = make_param(name_, "gamma", {in.c});
  beta = make_param(name_, "beta", {in.c});
  moving_mean = make_param(name_, "moving_mean", {in.c}, false);
  moving_variance = make_param(name_, "moving_variance", {in.c}, false);
  std::fill(gamma.value.begin(), gamma.value.end(), 1.f);
  std::fill(moving_variance.value.begin(), moving_variance.value.end(), 1.f);
  mean_.assign(in.c, 0.f);
  invstd_.assign(in.c, 1.f);
  return out_;
}

std::vector<Param*> BatchNorm::params() { return {&gamma, &beta, &moving_mean, &moving_variance}; }

void BatchNorm::set_recalibrating(bool on) {
  recal_ = on;
  recal_batches_ = 0;
}

// In double, per chunk then in chunk order (deterministic for any thread count).
void BatchNorm::channel_sums(const Tensor& a, const Tensor& b, const float* mask, bool pooled) {
  const int C = in_.c, H = in_.h, W = in_.w;
  const std::size_t ps = std::size_t(H / 2) * (W / 2) * C;
  chunk_sums_.assign(std::size_t(kChunks) * 2 * C, 0.0);  // per chunk: C sums, C product sums
  image_sums_.resize(std::size_t(kChunks) * 2 * C);
  if (pooled) scratch_.resize(std::size_t(kChunks) * H * W * C);
  parallel_chunks(b.n, [&](int c, int lo, int hi) {
    double* p1 = chunk_sums_.data() + std::size_t(c) * 2 * C;
    float* f1 = image_sums_.data() + std::size_t(c) * 2 * C;
    for (int i = lo; i < hi; ++i) {
      const float* ai = a.at(i);
      if (pooled) {  // the pool's gradient scattered into this chunk's buffer (in cache, unlike a batch tensor)
        float* d = scratch_.data() + std::size_t(c) * H * W * C;
        maxpool2_backward(ai, arg_.data() + i * ps, H, W, C, d);
        ai = d;
      }
      train::channel_sums(ai, b.at(i), mask, std::size_t(H) * W, C, f1, f1 + C);
      for (int ch = 0; ch < 2 * C; ++ch) p1[ch] += f1[ch];
    }
  });
  s1_.assign(C, 0.0);
  s2_.assign(C, 0.0);
  for (int c = 0; c < kChunks; ++c)
    for (int ch = 0; ch < C; ++ch) {
      s1_[ch] += chunk_sums_[std::size_t(c) * 2 * C + ch];
      s2_[ch] += chunk_sums_[std::size_t(c) * 2 * C + C + ch];
    }
}

void BatchNorm::forward(const Tensor& x, Tensor& y, bool training) {
  const int C = in_.c;
  const std::size_t per = std::size_t(in_.h) * in_.w;
  last_training_ = training;
  if (training) {
    channel_sums(x, x, nullptr, false);
    const double m = double(x.n) * in_.h * in_.w;
    const float keep = recal_ ? float(recal_batches_) / float(recal_batches_ + 1) : kMomentum;
    for (int ch = 0; ch < C; ++ch) {
      const double mean = s1_[ch] / m, var = std::max(0.0, s2_[ch] / m - mean * mean);
      mean_[ch] = float(mean);
      invstd_[ch] = float(1.0 / std::sqrt(var + kEpsilon));
      moving_mean.value[ch] = keep * moving_mean.value[ch] + (1 - keep) * float(mean);
      moving_variance.value[ch] = keep * moving_variance.value[ch] + (1 - keep) * float(var);
    }
    ++recal_batches_;
  } else {
    for (int ch = 0; ch < C; ++ch) {
      mean_[ch] = moving_mean.value[ch];
      invstd_[ch] = 1.f / std::sqrt(moving_variance.value[ch] + kEpsilon);
    }
  }
  fk_.resize(2 * std::size_t(C));  // scale, then shift
  float *fk1 = fk_.data(), *fk2 = fk1 + C;
  for (int ch = 0; ch < C; ++ch) {
    fk1[ch] = gamma.value[ch] * invstd_[ch];
    fk2[ch] = beta.value[ch] - mean_[ch] * fk1[ch];
  }
  const PoolGeom g{in_.h, in_.w, C, fk1, fk2, relu_};
  y.resize(x.n, pool_ ? Shape{in_.h / 2, in_.w / 2, C} : out_);
  if (pool_) arg_.resize(y.data.size());
  const std::size_t ps = std::size_t(y.s.size());
  parallel_chunks(x.n, [&](int, int lo, int hi) {
    for (int i = lo; i < hi; ++i)
      if (pool_) bn_pool_forward(x.at(i), g, y.at(i), arg_.data() + i * ps);
      else bn_forward(x.at(i), per, C, fk1, fk2, relu_, y.at(i));
  });
}

// Uses the statistics of the last forward (mean_, invstd_); with batch statistics they depend
// on x too, which adds the two mean terms.
void BatchNorm::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  const int C = in_.c, H = in_.h, W = in_.w;
  const std::size_t per = std::size_t(H) * W, ps = std::size_t(H / 2) * (W / 2) * C;
  // The fused ReLU's mask from x and the forward's coefficients (with the pool, arg_ carries it).
  const float* mask = relu_ && !pool_ ? fk_.data() : nullptr;
  channel_sums(dy, x, mask, pool_);  // sum dy, sum dy*x (dy masked by the fused ReLU, scattered by the fused pool)
  const double m = last_training_ ? double(x.n) * in_.h * in_.w : INFINITY;
  k1_.resize(C);
  k2_.resize(C);
  k3_.resize(C);
  for (int ch = 0; ch < C; ++ch) {
    const double sum_dy_xhat = (s2_[ch] - mean_[ch] * s1_[ch]) * invstd_[ch];
    beta.grad[ch] = float(s1_[ch]);
    gamma.grad[ch] = float(sum_dy_xhat);
    // dx = gamma*invstd/m * (m*dy - sum_dy - xhat*sum_dy_xhat), xhat = (x-mean)*invstd
    const double g = gamma.value[ch] * invstd_[ch];
    k1_[ch] = float(g);
    k2_[ch] = float(g * (-s1_[ch] / m + mean_[ch] * invstd_[ch] * sum_dy_xhat / m));
    k3_[ch] = float(-g * invstd_[ch] * sum_dy_xhat / m);
  }
  if (!dx) return;
  dx->resize(x.n, in_);
  parallel_chunks(x.n, [&](int, int lo, int hi) {
    for (int i = lo; i < hi; ++i)
      if (pool_)
        bn_pool_backward(dy.at(i), arg_.data() + i * ps, x.at(i), H, W, C, k1_.data(), k2_.data(), k3_.data(),
                         dx->at(i));
      else
        bn_backward(dy.at(i), mask, x.at(i), per, C, k1_.data(), k2_.data(), k3_.data(), dx->at(i));
  });
}

CONVOLENS_SMALL std::string BatchNorm::config_json() const {
  static_assert(kMomentum == 0.99f && kEpsilon == 1e-3f, "the text below writes them");
  return std::string(R"("axis":-1,"momentum":0.99,"epsilon":0.001)") +
         R"(,"center":true,"scale":true,"beta_initializer":{"class_name":"Zeros","config":{}},"gamma_initializer":{"class_name":"Ones","config":{}},"moving_mean_initializer":{"class_name":"Zeros","config":{}},"moving_variance_initializer":{"class_name":"Ones","config":{}},"beta_regularizer":null,"gamma_regularizer":null,"beta_constraint":null,"gamma_constraint":null,"name":")" +
         name_ + "\"," + kDtype;
}

// ---- ReLU -----------------------------------------------------------------------------------

// Plain pointers in the loops, so the compiler vectorises them without re-reading the vectors.
void Relu::forward(const Tensor& x, Tensor& y, bool) {
  y.resize(x.n, x.s);
  const float* a = x.data.data();
  float* o = y.data.data();
  for (std::size_t i = 0, n = x.data.size(); i < n; ++i) o[i] = std::max(0.f, a[i]);
}
void Relu::backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  dx->resize(x.n, x.s);
  relu_backward(y.data.data(), dy.data.data(), dx->data.data(), x.data.size());
}
CONVOLENS_SMALL std::string Relu::config_json() const { return R"("activation":"relu","name":")" + name_ + "\"," + kDtype; }

// ---- MaxPooling2D ---------------------------------------------------------------------------

CONVOLENS_SMALL Shape MaxPool2::build(Shape in) {
  if (in.h < 2 || in.w < 2) throw RangeError(name_ + ": input smaller than the pool");
  in_ = in;
  return out_ = {in.h / 2, in.w / 2, in.c};
}
void MaxPool2::forward(const Tensor& x, Tensor& y, bool) {
  y.resize(x.n, out_);
  arg_.resize(y.data.size());
  for (int i = 0; i < x.n; ++i)
    maxpool2_forward(x.at(i), in_.w, in_.c, out_.h, out_.w, relu_, y.at(i), arg_.data() + std::size_t(i) * out_.size());
}
// The gradient goes to the input the forward took (the windows do not overlap).
void MaxPool2::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  dx->resize(x.n, in_);
  for (int i = 0; i < x.n; ++i)
    maxpool2_backward(dy.at(i), arg_.data() + std::size_t(i) * out_.size(), in_.h, in_.w, in_.c, dx->at(i));
}
CONVOLENS_SMALL std::string MaxPool2::config_json() const {
  return R"("pool_size":[2,2],"padding":"valid","strides":[2,2],"data_format":"channels_last","name":")" + name_ +
         "\"," + kDtype;
}

// ---- GlobalAveragePooling2D -----------------------------------------------------------------

CONVOLENS_SMALL Shape GlobalAvgPool::build(Shape in) {
  in_ = in;
  return out_ = {1, 1, in.c};
}
void GlobalAvgPool::forward(const Tensor& x, Tensor& y, bool) {
  y.resize(x.n, out_);
  const int C = in_.c, per = in_.h * in_.w;
  for (int i = 0; i < x.n; ++i) {
    float* o = y.at(i);
    std::fill(o, o + C, 0.f);
    for (int q = 0; q < per; ++q)
      for (int ch = 0; ch < C; ++ch) o[ch] += x.at(i)[q * C + ch];
    for (int ch = 0; ch < C; ++ch) o[ch] /= float(per);
  }
}
void GlobalAvgPool::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  dx->resize(x.n, in_);
  const int C = in_.c, per = in_.h * in_.w;
  for (int i = 0; i < x.n; ++i)
    for (int q = 0; q < per; ++q)
      for (int ch = 0; ch < C; ++ch) dx->at(i)[q * C + ch] = dy.at(i)[ch] / float(per);
}
CONVOLENS_SMALL std::string GlobalAvgPool::config_json() const {
  return R"("data_format":"channels_last","name":")" + name_ + "\"," + kDtype;
}

// ---- Flatten --------------------------------------------------------------------------------

CONVOLENS_SMALL Shape Flatten::build(Shape in) {
  in_ = in;
  return out_ = {1, 1, in.size()};
}
void Flatten::forward(const Tensor& x, Tensor& y, bool) {
  y.resize(x.n, out_);
  y.data = x.data;
}
void Flatten::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  dx->resize(x.n, in_);
  dx->data = dy.data;
}
CONVOLENS_SMALL std::string Flatten::config_json() const {
  return R"("data_format":"channels_last","name":")" + name_ + "\"," + kDtype;
}

// ---- Dense ----------------------------------------------------------------------------------

CONVOLENS_SMALL Dense::Dense(std::string name, int units, std::string export_activation)
    : Layer(std::move(name)), units_(units), activation_(std::move(export_activation)) {}

CONVOLENS_SMALL Shape Dense::build(Shape in) {
  in_ = in;
  out_ = {1, 1, units_};
  kernel = make_param(name_, "kernel", {in.size(), units_});
  bias = make_param(name_, "bias", {units_});
  return out_;
}
std::vector<Param*> Dense::params() { return {&kernel, &bias}; }

void Dense::forward(const Tensor& x, Tensor& y, bool) {
  y.resize(x.n, out_);
  const int K = in_.size();
  gemm({x.n, units_, K, x.data.data(), K, kernel.value.data(), units_, y.data.data(), units_, false, false});
  for (int i = 0; i < x.n; ++i)
    for (int u = 0; u < units_; ++u) y.at(i)[u] += bias.value[u];
}
void Dense::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  const int K = in_.size();
  gemm({K, units_, x.n, x.data.data(), K, dy.data.data(), units_, kernel.grad.data(), units_, false, true});
  std::fill(bias.grad.begin(), bias.grad.end(), 0.f);
  for (int i = 0; i < x.n; ++i)
    for (int u = 0; u < units_; ++u) bias.grad[u] += dy.at(i)[u];
  if (!dx) return;
  dx->resize(x.n, in_);
  transpose(kernel.value, K, units_, wt_);
  gemm({x.n, K, units_, dy.data.data(), units_, wt_.data(), K, dx->data.data(), K, false, false});
}
CONVOLENS_SMALL std::string Dense::config_json() const {
  return R"("units":)" + std::to_string(units_) + R"(,"activation":")" + activation_ +
         R"(","use_bias":true,"kernel_initializer":)" + kGlorotNormal +
         R"(,"bias_initializer":{"class_name":"Zeros","config":{}},"kernel_regularizer":null,"bias_regularizer":null,"activity_regularizer":null,"kernel_constraint":null,"bias_constraint":null,"name":")" +
         name_ + "\"," + kDtype;
}

// ---- Tensor ---------------------------------------------------------------------------------

void Tensor::resize(int count, Shape shape) {
  n = count;
  s = shape;
  data.resize(std::size_t(count) * shape.size());
}

}  // namespace convolens::train
