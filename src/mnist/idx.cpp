#include "mnist/idx.h"

#include <fstream>
#include <iterator>

#include "core/errors.h"

namespace convolens::mnist {
namespace {

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

// Validates the header common to both kinds; returns the dimensions.
std::vector<std::uint32_t> parse_header(const std::uint8_t* data, std::size_t size, int want_dims,
                                        const std::string& what) {
  if (size < 4) throw RangeError(what + ": truncated IDX file (" + std::to_string(size) + " bytes, no header)");
  if (data[0] != 0 || data[1] != 0)
    throw TypeError(what + ": not an IDX file (magic must start with two zero bytes)");
  if (data[2] != 0x08) throw TypeError(what + ": IDX element type 0x" + std::to_string(data[2]) + " is not u8 (0x08)");
  if (data[3] != want_dims)
    throw TypeError(what + ": IDX file has " + std::to_string(data[3]) + " dimensions, expected " +
                    std::to_string(want_dims) + (want_dims == 3 ? " (images)" : " (labels)"));
  const std::size_t header = 4 + 4 * std::size_t(want_dims);
  if (size < header) throw RangeError(what + ": truncated IDX header");
  std::vector<std::uint32_t> dims;
  std::size_t elements = 1;
  for (int d = 0; d < want_dims; ++d) {
    dims.push_back(be32(data + 4 + 4 * d));
    if (dims.back() == 0 || dims.back() > (1u << 24))
      throw RangeError(what + ": implausible IDX dimension " + std::to_string(dims.back()));
    elements *= dims.back();
  }
  if (size - header != elements)
    throw RangeError(what + ": IDX data is " + std::to_string(size - header) + " bytes, header says " +
                     std::to_string(elements) + (size - header < elements ? " (truncated file)" : " (trailing bytes)"));
  return dims;
}

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw RangeError("cannot open " + path);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

}  // namespace

IdxImages parse_idx_images(const std::uint8_t* data, std::size_t size, const std::string& what) {
  const auto dims = parse_header(data, size, 3, what);
  IdxImages out;
  out.count = int(dims[0]);
  out.rows = int(dims[1]);
  out.cols = int(dims[2]);
  out.pixels.assign(data + 16, data + size);
  return out;
}

std::vector<std::uint8_t> parse_idx_labels(const std::uint8_t* data, std::size_t size, const std::string& what) {
  parse_header(data, size, 1, what);
  return std::vector<std::uint8_t>(data + 8, data + size);
}

IdxImages read_idx_images(const std::string& path) {
  const auto bytes = read_file(path);
  return parse_idx_images(bytes.data(), bytes.size(), path);
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
  const auto bytes = read_file(path);
  return parse_idx_labels(bytes.data(), bytes.size(), path);
}

MnistSplit load_mnist(const std::string& dir, bool train) {
  const std::string prefix = dir + (train ? "/train" : "/t10k");
  MnistSplit s{read_idx_images(prefix + "-images-idx3-ubyte"), read_idx_labels(prefix + "-labels-idx1-ubyte")};
  if (s.images.count != int(s.labels.size()))
    throw RangeError(prefix + ": " + std::to_string(s.images.count) + " images but " +
                     std::to_string(s.labels.size()) + " labels");
  for (auto l : s.labels)
    if (l > 9) throw RangeError(prefix + ": label " + std::to_string(l) + " is not a digit");
  return s;
}

}  // namespace convolens::mnist
