// IDX files (the MNIST container): a big-endian header with a magic number that names the
// element type and the number of dimensions, the dimensions, then the raw u8 data.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace convolens::mnist {

struct IdxImages {
  int count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // count * rows * cols, row-major, 0 = background
  const std::uint8_t* image(int i) const { return pixels.data() + std::size_t(i) * rows * cols; }
};

// Parse from memory; `what` names the source in error messages. Throws TypeError for a file
// that is not an IDX of the expected kind (magic, dimension count) and RangeError for a
// truncated file or implausible dimensions.
IdxImages parse_idx_images(const std::uint8_t* data, std::size_t size, const std::string& what);
std::vector<std::uint8_t> parse_idx_labels(const std::uint8_t* data, std::size_t size, const std::string& what);

IdxImages read_idx_images(const std::string& path);
std::vector<std::uint8_t> read_idx_labels(const std::string& path);

// Train or test split from a directory holding the four original files.
struct MnistSplit {
  IdxImages images;
  std::vector<std::uint8_t> labels;
};
MnistSplit load_mnist(const std::string& dir, bool train);

}  // namespace convolens::mnist
