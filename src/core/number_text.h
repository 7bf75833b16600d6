// Numbers <-> text without printf/strtod: in wasm those pull in ~20 KB of long-double code
// (fmt_fp, __divtf3, ...) for what is only error messages, preset labels and model.json numbers.
#pragma once
#include <string>
#include <string_view>

namespace convolens {

// Like printf("%g"): up to 6 significant digits, trailing zeros dropped, exponent form below
// 1e-4 and from 1e6; "NaN", "Infinity", "-Infinity" for the non-finite values (as JS prints them).
std::string format_number(double v);

// A JSON number (RFC 8259 grammar, already checked by the caller) to the nearest double:
// exact for up to 15 significant digits with a decimal exponent within +-22 (every number a
// TF.js model.json holds in practice), within 3 ulp otherwise. Out of range -> +-infinity.
double parse_json_number(std::string_view text);

}  // namespace convolens
