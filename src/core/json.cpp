#include "core/json.h"

#include <cmath>

#include "core/errors.h"
#include "core/limits.h"
#include "core/number_text.h"

namespace convolens::json {

std::size_t insert_name(NameIndex& index, const std::string& name, std::size_t i) {
  return index.insert(NameIndex::value_type(name, i)).first->second;
}


const Value* Value::find(std::string_view key) const {
  for (const auto& [k, v] : o_)
    if (k == key) return &v;
  return nullptr;
}

const Value& Value::member(const char* key, const std::string& where) const {
  const Value* v = find(key);
  if (!v) throw TypeError(where + ": missing \"" + key + "\"");
  return *v;
}

const char* Value::kind_name(Kind k) {
  switch (k) {
    case Kind::Null: return "null";
    case Kind::Bool: return "a boolean";
    case Kind::Number: return "a number";
    case Kind::String: return "a string";
    case Kind::Array: return "an array";
    case Kind::Object: return "an object";
  }
  return "?";
}

class Parser {
 public:
  Parser(std::string_view t, std::string_view source) : t_(t), source_(source) {}

  Value document() {
    Value v = value(0);
    ws();
    if (i_ != t_.size()) fail("unexpected text after the end of the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw TypeError(std::string(source_) + ": " + what + " at byte " + std::to_string(i_));
  }
  void ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) ++i_;
  }
  bool eat(char c) {
    ws();
    if (i_ < t_.size() && t_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(std::string("expected '") + c + "'");
  }
  bool literal(std::string_view w) {
    if (t_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }

  Value value(int depth) {
    if (depth > limits::kMaxJsonDepth) fail("nesting deeper than 64 levels");  // limits::kMaxJsonDepth
    if (++values_ > limits::kMaxJsonValues)
      throw RangeError(std::string(source_) + ": more than 2^18 values");  // limits::kMaxJsonValues
    ws();
    if (i_ >= t_.size()) fail("unexpected end of input");
    Value v;
    const char c = t_[i_];
    if (c == '{') {
      ++i_;
      v.kind_ = Value::Kind::Object;
      if (eat('}')) return v;
      do {
        ws();
        if (i_ >= t_.size() || t_[i_] != '"') fail("expected a string key");
        std::string key = string();
        expect(':');
        v.o_.emplace_back(std::move(key), value(depth + 1));
      } while (eat(','));
      expect('}');
      check_unique_keys(v);
    } else if (c == '[') {
      ++i_;
      v.kind_ = Value::Kind::Array;
      if (eat(']')) return v;
      do v.a_.push_back(value(depth + 1));
      while (eat(','));
      expect(']');
    } else if (c == '"') {
      v.kind_ = Value::Kind::String;
      v.s_ = string();
    } else if (literal("true")) {
      v.kind_ = Value::Kind::Bool;
      v.b_ = true;
    } else if (literal("false")) {
      v.kind_ = Value::Kind::Bool;
    } else if (literal("null")) {
      // Null
    } else if (literal("NaN") || literal("Infinity") || literal("-Infinity")) {
      // Python's json writes these; a model option that is not finite is never valid.
      fail("non-finite number");
    } else {
      v.kind_ = Value::Kind::Number;
      v.n_ = number();
    }
    return v;
  }

  // An index instead of a search per key, so a hostile object stays O(n log n).
  void check_unique_keys(const Value& v) {
    NameIndex keys;
    for (std::size_t i = 0; i < v.o_.size(); ++i)
      if (insert_name(keys, v.o_[i].first, i) != i) fail("duplicate key \"" + v.o_[i].first + "\"");
  }

  double number() {
    const std::size_t start = i_;
    if (i_ < t_.size() && t_[i_] == '-') ++i_;
    auto digits = [&] {
      const std::size_t s = i_;
      while (i_ < t_.size() && t_[i_] >= '0' && t_[i_] <= '9') ++i_;
      return i_ - s;
    };
    if (digits() == 0) {
      i_ = start;
      fail("unexpected character");
    }
    if (i_ < t_.size() && t_[i_] == '.') {
      ++i_;
      if (digits() == 0) fail("malformed number");
    }
    if (i_ < t_.size() && (t_[i_] == 'e' || t_[i_] == 'E')) {
      ++i_;
      if (i_ < t_.size() && (t_[i_] == '+' || t_[i_] == '-')) ++i_;
      if (digits() == 0) fail("malformed number");
    }
    const double d = parse_json_number(t_.substr(start, i_ - start));
    if (!std::isfinite(d)) fail("number out of range");
    return d;
  }

  unsigned hex4() {
    if (i_ + 4 > t_.size()) fail("truncated \\u escape");
    unsigned u = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = t_[i_++];
      u <<= 4;
      if (h >= '0' && h <= '9') u |= h - '0';
      else if (h >= 'a' && h <= 'f') u |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') u |= h - 'A' + 10;
      else fail("bad \\u escape");
    }
    return u;
  }

  std::string string() {
    ++i_;  // opening quote
    std::string out;
    for (;;) {
      if (i_ >= t_.size()) fail("unterminated string");
      const char c = t_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= t_.size()) fail("unterminated string");
      const char e = t_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned u = hex4();
          if (u >= 0xD800 && u < 0xDC00 && i_ + 1 < t_.size() && t_[i_] == '\\' && t_[i_ + 1] == 'u') {
            i_ += 2;
            const unsigned lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("bad surrogate pair");
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
          }
          // UTF-8 encode (lone surrogates become U+FFFD); a NUL stays escaped (see json.h)
          if (u >= 0xD800 && u <= 0xDFFF) u = 0xFFFD;
          if (u == 0) {
            out += "\\u0000";
          } else if (u < 0x80) {
            out += char(u);
          } else if (u < 0x800) {
            out += char(0xC0 | (u >> 6));
            out += char(0x80 | (u & 63));
          } else if (u < 0x10000) {
            out += char(0xE0 | (u >> 12));
            out += char(0x80 | ((u >> 6) & 63));
            out += char(0x80 | (u & 63));
          } else {
            out += char(0xF0 | (u >> 18));
            out += char(0x80 | ((u >> 12) & 63));
            out += char(0x80 | ((u >> 6) & 63));
            out += char(0x80 | (u & 63));
          }
          break;
        }
        default: fail("bad escape");
      }
    }
  }

  std::string_view t_, source_;
  std::size_t i_ = 0;
  std::size_t values_ = 0;
};

Value parse(std::string_view text, std::string_view source) {
  if (text.size() > limits::kMaxJsonBytes) throw RangeError(std::string(source) + ": larger than 64 MB");
  return Parser(text, source).document();
}

}  // namespace convolens::json
