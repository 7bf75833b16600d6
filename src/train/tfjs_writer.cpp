#include "train/tfjs_writer.h"

#include <fstream>

#include "core/errors.h"

namespace convolens::train {

TfjsFiles to_tfjs(Net& net, const std::string& shard_name, const std::string& generated_by) {
  TfjsFiles f;
  const Shape in = net.input_shape();
  std::string layers, specs;
  bool first = true;
  for (const auto& l : net.layers()) {
    if (!layers.empty()) layers += ",\n";
    std::string cfg = l->config_json();
    if (first)
      cfg += R"(,"batch_input_shape":[null,)" + std::to_string(in.h) + "," + std::to_string(in.w) + "," +
             std::to_string(in.c) + R"(],"dtype":"float32")";
    first = false;
    layers += R"(    {"class_name":")" + std::string(l->class_name()) + R"(","config":{)" + cfg + "}}";
    for (Param* p : l->params()) {
      if (!specs.empty()) specs += ",\n";
      std::string shape;
      for (int d : p->shape) {
        if (!shape.empty()) shape += ',';
        shape += std::to_string(d);
      }
      specs += R"(    {"name":")" + p->name + R"(","shape":[)" + shape + R"(],"dtype":"float32"})";
      f.weights.insert(f.weights.end(), p->value.begin(), p->value.end());
    }
  }
  f.model_json = "{\n\"format\":\"layers-model\",\n\"generatedBy\":\"" + generated_by +
                 "\",\n\"convertedBy\":null,\n"
                 R"("modelTopology":{"class_name":"Sequential","config":{"name":"sequential_1","layers":[)" "\n" +
                 layers + "\n" R"(]},"keras_version":"tfjs-layers 4.22.0","backend":"tensor_flow.js"},)" "\n" +
                 R"("weightsManifest":[{"paths":[")" + shard_name + R"("],"weights":[)" "\n" + specs + "\n]}]\n}\n";
  return f;
}

void write_tfjs(Net& net, const std::string& dir, const std::string& generated_by) {
  const TfjsFiles f = to_tfjs(net, "weights.bin", generated_by);
  std::ofstream j(dir + "/model.json", std::ios::binary);
  j << f.model_json;
  std::ofstream w(dir + "/weights.bin", std::ios::binary);
  // TF.js shards are little-endian float32, which is our in-memory layout on x86 and wasm.
  w.write(reinterpret_cast<const char*>(f.weights.data()), std::streamsize(f.weights.size() * sizeof(float)));
  if (!j || !w) throw RangeError("cannot write the model to " + dir);
}

}  // namespace convolens::train
