// The loader files throw through these: one out-of-line copy of each throw (module size),
// defined in tfjs_options.cpp.
#pragma once
#include <string>

namespace convolens::nn::tfjs {

[[noreturn]] void type_error(const std::string& message);   // TypeError: malformed / unsupported
[[noreturn]] void range_error(const std::string& message);  // RangeError: sizes and values

}  // namespace convolens::nn::tfjs
