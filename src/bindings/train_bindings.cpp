// TrainNet: a trainable net plus its training session for the browser trainer (web/lib/train.js).
// JS writes u8 images at reserve()'s pointer, calls start(), then run(k) in small pieces so a
// worker can report progress and honour pause/abort between them.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bindings/js_errors.h"
#include "core/buffer.h"
#include "core/errors.h"
#include "train/session.h"
#include "train/spec.h"
#include "train/tfjs_writer.h"

using namespace emscripten;
using convolens::bindings::js_guard;

namespace convolens {
namespace {

val float_copy(const std::vector<float>& v) {
  return val(typed_memory_view(v.size(), v.data())).call<val>("slice");
}

class TrainNet {
 public:
  // layers: a flat Int32Array, 4 numbers a layer: kind, filters or units, kernel, bias (0/1).
  // A factory: the spec is checked before anything is allocated, and a failure leaks nothing.
  static TrainNet* create(val layers, double seed) {
    return js_guard([&] {
      const auto flat = convertJSArrayToNumberVector<int>(layers);
      if (flat.size() % 4 != 0) throw TypeError("layer list: 4 numbers per layer");
      std::vector<train::LayerSpec> spec;
      for (std::size_t i = 0; i < flat.size(); i += 4) {
        train::LayerSpec l{train::LayerKind(flat[i])};
        if (l.kind == train::LayerKind::Dense) l.units = flat[i + 1];
        else l.filters = flat[i + 1];
        l.kernel = flat[i + 2];
        l.bias = flat[i + 3] != 0;
        spec.push_back(l);
      }
      auto t = std::make_unique<TrainNet>(train::make_net(spec, {28, 28, 1}));
      t->net_->init(std::uint64_t(seed));
      return t.release();
    });
  }
  explicit TrainNet(std::unique_ptr<train::Net> net) : net_(std::move(net)), session_(*net_) {}

  double trainable_count() { return double(net_->trainable_count()); }
  std::uintptr_t reserve(int n) {
    return js_guard([&] { return reinterpret_cast<std::uintptr_t>(session_.reserve(n)); });
  }
  void start(int n, int epochs, int batch, float lr, bool augment, double seed, int recalibrate) {
    js_guard([&] {
      train::FitConfig c;
      c.epochs = epochs;
      c.batch = batch;
      c.learning_rate = lr;
      c.augment = augment;
      c.seed = std::uint64_t(seed);
      c.recalibrate_images = recalibrate;
      session_.start(n, c);
      return 0;
    });
  }
  val run(int max_steps) {
    return js_guard([&] {
      const auto p = session_.run(max_steps);
      val o = val::object();
      o.set("step", double(p.step));
      o.set("totalSteps", double(p.total_steps));
      o.set("epoch", p.epoch);
      o.set("loss", p.loss);
      o.set("accuracy", p.accuracy);
      o.set("done", p.done);
      return o;
    });
  }
  // Data-parallel steps (web/lib/train-parallel.js): this host's part of the current batch, then
  // the combined step once every part's gradients are in partsBuffer().
  val part_gradients(int part, int parts) {
    return js_guard([&] {
      const auto r = session_.part_gradients(part, parts);
      val o = val::object();
      o.set("images", r.images);
      o.set("loss", r.loss);
      o.set("correct", r.correct);
      return o;
    });
  }
  std::uintptr_t packed_gradients() { return reinterpret_cast<std::uintptr_t>(session_.packed_gradients()); }
  double gradient_count() { return double(session_.gradient_count()); }
  std::uintptr_t parts_buffer(int parts) {
    return js_guard([&] { return reinterpret_cast<std::uintptr_t>(session_.parts_buffer(parts)); });
  }
  val apply_parts(val images) {
    return js_guard([&] {
      const auto counts = convertJSArrayToNumberVector<int>(images);
      const auto p = session_.apply_parts(counts.data(), int(counts.size()));
      val o = val::object();
      o.set("step", double(p.step));
      o.set("totalSteps", double(p.total_steps));
      o.set("epoch", p.epoch);
      o.set("done", p.done);
      return o;
    });
  }
  // Room for n u8 images to classify; predict(n) writes n classes right after them.
  std::uintptr_t reserve_eval(int n) {
    return js_guard([&] {
      if (n < 1 || n > (1 << 20)) throw RangeError("evaluation set must hold 1..2^20 images");
      eval_.resize(std::size_t(n) * (28 * 28 + 1));
      eval_n_ = n;
      return reinterpret_cast<std::uintptr_t>(eval_.data());
    });
  }
  void predict(int n) {
    js_guard([&] {
      if (n < 1 || n > eval_n_) throw RangeError("predict(): reserveEval() room first");
      session_.predict(eval_.data(), n, eval_.data() + std::size_t(n) * 28 * 28);
      return 0;
    });
  }
  // {modelJson, weights: Float32Array}: the TF.js Layers artifacts (one shard named shardName).
  val to_tfjs(const std::string& shard_name) {
    return js_guard([&] {
      const auto f = train::to_tfjs(*net_, shard_name, "convolens trainer");
      val o = val::object();
      o.set("modelJson", f.model_json);
      o.set("weights", float_copy(f.weights));
      return o;
    });
  }
  // The first Conv2D kernel [kh, kw, in, out] as {shape, data}, or null.
  val first_kernel() {
    for (const auto& l : net_->layers())
      if (auto* c = dynamic_cast<train::Conv2D*>(l.get())) {
        val o = val::object();
        val shape = val::array();
        for (std::size_t i = 0; i < c->kernel.shape.size(); ++i) shape.set(i, c->kernel.shape[i]);
        o.set("shape", shape);
        o.set("data", float_copy(c->kernel.value));
        return o;
      }
    return val::null();
  }
  // Every parameter in save order (tests set the same weights in TF.js and here).
  void set_weights(val flat) {
    js_guard([&] {
      const auto w = convertJSArrayToNumberVector<float>(flat);
      if (w.size() != net_->weight_count())
        throw RangeError("setWeights: " + std::to_string(w.size()) + " values, the net has " + std::to_string(net_->weight_count()));
      std::size_t o = 0;
      for (auto* p : net_->params()) {
        std::copy(w.begin() + o, w.begin() + o + p->value.size(), p->value.begin());
        o += p->value.size();
      }
      return 0;
    });
  }
  // {loss, grads: [{name, data}]} of one batch (float images, 784 each) in training mode.
  val gradients(val images, val labels) {
    return js_guard([&] {
      const auto x = convertJSArrayToNumberVector<float>(images);
      const auto y = convertJSArrayToNumberVector<std::uint8_t>(labels);
      if (y.empty() || x.size() != y.size() * 784) throw RangeError("gradients: 784 floats per label expected");
      const double loss = session_.gradients(x.data(), y.data(), int(y.size()));
      val grads = val::array();
      int i = 0;
      for (auto* p : net_->params()) {
        if (!p->trainable) continue;
        val g = val::object();
        g.set("name", p->name);
        g.set("data", float_copy(p->grad));
        grads.set(i++, g);
      }
      val o = val::object();
      o.set("loss", loss);
      o.set("grads", grads);
      return o;
    });
  }
  std::string hash() {
    // 16 hex digits, by hand: snprintf would bring printf into the module (~5 KB).
    std::uint64_t h = train::weights_hash(*net_);
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, h >>= 4) s[i] = "0123456789abcdef"[h & 15];
    return s;
  }

 private:
  std::unique_ptr<train::Net> net_;
  train::Session session_;
  Buffer eval_;
  int eval_n_ = 0;
};

}  // namespace
}  // namespace convolens

EMSCRIPTEN_BINDINGS(convolens_train) {
  using convolens::TrainNet;
  class_<TrainNet>("TrainNet")
      .class_function("create", &TrainNet::create, allow_raw_pointers())
      .function("trainableCount", &TrainNet::trainable_count)
      .function("reserve", &TrainNet::reserve)
      .function("start", &TrainNet::start)
      .function("run", &TrainNet::run)
      .function("partGradients", &TrainNet::part_gradients)
      .function("packedGradients", &TrainNet::packed_gradients)
      .function("gradientCount", &TrainNet::gradient_count)
      .function("partsBuffer", &TrainNet::parts_buffer)
      .function("applyParts", &TrainNet::apply_parts)
      .function("reserveEval", &TrainNet::reserve_eval)
      .function("predict", &TrainNet::predict)
      .function("toTfjs", &TrainNet::to_tfjs)
      .function("firstKernel", &TrainNet::first_kernel)
      .function("setWeights", &TrainNet::set_weights)
      .function("gradients", &TrainNet::gradients)
      .function("hash", &TrainNet::hash);
}
