// format_number / parse_json_number against the C library (printf "%g", strtod) they replace.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "core/number_text.h"

using convolens::format_number;
using convolens::parse_json_number;

namespace {
std::string printf_g(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}
}  // namespace

TEST(NumberText, FormatsLikePrintfG) {
  for (double v : {0.0, 1.0, -1.0, 0.5, 0.25, 1.5, 2.0 / 3, 1.0 / 16, 0.1, 0.0001, 0.00012345, 3.14159265, 128.0,
                   255.0, 65536.0, 123456.0, 1234567.0, 999999.5, 1e14, 9.999995, 0.99999951, 1e-7, -2.5e-9,
                   1e300, -1.7976931348623157e308, 2.2250738585072014e-308, 4.9406564584124654e-324, 1e-320})
    EXPECT_EQ(format_number(v), printf_g(v)) << v;
  EXPECT_EQ(format_number(NAN), "NaN");
  EXPECT_EQ(format_number(INFINITY), "Infinity");
  EXPECT_EQ(format_number(-INFINITY), "-Infinity");
}

TEST(NumberText, FormatsRandomValuesLikePrintfG) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> mant(-10, 10);
  std::uniform_int_distribution<int> ex(-12, 16);
  for (int i = 0; i < 20000; ++i) {
    const double v = mant(rng) * std::pow(10.0, ex(rng));
    ASSERT_EQ(format_number(v), printf_g(v)) << "value " << v;
  }
}

TEST(NumberText, ParsesLikeStrtod) {
  for (const char* s : {"0", "-0", "1", "-1", "0.5", "1e3", "1E-3", "2.5e+2", "0.001", "1e-7", "123456789012345",
                        "0.000123", "3.141592653589793", "1e22", "1e-22", "100000000000000000000000",
                        "12345678901234567890123", "0.1", "0.2", "1e21", "2.5e-20"}) {
    const double want = std::strtod(s, nullptr), got = parse_json_number(s);
    EXPECT_EQ(got, want) << s;
  }
  EXPECT_TRUE(std::isinf(parse_json_number("1e400")));
  EXPECT_EQ(parse_json_number("1e-400"), 0.0);
}

TEST(NumberText, ParsesRandomFloat32WeightsExactly) {
  // What model.json configs hold: float32 values printed with up to 9 significant digits.
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> d(-4, 4);
  for (int i = 0; i < 20000; ++i) {
    char b[64];
    std::snprintf(b, sizeof b, "%.9g", double(d(rng)) * std::pow(10.0, i % 7 - 3));
    ASSERT_EQ(parse_json_number(b), std::strtod(b, nullptr)) << b;
  }
}

TEST(NumberText, LongMantissasAreWithinThreeUlp) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5000; ++i) {
    char b[64];
    std::snprintf(b, sizeof b, "%.17ge%d", std::uniform_real_distribution<double>(1, 10)(rng), int(rng() % 600) - 300);
    const double want = std::strtod(b, nullptr), got = parse_json_number(b);
    ASSERT_LE(std::fabs(got - want), 3 * std::fabs(std::nextafter(want, INFINITY) - want)) << b;
  }
}
