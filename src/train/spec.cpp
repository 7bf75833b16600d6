#include "train/spec.h"

#include <string>

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

namespace {

// Messages are appended piece by piece through these out-of-line calls: chains of std::string
// operator+ expand inline at every throw and made this cold check ~4 KB of the trainer module.
struct Msg {
  std::string s;
  [[gnu::noinline]] Msg& operator<<(const char* t) {
    s += t;
    return *this;
  }
  [[gnu::noinline]] Msg& operator<<(long v) {
    s += std::to_string(v);
    return *this;
  }
};

[[noreturn, gnu::noinline]] void range_error(const Msg& m) { throw RangeError(m.s); }
[[noreturn, gnu::noinline]] void type_error(const Msg& m) { throw TypeError(m.s); }

}  // namespace

void check_spec(const std::vector<LayerSpec>& spec, Shape in) {
  if (spec.empty()) throw RangeError("the layer list is empty");
  if (spec.size() > std::size_t(kMaxLayers)) range_error(Msg() << "more than " << long(kMaxLayers) << " layers");
  if (spec.back().kind != LayerKind::Dense) throw TypeError("the last layer must be Dense (the class logits)");
  double h = in.h, w = in.w, c = in.c, params = 0, acts = 0;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    const LayerSpec& l = spec[i];
    auto at = [&](const char* what) { return Msg() << "layer " << long(i) << " " << what; };
    switch (l.kind) {
      case LayerKind::Conv2D:
        if (l.filters < 1 || l.filters > kMaxFilters)
          range_error(at("(Conv2D): ") << long(l.filters) << " filters, expected 1.." << long(kMaxFilters));
        if (l.kernel < 1 || l.kernel > kMaxKernel)
          range_error(at("(Conv2D): kernel ") << long(l.kernel) << ", expected 1.." << long(kMaxKernel));
        if (l.kernel > h || l.kernel > w)
          range_error(at("(Conv2D): kernel ") << long(l.kernel) << " is larger than its " << long(h) << "x" << long(w)
                                              << " input");
        params += double(l.kernel) * l.kernel * c * l.filters + (l.bias ? l.filters : 0);
        h -= l.kernel - 1, w -= l.kernel - 1, c = l.filters;
        break;
      case LayerKind::BatchNorm: params += 4 * c; break;
      case LayerKind::Relu: break;
      case LayerKind::MaxPool:
        if (h < 2 || w < 2) range_error(at("(MaxPool): input smaller than 2x2"));
        h = int(h) / 2, w = int(w) / 2;
        break;
      case LayerKind::GlobalAvgPool: h = w = 1; break;
      case LayerKind::Flatten: c *= h * w, h = w = 1; break;
      case LayerKind::Dense:
        if (l.units < 1 || l.units > kMaxUnits)
          range_error(at("(Dense): ") << long(l.units) << " units, expected 1.." << long(kMaxUnits));
        if (h != 1 || w != 1) type_error(at("(Dense): needs a flat input (add Flatten or GlobalAveragePool before it)"));
        params += c * l.units + l.units;
        c = l.units;
        break;
      default: type_error(at(": unknown layer kind"));
    }
    acts += h * w * c;
    if (params > kMaxParams) range_error(at(": more than 4 million parameters in total"));
    if (acts > kMaxActivationsPerImage) range_error(at(": more than 400,000 activations per image in total"));
  }
  if (c != 10) range_error(Msg() << "the last Dense layer has " << long(c) << " units; MNIST has 10 classes");
}

std::unique_ptr<Net> make_net(const std::vector<LayerSpec>& spec, Shape input) {
  check_spec(spec, input);
  auto net = std::make_unique<Net>(input);
  // Keras numbers layers per base name; each base name belongs to one kind (1..7, checked above),
  // so an array counts them (a std::map<std::string, int> was ~1 KB of tree code).
  int counts[8] = {};
  for (std::size_t i = 0; i < spec.size(); ++i) {
    const LayerSpec& l = spec[i];
    auto name = [&](const char* base) { return std::string(base) + "_" + std::to_string(++counts[int(l.kind) & 7]); };
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
