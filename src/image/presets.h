// Named filters with their kernels written out: what the page lists and createFilter(name) builds.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "image/filter_spec.h"

namespace convolens {

struct PresetParam {
  std::string name;  // "size", "sigma", "amount"
  double value;      // default
  double min, max, step;
};

struct Preset {
  std::string name;   // "gaussian"
  std::string label;  // "Gaussian blur"
  std::string description;
  std::string op;     // "" for plain kernels, "sobel-magnitude" etc. for gradient operators
  std::vector<PresetParam> params;
  FilterSpec spec;    // built with the default params
};

using PresetParams = std::map<std::string, double>;

// Every preset, built with default parameters, in display order.
const std::vector<Preset>& preset_catalog();
// Builds a preset; params override defaults. RangeError names an unknown preset, an unknown
// parameter or a value out of range.
FilterSpec make_preset(const std::string& name, const PresetParams& params = {});

// Gaussian taps for sigma, quantised to integers that sum to exactly 256 (8 fractional bits),
// so a Gaussian blur is an exact dyadic kernel the u16 separable path computes within 1.
std::vector<int> gaussian_taps(double sigma, int size);
int gaussian_size(double sigma);  // 2 * ceil(3 sigma) + 1, at most kMaxKernelSize

}  // namespace convolens
