#include "image/presets.h"

#include <cmath>
#include <functional>

#include "core/errors.h"
#include "core/number_text.h"

namespace convolens {

namespace {

ConvKernel kernel(int w, int h, std::vector<float> weights, float scale = 1, float offset = 0) {
  return {w, h, std::move(weights), scale, offset};
}
ConvKernel k3(std::vector<float> weights, float scale = 1, float offset = 0) {
  return kernel(3, 3, std::move(weights), scale, offset);
}
FilterSpec plain(ConvKernel k) {
  FilterSpec s;
  s.kernel = std::move(k);
  return s;
}
ConvKernel transpose(const ConvKernel& k) {
  ConvKernel t = k;
  std::swap(t.width, t.height);
  for (int j = 0; j < k.height; ++j)
    for (int i = 0; i < k.width; ++i) t.weights[i * k.height + j] = k.weights[j * k.width + i];
  return t;
}
FilterSpec magnitude(ConvKernel kx, Gradient g) {
  FilterSpec s;
  s.kernel_y = transpose(kx);
  s.kernel = std::move(kx);
  s.gradient = g;
  return s;
}

const ConvKernel kSobelX = k3({-1, 0, 1, -2, 0, 2, -1, 0, 1});
const ConvKernel kScharrX = k3({-3, 0, 3, -10, 0, 10, -3, 0, 3}, 4);
const ConvKernel kPrewittX = k3({-1, 0, 1, -1, 0, 1, -1, 0, 1});

ConvKernel offset128(ConvKernel k) {
  k.offset = 128;
  k.scale = 1;
  return k;
}

int int_param(const PresetParams& p, const char* name) { return int(std::lround(p.at(name))); }

ConvKernel gaussian_kernel(double sigma, int size) {
  const std::vector<int> q = gaussian_taps(sigma, size);
  ConvKernel k = kernel(size, size, std::vector<float>(std::size_t(size) * size), 65536);
  for (int j = 0; j < size; ++j)
    for (int i = 0; i < size; ++i) k.weights[j * size + i] = float(q[j] * q[i]);
  return k;
}

struct Entry {
  const char* name;
  const char* label;
  const char* description;
  const char* op;
  std::vector<PresetParam> params;
  FilterSpec (*build)(const PresetParams&);  // captureless lambdas: no std::function code per entry
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {
      {"identity", "Identity", "Copies the image: the centre weight is 1, every other weight 0.", "", {},
       [](auto&) { return plain(k3({0, 0, 0, 0, 1, 0, 0, 0, 0})); }},
      {"box", "Box blur", "Average of the size x size neighbourhood: every weight 1, divided by size^2. Runs as running sums, so its cost does not grow with size.", "",
       {{"size", 3, 1, kMaxKernelSize, 1}},
       [](const PresetParams& p) {
         const int n = int_param(p, "size");
         return plain(kernel(n, n, std::vector<float>(std::size_t(n) * n, 1.f), float(n * n)));
       }},
      {"gaussian", "Gaussian blur", "Weighted average that falls off like a bell curve of width sigma (size = 2*ceil(3 sigma)+1 unless given). Separable: one horizontal and one vertical pass.", "",
       {{"sigma", 1, 0.1, 10, 0.1}, {"size", 0, 0, kMaxKernelSize, 2}},
       [](const PresetParams& p) {
         const double sigma = p.at("sigma");
         int size = int_param(p, "size");
         if (size == 0) size = gaussian_size(sigma);
         if (size % 2 == 0) throw RangeError("gaussian size must be odd, got " + std::to_string(size));
         return plain(gaussian_kernel(sigma, size));
       }},
      {"sharpen", "Sharpen", "Adds the difference between a pixel and its four neighbours back to it, so edges get more contrast.", "", {},
       [](auto&) { return plain(k3({0, -1, 0, -1, 5, -1, 0, -1, 0})); }},
      {"unsharp", "Unsharp mask", "Image + amount * (image - Gaussian blur): sharpens by subtracting a blurred copy.", "",
       {{"amount", 1, 0, 10, 0.1}, {"sigma", 1, 0.1, 5, 0.1}},
       [](const PresetParams& p) {
         const double amount = p.at("amount");
         ConvKernel g = gaussian_kernel(p.at("sigma"), gaussian_size(p.at("sigma")));
         const int n = g.width;
         ConvKernel k = kernel(n, n, std::vector<float>(std::size_t(n) * n));
         for (int t = 0; t < n * n; ++t) k.weights[t] = float(-amount * g.weights[t] / g.scale);
         k.weights[(n / 2) * n + n / 2] += float(1 + amount);
         return plain(k);
       }},
      {"laplacian-4", "Laplacian (4-neighbour)", "Second derivative: 4 x centre minus the four neighbours. Flat areas give 128 (the offset), edges go brighter or darker.", "", {},
       [](auto&) { return plain(k3({0, -1, 0, -1, 4, -1, 0, -1, 0}, 1, 128)); }},
      {"laplacian-8", "Laplacian (8-neighbour)", "Second derivative using all eight neighbours; offset 128 shows negative values as dark.", "", {},
       [](auto&) { return plain(k3({-1, -1, -1, -1, 8, -1, -1, -1, -1}, 1, 128)); }},
      {"outline", "Outline", "8-neighbour edge detector without offset: flat areas go black, edges light up.", "", {},
       [](auto&) { return plain(k3({-1, -1, -1, -1, 8, -1, -1, -1, -1})); }},
      {"sobel-x", "Sobel x", "Horizontal derivative, smoothed vertically. 128 = no change; vertical edges show up.", "", {},
       [](auto&) { return plain(offset128(kSobelX)); }},
      {"sobel-y", "Sobel y", "Vertical derivative, smoothed horizontally. 128 = no change; horizontal edges show up.", "", {},
       [](auto&) { return plain(offset128(transpose(kSobelX))); }},
      {"sobel-magnitude", "Sobel edges", "Edge strength sqrt(gx^2 + gy^2) from the Sobel x and y kernels.", "sobel-magnitude", {},
       [](auto&) { return magnitude(kSobelX, Gradient::MagnitudeL2); }},
      {"sobel-magnitude-l1", "Sobel edges (L1)", "Edge strength |gx| + |gy|: cheaper than the L2 norm, a little stronger on diagonals.", "sobel-magnitude-l1", {},
       [](auto&) { return magnitude(kSobelX, Gradient::MagnitudeL1); }},
      {"scharr-x", "Scharr x", "Horizontal derivative with Scharr's rotation-invariant weights (3, 10, 3), divided by 4.", "", {},
       [](auto&) { ConvKernel k = offset128(kScharrX); k.scale = 4; return plain(k); }},
      {"scharr-y", "Scharr y", "Vertical derivative with Scharr's weights, divided by 4.", "", {},
       [](auto&) { ConvKernel k = offset128(transpose(kScharrX)); k.scale = 4; return plain(k); }},
      {"scharr-magnitude", "Scharr edges", "Edge strength from the Scharr kernels, divided by 4.", "scharr-magnitude", {},
       [](auto&) { return magnitude(kScharrX, Gradient::MagnitudeL2); }},
      {"prewitt-x", "Prewitt x", "Horizontal derivative with equal weights in each column.", "", {},
       [](auto&) { return plain(offset128(kPrewittX)); }},
      {"prewitt-y", "Prewitt y", "Vertical derivative with equal weights in each row.", "", {},
       [](auto&) { return plain(offset128(transpose(kPrewittX))); }},
      {"prewitt-magnitude", "Prewitt edges", "Edge strength sqrt(gx^2 + gy^2) from the Prewitt kernels.", "prewitt-magnitude", {},
       [](auto&) { return magnitude(kPrewittX, Gradient::MagnitudeL2); }},
      {"emboss", "Emboss", "Difference along the diagonal plus 128: the image looks pressed into metal.", "", {},
       [](auto&) { return plain(k3({-2, -1, 0, -1, 1, 1, 0, 1, 2}, 1, 128)); }},
      {"motion-blur", "Motion blur", "Average along the diagonal, like a camera moving while the shutter is open.", "",
       {{"size", 9, 1, kMaxKernelSize, 1}},
       [](const PresetParams& p) {
         const int n = int_param(p, "size");
         ConvKernel k = kernel(n, n, std::vector<float>(std::size_t(n) * n), float(n));
         for (int i = 0; i < n; ++i) k.weights[i * n + i] = 1;
         return plain(k);
       }},
  };
  return e;
}

}  // namespace

int gaussian_size(double sigma) {
  const int s = 2 * int(std::ceil(3 * sigma)) + 1;
  return s > kMaxKernelSize ? kMaxKernelSize : s;
}

std::vector<int> gaussian_taps(double sigma, int size) {
  std::vector<double> g(size);
  double sum = 0;
  for (int i = 0; i < size; ++i) sum += g[i] = std::exp(-0.5 * std::pow((i - size / 2) / sigma, 2));
  std::vector<int> q(size);
  int total = 0;
  for (int i = 0; i < size; ++i) total += q[i] = int(std::lround(256 * g[i] / sum));
  q[size / 2] += 256 - total;  // the centre absorbs the rounding so the taps sum to 256
  return q;
}

FilterSpec make_preset(const std::string& name, const PresetParams& given) {
  for (const Entry& e : entries()) {
    if (name != e.name) continue;
    PresetParams p;
    for (const PresetParam& d : e.params) p[d.name] = d.value;
    for (const auto& [key, value] : given) {
      const PresetParam* d = nullptr;
      for (const PresetParam& c : e.params)
        if (c.name == key) d = &c;
      if (!d) throw RangeError("preset \"" + name + "\" has no parameter \"" + key + "\"");
      // Whole-number parameters (sizes: step 1 or 2) are refused when fractional, not rounded.
      const bool whole = d->step >= 1;
      if (!std::isfinite(value) || value < d->min || value > d->max || (whole && value != std::floor(value)))
        throw RangeError("preset \"" + name + "\": " + key + " must be " + (whole ? "an integer " : "") +
                         format_number(d->min) + ".." + format_number(d->max) + ", got " + format_number(value));
      p[key] = value;
    }
    FilterSpec s = e.build(p);
    validate_spec(s);
    return s;
  }
  std::string all;
  for (const Entry& e : entries()) all += (all.empty() ? "" : ", ") + std::string(e.name);
  throw RangeError("unknown preset \"" + name + "\" (" + all + ")");
}

const std::vector<Preset>& preset_catalog() {
  static const std::vector<Preset> c = [] {
    std::vector<Preset> out;
    for (const Entry& e : entries()) out.push_back({e.name, e.label, e.description, e.op, e.params, make_preset(e.name)});
    return out;
  }();
  return c;
}

}  // namespace convolens
