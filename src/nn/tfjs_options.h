// One layer's config in a TF.js Layers model.json: typed getters that check each option and
// record what was read, so that options nobody read (unsupported ones) can be reported.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "nn/tfjs_errors.h"
#include "nn/tensor.h"

namespace convolens::nn::tfjs {

class LayerOptions {
 public:
  // where: "layer '<name>' (<class>)"; prefixes every message.
  LayerOptions(const json::Value& cfg, std::string where) : cfg_(cfg), where_(std::move(where)) {}
  const std::string& where() const { return where_; }
  [[noreturn]] void bad(const std::string& opt, const std::string& why) const;

  const json::Value* get(const std::string& k);  // nullptr when absent or null
  int integer(const json::Value& v, const std::string& k, int lo, int hi) const;
  int integer(const std::string& k, int lo, int hi, std::optional<int> def = {});
  double number(const std::string& k, double def);
  bool boolean(const std::string& k, bool def);
  std::string string(const std::string& k, const std::string& def);
  // An int or a list of two ints (kernel_size, strides, ...).
  std::pair<int, int> pair(const std::string& k, int lo, int hi, std::optional<std::pair<int, int>> def = {});
  void channels_last();
  bool padding_same();
  std::pair<Act, float> activation(const std::string& k = "activation");
  // Throws on any option that was not read and does not appear in the list of options that do
  // not change inference (initializers, regularizers, dropout rates, ...).
  void finish() const;

 private:
  const json::Value& cfg_;
  std::string where_;
  std::vector<std::string> seen_;  // options read (a handful: a vector beats a set in code size)
};

}  // namespace convolens::nn::tfjs
