#include "nn/tfjs_weights.h"

#include <cmath>
#include <cstring>

#include "core/errors.h"
#include "core/limits.h"
#include "nn/tfjs_errors.h"

namespace convolens::nn::tfjs {

using json::Value;

namespace {

std::string shape_text(const std::vector<int>& v) {
  std::string r = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) r += ',';
    r += std::to_string(v[i]);
  }
  return r + "]";
}

// How one entry's values are stored.
struct Encoding {
  std::string dtype = "float32";  // float32, or the quantization dtype: uint8, uint16, float16
  double scale = 1, min = 0;
  std::size_t bytes() const { return dtype == "float32" ? 4 : dtype == "uint8" ? 1 : 2; }
};

Encoding encoding(const Value& spec, const std::string& where) {
  Encoding e;
  const Value* dt = spec.find("dtype");
  const std::string dtype = dt && dt->is_string() ? dt->string() : "float32";
  if (dtype != "float32") type_error(where + ": dtype '" + dtype + "' is not supported (float32)");
  const Value* qv = spec.find("quantization");
  if (!qv || qv->is_null()) return e;
  const std::string qwhere = where + " quantization";
  const Value& qd = qv->member("dtype", qwhere);
  if (!qd.is_string()) type_error(where + ": quantization dtype must be a string");
  e.dtype = qd.string();
  if (e.dtype == "uint8" || e.dtype == "uint16") {
    const Value& sc = qv->member("scale", qwhere);
    const Value& mn = qv->member("min", qwhere);
    if (!sc.is_number() || !mn.is_number()) type_error(where + ": quantization scale/min must be numbers");
    e.scale = sc.number(), e.min = mn.number();
  } else if (e.dtype != "float16") {
    type_error(where + ": quantization dtype '" + e.dtype + "' is not supported (uint8, uint16, float16)");
  }
  return e;
}

void decode(const Encoding& enc, const std::uint8_t* p, std::vector<float>& out, const std::string& where) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    float v;
    if (enc.dtype == "float32") {
      std::memcpy(&v, p + 4 * i, 4);
    } else if (enc.dtype == "uint8") {
      v = float(p[i] * enc.scale + enc.min);
    } else {
      std::uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      v = enc.dtype == "uint16" ? float(h * enc.scale + enc.min) : half_to_float(h);
    }
    if (!std::isfinite(v)) range_error(where + ": value " + std::to_string(i) + " is not finite");
    out[i] = v;
  }
}

}  // namespace

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t(h & 0x8000) << 16;
  const int exp = (h >> 10) & 31;
  std::uint32_t mant = h & 0x3FF, bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while (!(mant & 0x400));
      bits = sign | std::uint32_t(127 - 15 - e) << 23 | (mant & 0x3FF) << 13;
    }
  } else if (exp == 31) {
    bits = sign | 0x7F800000u | mant << 13;
  } else {
    bits = sign | std::uint32_t(exp - 15 + 127) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

std::vector<WeightEntry> read_weights(const Value& manifest, std::span<const std::uint8_t> bytes) {
  if (!manifest.is_array()) type_error("model.json: \"weightsManifest\" must be an array");
  std::vector<WeightEntry> out;
  json::NameIndex names;  // (a hash set would add ~5 KB of code to the module)
  std::size_t off = 0;
  double total = 0;
  for (const Value& group : manifest.array()) {
    const Value& specs = group.member("weights", "model.json: weightsManifest group");
    if (!specs.is_array()) type_error("model.json: weightsManifest \"weights\" must be an array");
    for (const Value& s : specs.array()) {
      if (out.size() == limits::kMaxWeightEntries)
        range_error("model.json: more than 4000 weights in the manifest");  // limits::kMaxWeightEntries
      WeightEntry e;
      const Value& name = s.member("name", "model.json: weight spec");
      if (!name.is_string()) type_error("model.json: weight name must be a string");
      e.name = name.string();
      const std::string where = "weight '" + e.name + "'";
      const Value& shape = s.member("shape", where);
      if (!shape.is_array() || shape.array().size() > limits::kMaxWeightRank)
        type_error(where + ": shape must be a list of at most 6 sizes");
      double n = 1;
      for (const Value& d : shape.array()) {
        if (!d.is_number() || d.number() != std::floor(d.number()) || d.number() < 0 || d.number() > limits::kMaxElements)
          range_error(where + ": shape entries must be integers 0..2^26");
        e.shape.push_back(int(d.number()));
        n *= d.number();
      }
      total += n;
      if (n > limits::kMaxElements || total > limits::kMaxElements)
        range_error(where + ": more than 2^26 weights in the model");
      const Encoding enc = encoding(s, where);
      const std::size_t count = std::size_t(n);
      const std::size_t esize = enc.bytes();
      if (bytes.size() - off < count * esize || off > bytes.size())
        range_error(where + ": weight data truncated: needs " + std::to_string(count * esize) + " bytes at offset " +
                    std::to_string(off) + ", only " + std::to_string(bytes.size()) + " bytes given");
      e.data.resize(count);
      decode(enc, bytes.data() + off, e.data, where);
      off += count * esize;
      if (json::insert_name(names, e.name, out.size()) != out.size()) type_error(where + ": listed twice in the weights manifest");
      out.push_back(std::move(e));
    }
  }
  if (off != bytes.size())
    range_error("weight data has " + std::to_string(bytes.size() - off) + " surplus bytes: the manifest describes " +
                std::to_string(off) + " bytes, " + std::to_string(bytes.size()) + " given");
  return out;
}

WeightTable::WeightTable(std::vector<WeightEntry> w) : w_(std::move(w)) {}

const std::vector<float>& WeightTable::take(const std::string& where, const std::string& layer,
                                            const std::string& param, const std::vector<int>& shape) {
  const std::string key = layer + "/" + param;
  WeightEntry* hit = nullptr;
  // An exact name wins; otherwise the last entry that ends in "/<key>" (manifest order).
  for (auto& e : w_)
    if (e.name == key || (e.name.size() > key.size() && e.name.ends_with("/" + key))) {
      hit = &e;
      if (e.name == key) break;
    }
  if (!hit) type_error(where + ": weight '" + key + "' is missing from the weights manifest");
  if (hit->used) type_error(where + ": weight '" + hit->name + "' is used twice");
  if (hit->shape != shape)
    range_error(where + ": weight '" + hit->name + "' has shape " + shape_text(hit->shape) +
                ", expected " + shape_text(shape));
  hit->used = true;
  return hit->data;
}

void WeightTable::check_all_used() const {
  for (const auto& e : w_)
    if (!e.used) type_error("weight '" + e.name + "' in the manifest belongs to no layer of the model");
}

}  // namespace convolens::nn::tfjs
