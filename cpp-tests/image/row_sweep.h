// The sweep the per-row tests share: every filter case under every border mode and channel
// mode (gray with 1 channel, RGBA, RGBA in Mode::Gray) that one kernel row is eligible for.
#pragma once
#include <string>

#include "filter_cases.h"
#include "image/conv_registry.h"

namespace convolens::testing {

inline constexpr Border kBorders[] = {Border::Constant, Border::Replicate, Border::Reflect101, Border::Wrap};

struct RowCase {
  const FilterCase& filter;
  FilterSpec spec;  // the case's spec with this border and mode
  Plan plan;
  int channels;     // 1 or 4
  bool gray_mode;   // RGBA in Mode::Gray

  // "case, WxHxC[ gray mode], border B": where a failure happened.
  std::string where(int w, int h) const {
    return filter.name + ", " + std::to_string(w) + "x" + std::to_string(h) + "x" + std::to_string(channels) +
           (gray_mode ? " gray mode" : "") + ", border " + border_name(spec.border);
  }
};

template <class F>
void for_each_row_case(const ConvVariant& row, std::uint8_t border_value, F&& f) {
  for (const FilterCase& cs : filter_cases())
    for (Border border : kBorders)
      for (int mode = 0; mode < 3; ++mode) {
        FilterSpec spec = cs.spec;
        spec.border = border;
        spec.border_value = border_value;
        spec.mode = mode == 2 ? Mode::Gray : Mode::Rgb;
        const Plan plan = make_plan(spec);
        if (!row.eligible(plan)) continue;
        f(RowCase{cs, spec, plan, mode == 0 ? 1 : 4, mode == 2});
      }
}

}  // namespace convolens::testing
