// Runs the drawing -> 28x28 preprocessing on a test canvas, with every output pixel set to a
// sentinel first so that a test sees any pixel the preprocessing failed to write.
#pragma once
#include <vector>

#include "mnist/preprocess.h"
#include "render_util.h"

namespace convolens::testing {

struct Preprocessed {
  mnist::DigitPreprocessInfo info;
  std::vector<float> out;
};

inline Preprocessed preprocess(const Canvas& c) {
  Preprocessed r;
  r.out.assign(784, -1.f);
  std::vector<float> scratch(mnist::preprocess_scratch_floats(c.w, c.h));
  r.info = mnist::preprocess_drawing(c.rgba.data(), c.w, c.h, c.w * 4, r.out.data(), scratch.data());
  return r;
}

}  // namespace convolens::testing
