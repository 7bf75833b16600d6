// A ready-to-run filter (plan + the variant dispatch chose + scratch memory) and a pipeline of
// filters with ping-pong buffers. Memory is allocated on the first frame of a size and reused.
#pragma once
#include <vector>

#include "image/conv_registry.h"
#include "image/filter_bands.h"

namespace convolens {

class Filter {
 public:
  explicit Filter(const FilterSpec& spec) { set_spec(spec); }
  // Re-plans (validation errors leave the filter unchanged).
  void set_spec(const FilterSpec& spec) {
    Plan p = make_plan(spec);
    variant_ = &select_variant(p);
    plan_ = std::move(p);
  }
  // Large frames run in bands of rows over the module's threads (image/filter_bands.h): a
  // pipeline of one stage.
  void apply(const ImageView& src, const MutableImageView& dst);
  const Plan& plan() const { return plan_; }
  const FilterSpec& spec() const { return plan_.spec; }
  const ConvVariant& variant() const { return *variant_; }
  // Tests: run this kernel row (carried, eligible for the plan) instead of dispatch's choice.
  void use_variant(const ConvVariant& row) { variant_ = &row; }

 private:
  Plan plan_;
  const ConvVariant* variant_ = nullptr;
  Scratch scratch_;
  std::vector<Scratch> band_scratch_;  // one per band when threads run
};

// Filters applied in sequence. Large frames on several threads run chained per band (each band
// all stages on its rows, image/filter_bands.h) where the stages allow it; otherwise stage by
// stage, intermediate frames alternating between two buffers, each stage banded.
class Pipeline {
 public:
  void add(Filter* f) { filters_.push_back(f); }  // not owned
  void clear() { filters_.clear(); }
  std::size_t size() const { return filters_.size(); }
  void apply(const ImageView& src, const MutableImageView& dst);

 private:
  std::vector<Filter*> filters_;
  Buffer ping_, pong_;
  std::vector<Scratch> band_scratch_;  // bands of chained frames
};

}  // namespace convolens
