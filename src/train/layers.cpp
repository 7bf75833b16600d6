#include "train/layers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/errors.h"
#include "train/conv.h"
#include "train/elementwise.h"
#include "train/gemm.h"
#include "train/parallel.h"

namespace convolens::train {
namespace {

Param make_param(const std::string& layer, const char* what, std::vector<int> shape, bool trainable = true) {
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

Conv2D::Conv2D(std::string name, int filters, int kernel, bool use_bias)
    : Layer(std::move(name)), filters_(filters), k_(kernel), use_bias_(use_bias) {}

Shape Conv2D::build(Shape in) {
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
  parallel_chunks(x.n, [&](int, int b, int e) {
    conv_forward(g, e - b, x.at(b), kernel.value.data(), use_bias_ ? bias.value.data() : nullptr, y.at(b));
  });
}

void Conv2D::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  const ConvGeom g{in_.h, in_.w, in_.c, k_, filters_};
  if (dx) dx->resize(x.n, in_);
  parallel_chunks(x.n, [&](int c, int b, int e) {
    conv_weight_grad(g, e - b, x.at(b), dy.at(b), dw_[c].data(), use_bias_ ? db_[c].data() : nullptr);
    if (dx) conv_input_grad(g, e - b, dy.at(b), kernel.value.data(), dx->at(b));
  });
  reduce_chunks(dw_, kernel.grad);
  if (use_bias_) reduce_chunks(db_, bias.grad);
}

std::string Conv2D::config_json() const {
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

BatchNorm::BatchNorm(std::string name, float momentum, float epsilon)
    : Layer(std::move(name)), momentum_(momentum), epsilon_(epsilon) {}

Shape BatchNorm::build(Shape in) {
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

// s1[c] = sum a, s2[c] = sum a*a (b null) or sum a*b, in double, per chunk then in chunk order.
void BatchNorm::channel_sums(const Tensor& a, const Tensor* b, std::vector<double>& s1, std::vector<double>& s2) const {
  const int C = in_.c;
  const std::size_t per = std::size_t(in_.h) * in_.w;
  std::vector<std::vector<double>> p1(kChunks, std::vector<double>(C)), p2(kChunks, std::vector<double>(C));
  parallel_chunks(a.n, [&](int c, int lo, int hi) {
    std::vector<float> f1(C), f2(C);
    for (int i = lo; i < hi; ++i) {
      const float* pa = a.at(i);
      const float* pb = b ? b->at(i) : pa;
      train::channel_sums(pa, pb, per, C, f1.data(), f2.data());
      for (int ch = 0; ch < C; ++ch) {
        p1[c][ch] += f1[ch];
        p2[c][ch] += f2[ch];
      }
    }
  });
  s1.assign(C, 0.0);
  s2.assign(C, 0.0);
  for (int c = 0; c < kChunks; ++c)
    for (int ch = 0; ch < C; ++ch) {
      s1[ch] += p1[c][ch];
      s2[ch] += p2[c][ch];
    }
}

void BatchNorm::forward(const Tensor& x, Tensor& y, bool training) {
  y.resize(x.n, out_);
  const int C = in_.c;
  last_training_ = training;
  if (training) {
    std::vector<double> s1, s2;
    channel_sums(x, nullptr, s1, s2);
    const double m = double(x.n) * in_.h * in_.w;
    const float keep = recal_ ? float(recal_batches_) / float(recal_batches_ + 1) : momentum_;
    for (int ch = 0; ch < C; ++ch) {
      const double mean = s1[ch] / m, var = std::max(0.0, s2[ch] / m - mean * mean);
      mean_[ch] = float(mean);
      invstd_[ch] = float(1.0 / std::sqrt(var + epsilon_));
      moving_mean.value[ch] = keep * moving_mean.value[ch] + (1 - keep) * float(mean);
      moving_variance.value[ch] = keep * moving_variance.value[ch] + (1 - keep) * float(var);
    }
    ++recal_batches_;
  } else {
    for (int ch = 0; ch < C; ++ch) {
      mean_[ch] = moving_mean.value[ch];
      invstd_[ch] = 1.f / std::sqrt(moving_variance.value[ch] + epsilon_);
    }
  }
  std::vector<float> scale(C), shift(C);
  for (int ch = 0; ch < C; ++ch) {
    scale[ch] = gamma.value[ch] * invstd_[ch];
    shift[ch] = beta.value[ch] - mean_[ch] * scale[ch];
  }
  const std::size_t per = std::size_t(in_.h) * in_.w;
  parallel_chunks(x.n, [&](int, int lo, int hi) {
    for (int i = lo; i < hi; ++i) {
      bn_forward(x.at(i), per, C, scale.data(), shift.data(), y.at(i));
    }
  });
}

// Uses the statistics of the last forward (mean_, invstd_); with batch statistics they depend
// on x too, which adds the two mean terms.
void BatchNorm::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  const int C = in_.c;
  std::vector<double> sdy, sdyx;
  channel_sums(dy, &x, sdy, sdyx);  // sum dy, sum dy*x
  const double m = last_training_ ? double(x.n) * in_.h * in_.w : INFINITY;
  std::vector<float> k1(C), k2(C), k3(C);
  for (int ch = 0; ch < C; ++ch) {
    const double sum_dy_xhat = (sdyx[ch] - mean_[ch] * sdy[ch]) * invstd_[ch];
    beta.grad[ch] = float(sdy[ch]);
    gamma.grad[ch] = float(sum_dy_xhat);
    // dx = gamma*invstd/m * (m*dy - sum_dy - xhat*sum_dy_xhat), xhat = (x-mean)*invstd
    const double g = gamma.value[ch] * invstd_[ch];
    k1[ch] = float(g);
    k2[ch] = float(g * (-sdy[ch] / m + mean_[ch] * invstd_[ch] * sum_dy_xhat / m));
    k3[ch] = float(-g * invstd_[ch] * sum_dy_xhat / m);
  }
  if (!dx) return;
  dx->resize(x.n, in_);
  const std::size_t per = std::size_t(in_.h) * in_.w;
  parallel_chunks(x.n, [&](int, int lo, int hi) {
    for (int i = lo; i < hi; ++i) {
      bn_backward(dy.at(i), x.at(i), per, C, k1.data(), k2.data(), k3.data(), dx->at(i));
    }
  });
}

std::string BatchNorm::config_json() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, R"("axis":-1,"momentum":%g,"epsilon":%g)", momentum_, epsilon_);
  return std::string(buf) +
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
std::string Relu::config_json() const { return R"("activation":"relu","name":")" + name_ + "\"," + kDtype; }

// ---- MaxPooling2D ---------------------------------------------------------------------------

Shape MaxPool2::build(Shape in) {
  if (in.h < 2 || in.w < 2) throw RangeError(name_ + ": input smaller than the pool");
  in_ = in;
  return out_ = {in.h / 2, in.w / 2, in.c};
}
void MaxPool2::forward(const Tensor& x, Tensor& y, bool) {
  y.resize(x.n, out_);
  arg_.resize(y.data.size());
  const int C = in_.c, row = in_.w * C;
  for (int i = 0; i < x.n; ++i) {
    const float* a = x.at(i);
    float* o = y.at(i);
    unsigned char* arg = arg_.data() + std::size_t(i) * out_.size();
    for (int oy = 0; oy < out_.h; ++oy)
      for (int ox = 0; ox < out_.w; ++ox)
        for (int ch = 0; ch < C; ++ch) {
          const float* p = a + ((2 * oy) * in_.w + 2 * ox) * C + ch;
          const int q = (oy * out_.w + ox) * C + ch;
          // m = max(max(p0, p1), max(p2, p3)) as std::max computes it; the index of the value it
          // took is the first maximum in (dy, dx) order, like TF's MaxPoolGrad (none if m is NaN).
          // Selects, not branches: the winner is random.
          const float a0 = p[0], a1 = p[C], a2 = p[row], a3 = p[row + C];
          const bool s01 = a0 < a1, s23 = a2 < a3;
          const float m01 = s01 ? a1 : a0, m23 = s23 ? a3 : a2;
          const bool s = m01 < m23;
          const float m = s ? m23 : m01;
          o[q] = m;
          arg[q] = static_cast<unsigned char>(m != m ? 4 : s ? 2 + s23 : int(s01));
        }
  }
}
// The gradient goes to the input the forward took (the windows do not overlap).
void MaxPool2::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  dx->resize(x.n, in_);
  std::fill(dx->data.begin(), dx->data.end(), 0.f);
  const int C = in_.c;
  const int offs[5] = {0, C, in_.w * C, in_.w * C + C, 0};
  for (int i = 0; i < x.n; ++i) {
    float* d = dx->at(i);
    const float* g = dy.at(i);
    const unsigned char* arg = arg_.data() + std::size_t(i) * out_.size();
    for (int oy = 0; oy < out_.h; ++oy)
      for (int ox = 0; ox < out_.w; ++ox)
        for (int ch = 0; ch < C; ++ch) {
          const int base = ((2 * oy) * in_.w + 2 * ox) * C + ch, q = (oy * out_.w + ox) * C + ch;
          if (arg[q] < 4) d[base + offs[arg[q]]] += g[q];
        }
  }
}
std::string MaxPool2::config_json() const {
  return R"("pool_size":[2,2],"padding":"valid","strides":[2,2],"data_format":"channels_last","name":")" + name_ +
         "\"," + kDtype;
}

// ---- GlobalAveragePooling2D -----------------------------------------------------------------

Shape GlobalAvgPool::build(Shape in) {
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
std::string GlobalAvgPool::config_json() const {
  return R"("data_format":"channels_last","name":")" + name_ + "\"," + kDtype;
}

// ---- Flatten --------------------------------------------------------------------------------

Shape Flatten::build(Shape in) {
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
std::string Flatten::config_json() const {
  return R"("data_format":"channels_last","name":")" + name_ + "\"," + kDtype;
}

// ---- Dense ----------------------------------------------------------------------------------

Dense::Dense(std::string name, int units, std::string export_activation)
    : Layer(std::move(name)), units_(units), activation_(std::move(export_activation)) {}

Shape Dense::build(Shape in) {
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
std::string Dense::config_json() const {
  return R"("units":)" + std::to_string(units_) + R"(,"activation":")" + activation_ +
         R"(","use_bias":true,"kernel_initializer":)" + kGlorotNormal +
         R"(,"bias_initializer":{"class_name":"Zeros","config":{}},"kernel_regularizer":null,"bias_regularizer":null,"activity_regularizer":null,"kernel_constraint":null,"bias_constraint":null,"name":")" +
         name_ + "\"," + kDtype;
}

}  // namespace convolens::train
