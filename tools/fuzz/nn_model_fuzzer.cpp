// libFuzzer target for the TF.js model loader (scripts/fuzz.sh builds and runs it).
// Input: u32 little-endian length of model.json, the model.json text, then the weight bytes.
// Loading must either succeed or throw convolens::RangeError/TypeError; anything else (a
// crash, a sanitizer report, another exception) is a bug. Loaded models are run once.
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/errors.h"
#include "nn/model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  std::uint32_t n;
  std::memcpy(&n, data, 4);
  if (n > size - 4) n = std::uint32_t(size - 4);
  const std::string_view json(reinterpret_cast<const char*>(data + 4), n);
  const std::span<const std::uint8_t> weights(data + 4 + n, size - 4 - n);
  try {
    convolens::nn::Model m = convolens::nn::Model::from_tfjs(json, weights);
    // Run it when the activations are small enough to finish quickly.
    std::size_t biggest = std::size_t(m.input_size());
    for (const auto& l : m.layers()) {
      std::size_t e = 1;
      for (int d : l.output_shape) e *= std::size_t(d);
      biggest = std::max(biggest, e);
    }
    if (biggest <= (1u << 16) && m.layers().size() <= 32) {
      std::vector<float> in(std::size_t(m.input_size()) * 2, 0.5f), out(std::size_t(m.output_size()) * 2);
      m.predict(in.data(), 2, out.data());
      m.activations(in.data());
      for (std::size_t i = 0; i < m.layers().size(); ++i) (void)m.activation(int(i));
    }
  } catch (const convolens::RangeError&) {
  } catch (const convolens::TypeError&) {
  }
  return 0;
}
