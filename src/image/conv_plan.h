// A filter, analysed once when it is created: which fast forms its kernel admits (integer,
// separable, box, gradient) and, for the integer forms, a proof that the result stays within
// 1 of the exact value. Per-frame work never re-analyses or allocates.
#pragma once
#include <cstdint>
#include <vector>

#include "core/buffer.h"
#include "image/filter_spec.h"

namespace convolens {

struct Tap {
  int row;  // 0..kh-1
  int col;  // 0..kw-1
  int q;    // integer weight
};

// Taps sorted by weight, cut into runs of equal weight: SIMD kernels add the pixels of a run
// first and multiply once (exact integers, so the order does not change the result).
struct TapGroups {
  std::vector<Tap> taps;
  std::vector<int> end;  // end[g]: one past the last tap of group g
};
TapGroups group_taps(const std::vector<Tap>& taps);

// acc = bias + sum q_t * p_t stays inside i16 for every input;
// out = clamp((acc + 2^(shift-1)) >> shift)  (round half up; shift 0: acc).
// error_bound: max |(acc >> shift, before flooring) - exact value| in output units; it is < 1,
// so the rounded result is within 1 of the exactly rounded one.
struct Int16Form {
  bool ok = false;
  int shift = 0;  // 0..7, the smallest that is exact enough (0 for integer kernels)
  int bias = 0;   // round(offset * 2^shift)
  std::vector<Tap> taps;  // non-zero taps, row-major
  TapGroups groups;
  double error_bound = 0;
};

// w[j][i] = ky[j] * kx[i] up to float rounding (rank 1); residual bounds the difference in output units.
struct SeparableForm {
  bool ok = false;
  std::vector<float> kx, ky;
  double residual = 0;
};

// Separable with non-negative integer factors small enough for u16 lanes:
//   h = sum qx * p  (exact, <= 65535), hr = (h + 2^(shift-1)) >> shift,
//   v = sum qy * hr (exact, <= 65535), out = round(v * factor + offset).
// The intermediate rounding adds at most half a unit of hr per tap; error_bound < 1 is checked.
struct SeparableU16Form {
  bool ok = false;
  std::vector<int> qx, qy;
  int shift = 0;  // 0..8
  float factor = 0;
  // factor == 2^-final_shift and offset == 0: out = min((v + 2^(k-1)) >> k, 255) in integers
  // (round half up) instead of the f32 finish. -1: f32 finish.
  int final_shift = -1;
  bool symmetric = false;  // qx and qy each read the same backwards (every Gaussian): mirrored taps pair up
  double error_bound = 0;
};

// All weights equal: out = round(S * factor + offset), S = the integer sum under the kernel.
// When it is exact enough, the finish is in 16.16 fixed point instead:
//   out = clamp((S * mul + bias) >> 16),  mul = round(factor * 2^16), bias = round(offset * 2^16) + 2^15
struct BoxForm {
  bool ok = false;
  float factor = 0;
  bool fixed_point = false;
  int mul = 0, bias = 0;
  double error_bound = 0;  // fixed point only
  // Narrow finish, all in u16 lanes: out = clamp(((S >> 1) * q15_mul + 2^14) >> 15) + q15_offset)
  // (the i16x8.q15mulr_sat_s instruction). Needs S <= 65535 (kw * kh <= 257), an integer offset
  // and q15_error_bound < 1; then the SIMD kernel works on 8 lanes where i32 finishing has 4.
  bool q15 = false;
  int q15_mul = 0, q15_offset = 0;
  double q15_error_bound = 0;
};

// 3x3 operators of the Sobel family: kx = [-v0 0 v0; -v1 0 v1; -v0 0 v0], ky its transpose
// (Sobel v = (1, 2), Scharr (3, 10), Prewitt (1, 1)): computable by differences, 8 loads
// instead of 12 taps.
struct Diff3Form {
  bool ok = false;
  int v0 = 0, v1 = 0;
};

// Gradient operators with integer kernels (|gx|, |gy| <= 32767 exactly in i16).
struct GradientForm {
  bool ok = false;
  std::vector<Tap> tx, ty;
  TapGroups gx, gy;
  Diff3Form diff3;
};

struct Plan {
  FilterSpec spec;
  float inv_scale = 1.f;
  std::vector<Tap> nonzero;  // direct f32 form: non-zero taps (q unused), row-major
  Int16Form i16;
  SeparableForm sep;
  SeparableU16Form sep16;
  BoxForm box;
  GradientForm grad;
  int kw() const { return spec.kernel.width; }
  int kh() const { return spec.kernel.height; }
  int ax() const { return (spec.kernel.width - 1) / 2; }
  int ay() const { return (spec.kernel.height - 1) / 2; }
  float w(int j, int i) const { return spec.kernel.weights[j * spec.kernel.width + i]; }
};

// Validates (RangeError naming the problem) and analyses.
Plan make_plan(const FilterSpec& spec);

// Per-filter working memory, sized on the first frame of a size and reused after that.
struct Scratch {
  Buffer rows;      // padded u8 source rows (ring)
  Buffer rows_f32;  // f32 rows (ring): padded source or horizontal pass
  Buffer line;      // one f32 or u16 working line
  Buffer line2;
  Buffer gray_in, gray_out;  // Mode::Gray on RGBA frames
  Buffer chain[2];           // a pipeline band's intermediate rows (image/filter_bands.h)
};

// Ring of border-padded copies of source rows, so kernels read taps without border tests.
// Virtual row v (any integer) is source row border_index(v); byte 0 of a padded row is pixel
// x = -ax. Slots: kh + 1, enough for a kernel window plus the row a running sum drops.
class PaddedRows {
 public:
  PaddedRows(const ImageView& src, int kw, int kh, Border border, std::uint8_t value, Buffer& storage);
  const std::uint8_t* row(int v);
  // The same padded pixels, valid for padded x in [ax, ax + w): the source row itself (no copy)
  // where v maps to one, else the constant row.
  const std::uint8_t* interior(int v);
  // From now on row(v) copies only padded pixels x < left and x >= right (with every border
  // pixel); a kernel reads the pixels between through interior(v).
  void copy_edges_only(int left, int right) { left_ = left, right_ = right; }
  int padded_bytes() const { return padded_bytes_; }

 private:
  void fill(std::uint8_t* dst, int v) const;
  ImageView src_;
  int kw_, ax_, slots_, left_ = 0, right_ = 0;
  Border border_;
  std::uint8_t value_;
  int padded_bytes_;
  std::ptrdiff_t stride_;
  std::uint8_t* data_;
  int tags_[kMaxKernelSize + 2];
};

inline int floor_mod(int a, int n) {
  const int m = a % n;
  return m < 0 ? m + n : m;
}

}  // namespace convolens
