// Separable (rank-1) kernels as two 1-D passes: a horizontal pass per source row into a ring
// of kh rows, then a vertical pass per output row. Cost kw + kh per pixel instead of kw * kh.
//   f32:  h = sum_i kx[i] * p,  acc = sum_j ky[j] * h_j,  out = round(acc / scale + offset)
//   u16:  h = sum_i qx[i] * p,  hr = round_half_up(h / 2^shift),  v = sum_j qy[j] * hr_j,
//         out = round(v * factor + offset)                               (SeparableU16Form)
// Zero taps are skipped; sums run in index order, so scalar and SIMD agree bit for bit.
#include <array>
#include <utility>

#include "image/conv_registry.h"
#include "image/kernel_util.h"

namespace convolens {

// The scalar separable rows keep a ring of kh horizontal-pass rows: padded row py in slot py % kh
// (py counts from the band's first halo row, so the ring restarts with every band).
void separable_f32__scalar(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                           Scratch& scratch) {
  const int C = src.channels, n = src.width * C, kw = p.kw(), kh = p.kh();
  const kern::PaddedImage in(src, kw, kh, p.ax(), p.ay(), y0, y1, p.spec.border, p.spec.border_value, scratch.rows);
  const auto &kx = p.sep.kx, &ky = p.sep.ky;
  scratch.line.resize(std::size_t(n) * kh * sizeof(float));
  scratch.line2.resize(std::size_t(n) * sizeof(float));
  float* ring = scratch.line.as<float>();
  float* acc = scratch.line2.as<float>();
  auto horizontal = [&](int py) {  // h = sum_i kx[i] * p, in index order
    float* h = ring + std::size_t(py % kh) * n;
    const std::uint8_t* s = in.ptr(-p.ax(), y0 + py - p.ay());
    for (int k = 0; k < n; ++k) h[k] = 0.f;
    for (int i = 0; i < kw; ++i) {
      if (kx[i] == 0.f) continue;
      for (int k = 0; k < n; ++k) h[k] = h[k] + kx[i] * float(s[i * C + k]);
    }
  };
  for (int py = 0; py < kh - 1; ++py) horizontal(py);
  for (int y = y0; y < y1; ++y) {
    const int b = y - y0;  // the window's first padded row
    horizontal(b + kh - 1);
    for (int k = 0; k < n; ++k) acc[k] = 0.f;
    for (int j = 0; j < kh; ++j) {
      if (ky[j] == 0.f) continue;
      const float* h = ring + std::size_t((b + j) % kh) * n;
      for (int k = 0; k < n; ++k) acc[k] = acc[k] + ky[j] * h[k];
    }
    std::uint8_t* out = dst.row(y);
    for (int k = 0; k < n; ++k) out[k] = kern::finish_f32(acc[k], p.inv_scale, p.spec.kernel.offset);
    kern::restore_alpha(src, dst, y);
  }
}

void separable_u16__scalar(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                           Scratch& scratch) {
  const int C = src.channels, n = src.width * C, kw = p.kw(), kh = p.kh();
  const kern::PaddedImage in(src, kw, kh, p.ax(), p.ay(), y0, y1, p.spec.border, p.spec.border_value, scratch.rows);
  const SeparableU16Form& f = p.sep16;
  scratch.line.resize(std::size_t(n) * kh * sizeof(int));
  scratch.line2.resize(std::size_t(n) * sizeof(int));
  int* ring = scratch.line.as<int>();
  int* v = scratch.line2.as<int>();
  auto horizontal = [&](int py) {  // hr = round_half_up(sum_i qx[i] * p / 2^shift)
    int* h = ring + std::size_t(py % kh) * n;
    const std::uint8_t* s = in.ptr(-p.ax(), y0 + py - p.ay());
    for (int k = 0; k < n; ++k) h[k] = 0;
    for (int i = 0; i < kw; ++i) {
      const int q = f.qx[i];
      for (int k = 0; k < n; ++k) h[k] += q * s[i * C + k];
    }
    if (f.shift)
      for (int k = 0; k < n; ++k) h[k] = (h[k] + (1 << (f.shift - 1))) >> f.shift;
  };
  for (int py = 0; py < kh - 1; ++py) horizontal(py);
  for (int y = y0; y < y1; ++y) {
    const int b = y - y0;  // the window's first padded row
    horizontal(b + kh - 1);
    for (int k = 0; k < n; ++k) v[k] = 0;
    for (int j = 0; j < kh; ++j) {
      const int q = f.qy[j];
      const int* h = ring + std::size_t((b + j) % kh) * n;
      for (int k = 0; k < n; ++k) v[k] += q * h[k];
    }
    std::uint8_t* out = dst.row(y);
    for (int k = 0; k < n; ++k) {
      if (f.final_shift >= 0) {
        const int s = f.final_shift;
        const int r = s ? (v[k] + (1 << (s - 1))) >> s : v[k];
        out[k] = std::uint8_t(r > 255 ? 255 : r);
      } else {
        out[k] = kern::finish_f32(float(v[k]), f.factor, p.spec.kernel.offset);
      }
    }
    kern::restore_alpha(src, dst, y);
  }
}

namespace {

// Ring of horizontal-pass rows of element type T, keyed by virtual source row.
template <class T>
struct PassRing {
  T* data;
  std::size_t len;
  int slots;
  int tags[kMaxKernelSize + 2];
  PassRing(int n, int slots_, Buffer& storage) : len((n + 15) / 16 * 16 + 16), slots(slots_) {
    storage.resize(len * slots * sizeof(T));
    data = storage.as<T>();
    for (int s = 0; s < slots; ++s) tags[s] = INT32_MIN;
  }
  // Returns the row and whether the caller must compute it.
  T* slot(int v, bool& fresh) {
    const int s = floor_mod(v, slots);
    fresh = tags[s] != v;
    tags[s] = v;
    return data + s * len;
  }
};

}  // namespace

__attribute__((noinline)) void separable_f32__wasmsimd(const ImageView& src, const MutableImageView& dst, int y0,
                                                       int y1, const Plan& p, Scratch& scratch) {
  const int C = src.channels, n = src.width * C, kw = p.kw(), kh = p.kh();
  PaddedRows rows(src, kw, kh, p.spec.border, p.spec.border_value, scratch.rows);
  PassRing<float> ring(n, kh + 1, scratch.rows_f32);
  const int plen = (rows.padded_bytes() + 15) / 16 * 16 + 16;
  scratch.line.resize(std::size_t(plen) * sizeof(float));
  float* pf = scratch.line.as<float>();
  const auto &kx = p.sep.kx, &ky = p.sep.ky;
  const v128_t vscale = wasm_f32x4_splat(p.inv_scale), voff = wasm_f32x4_splat(p.spec.kernel.offset);
  const float* hrow[kMaxKernelSize];
  for (int y = y0; y < y1; ++y) {
    for (int j = 0; j < kh; ++j) {
      bool fresh;
      float* h = ring.slot(y + j - p.ay(), fresh);
      hrow[j] = h;
      if (!fresh) continue;  // every row is computed: a row skipped for ky[j] == 0 may be needed at another j
      const std::uint8_t* u = rows.row(y + j - p.ay());
      for (int b = 0; b + 16 <= plen; b += 16) {
        v128_t q[4];
        kern::u8x16_to_f32(wasm_v128_load(u + b), q);
        for (int i = 0; i < 4; ++i) wasm_v128_store(pf + b + 4 * i, q[i]);
      }
      for (int b = 0; b < n; b += 4) {
        v128_t acc = wasm_f32x4_splat(0.f);
        for (int i = 0; i < kw; ++i)
          if (kx[i] != 0.f) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_splat(kx[i]), wasm_v128_load(pf + b + i * C)));
        wasm_v128_store(h + b, acc);
      }
    }
    const std::uint8_t* centre = rows.row(y) + p.ax() * C;
    std::uint8_t* out = dst.row(y);
    for (int b = 0; b < n; b += 16) {
      v128_t acc[4] = {wasm_f32x4_splat(0.f), wasm_f32x4_splat(0.f), wasm_f32x4_splat(0.f), wasm_f32x4_splat(0.f)};
      for (int j = 0; j < kh; ++j) {
        if (ky[j] == 0.f) continue;
        const v128_t wv = wasm_f32x4_splat(ky[j]);
        for (int i = 0; i < 4; ++i) acc[i] = wasm_f32x4_add(acc[i], wasm_f32x4_mul(wv, wasm_v128_load(hrow[j] + b + 4 * i)));
      }
      v128_t px = kern::finish_f32(acc, vscale, voff);
      if (C == 4) px = kern::keep_alpha(px, wasm_v128_load(centre + b));
      kern::store16(out + b, px, n - b);
    }
  }
}

namespace {

// Symmetric taps (q[i] == q[n-1-i], every Gaussian): add the mirrored pair first, multiply once.
// Exact integers, so the result equals the tap-by-tap sum bit for bit.
struct SymTaps {
  int n = 0, pairs = 0;  // pairs: mirrored pairs with q != 0; centre tap if n is odd
  int a[kMaxKernelSize], b[kMaxKernelSize];
  v128_t q[kMaxKernelSize], centre_q;
  bool has_centre = false;
  explicit SymTaps(const std::vector<int>& w) : n(int(w.size())) {
    for (int i = 0; i < n / 2; ++i)
      if (w[i] != 0) {
        a[pairs] = i;
        b[pairs] = n - 1 - i;
        q[pairs++] = wasm_i16x8_splat(std::int16_t(w[i]));
      }
    has_centre = n % 2 == 1 && w[n / 2] != 0;
    centre_q = wasm_i16x8_splat(std::int16_t(has_centre ? w[n / 2] : 0));
  }
};

// (v + 2^(k-1)) >> k for u16 lanes without overflow; k >= 1 at run time.
inline v128_t round_shift_u16(v128_t v, int k) { return wasm_u16x8_avgr(wasm_u16x8_shr(v, k - 1), wasm_i16x8_splat(0)); }

// Any integer separable kernel; shifts at run time (one instantiation: code size matters more
// here than for the Gaussian presets, which have rows of their own below).
__attribute__((noinline)) void sep_u16_kernel(const ImageView& src, const MutableImageView& dst, int y0, int y1,
                                              const Plan& p, Scratch& scratch) {
  const int S = p.sep16.shift, K = p.sep16.final_shift;
  const int C = src.channels, n = src.width * C, kw = p.kw(), kh = p.kh();
  const SeparableU16Form& f = p.sep16;
  PaddedRows rows(src, kw, kh, p.spec.border, p.spec.border_value, scratch.rows);
  PassRing<std::uint16_t> ring(n, kh + 1, scratch.rows_f32);
  const bool sym = f.symmetric;
  const SymTaps sx(f.qx), sy(f.qy);
  v128_t qx[kMaxKernelSize], qy[kMaxKernelSize];
  for (int i = 0; i < kw; ++i) qx[i] = wasm_i16x8_splat(std::int16_t(f.qx[i]));
  for (int j = 0; j < kh; ++j) qy[j] = wasm_i16x8_splat(std::int16_t(f.qy[j]));
  const v128_t vfactor = wasm_f32x4_splat(f.factor), voff = wasm_f32x4_splat(p.spec.kernel.offset);
  const std::uint16_t* hrow[kMaxKernelSize];
  for (int y = y0; y < y1; ++y) {
    for (int j = 0; j < kh; ++j) {
      bool fresh;
      std::uint16_t* h = ring.slot(y + j - p.ay(), fresh);
      hrow[j] = h;
      if (!fresh) continue;
      const std::uint8_t* u = rows.row(y + j - p.ay());
      for (int b = 0; b < n; b += 16) {
        v128_t lo = wasm_i16x8_splat(0), hi = lo;
        if (sym) {
          for (int t = 0; t < sx.pairs; ++t) {
            const v128_t va = wasm_v128_load(u + b + sx.a[t] * C), vb = wasm_v128_load(u + b + sx.b[t] * C);
            const v128_t sl = wasm_i16x8_add(wasm_u16x8_extend_low_u8x16(va), wasm_u16x8_extend_low_u8x16(vb));
            const v128_t sh = wasm_i16x8_add(wasm_u16x8_extend_high_u8x16(va), wasm_u16x8_extend_high_u8x16(vb));
            lo = wasm_i16x8_add(lo, wasm_i16x8_mul(sl, sx.q[t]));
            hi = wasm_i16x8_add(hi, wasm_i16x8_mul(sh, sx.q[t]));
          }
          if (sx.has_centre) {
            const v128_t v = wasm_v128_load(u + b + (kw / 2) * C);
            lo = wasm_i16x8_add(lo, wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(v), sx.centre_q));
            hi = wasm_i16x8_add(hi, wasm_i16x8_mul(wasm_u16x8_extend_high_u8x16(v), sx.centre_q));
          }
        } else {
          for (int i = 0; i < kw; ++i) {
            const v128_t v = wasm_v128_load(u + b + i * C);
            lo = wasm_i16x8_add(lo, wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(v), qx[i]));
            hi = wasm_i16x8_add(hi, wasm_i16x8_mul(wasm_u16x8_extend_high_u8x16(v), qx[i]));
          }
        }
        if (S > 0) {
          lo = round_shift_u16(lo, S);
          hi = round_shift_u16(hi, S);
        }
        wasm_v128_store(h + b, lo);
        wasm_v128_store(h + b + 8, hi);
      }
    }
    const std::uint8_t* centre = rows.row(y) + p.ax() * C;
    std::uint8_t* out = dst.row(y);
    for (int b = 0; b < n; b += 16) {
      v128_t lo = wasm_i16x8_splat(0), hi = lo;
      if (sym) {
        for (int t = 0; t < sy.pairs; ++t) {
          const std::uint16_t *ra = hrow[sy.a[t]] + b, *rb = hrow[sy.b[t]] + b;
          lo = wasm_i16x8_add(lo, wasm_i16x8_mul(wasm_i16x8_add(wasm_v128_load(ra), wasm_v128_load(rb)), sy.q[t]));
          hi = wasm_i16x8_add(hi, wasm_i16x8_mul(wasm_i16x8_add(wasm_v128_load(ra + 8), wasm_v128_load(rb + 8)), sy.q[t]));
        }
        if (sy.has_centre) {
          lo = wasm_i16x8_add(lo, wasm_i16x8_mul(wasm_v128_load(hrow[kh / 2] + b), sy.centre_q));
          hi = wasm_i16x8_add(hi, wasm_i16x8_mul(wasm_v128_load(hrow[kh / 2] + b + 8), sy.centre_q));
        }
      } else {
        for (int j = 0; j < kh; ++j) {
          lo = wasm_i16x8_add(lo, wasm_i16x8_mul(wasm_v128_load(hrow[j] + b), qy[j]));
          hi = wasm_i16x8_add(hi, wasm_i16x8_mul(wasm_v128_load(hrow[j] + b + 8), qy[j]));
        }
      }
      v128_t px;
      if (K >= 0) {
        if (K > 0) {
          lo = round_shift_u16(lo, K);
          hi = round_shift_u16(hi, K);
        }
        const v128_t max = wasm_i16x8_splat(255);
        px = wasm_u8x16_narrow_i16x8(wasm_u16x8_min(lo, max), wasm_u16x8_min(hi, max));
      } else {
        v128_t acc[4];
        kern::u16x8_to_f32(lo, acc[0], acc[1]);
        kern::u16x8_to_f32(hi, acc[2], acc[3]);
        px = kern::finish_f32(acc, vfactor, voff);
      }
      if (C == 4) px = kern::keep_alpha(px, wasm_v128_load(centre + b));
      kern::store16(out + b, px, n - b);
    }
  }
}

// Gaussian presets: N x N, symmetric taps summing to 256 on each axis (shift 8, final shift 8).
// Tap count a constant, so the weight vectors and row pointers live in registers rather than in
// stack arrays the compiler must reload after every byte store (char stores alias everything).
template <int N>
__attribute__((noinline)) void gauss_u16_kernel(const ImageView& src, const MutableImageView& dst, int y0, int y1,
                                                const Plan& p, Scratch& scratch) {
  constexpr int H = N / 2;  // pairs; plus the centre tap
  const int C = src.channels, n = src.width * C;
  const SeparableU16Form& f = p.sep16;
  PaddedRows rows(src, N, N, p.spec.border, p.spec.border_value, scratch.rows);
  PassRing<std::uint16_t> ring(n, N + 1, scratch.rows_f32);
  v128_t qx[H + 1], qy[H + 1];
  for (int i = 0; i <= H; ++i) {
    qx[i] = wasm_i16x8_splat(std::int16_t(f.qx[i]));
    qy[i] = wasm_i16x8_splat(std::int16_t(f.qy[i]));
  }
  const v128_t zero = wasm_i16x8_splat(0), max = wasm_i16x8_splat(255);
  for (int y = y0; y < y1; ++y) {
    const std::uint16_t* hrow[N];
    for (int j = 0; j < N; ++j) {
      bool fresh;
      std::uint16_t* h = ring.slot(y + j - H, fresh);
      hrow[j] = h;
      if (!fresh) continue;
      const std::uint8_t* u = rows.row(y + j - H);
      for (int b = 0; b < n; b += 16) {
        const v128_t c = wasm_v128_load(u + b + H * C);
        v128_t lo = wasm_i16x8_mul(wasm_u16x8_extend_low_u8x16(c), qx[H]);
        v128_t hi = wasm_i16x8_mul(wasm_u16x8_extend_high_u8x16(c), qx[H]);
        for (int t = 0; t < H; ++t) {
          const v128_t va = wasm_v128_load(u + b + t * C), vb = wasm_v128_load(u + b + (N - 1 - t) * C);
          lo = wasm_i16x8_add(lo, wasm_i16x8_mul(wasm_i16x8_add(wasm_u16x8_extend_low_u8x16(va), wasm_u16x8_extend_low_u8x16(vb)), qx[t]));
          hi = wasm_i16x8_add(hi, wasm_i16x8_mul(wasm_i16x8_add(wasm_u16x8_extend_high_u8x16(va), wasm_u16x8_extend_high_u8x16(vb)), qx[t]));
        }
        wasm_v128_store(h + b, wasm_u16x8_avgr(wasm_u16x8_shr(lo, 7), zero));
        wasm_v128_store(h + b + 8, wasm_u16x8_avgr(wasm_u16x8_shr(hi, 7), zero));
      }
    }
    const std::uint8_t* centre = rows.row(y) + p.ax() * C;
    std::uint8_t* out = dst.row(y);
    const std::uint16_t* r[N];
    for (int j = 0; j < N; ++j) r[j] = hrow[j];
    for (int b = 0; b < n; b += 16) {
      v128_t lo = wasm_i16x8_mul(wasm_v128_load(r[H] + b), qy[H]);
      v128_t hi = wasm_i16x8_mul(wasm_v128_load(r[H] + b + 8), qy[H]);
      for (int t = 0; t < H; ++t) {
        lo = wasm_i16x8_add(lo, wasm_i16x8_mul(wasm_i16x8_add(wasm_v128_load(r[t] + b), wasm_v128_load(r[N - 1 - t] + b)), qy[t]));
        hi = wasm_i16x8_add(hi, wasm_i16x8_mul(wasm_i16x8_add(wasm_v128_load(r[t] + b + 8), wasm_v128_load(r[N - 1 - t] + b + 8)), qy[t]));
      }
      lo = wasm_u16x8_min(wasm_u16x8_avgr(wasm_u16x8_shr(lo, 7), zero), max);
      hi = wasm_u16x8_min(wasm_u16x8_avgr(wasm_u16x8_shr(hi, 7), zero), max);
      v128_t px = wasm_u8x16_narrow_i16x8(lo, hi);
      if (C == 4) px = kern::keep_alpha(px, wasm_v128_load(centre + b));
      kern::store16(out + b, px, n - b);
    }
  }
}

}  // namespace

void separable_u16__wasmsimd(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                             Scratch& s) {
  sep_u16_kernel(src, dst, y0, y1, p, s);
}
void separable_u16__gauss3_wasmsimd(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                                    Scratch& s) {
  gauss_u16_kernel<3>(src, dst, y0, y1, p, s);
}
void separable_u16__gauss5_wasmsimd(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                                    Scratch& s) {
  gauss_u16_kernel<5>(src, dst, y0, y1, p, s);
}
void separable_u16__gauss7_wasmsimd(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                                    Scratch& s) {
  gauss_u16_kernel<7>(src, dst, y0, y1, p, s);
}

}  // namespace convolens
