// Selection and application of the filter kernel rows (the table: conv_rows.cpp).
#include "image/conv_registry.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/errors.h"
#include "image/gray.h"

namespace convolens {

std::span<const ConvVariant> conv_variants() { return carried_rows(conv_table()); }

const ConvVariant* find_variant(const char* name) {
  for (const ConvVariant& v : conv_variants())
    if (std::strcmp(v.name, name) == 0) return &v;
  return nullptr;
}

const ConvVariant& select_variant(const Plan& plan) {
  const ConvVariant* v = select_row(conv_table(), plan);
  if (!v || !v->carried()) throw RangeError("no convolution kernel accepts this filter");  // unreachable: the direct f32 rows take all
  return *v;
}

namespace {

// Mode::Gray on RGBA: the luminance of every source row the band's windows read (virtual rows
// [y0 - ay, y1 - ay + kh - 1) through the border), then the band on the luminance image, then
// gray to R, G and B with the source's alpha.
void gray_rows(const ConvVariant& v, const ImageView& src, const MutableImageView& dst, int y0, int y1,
               const Plan& plan, Scratch& scratch) {
  const int w = src.width, h = src.height;
  scratch.gray_in.resize(std::size_t(w) * h);
  scratch.gray_out.resize(std::size_t(w) * h);
  std::uint8_t* g = scratch.gray_in.data();
  const int top = y0 - plan.ay(), bottom = y1 - plan.ay() + plan.kh() - 1;
  const int lo = std::max(top, 0), hi = std::min(bottom, h);
  for (int y = lo; y < hi; ++y) rgba_to_luma(src.row(y), g + std::size_t(y) * w, w);
  for (int r = top; r < bottom; ++r) {  // halo rows outside the frame: the rows the border maps them to
    if (r >= 0 && r < h) continue;
    const int y = border_index(r, h, plan.spec.border);
    if (y >= 0 && (y < lo || y >= hi)) rgba_to_luma(src.row(y), g + std::size_t(y) * w, w);
  }
  const MutableImageView out{scratch.gray_out.data(), w, h, 1, w};
  v.run({g, w, h, 1, w}, out, y0, y1, plan, scratch);
  for (int y = y0; y < y1; ++y) luma_to_rgba(out.row(y), src.row(y), dst.row(y), w);
}

}  // namespace

void run_filter_rows(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& plan,
                     Scratch& scratch, const ConvVariant& v) {
  if (y0 == y1) return;
  if (plan.spec.mode == Mode::Rgb || src.channels == 1)
    v.run(src, dst, y0, y1, plan, scratch);
  else
    gray_rows(v, src, dst, y0, y1, plan, scratch);
}

void apply_filter_rows(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& plan,
                       Scratch& scratch, const ConvVariant* variant) {
  validate_images(src, dst);
  if (y0 < 0 || y1 > src.height || y0 > y1) throw RangeError("row band outside the frame (0 <= y0 <= y1 <= height)");
  const ConvVariant& v = variant ? *variant : select_variant(plan);
  if (!v.carried() || !v.eligible(plan)) throw RangeError(std::string(v.name) + " cannot compute this filter here");
  run_filter_rows(src, dst, y0, y1, plan, scratch, v);
}

void apply_filter(const ImageView& src, const MutableImageView& dst, const Plan& plan, Scratch& scratch,
                  const ConvVariant* variant) {
  apply_filter_rows(src, dst, 0, src.height, plan, scratch, variant);
}

}  // namespace convolens
