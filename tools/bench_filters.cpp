// Native benchmark of every filter kernel row (src/image/conv_rows.cpp) on a deterministic 1280x720 RGBA frame.
// Prints a table on stderr and JSON on stdout: [{op, variant, dispatched, median_ms, mpix_per_s}].
//   bench_filters [--all] [--reps N] [--custom7x7 w0,w1,...,w48]
// --all also times the scalar references (slow: they are the plain module's kernels).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "image/conv_registry.h"
#include "image/presets.h"

using namespace convolens;

namespace {

std::vector<std::uint8_t> frame(int w, int h) {  // xorshift32, seed 1: same bytes as js-tests' randomBytes
  std::vector<std::uint8_t> v(std::size_t(w) * h * 4);
  std::uint32_t s = 1;
  for (auto& b : v) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    b = std::uint8_t(s >> 24);
  }
  return v;
}

double median_ms(const ConvVariant& v, const ImageView& src, const MutableImageView& dst, const Plan& plan,
                 Scratch& scratch, int reps) {
  for (int i = 0; i < 2; ++i) apply_filter(src, dst, plan, scratch, &v);  // warm-up (and scratch allocation)
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    const auto a = std::chrono::steady_clock::now();
    apply_filter(src, dst, plan, scratch, &v);
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  bool all = false;
  int reps = 21;
  std::vector<float> custom = {0,  0,  -1, -1, -1, 0,  0,  0,  -1, -3, -3, -3, -1, 0,  -1, -3, 0,
                               7,  0,  -3, -1, -1, -3, 7,  24, 7,  -3, -1, -1, -3, 0,  7,  0,  -3,
                               -1, 0,  -1, -3, -3, -3, -1, 0,  0,  0,  -1, -1, -1, 0,  0};
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--all")) all = true;
    else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--custom7x7") && i + 1 < argc) {
      custom.clear();
      for (char* p = std::strtok(argv[++i], ","); p; p = std::strtok(nullptr, ",")) custom.push_back(std::strtof(p, nullptr));
    } else {
      std::fprintf(stderr, "usage: %s [--all] [--reps N] [--custom7x7 w0,...,w48]\n", argv[0]);
      return 2;
    }
  }
  const int W = 1280, H = 720;
  const auto src_px = frame(W, H);
  std::vector<std::uint8_t> dst_px(src_px.size());
  const ImageView src{src_px.data(), W, H, 4, W * 4};
  const MutableImageView dst{dst_px.data(), W, H, 4, W * 4};

  FilterSpec custom_spec;
  custom_spec.kernel = ConvKernel{7, 7, custom, 1, 128};
  const std::pair<const char*, FilterSpec> ops[] = {
      {"sharpen3x3", make_preset("sharpen")},
      {"gaussian5x5", make_preset("gaussian", {{"sigma", 1}, {"size", 5}})},
      {"box15x15", make_preset("box", {{"size", 15}})},
      {"sobel_magnitude", make_preset("sobel-magnitude")},
      {"custom7x7", custom_spec},
  };
  std::printf("[\n");
  bool first = true;
  std::fprintf(stderr, "%-16s %-34s %10s %10s\n", "op", "variant (* = dispatched)", "median ms", "Mpix/s");
  for (const auto& [op, spec] : ops) {
    const Plan plan = make_plan(spec);
    const ConvVariant& chosen = select_variant(plan);
    Scratch scratch;
    for (const ConvVariant& v : conv_variants()) {
      if (!v.eligible(plan) || (!v.twin && !all)) continue;
      const double ms = median_ms(v, src, dst, plan, scratch, v.twin ? reps : 3);
      const double mpix = W * H / 1e3 / ms;
      std::fprintf(stderr, "%-16s %-34s %10.3f %10.1f\n", op, (std::string(&v == &chosen ? "* " : "  ") + v.name).c_str(), ms, mpix);
      std::printf("%s  {\"op\": \"%s\", \"variant\": \"%s\", \"dispatched\": %s, \"median_ms\": %.4f, \"mpix_per_s\": %.2f}",
                  first ? "" : ",\n", op, v.name, &v == &chosen ? "true" : "false", ms, mpix);
      first = false;
    }
  }
  std::printf("\n]\n");
  return 0;
}
