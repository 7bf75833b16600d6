// Writes a Net as a TF.js Layers model: model.json (Sequential topology with the keys and
// class names tfjs-layers itself writes) + one float32 weight shard, loadable by our engine
// (src/nn) and by @tensorflow/tfjs's loadLayersModel.
#pragma once
#include <string>
#include <vector>

#include "train/net.h"

namespace convolens::train {

struct TfjsFiles {
  std::string model_json;
  std::vector<float> weights;  // the shard, in weightsManifest order
};

// `shard_name` is the file name model.json refers to.
TfjsFiles to_tfjs(Net& net, const std::string& shard_name, const std::string& generated_by);
void write_tfjs(Net& net, const std::string& dir, const std::string& generated_by);  // dir/model.json + dir/weights.bin

}  // namespace convolens::train
