// Image views and border modes shared by every image kernel.
#pragma once
#include <cstddef>
#include <cstdint>

namespace convolens {

// How pixels outside the image are read. Values are part of the JS API.
enum class Border : int {
  Constant = 0,    // a fixed value (BorderSpec::value)
  Replicate = 1,   // aaa|abcd|ddd
  Reflect101 = 2,  // cb|abcd|cb  (OpenCV's BORDER_DEFAULT)
  Wrap = 3,        // cd|abcd|ab
};

// Read-only view of interleaved u8 pixels. stride is in bytes.
struct ImageView {
  const std::uint8_t* data;
  int width;
  int height;
  int channels;  // 1 (gray) or 4 (RGBA)
  std::ptrdiff_t stride;
  const std::uint8_t* row(int y) const { return data + y * stride; }
};

struct MutableImageView {
  std::uint8_t* data;
  int width;
  int height;
  int channels;
  std::ptrdiff_t stride;
  std::uint8_t* row(int y) const { return data + y * stride; }
  operator ImageView() const { return {data, width, height, channels, stride}; }
};

// Maps a coordinate outside [0, n) into it; returns -1 for Constant (caller uses the value).
// Works for any distance outside, including kernels larger than the image.
int border_index(int i, int n, Border border);

}  // namespace convolens
