#include "image/filter_spec.h"

#include <cmath>
#include <string>

#include "core/errors.h"
#include "core/number_text.h"

namespace convolens {

void validate_kernel(const ConvKernel& k, const char* what) {
  const std::string name(what);
  if (k.width < 1 || k.height < 1 || k.width > kMaxKernelSize || k.height > kMaxKernelSize)
    throw RangeError(name + " size must be 1.." + std::to_string(kMaxKernelSize) + " on each side, got " +
                     std::to_string(k.width) + "x" + std::to_string(k.height));
  const std::size_t n = std::size_t(k.width) * k.height;
  if (k.weights.size() != n)
    throw RangeError(name + " weights: " + std::to_string(k.width) + "x" + std::to_string(k.height) + " needs " +
                     std::to_string(n) + " weights, got " + std::to_string(k.weights.size()));
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(k.weights[i]))
      throw RangeError(name + " weights must be finite numbers, weight " + std::to_string(i) + " is " +
                       format_number(k.weights[i]));
  if (!std::isfinite(k.scale) || k.scale == 0.f)
    throw RangeError(name + " scale must be a finite non-zero number, got " + format_number(k.scale));
  if (!std::isfinite(k.offset)) throw RangeError(name + " offset must be a finite number, got " + format_number(k.offset));
}

void validate_spec(const FilterSpec& s) {
  validate_kernel(s.kernel);
  if (s.gradient != Gradient::None) {
    validate_kernel(s.kernel_y, "y kernel");
    if (s.kernel_y.width != s.kernel.width || s.kernel_y.height != s.kernel.height)
      throw RangeError("gradient x and y kernels must have the same size");
    if (s.gradient != Gradient::MagnitudeL2 && s.gradient != Gradient::MagnitudeL1)
      throw RangeError("unknown gradient operator");
  }
  if (int(s.border) < 0 || int(s.border) > 3) throw RangeError("unknown border mode " + std::to_string(int(s.border)));
  if (s.mode != Mode::Rgb && s.mode != Mode::Gray) throw RangeError("unknown mode " + std::to_string(int(s.mode)));
}

void validate_images(const ImageView& src, const MutableImageView& dst) {
  if (src.width <= 0 || src.height <= 0)
    throw RangeError("image size must be positive, got " + std::to_string(src.width) + "x" +
                     std::to_string(src.height));
  if (src.channels != 1 && src.channels != 4)
    throw RangeError("images must have 1 (gray) or 4 (RGBA) channels, got " + std::to_string(src.channels));
  if (dst.width != src.width || dst.height != src.height || dst.channels != src.channels)
    throw RangeError("output must have the input's size and channels: input " + std::to_string(src.width) + "x" +
                     std::to_string(src.height) + "x" + std::to_string(src.channels) + ", output " +
                     std::to_string(dst.width) + "x" + std::to_string(dst.height) + "x" +
                     std::to_string(dst.channels));
  if (!src.data || !dst.data) throw RangeError("image data is missing");
  const auto* s0 = src.data;
  const auto* s1 = src.data + (src.height - 1) * src.stride + src.width * src.channels;
  const auto* d0 = dst.data;
  const auto* d1 = dst.data + (dst.height - 1) * dst.stride + dst.width * dst.channels;
  if (d0 < s1 && s0 < d1) throw RangeError("output must not overlap the input");
}

const char* border_name(Border b) {
  switch (b) {
    case Border::Constant: return "constant";
    case Border::Replicate: return "replicate";
    case Border::Reflect101: return "reflect101";
    case Border::Wrap: return "wrap";
  }
  return "?";
}

Border parse_border(const std::string& name) {
  for (Border b : {Border::Constant, Border::Replicate, Border::Reflect101, Border::Wrap})
    if (name == border_name(b)) return b;
  throw RangeError("unknown border mode \"" + name + "\" (constant, replicate, reflect101, wrap)");
}

const char* mode_name(Mode m) { return m == Mode::Gray ? "gray" : "rgb"; }

Mode parse_mode(const std::string& name) {
  if (name == "rgb") return Mode::Rgb;
  if (name == "gray") return Mode::Gray;
  throw RangeError("unknown mode \"" + name + "\" (rgb, gray)");
}

}  // namespace convolens
