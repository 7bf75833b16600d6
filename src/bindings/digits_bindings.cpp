// DigitPreprocessor: drawing (RGBA on the wasm heap) -> the 28x28 MNIST-style input, also on
// the heap. The canvas buffer and scratch are kept for the next drawing of that size or smaller,
// so classifying drawing after drawing does not allocate; JS releases them after a large drawing.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "bindings/js_errors.h"
#include "core/buffer.h"
#include "core/errors.h"
#include "core/limits.h"
#include "mnist/preprocess.h"

using namespace emscripten;
using convolens::bindings::js_guard;

namespace convolens {
namespace {

const char* polarity_name(mnist::InkPolarity p) {
  switch (p) {
    case mnist::InkPolarity::dark_on_light: return "dark-on-light";
    case mnist::InkPolarity::light_on_dark: return "light-on-dark";
    case mnist::InkPolarity::alpha: return "alpha";
  }
  return "?";
}

class DigitPreprocessor {
 public:
  DigitPreprocessor() : out_(784 * sizeof(float)) {}

  void resize(int width, int height) {
    js_guard([&] {
      constexpr int kMax = limits::kMaxDrawingSide;
      if (width <= 0 || height <= 0 || width > kMax || height > kMax)
        throw RangeError("drawing size must be 1.." + std::to_string(kMax) + " on each side, got " +
                         std::to_string(width) + "x" + std::to_string(height));
      const std::size_t rgba = std::size_t(width) * height * 4;
      const std::size_t scratch = mnist::preprocess_scratch_floats(width, height) * sizeof(float);
      resize_together(rgba_, rgba, scratch_, scratch);
      width_ = width;
      height_ = height;
      return 0;
    });
  }
  // Frees the drawing-sized buffers (kept between calls so drawing after drawing does not
  // allocate); the next drawing needs resize() again.
  void release() {
    rgba_.release();
    scratch_.release();
    width_ = height_ = 0;
  }
  std::uintptr_t input_ptr() const { return heap_address(rgba_); }
  std::uintptr_t output_ptr() const { return heap_address(out_); }

  // {empty, polarity, box: {x, y, width, height}, inkPixels}; the 28x28 floats are at outputPtr().
  val run() {
    return js_guard([&] {
      if (width_ == 0) throw RangeError("call resize(width, height) before run()");
      const auto info = mnist::preprocess_drawing(rgba_.data(), width_, height_, width_ * 4, out_.as<float>(),
                                                  scratch_.as<float>());
      val o = val::object();
      o.set("empty", info.empty);
      o.set("polarity", std::string(polarity_name(info.polarity)));
      val box = val::object();
      box.set("x", info.box_x);
      box.set("y", info.box_y);
      box.set("width", info.box_w);
      box.set("height", info.box_h);
      o.set("box", box);
      o.set("inkPixels", info.ink_pixels);
      return o;
    });
  }

 private:
  Buffer rgba_, scratch_, out_;
  int width_ = 0, height_ = 0;
};

}  // namespace
}  // namespace convolens

EMSCRIPTEN_BINDINGS(convolens_digits) {
  using convolens::DigitPreprocessor;
  class_<DigitPreprocessor>("DigitPreprocessor")
      .constructor<>()
      .function("resize", &DigitPreprocessor::resize)
      .function("inputPtr", &DigitPreprocessor::input_ptr)
      .function("outputPtr", &DigitPreprocessor::output_ptr)
      .function("release", &DigitPreprocessor::release)
      .function("run", &DigitPreprocessor::run);
}
