// Errors the core throws; src/bindings turns them into JS RangeError / TypeError.
#pragma once
#include <stdexcept>
#include <string>

namespace convolens {

// A value outside its allowed range (sizes, kernel dimensions, non-finite weights).
struct RangeError : std::range_error {
  using std::range_error::range_error;
};
// A value of the wrong kind (malformed model file, unsupported layer or option).
struct TypeError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

}  // namespace convolens
