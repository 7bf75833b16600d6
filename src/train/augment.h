// Training-time distortions of 28x28 digits so the net also recognises digits drawn by people
// (which reach it through src/mnist/preprocess: re-centred, 20x20 box, but with other stroke
// widths, slants and proportions than MNIST's).
#pragma once
#include "train/rng.h"

namespace convolens::train {

struct AugmentOptions {
  float rotate_deg = 15.f;   // uniform in +-
  float scale = 0.15f;       // overall scale in 1 +- scale
  float aspect = 0.12f;      // x/y scale ratio in 1 +- aspect
  float shear = 0.2f;        // x shear in +-
  float shift = 2.0f;        // pixels in +-
  float p_thicken = 0.30f;   // grey dilation with a random strength
  float p_thin = 0.15f;      // partial grey erosion
};

// in and out: 28x28 floats in 0..1 (must not alias).
void augment_digit(const float* in, float* out, Rng& rng, const AugmentOptions& o);

// The pieces, exposed for tests.
void affine_digit(const float* in, float* out, const float m[4], float tx, float ty);  // out(p) = in(M^-1 (p - c - t) + c)
void thicken_digit(const float* in, float* out, float strength);
void thin_digit(const float* in, float* out, float strength);

}  // namespace convolens::train
