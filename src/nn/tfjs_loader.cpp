// Model::from_tfjs: reads a TF.js Layers model (model.json + weight bytes) into a layer chain.
// The jobs are split by file: tfjs_topology (layer order, input shape), tfjs_weights (manifest,
// decoding, lookup by name), tfjs_options (one layer's config), tfjs_layers (a builder per
// class name). Everything in the file is validated; errors name the layer (and option or
// weight) at fault.
#include "core/errors.h"
#include "core/json.h"
#include "nn/model_impl.h"
#include "nn/tfjs_layers.h"
#include "nn/tfjs_topology.h"

namespace convolens::nn {

namespace {

void pack(Layer& l, int rows) {
  l.packed_stride = packed_conv_stride(l.out.c);
  l.packed.resize(std::size_t(rows) * l.packed_stride * sizeof(float));
  pack_conv_kernel(l.kernel.as<float>(), rows, l.out.c, l.packed.as<float>());
}

}  // namespace

Model Model::from_tfjs(std::string_view model_json, std::span<const std::uint8_t> weight_bytes) {
  using namespace tfjs;
  const json::Value root = json::parse(model_json, "model.json");
  if (!root.is_object()) type_error("model.json: expected a JSON object");
  const json::Value* topo = root.find("modelTopology");
  if (!topo) type_error("model.json: missing \"modelTopology\" (is this a TF.js Layers model? graph models are not supported)");
  if (!topo->is_object()) type_error("model.json: \"modelTopology\" must be an object");
  const json::Value* manifest = root.find("weightsManifest");
  WeightTable weights(manifest ? read_weights(*manifest, weight_bytes) : std::vector<WeightEntry>{});
  if (!manifest && !weight_bytes.empty()) throw RangeError("weight data given but model.json has no weightsManifest");

  const auto raw = chain(*topo);
  Model model;
  ModelImpl& m = *model.impl_;
  // Reserved: a builder holds a reference to its layer and BatchNormalization reaches back to
  // the one before, so the vector must not reallocate while layers are added.
  m.layers.reserve(raw.size());
  bool have_input = false;
  Shape cur;

  for (std::size_t li = 0; li < raw.size(); ++li) {
    const RawLayer& r = raw[li];
    LayerOptions opt(*r.cfg, r.where);
    // The input shape comes from an InputLayer or the first layer's batch_input_shape.
    if (!have_input) {
      const json::Value* bis = opt.get("batch_input_shape");
      if (!bis) bis = opt.get("batch_shape");
      if (!bis) {
        if (r.cls == "InputLayer") type_error(r.where + ": missing batch_input_shape");
        type_error(r.where + ": the first layer must give the input shape (batch_input_shape)");
      }
      cur = tfjs::input_shape(*bis, r.where);
      m.input = cur;
      have_input = true;
    }
    if (r.cls == "InputLayer") {
      if (li != 0) type_error(r.where + ": InputLayer must come first");
      opt.finish();
      continue;
    }
    const LayerBuilder build = layer_builder(r.cls);
    if (!build)
      type_error(r.where + ": layer class '" + r.cls + "' is not supported");
    Layer& l = m.layers.emplace_back();
    l.info.name = r.name;
    l.info.class_name = r.cls;
    l.in = cur;
    LayerBuild b{opt, r.name, weights, m.layers, l};
    build(b);
    l.info.output_shape = l.out.dims();
    cur = l.out;
  }
  if (!have_input) type_error("model.json: the model has no layers");
  weights.check_all_used();
  // Pack after BatchNormalization folding changed the kernels.
  for (auto& l : m.layers) {
    if (l.op == Op::Conv2D) pack(l, l.g.kh * l.g.kw * l.g.in_c);
    if (l.op == Op::Dense) pack(l, l.in.c);
    m.infos.push_back(l.info);
  }
  m.finalize();
  return model;
}

}  // namespace convolens::nn
