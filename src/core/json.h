// A small JSON reader (model.json, and any other file the core reads): a DOM of values, strict
// syntax, bounded depth and size, errors as TypeError with the byte offset. No dependencies.
#pragma once
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

// A string from a file, safe to put into an error message: control characters (a NUL would cut
// the message where it becomes a C string at the JS boundary) are written as \u00XX.
std::string printable(std::string_view s);

}  // namespace convolens::json
