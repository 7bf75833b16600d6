// A small JSON reader (model.json, and any other file the core reads): a DOM of values, strict
// syntax, bounded depth and size, errors as TypeError with the byte offset. No dependencies.
// Strings never hold a NUL: the escape \u0000 is kept as its six characters, so a name from the
// file cannot cut an error message where it becomes a C string on its way to JS (raw control
// characters are refused, as JSON requires).
#pragma once
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace convolens::json {

class Value {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_number() const { return kind_ == Kind::Number; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_array() const { return kind_ == Kind::Array; }
  bool is_object() const { return kind_ == Kind::Object; }

  bool boolean() const { return b_; }
  double number() const { return n_; }
  const std::string& string() const { return s_; }
  const std::vector<Value>& array() const { return a_; }
  // Object members in file order (duplicate keys are rejected by the parser).
  const std::vector<std::pair<std::string, Value>>& members() const { return o_; }
  const Value* find(std::string_view key) const;  // nullptr when absent (or not an object)
  // The member key; throws TypeError("<where>: missing \"<key>\"") when absent or not an object.
  const Value& member(const char* key, const std::string& where) const;

  static const char* kind_name(Kind k);

 private:
  friend class Parser;
  Kind kind_ = Kind::Null;
  bool b_ = false;
  double n_ = 0;
  std::string s_;
  std::vector<Value> a_;
  std::vector<std::pair<std::string, Value>> o_;
};

// Throws TypeError("<source>: <what> at byte N") on malformed input, RangeError past the limits
// (src/core/limits.h). source names the file in messages, e.g. "model.json".
Value parse(std::string_view text, std::string_view source = "JSON");

// Names -> indices, for duplicate checks and lookups in files. The readers share this one map
// type and insert through insert_name only: each extra std::map instantiation costs wasm size.
using NameIndex = std::map<std::string, std::size_t>;
// Adds name -> i unless name is there; returns the index stored for name (i when added).
std::size_t insert_name(NameIndex& index, const std::string& name, std::size_t i);


}  // namespace convolens::json
