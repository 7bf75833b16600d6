// Conv3x3Filter: owns an input and an output frame on the wasm heap, reused frame after frame.
// JS writes pixels at inputPtr(), calls run(), reads at outputPtr(): sizes and offsets cross
// the boundary, pixels are never copied by embind.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <vector>

#include "bindings/js_errors.h"
#include "core/buffer.h"
#include "image/conv3x3_rgba.h"
#include "simd/dispatch.h"

using namespace emscripten;
using convolens::bindings::js_guard;

namespace convolens {
namespace {

class Conv3x3Filter {
 public:
  void set_kernel(val weights, float scale, float offset) {
    js_guard([&] {
      const auto w = vecFromJSArray<float>(weights);
      if (w.size() != 9) throw RangeError("a 3x3 kernel needs 9 weights, got " + std::to_string(w.size()));
      Kernel3x3 k{};
      std::copy(w.begin(), w.end(), k.weights);
      k.scale = scale;
      k.offset = offset;
      // Validate now (on a 1x1 dummy) so a bad kernel fails at set time, not on the next frame.
      std::uint8_t a[4] = {}, b[4] = {};
      validate_conv3x3({a, 1, 1, 4, 4}, {b, 1, 1, 4, 4}, k);
      kernel_ = k;
      return 0;
    });
  }
  void resize(int width, int height) {
    js_guard([&] {
      if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
        throw RangeError("frame size must be 1..16384 on each side, got " + std::to_string(width) + "x" +
                         std::to_string(height));
      const std::size_t bytes = std::size_t(width) * height * 4;
      input_.resize(bytes);
      output_.resize(bytes);
      width_ = width;
      height_ = height;
      return 0;
    });
  }
  std::uintptr_t input_ptr() const { return reinterpret_cast<std::uintptr_t>(input_.data()); }
  std::uintptr_t output_ptr() const { return reinterpret_cast<std::uintptr_t>(output_.data()); }
  void run(bool simd) {
    js_guard([&] {
      if (width_ == 0) throw RangeError("call resize(width, height) before run()");
      const ImageView src{input_.data(), width_, height_, 4, width_ * 4};
      const MutableImageView dst{output_.data(), width_, height_, 4, width_ * 4};
      // The plain module has no SIMD rows (simd/dispatch.h): both requests run the scalar kernel.
      simd && CONVOLENS_SIMD_ROWS ? conv3x3_rgba__wasmsimd(src, dst, kernel_) : conv3x3_rgba__scalar(src, dst, kernel_);
      return 0;
    });
  }

 private:
  Kernel3x3 kernel_{{0, 0, 0, 0, 1, 0, 0, 0, 0}, 1.f, 0.f};
  Buffer input_, output_;
  int width_ = 0, height_ = 0;
};

}  // namespace
}  // namespace convolens

EMSCRIPTEN_BINDINGS(convolens_conv3x3) {
  using convolens::Conv3x3Filter;
  class_<Conv3x3Filter>("Conv3x3Filter")
      .constructor<>()
      .function("setKernel", &Conv3x3Filter::set_kernel)
      .function("resize", &Conv3x3Filter::resize)
      .function("inputPtr", &Conv3x3Filter::input_ptr)
      .function("outputPtr", &Conv3x3Filter::output_ptr)
      .function("run", &Conv3x3Filter::run);
}
