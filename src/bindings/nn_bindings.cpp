// NnModel: a loaded CNN plus its input/output buffers on the wasm heap. JS writes images at
// inputPtr(), calls predict(batch), reads outputPtr(); buffers grow only when a larger batch
// is asked for, so repeated calls never allocate.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "bindings/js_errors.h"
#include "core/buffer.h"
#include "core/errors.h"
#include "core/limits.h"
#include "nn/kernels.h"
#include "nn/model.h"
#ifdef __EMSCRIPTEN_PTHREADS__
#include "nn/schedule.h"
#endif

using namespace emscripten;
using convolens::bindings::js_guard;

namespace convolens {
namespace {

val int_array(const std::vector<int>& v) {
  val a = val::array();
  for (std::size_t i = 0; i < v.size(); ++i) a.set(i, v[i]);
  return a;
}

class NnModel {
 public:
  explicit NnModel(nn::Model m) : model_(std::move(m)) {}

  // A factory, not a constructor: everything allocated during a failed load is freed before
  // the JS error is thrown (a JS exception escaping a constructor would leak the object).
  static NnModel* load(const std::string& model_json, val weights) {
    return js_guard([&] {
      const auto bytes = convertJSArrayToNumberVector<std::uint8_t>(weights);
      return new NnModel(nn::Model::from_tfjs(model_json, bytes));
    });
  }

  int input_size() const { return model_.input_size(); }
  int output_size() const { return model_.output_size(); }
  val input_shape() const { return int_array(model_.input_shape()); }
  val output_shape() const { return int_array(model_.output_shape()); }

  val summary() const {
    val a = val::array();
    const auto& ls = model_.layers();
    for (std::size_t i = 0; i < ls.size(); ++i) {
      val o = val::object();
      o.set("name", ls[i].name);
      o.set("className", ls[i].class_name);
      o.set("outputShape", int_array(ls[i].output_shape));
      o.set("params", double(ls[i].params));
      a.set(i, o);
    }
    return a;
  }

  // Makes room for `batch` images; throws RangeError when the batch is too large.
  void reserve(int batch) {
    js_guard([&] {
      if (batch < 1 || double(batch) * model_.input_size() > limits::kMaxElements)
        throw RangeError("batch of " + std::to_string(batch) + " images is out of range (1 .. 2^26 input values)");
      resize_together(input_, std::size_t(batch) * model_.input_size() * sizeof(float), output_,
                      std::size_t(batch) * model_.output_size() * sizeof(float));
      batch_ = batch;
      return 0;
    });
  }
  std::uintptr_t input_ptr() const { return heap_address(input_); }
  std::uintptr_t output_ptr() const { return heap_address(output_); }

  void predict(int batch) {
    js_guard([&] {
      if (batch < 1 || batch > batch_) throw RangeError("predict(" + std::to_string(batch) + "): reserve() room first");
      model_.predict(input_.as<float>(), batch, output_.as<float>());
      return 0;
    });
  }

  // Runs the first image at inputPtr() keeping every layer's output; then activationPtr(i).
  void activations() {
    js_guard([&] {
      if (batch_ < 1) throw RangeError("activations(): reserve() room first");
      model_.activations(input_.as<float>());
      return 0;
    });
  }
  std::uintptr_t activation_ptr(int i) const {
    return js_guard([&] { return reinterpret_cast<std::uintptr_t>(model_.activation(i)); });
  }

  // {shape, ptr} of layer i's file weights, or null.
  val weights(int i) const {
    return js_guard([&] {
      const auto w = model_.weights(i);
      if (!w.data) return val::null();
      val o = val::object();
      o.set("shape", int_array(w.shape));
      o.set("ptr", double(reinterpret_cast<std::uintptr_t>(w.data)));
      return o;
    });
  }

  void set_reference(bool r) { model_.set_reference(r); }

 private:
  nn::Model model_;
  Buffer input_, output_;
  int batch_ = 0;
};

#ifndef __EMSCRIPTEN_PTHREADS__
// The kernel variant registry by layer kind ({conv2d: [names], ...}): entry 0 is the scalar
// reference, the model uses the last one that fits (the benchmark prints both).
val kernel_variants() {
  auto names = [](auto span) {
    val a = val::array();
    for (std::size_t i = 0; i < span.size(); ++i) a.set(i, std::string(span[i].name));
    return a;
  };
  val o = val::object();
  o.set("conv2d", names(nn::conv2d_variants()));
  o.set("depthwise2d", names(nn::depthwise2d_variants()));
  o.set("dense", names(nn::dense_variants()));
  o.set("maxPool", names(nn::max_pool_variants()));
  o.set("avgPool", names(nn::avg_pool_variants()));
  return o;
}
#endif

}  // namespace
}  // namespace convolens

EMSCRIPTEN_BINDINGS(convolens_nn) {
  using convolens::NnModel;
  class_<NnModel>("NnModel")
      .class_function("load", &NnModel::load, allow_raw_pointers())
      .function("inputSize", &NnModel::input_size)
      .function("outputSize", &NnModel::output_size)
      .function("inputShape", &NnModel::input_shape)
      .function("outputShape", &NnModel::output_shape)
      .function("summary", &NnModel::summary)
      .function("reserve", &NnModel::reserve)
      .function("inputPtr", &NnModel::input_ptr)
      .function("outputPtr", &NnModel::output_ptr)
      .function("predict", &NnModel::predict)
      .function("activations", &NnModel::activations)
      .function("activationPtr", &NnModel::activation_ptr)
      .function("weights", &NnModel::weights)
      .function("setReference", &NnModel::set_reference);
#ifndef __EMSCRIPTEN_PTHREADS__
  // Benchmarks and tests list the rows of the single-thread modules (the threaded one carries
  // the same rows and leaves this out for size).
  function("nnKernelVariants", &convolens::kernel_variants);
#else
  // Tests: (0, 0) splits every batch and conv layer, to compare with the single-thread module on
  // small models; (-1, -1) restores the measured thresholds (nn/schedule.h). Also the benchmark
  // that measures them.
  function("setSplitThresholds", +[](double conv_macs, double batch_macs) { convolens::nn::set_split_thresholds(conv_macs, batch_macs); });
#endif
}
