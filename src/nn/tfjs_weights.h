// The weights of a TF.js Layers model: the manifest in model.json read against the weight
// bytes (float32, float16, uint8/uint16-quantized, all decoded to float32), then handed out to
// the layers by name.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/json.h"

namespace convolens::nn::tfjs {

struct WeightEntry {
  std::string name;
  std::vector<int> shape;
  std::vector<float> data;
  bool used = false;
};

// IEEE half -> float, exact (subnormals, infinities and NaN included).
float half_to_float(std::uint16_t h);

// Decodes every entry of the manifest (groups of {paths, weights}) from bytes, all shards
// concatenated in manifest order. Throws on a malformed entry, a name listed twice, more than
// limits::kMaxWeightEntries entries, or bytes that do not add up to what the manifest describes.
std::vector<WeightEntry> read_weights(const json::Value& manifest, std::span<const std::uint8_t> bytes);

class WeightTable {
 public:
  explicit WeightTable(std::vector<WeightEntry> w);
  // The weight named "<layer>/<param>" (or under a model prefix, "outer/<layer>/<param>"),
  // checked against the shape the layer expects; each weight may be taken once.
  const std::vector<float>& take(const std::string& where, const std::string& layer, const std::string& param,
                                 const std::vector<int>& shape);
  void check_all_used() const;

 private:
  // A scan per lookup: at most 4 lookups per layer over at most limits::kMaxWeightEntries
  // entries (an index costs more module size than it saves time at these sizes).
  std::vector<WeightEntry> w_;
};

}  // namespace convolens::nn::tfjs
