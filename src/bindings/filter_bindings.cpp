// ImageFilter / ImagePipeline: the filter engine behind web/lib/filters.js. Each object owns
// its input and output frames on the wasm heap (reused while the frame size stays the same);
// JS copies pixels in at inputPtr(), calls run(), and reads them at outputPtr(). Only sizes,
// offsets and small descriptions cross the boundary.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "bindings/js_errors.h"
#include "core/buffer.h"
#include "core/errors.h"
#include "core/limits.h"
#include "image/filter.h"
#include "image/presets.h"

using namespace emscripten;
using convolens::bindings::js_guard;

namespace convolens {
namespace {

using limits::kMaxFrameSide;

val kernel_to_js(const ConvKernel& k) {
  val o = val::object();
  o.set("width", k.width);
  o.set("height", k.height);
  o.set("weights", val::global("Float32Array").new_(typed_memory_view(k.weights.size(), k.weights.data())));
  o.set("scale", k.scale);
  o.set("offset", k.offset);
  return o;
}

// Frame buffers shared by filters and pipelines; resize and run are JS entry points (guarded).
class Frames {
 public:
  void resize(int width, int height, int channels) {
    js_guard([&] {
      if (width <= 0 || height <= 0 || width > kMaxFrameSide || height > kMaxFrameSide)
        throw RangeError("image size must be 1.." + std::to_string(kMaxFrameSide) + " on each side, got " +
                         std::to_string(width) + "x" + std::to_string(height));
      if (channels != 1 && channels != 4)
        throw RangeError("images must have 1 (gray) or 4 (RGBA) channels, got " + std::to_string(channels));
      const std::size_t bytes = std::size_t(width) * height * channels;
      resize_together(in_, bytes, out_, bytes);  // JS names the size in an out-of-memory error
      w_ = width;
      h_ = height;
      c_ = channels;
      return 0;
    });
  }
  std::uintptr_t input_ptr() const { return heap_address(in_); }
  std::uintptr_t output_ptr() const { return heap_address(out_); }
  // Runs op.apply(input frame, output frame): a Filter or a Pipeline.
  template <class Op>
  void run(Op& op) {
    js_guard([&] {
      if (w_ == 0) throw RangeError("call resize(width, height, channels) before run()");
      op.apply(ImageView{in_.data(), w_, h_, c_, std::ptrdiff_t(w_) * c_},
               MutableImageView{out_.data(), w_, h_, c_, std::ptrdiff_t(w_) * c_});
      return 0;
    });
  }

 private:
  Buffer in_, out_;
  int w_ = 0, h_ = 0, c_ = 0;
};

class ImageFilter {
 public:
  ImageFilter() : filter_(make_preset("identity")) {}

  void set_preset(std::string name, val keys, val values) {
    js_guard([&] {
      const auto k = vecFromJSArray<std::string>(keys);
      const auto v = convertJSArrayToNumberVector<double>(values);
      PresetParams params;
      for (std::size_t i = 0; i < k.size() && i < v.size(); ++i) params[k[i]] = v[i];
      FilterSpec s = make_preset(name, params);
      keep_options(s);
      filter_.set_spec(s);
      return 0;
    });
  }
  void set_kernel(val weights, int width, int height, float scale, float offset) {
    js_guard([&] {
      FilterSpec s;
      s.kernel = ConvKernel{width, height, convertJSArrayToNumberVector<float>(weights), scale, offset};
      keep_options(s);
      filter_.set_spec(s);
      return 0;
    });
  }
  void set_options(std::string border, int border_value, std::string mode) {
    js_guard([&] {
      if (border_value < 0 || border_value > 255)
        throw RangeError("borderValue must be an integer 0..255, got " + std::to_string(border_value));
      FilterSpec s = filter_.spec();
      s.border = parse_border(border);
      s.border_value = std::uint8_t(border_value);
      s.mode = parse_mode(mode);
      filter_.set_spec(s);
      return 0;
    });
  }
  void resize(int width, int height, int channels) { frames_.resize(width, height, channels); }
  std::uintptr_t input_ptr() const { return frames_.input_ptr(); }
  std::uintptr_t output_ptr() const { return frames_.output_ptr(); }
  void run() { frames_.run(filter_); }
  val kernel() const {
    const FilterSpec& s = filter_.spec();
    val k = kernel_to_js(s.kernel);
    if (s.gradient != Gradient::None) k.set("norm", std::string(s.gradient == Gradient::MagnitudeL1 ? "L1" : "L2"));
    return k;
  }
  std::string border() const { return border_name(filter_.spec().border); }
  int border_value() const { return filter_.spec().border_value; }
  std::string mode() const { return mode_name(filter_.spec().mode); }
  std::string variant() const { return filter_.variant().name; }
  Filter& filter() { return filter_; }

 private:
  void keep_options(FilterSpec& s) const {
    s.border = filter_.spec().border;
    s.border_value = filter_.spec().border_value;
    s.mode = filter_.spec().mode;
  }
  Filter filter_;
  Frames frames_;
};

class ImagePipeline {
 public:
  void add(ImageFilter* f) { pipeline_.add(&f->filter()); }
  void clear() { pipeline_.clear(); }
  void resize(int width, int height, int channels) { frames_.resize(width, height, channels); }
  std::uintptr_t input_ptr() const { return frames_.input_ptr(); }
  std::uintptr_t output_ptr() const { return frames_.output_ptr(); }
  void run() { frames_.run(pipeline_); }

 private:
  Pipeline pipeline_;
  Frames frames_;
};

val preset_catalog_js() {
  val list = val::array();
  for (const Preset& p : preset_catalog()) {
    val o = val::object();
    o.set("name", p.name);
    o.set("label", p.label);
    o.set("description", p.description);
    if (!p.op.empty()) o.set("op", p.op);
    o.set("kernel", kernel_to_js(p.spec.kernel));
    if (p.spec.gradient != Gradient::None) o.set("kernelY", kernel_to_js(p.spec.kernel_y));
    if (!p.params.empty()) {
      val params = val::object(), ranges = val::object();
      for (const PresetParam& d : p.params) {
        val r = val::object();
        r.set("min", d.min);
        r.set("max", d.max);
        r.set("step", d.step);
        if (d.value == 0) {
          r.set("optional", true);  // 0 = derived (gaussian size from sigma)
        } else {
          params.set(d.name, d.value);
        }
        ranges.set(d.name, r);
      }
      o.set("params", params);
      o.set("paramRanges", ranges);
    }
    list.call<void>("push", o);
  }
  return list;
}

}  // namespace
}  // namespace convolens

EMSCRIPTEN_BINDINGS(convolens_filters) {
  using namespace convolens;
  class_<ImageFilter>("ImageFilter")
      .constructor<>()
      .function("setPreset", &ImageFilter::set_preset)
      .function("setKernel", &ImageFilter::set_kernel)
      .function("setOptions", &ImageFilter::set_options)
      .function("resize", &ImageFilter::resize)
      .function("inputPtr", &ImageFilter::input_ptr)
      .function("outputPtr", &ImageFilter::output_ptr)
      .function("run", &ImageFilter::run)
      .function("kernel", &ImageFilter::kernel)
      .function("border", &ImageFilter::border)
      .function("borderValue", &ImageFilter::border_value)
      .function("mode", &ImageFilter::mode)
      .function("variant", &ImageFilter::variant);
  class_<ImagePipeline>("ImagePipeline")
      .constructor<>()
      .function("add", &ImagePipeline::add, allow_raw_pointers())
      .function("clear", &ImagePipeline::clear)
      .function("resize", &ImagePipeline::resize)
      .function("inputPtr", &ImagePipeline::input_ptr)
      .function("outputPtr", &ImagePipeline::output_ptr)
      .function("run", &ImagePipeline::run);
  function("presetCatalog", &preset_catalog_js);
  constant("maxKernelSize", kMaxKernelSize);
#ifdef __EMSCRIPTEN_PTHREADS__
  // Tests: band every frame (0, 1) to compare bands with the single-thread module on small
  // images; (-1, -1) restores the measured thresholds (image/filter_bands.h).
  function("setBandThresholds", +[](double min_pixels, int min_rows) { set_band_thresholds(long(min_pixels), min_rows); });
#endif
}
