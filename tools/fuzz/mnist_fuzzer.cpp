// libFuzzer target for the MNIST inputs that come from outside: IDX files (parse_idx_*) and
// drawings (preprocess_drawing with any size, stride and pixels). Build like scripts/fuzz.sh:
//   clang++-14 -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Isrc \
//     tools/fuzz/mnist_fuzzer.cpp src/mnist/*.cpp -o build/fuzz/mnist_fuzzer
#include <cstddef>
#include <cstdint>
#include <exception>
#include <vector>

#include "mnist/idx.h"
#include "mnist/preprocess.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convolens::mnist;
  try {
    parse_idx_images(data, size, "fuzz");
  } catch (const std::exception&) {
  }
  try {
    parse_idx_labels(data, size, "fuzz");
  } catch (const std::exception&) {
  }
  if (size < 3) return 0;
  // Drawing: 1..64 x 1..64 pixels, a row padding of 0..3 pixels, the rest of the input as RGBA
  // (repeated to fill the canvas).
  const int w = 1 + data[0] % 64, h = 1 + data[1] % 64, pad = data[2] % 4;
  const int stride = (w + pad) * 4;
  std::vector<std::uint8_t> rgba(std::size_t(stride) * h);
  for (std::size_t i = 0; i < rgba.size(); ++i) rgba[i] = size > 3 ? data[3 + i % (size - 3)] : 0;
  std::vector<float> out(784), scratch(preprocess_scratch_floats(w, h));
  const auto info = preprocess_drawing(rgba.data(), w, h, stride, out.data(), scratch.data());
  for (float v : out)
    if (!(v >= 0.f && v <= 1.f)) __builtin_trap();  // outputs stay in 0..1, never NaN
  if (info.empty)
    for (float v : out)
      if (v != 0.f) __builtin_trap();  // "nothing drawn" means an all-zero image
  return 0;
}
