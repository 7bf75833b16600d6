#include "train/spec.h"

#include <map>

#include "core/errors.h"

namespace convolens::train {

std::vector<LayerSpec> preset_spec(const std::string& name) {
  using K = LayerKind;
  if (name == "tiny")
    return {{K::Conv2D, 8, 3, true}, {K::Relu}, {K::MaxPool}, {K::Flatten}, {K::Dense, 0, 0, true, 10}};
  if (name == "convnetjs")  // conv 5x5x8, pool, conv 5x5x16, pool, softmax (valid padding here)
    return {{K::Conv2D, 8, 5, true}, {K::Relu},    {K::MaxPool}, {K::Conv2D, 16, 5, true},
            {K::Relu},               {K::MaxPool}, {K::Flatten}, {K::Dense, 0, 0, true, 10}};
  if (name == "mnist") {
    std::vector<LayerSpec> s;
    for (int i = 0; i < 5; ++i) {
      s.push_back({K::Conv2D, kMnistWidths[i], 3, false});
      s.push_back({K::BatchNorm});
      s.push_back({K::Relu});
      if (i == 1 || i == 3) s.push_back({K::MaxPool});
    }
    s.push_back({K::GlobalAvgPool});
    s.push_back({K::Dense, 0, 0, true, 10});
    return s;
  }
  throw TypeError("unknown preset \"" + name + "\" (presets: tiny, convnetjs, mnist)");
}

void check_spec(const std::vector<LayerSpec>& spec, Shape in) {
  if (spec.empty()) throw RangeError("the layer list is empty");
  if (spec.size() > std::size_t(kMaxLayers)) throw RangeError("more than " + std::to_string(kMaxLayers) + " layers");
  if (spec.back().kind != LayerKind::Dense) throw TypeError("the last layer must be Dense (the class logits)");
  double h = in.h, w = in.w, c = in.c, params = 0, acts = 0;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    const LayerSpec& l = spec[i];
    const std::string at = "layer " + std::to_string(i) + " ";
    switch (l.kind) {
      case LayerKind::Conv2D:
        if (l.filters < 1 || l.filters > kMaxFilters)
          throw RangeError(at + "(Conv2D): " + std::to_string(l.filters) + " filters, expected 1.." + std::to_string(kMaxFilters));
        if (l.kernel < 1 || l.kernel > kMaxKernel)
          throw RangeError(at + "(Conv2D): kernel " + std::to_string(l.kernel) + ", expected 1.." + std::to_string(kMaxKernel));
        if (l.kernel > h || l.kernel > w)
          throw RangeError(at + "(Conv2D): kernel " + std::to_string(l.kernel) + " is larger than its " +
                           std::to_string(int(h)) + "x" + std::to_string(int(w)) + " input");
        params += double(l.kernel) * l.kernel * c * l.filters + (l.bias ? l.filters : 0);
        h -= l.kernel - 1, w -= l.kernel - 1, c = l.filters;
        break;
      case LayerKind::BatchNorm: params += 4 * c; break;
      case LayerKind::Relu: break;
      case LayerKind::MaxPool:
        if (h < 2 || w < 2) throw RangeError(at + "(MaxPool): input smaller than 2x2");
        h = int(h) / 2, w = int(w) / 2;
        break;
      case LayerKind::GlobalAvgPool: h = w = 1; break;
      case LayerKind::Flatten: c *= h * w, h = w = 1; break;
      case LayerKind::Dense:
        if (l.units < 1 || l.units > kMaxUnits)
          throw RangeError(at + "(Dense): " + std::to_string(l.units) + " units, expected 1.." + std::to_string(kMaxUnits));
        if (h != 1 || w != 1) throw TypeError(at + "(Dense): needs a flat input (add Flatten or GlobalAveragePool before it)");
        params += c * l.units + l.units;
        c = l.units;
        break;
      default: throw TypeError(at + ": unknown layer kind");
    }
    acts += h * w * c;
    if (params > kMaxParams) throw RangeError(at + ": more than 4 million parameters in total");
    if (acts > kMaxActivationsPerImage) throw RangeError(at + ": more than 400,000 activations per image in total");
  }
  if (c != 10) throw RangeError("the last Dense layer has " + std::to_string(int(c)) + " units; MNIST has 10 classes");
}

std::unique_ptr<Net> make_net(const std::vector<LayerSpec>& spec, Shape input) {
  check_spec(spec, input);
  auto net = std::make_unique<Net>(input);
  std::map<std::string, int> counts;
  auto name = [&](const char* base) { return std::string(base) + "_" + std::to_string(++counts[base]); };
  for (std::size_t i = 0; i < spec.size(); ++i) {
    const LayerSpec& l = spec[i];
    switch (l.kind) {
      case LayerKind::Conv2D: net->add<Conv2D>(name("conv2d"), l.filters, l.kernel, l.bias); break;
      case LayerKind::BatchNorm: net->add<BatchNorm>(name("batch_normalization")); break;
      case LayerKind::Relu: net->add<Relu>(name("activation")); break;
      case LayerKind::MaxPool: net->add<MaxPool2>(name("max_pooling2d")); break;
      case LayerKind::GlobalAvgPool: net->add<GlobalAvgPool>(name("global_average_pooling2d")); break;
      case LayerKind::Flatten: net->add<Flatten>(name("flatten")); break;
      case LayerKind::Dense:
        net->add<Dense>(name("dense"), l.units, i + 1 == spec.size() ? "softmax" : "linear");
        break;
    }
  }
  net->build();
  return net;
}

}  // namespace convolens::train
