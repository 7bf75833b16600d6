#include "image/filter.h"

#include <cstring>

namespace convolens {

void Filter::apply(const ImageView& src, const MutableImageView& dst) {
  Filter* self = this;
  if (!apply_pipeline_banded(src, dst, {&self, 1}, band_scratch_)) apply_filter(src, dst, plan_, scratch_, variant_);
}

void Pipeline::apply(const ImageView& src, const MutableImageView& dst) {
  validate_images(src, dst);
  const int w = src.width, h = src.height, C = src.channels;
  if (filters_.empty()) {
    for (int y = 0; y < h; ++y) std::memcpy(dst.row(y), src.row(y), std::size_t(w) * C);
    return;
  }
  if (apply_pipeline_banded(src, dst, filters_, band_scratch_)) return;
  const std::size_t bytes = std::size_t(w) * h * C;
  if (filters_.size() > 1) ping_.resize(bytes);
  if (filters_.size() > 2) pong_.resize(bytes);
  ImageView in = src;
  for (std::size_t i = 0; i < filters_.size(); ++i) {
    const bool last = i + 1 == filters_.size();
    Buffer& buf = i % 2 == 0 ? ping_ : pong_;
    const MutableImageView out = last ? dst : MutableImageView{buf.data(), w, h, C, std::ptrdiff_t(w) * C};
    filters_[i]->apply(in, out);
    in = out;
  }
}

}  // namespace convolens
