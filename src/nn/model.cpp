// Model: the public face of the engine (stub while the layers land).
#include "nn/model.h"

#include "core/errors.h"

namespace convolens::nn {

struct ModelImpl {
  std::vector<LayerInfo> infos;
};

Model::Model() : impl_(std::make_unique<ModelImpl>()) {}
Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

Model Model::from_tfjs(std::string_view, std::span<const std::uint8_t>) {
  throw TypeError("model loading is not implemented yet");
}
std::vector<int> Model::input_shape() const { return {}; }
int Model::input_size() const { return 0; }
int Model::output_size() const { return 0; }
std::vector<int> Model::output_shape() const { return {}; }
void Model::predict(const float*, int, float*) { throw TypeError("not implemented yet"); }
const std::vector<LayerInfo>& Model::layers() const { return impl_->infos; }
void Model::activations(const float*) { throw TypeError("not implemented yet"); }
const float* Model::activation(int) const { return nullptr; }
Model::Weights Model::weights(int) const { return {}; }
void Model::set_reference(bool) {}

}  // namespace convolens::nn
