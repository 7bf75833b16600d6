#include "core/number_text.h"

#include <cmath>
#include <cstdint>

namespace convolens {

namespace {

// Powers of ten that a double holds exactly.
constexpr double kExact10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

std::string digits_of(std::uint64_t u) {
  char b[24];
  int n = 0;
  do {
    b[n++] = char('0' + u % 10);
    u /= 10;
  } while (u);
  std::string s;
  while (n) s += b[--n];
  return s;
}

// v * 10^k for |k| <= 308 without std::pow: in wasm, pow brings ~5 KB of tables and code into
// modules that need it for nothing else. Exact powers within 10^22: one correctly rounded
// operation. Beyond, 10^|k| = (10^16)^q (a correctly rounded constant) * 10^r (exact): one more
// rounding, well within the 3 ulp parse_json_number promises.
double times_pow10(double v, int k) {
  if (k >= -22 && k <= 22) return k < 0 ? v / kExact10[-k] : v * kExact10[k];
  static constexpr double kPow16[] = {1e0,   1e16,  1e32,  1e48,  1e64,  1e80,  1e96,  1e112, 1e128, 1e144,
                                      1e160, 1e176, 1e192, 1e208, 1e224, 1e240, 1e256, 1e272, 1e288, 1e304};
  const int a = k < 0 ? -k : k;
  const double p = kPow16[a / 16] * kExact10[a % 16];
  return k < 0 ? v / p : v * p;
}

// v * 10^k without overflowing the power for subnormal v (k up to ~330).
double scale10(double v, int k) {
  if (k > 300) {
    v *= 1e300;
    k -= 300;
  }
  return times_pow10(v, k);
}

}  // namespace

std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  std::string sign = v < 0 ? "-" : "";
  v = std::fabs(v);
  if (v == 0) return "0";
  // Six significant digits: v ~= m * 10^(e - 5) with 100000 <= m < 1000000.
  int e = int(std::floor(std::log10(v)));
  std::uint64_t m = std::uint64_t(std::llround(scale10(v, 5 - e)));
  if (m >= 1000000) {  // rounding carried into a seventh digit (or log10 was one low)
    m = (m + 5) / 10;
    ++e;
  } else if (m < 100000) {  // log10 was one high
    m = std::uint64_t(std::llround(scale10(v, 6 - e)));
    --e;
  }
  std::string d = digits_of(m);  // 6 digits
  while (d.size() > 1 && d.back() == '0') d.pop_back();
  if (e < -4 || e >= 6) {
    std::string r = sign + d[0];
    if (d.size() > 1) r.append(".").append(d, 1);
    r += e < 0 ? "e-" : "e+";
    const std::string x = digits_of(std::uint64_t(e < 0 ? -e : e));
    return r + (x.size() < 2 ? "0" : "") + x;
  }
  if (e < 0) return sign + "0." + std::string(std::size_t(-e - 1), '0') + d;
  if (int(d.size()) <= e + 1) return sign + d + std::string(std::size_t(e + 1 - int(d.size())), '0');
  return sign + d.substr(0, std::size_t(e + 1)) + "." + d.substr(std::size_t(e + 1));
}

double parse_json_number(std::string_view t) {
  std::size_t i = 0;
  const bool neg = i < t.size() && t[i] == '-';
  if (neg) ++i;
  std::uint64_t m = 0;
  int digits = 0, exp10 = 0;
  auto take = [&](char c, bool fraction) {
    if (m == 0 && c == '0') {
      if (fraction) --exp10;  // leading zeros of a fraction only move the point
      return;
    }
    if (digits < 19) {
      m = m * 10 + std::uint64_t(c - '0');
      ++digits;
      if (fraction) --exp10;
    } else if (!fraction) {
      ++exp10;  // digits beyond the 19th of the integer part: scale only
    }
  };
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') take(t[i++], false);
  if (i < t.size() && t[i] == '.')
    for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9';) take(t[i++], true);
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    const bool eneg = i < t.size() && t[i] == '-';
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    int x = 0;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) x = x < 100000 ? x * 10 + (t[i] - '0') : x;
    exp10 += eneg ? -x : x;
  }
  double r;
  if (m == 0) {
    r = 0;
  } else if (m < (std::uint64_t(1) << 53) && exp10 >= -22 && exp10 <= 22) {
    // One correctly rounded operation on exact operands: the correctly rounded result.
    r = exp10 < 0 ? double(m) / kExact10[-exp10] : double(m) * kExact10[exp10];
  } else if (exp10 < -330) {
    r = 0;
  } else if (exp10 > 310) {
    r = HUGE_VAL;
  } else {
    // One scaling where 10^exp10 is a normal double; two steps near the ends of the range.
    const int half = exp10 / 2;
    r = exp10 >= -308 && exp10 <= 308 ? times_pow10(double(m), exp10)
                                       : times_pow10(times_pow10(double(m), half), exp10 - half);
  }
  return neg ? -r : r;
}

}  // namespace convolens
