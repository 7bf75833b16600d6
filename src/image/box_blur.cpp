// Box kernels (all weights equal) by running sums: cost per pixel independent of the size.
// Column sums over the kh window start at the band's first row and are updated by adding the
// entering row and subtracting the leaving one; each output row then slides a kw window along
// them. The sum S is an exact integer, so the finish (q15, i32 fixed point or f32; see BoxForm)
// is the only rounding and scalar == SIMD. RGBA rows in the q15 case (box_row_q15) fuse the
// column update into the slide, advance two pixels per u16x8 by one column difference per pixel,
// and read the source rows in place (the padded ring copies only the edges); the box presets
// (no offset) skip the saturating add of the finish.
#include "core/size_attrs.h"
#include "image/conv_registry.h"
#include "image/kernel_util.h"

namespace convolens {

namespace {
inline std::uint8_t fixed_finish(std::uint32_t s, const BoxForm& f) {
  const int v = (int(s) * f.mul + f.bias) >> 16;
  return std::uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
}
// The scalar spelling of i16x8.q15mulr_sat_s((S >> 1), m) + offset, then the u8 narrowing.
inline std::uint8_t q15_finish(std::uint32_t s, const BoxForm& f) {
  const int v = ((int(s >> 1) * f.q15_mul + 16384) >> 15) + f.q15_offset;
  return std::uint8_t(v < 0 ? 0 : v > 255 ? 255 : v);
}
inline std::uint8_t box_finish(std::uint32_t s, const BoxForm& f, float factor, float offset) {
  return f.q15 ? q15_finish(s, f) : f.fixed_point ? fixed_finish(s, f) : kern::finish_f32(float(s), factor, offset);
}
}  // namespace

void box_blur__running_sum_scalar(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                                  Scratch& scratch) {
  const int C = src.channels, w = src.width, kw = p.kw(), kh = p.kh(), ax = p.ax(), ay = p.ay();
  const kern::PaddedImage in(src, kw, kh, ax, ay, y0, y1, p.spec.border, p.spec.border_value, scratch.rows);
  const int pw = w + kw - 1;  // padded width: padded x = x + ax
  const int pn = pw * C;
  scratch.line.resize(std::size_t(pn) * sizeof(std::uint32_t));
  std::uint32_t* col = scratch.line.as<std::uint32_t>();
  const float factor = p.box.factor, offset = p.spec.kernel.offset;
  for (int y = y0; y < y1; ++y) {
    if (y == y0) {  // column sums over the band's first window
      for (int k = 0; k < pn; ++k) col[k] = 0;
      for (int j = 0; j < kh; ++j) {
        const std::uint8_t* r = in.ptr(-ax, y0 + j - ay);
        for (int k = 0; k < pn; ++k) col[k] += r[k];
      }
    } else {  // slide down one row
      const std::uint8_t* add = in.ptr(-ax, y + kh - 1 - ay);
      const std::uint8_t* sub = in.ptr(-ax, y - 1 - ay);
      for (int k = 0; k < pn; ++k) col[k] = col[k] + add[k] - sub[k];
    }
    std::uint8_t* out = dst.row(y);
    for (int c = 0; c < C; ++c) {
      if (C == 4 && c == 3) {
        for (int x = 0; x < w; ++x) out[x * 4 + 3] = src.row(y)[x * 4 + 3];
        continue;
      }
      std::uint32_t s = 0;
      for (int i = 0; i < kw; ++i) s += col[i * C + c];
      for (int x = 0; x < w; ++x) {
        out[x * C + c] = box_finish(s, p.box, factor, offset);
        if (x + 1 < w) s = s + col[(x + kw) * C + c] - col[x * C + c];
      }
    }
  }
}

namespace {

// The q15 finish on eight u16 sums (BoxForm): i16 results, saturated to u8 by the narrowing.
inline v128_t q15_finish8(v128_t sums, v128_t mul, v128_t offset) {
  return wasm_i16x8_add_sat(wasm_i16x8_q15mulr_sat(wasm_u16x8_shr(sums, 1), mul), offset);
}
// The same without the offset (every box preset): the saturating add skipped.
inline v128_t q15_finish8(v128_t sums, v128_t mul) { return wasm_i16x8_q15mulr_sat(wasm_u16x8_shr(sums, 1), mul); }

// Column sums of four RGBA pixels from p on: + entering row - leaving row, stored and returned.
// load8x8 widens as it loads (one instruction per half, where extend_high takes two in V8).
inline void col_update4(std::uint16_t* col, const std::uint8_t* add, const std::uint8_t* sub, int p, v128_t& lo,
                        v128_t& hi) {
  const std::uint8_t *a = add + p * 4, *s = sub + p * 4;
  lo = wasm_i16x8_add(wasm_v128_load(col + p * 4), wasm_i16x8_sub(wasm_u16x8_load8x8(a), wasm_u16x8_load8x8(s)));
  hi = wasm_i16x8_add(wasm_v128_load(col + p * 4 + 8),
                      wasm_i16x8_sub(wasm_u16x8_load8x8(a + 8), wasm_u16x8_load8x8(s + 8)));
  wasm_v128_store(col + p * 4, lo);
  wasm_v128_store(col + p * 4 + 8, hi);
}

// The rows of one RGBA q15 output row: the padded ring's copies (row) and the same padded
// pixels read in place (interior: valid for padded x in [ax, ax + w), see PaddedRows).
struct RowsQ15 {
  const std::uint8_t *add, *sub, *centre;  // centre: pixel x = 0
  const std::uint8_t *add_in, *sub_in, *centre_in;
};

// One RGBA output row with the q15 finish, the vertical update fused into the horizontal slide.
// Horizontal: two pixels per u16x8, T(x) = [S(x), S(x+1)] advances by two pixels as
// T(x+2) = T(x) + E(x) + E'(x) with E(x) = [e(x), e(x+1)], E'(x) = [e(x+1), e(x+2)] and
// e(x) = col(x + kw) - col(x): one difference per pixel, the E' pairs by a lane shift across two
// chunks; u16 wrap-around is harmless (every S fits).
// Vertical: the first kw column sums are updated up front; those entering the window (x + kw on)
// are updated in registers one chunk of four pixels ahead, stored for the next row and used right
// away, so col is not written in one pass and re-read in another. Pixels x < xm (a multiple of 8,
// see box_kernel) read their rows in place (interior) two steps a turn; the first kw + 4 padded
// pixels and everything from xm on come from the ring copies, whose last chunks run past the
// padded row into its slack (32 bytes) and that of col: defined memory, unused lanes.
// add == sub (a zero update) for a band's first row.
template <bool Offset>
__attribute__((noinline)) void box_row_q15(std::uint16_t* col, const RowsQ15& r, int w, int kw, int xm,
                                           const BoxForm& f, std::uint8_t* out) {
  const std::int16_t m = std::int16_t(f.q15_mul), o = std::int16_t(f.q15_offset);
  const v128_t vm = wasm_i16x8_make(m, m, m, 0, m, m, m, 0), voff = wasm_i16x8_make(o, o, o, 0, o, o, o, 0);
  const v128_t amask = wasm_i32x4_splat(static_cast<int>(0xFF000000u));
  const std::uint8_t *add = r.add, *sub = r.sub, *centre = r.centre;
  int k = 0;
  CONVOLENS_NO_UNROLL  // set-up loops: size, not speed
  for (; k + 8 <= kw * 4; k += 8)
    wasm_v128_store(col + k, wasm_i16x8_add(wasm_v128_load(col + k),
                                            wasm_i16x8_sub(wasm_u16x8_load8x8(add + k), wasm_u16x8_load8x8(sub + k))));
  if (k < kw * 4)  // odd kw: one pixel left
    for (int c = k; c < k + 4; ++c) col[c] = std::uint16_t(col[c] + add[c] - sub[c]);
  v128_t l0, l1;
  col_update4(col, add, sub, kw, l0, l1);
  v128_t t = wasm_i16x8_splat(0);
  CONVOLENS_NO_UNROLL
  for (int i = 0; i < kw; ++i) t = wasm_i16x8_add(t, wasm_v128_load(col + i * 4));  // T(0)
  v128_t e0 = wasm_i16x8_sub(l0, wasm_v128_load(col));  // E(0)
  // Four pixels from x on into dst; e0 = E(x) and l1 (the column sums of pixels x + kw + 2, x + kw + 3)
  // carry over to the next step.
  auto step = [&](int x, std::uint8_t* dst, const std::uint8_t* a, const std::uint8_t* s, const std::uint8_t* ctr) {
    v128_t n0, n1;
    col_update4(col, a, s, x + kw + 4, n0, n1);
    const std::uint16_t* c = col + x * 4;
    const v128_t e1 = wasm_i16x8_sub(l1, wasm_v128_load(c + 8)), e2 = wasm_i16x8_sub(n0, wasm_v128_load(c + 16));
    const v128_t r0 = Offset ? q15_finish8(t, vm, voff) : q15_finish8(t, vm);
    t = wasm_i16x8_add(t, wasm_i16x8_add(e0, wasm_i8x16_shuffle(e0, e1, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23)));
    const v128_t r1 = Offset ? q15_finish8(t, vm, voff) : q15_finish8(t, vm);
    t = wasm_i16x8_add(t, wasm_i16x8_add(e1, wasm_i8x16_shuffle(e1, e2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23)));
    // vm and voff are 0 in the alpha lanes, so the narrowed alpha bytes are 0: OR in the centre's.
    wasm_v128_store(dst, wasm_v128_or(wasm_u8x16_narrow_i16x8(r0, r1), wasm_v128_and(wasm_v128_load(ctr + x * 4), amask)));
    e0 = e2;
    l1 = n1;
  };
  // In locals: read through r, they would be reloaded after every store (a v128 store may alias them).
  const std::uint8_t *add_in = r.add_in, *sub_in = r.sub_in, *centre_in = r.centre_in;
  int x = 0;
  for (; x < xm; x += 8) {  // two steps a turn: half the loop's overhead (stack check, moves)
    step(x, out + x * 4, add_in, sub_in, centre_in);
    step(x + 4, out + x * 4 + 16, add_in, sub_in, centre_in);
  }
  alignas(16) std::uint8_t tail[16];  // the last, partial store goes here (no branch in the loop)
  CONVOLENS_NO_UNROLL
  for (; x < w; x += 4) step(x, x + 4 <= w ? out + x * 4 : tail, add, sub, centre);
  if (w % 4) std::memcpy(out + (w & ~3) * 4, tail, std::size_t(w % 4) * 4);
}

// One gray output row from the column sums (q15 finish): eight pixels per u16x8. The running
// totals inside a vector are S(x) plus the exclusive prefix sum of d over the lanes (three
// shift-and-add steps); the total then advances by all eight d.
void box_row_q15_gray(const std::uint16_t* col, int w, int kw, const BoxForm& f, std::uint8_t* out) {
  const v128_t zero = wasm_i16x8_splat(0), vm = wasm_i16x8_splat(std::int16_t(f.q15_mul)),
               voff = wasm_i16x8_splat(std::int16_t(f.q15_offset));
  std::uint32_t s0 = 0;
  for (int i = 0; i < kw; ++i) s0 += col[i];
  v128_t total = wasm_i16x8_splat(std::int16_t(s0));
  auto eight = [&](int x) {
    v128_t p = wasm_i16x8_sub(wasm_v128_load(col + x + kw), wasm_v128_load(col + x));
    p = wasm_i16x8_add(p, wasm_i8x16_shuffle(zero, p, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29));
    p = wasm_i16x8_add(p, wasm_i8x16_shuffle(zero, p, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27));
    p = wasm_i16x8_add(p, wasm_i8x16_shuffle(zero, p, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23));
    // p = inclusive prefix; shifted up one lane it is the exclusive one.
    const v128_t sums = wasm_i16x8_add(total, wasm_i8x16_shuffle(zero, p, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29));
    total = wasm_i16x8_add(total, wasm_i16x8_shuffle(p, p, 7, 7, 7, 7, 7, 7, 7, 7));
    return q15_finish8(sums, vm, voff);
  };
  int x = 0;
  for (; x + 16 <= w; x += 16) {
    const v128_t a = eight(x), b = eight(x + 8);
    wasm_v128_store(out + x, wasm_u8x16_narrow_i16x8(a, b));
  }
  if (x < w) {  // col has slack past the padded row: the extra lanes read defined memory, unused
    const v128_t a = eight(x), b = eight(x + 8);
    kern::store16(out + x, wasm_u8x16_narrow_i16x8(a, b), w - x);
  }
}

// Column sums over the band's first window (rows v0 .. v0 + kh - 1), col zeroed to its slack
// first. Chunks inside the source pixels [lo, hi) (bytes of the padded row) are read in place.
__attribute__((noinline)) void col_start(std::uint16_t* col, int clen, int pb, PaddedRows& rows, int v0, int kh,
                                         int lo, int hi) {
  for (int b = 0; b < clen; b += 8) wasm_v128_store(col + b, wasm_i16x8_splat(0));
  for (int j = 0; j < kh; ++j) {
    const std::uint8_t* r = rows.row(v0 + j);
    const std::uint8_t* in = rows.interior(v0 + j);
    for (int b = 0; b < pb; b += 16) {
      const v128_t v = wasm_v128_load((b >= lo && b + 16 <= hi ? in : r) + b);
      wasm_v128_store(col + b, wasm_i16x8_add(wasm_v128_load(col + b), wasm_u16x8_extend_low_u8x16(v)));
      wasm_v128_store(col + b + 8, wasm_i16x8_add(wasm_v128_load(col + b + 8), wasm_u16x8_extend_high_u8x16(v)));
    }
  }
}

// Column sums down one row: + entering row - leaving row (the paths that do not fuse it).
__attribute__((noinline)) void col_step(std::uint16_t* col, int pb, const std::uint8_t* add, const std::uint8_t* sub) {
  for (int b = 0; b < pb; b += 16) {
    const v128_t a = wasm_v128_load(add + b), s = wasm_v128_load(sub + b);
    const v128_t lo = wasm_i16x8_sub(wasm_u16x8_extend_low_u8x16(a), wasm_u16x8_extend_low_u8x16(s));
    const v128_t hi = wasm_i16x8_sub(wasm_u16x8_extend_high_u8x16(a), wasm_u16x8_extend_high_u8x16(s));
    wasm_v128_store(col + b, wasm_i16x8_add(wasm_v128_load(col + b), lo));
    wasm_v128_store(col + b + 8, wasm_i16x8_add(wasm_v128_load(col + b + 8), hi));
  }
}

__attribute__((noinline)) void box_kernel(const ImageView& src, const MutableImageView& dst, int y0, int y1,
                                          const Plan& p, Scratch& scratch) {
  const int C = src.channels, w = src.width, kw = p.kw(), kh = p.kh(), ay = p.ay();
  const bool fixed = p.box.fixed_point;  // one function for both finishes: the threaded module's size budget
  PaddedRows rows(src, kw, kh, p.spec.border, p.spec.border_value, scratch.rows);
  const int pb = rows.padded_bytes(), ax = p.ax();
  const bool q15_rgba = C == 4 && p.box.q15;
  // RGBA q15 rows read the source in place for x < xm: every chunk of the two steps a turn
  // (padded pixels x + kw + 4 .. x + kw + 11) inside the source pixels, the centre too; the ring
  // copies only what the rest reads (its first kw + 4 padded pixels, from x = xm on).
  const int lim = w + ax - kw - 4, xm = q15_rgba && lim >= 8 ? lim / 8 * 8 : 0;
  const auto q15_row = p.box.q15_offset ? box_row_q15<true> : box_row_q15<false>;
  if (q15_rgba) rows.copy_edges_only(kw + 4, ax + xm);
  const int clen = (pb + 15) / 16 * 16 + 48;  // slack: the RGBA q15 row runs up to 12 pixels past the padded row
  scratch.line.resize(std::size_t(clen) * sizeof(std::uint16_t));
  std::uint16_t* col = scratch.line.as<std::uint16_t>();  // kh * 255 <= 7905: u16 is exact
  const float factor = p.box.factor, offset = p.spec.kernel.offset;
  const v128_t vfactor = wasm_f32x4_splat(factor), voff = wasm_f32x4_splat(offset);
  const v128_t vmul = wasm_i32x4_splat(p.box.mul), vbias = wasm_i32x4_splat(p.box.bias);
  for (int y = y0; y < y1; ++y) {
    if (y == y0) {
      col_start(col, clen, pb, rows, y0 - ay, kh, ax * C, (ax + w) * C);
    } else if (q15_rgba) {
      const int va = y + kh - 1 - ay, vs = y - 1 - ay;
      const RowsQ15 r{rows.row(va), rows.row(vs), rows.row(y) + ax * 4, rows.interior(va), rows.interior(vs),
                      src.row(y)};
      q15_row(col, r, w, kw, xm, p.box, dst.row(y));
      continue;
    } else {
      const std::uint8_t* add = rows.row(y + kh - 1 - ay);
      col_step(col, pb, add, rows.row(y - 1 - ay));
    }
    std::uint8_t* out = dst.row(y);
    if (q15_rgba) {  // the band's first row: a zero update (add == sub)
      const int va = y0 + kh - 1 - ay;
      const std::uint8_t *a = rows.row(va), *a_in = rows.interior(va);
      q15_row(col, RowsQ15{a, a, rows.row(y) + ax * 4, a_in, a_in, src.row(y)}, w, kw, xm, p.box, out);
    } else if (C == 4) {
      // One pixel per i32x4 (R, G, B, A lanes); four pixels are packed per store.
      const std::uint8_t* centre = rows.row(y) + ax * 4;
      v128_t s = wasm_i32x4_splat(0);
      for (int i = 0; i < kw; ++i) s = wasm_i32x4_add(s, wasm_u32x4_load16x4(col + i * 4));
      // Four pixels per step, unrolled so the four results stay in registers.
      auto step = [&](int x) {
        v128_t q;
        if (fixed)  // the narrowing in pack_u8 saturates: the clamp
          q = wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_mul(s, vmul), vbias), 16);
        else
          q = kern::quantize4(wasm_f32x4_add(wasm_f32x4_mul(simd::u32_to_f32_small(s), vfactor), voff));
        // col has slack past the padded row, so the last update reads defined memory (unused).
        s = wasm_i32x4_sub(wasm_i32x4_add(s, wasm_u32x4_load16x4(col + (x + kw) * 4)), wasm_u32x4_load16x4(col + x * 4));
        return q;
      };
      int x = 0;
      for (; x + 4 <= w; x += 4) {
        const v128_t q0 = step(x), q1 = step(x + 1), q2 = step(x + 2), q3 = step(x + 3);
        wasm_v128_store(out + x * 4, kern::keep_alpha(kern::pack_u8(q0, q1, q2, q3), wasm_v128_load(centre + x * 4)));
      }
      if (x < w) {
        v128_t q[4] = {wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0)};
        for (int i = 0; x + i < w; ++i) q[i] = step(x + i);
        kern::store16(out + x * 4, kern::keep_alpha(kern::pack_u8(q[0], q[1], q[2], q[3]), wasm_v128_load(centre + x * 4)),
                      (w - x) * 4);
      }
    } else if (p.box.q15) {
      box_row_q15_gray(col, w, kw, p.box, out);
    } else {
      std::uint32_t s = 0;
      for (int i = 0; i < kw; ++i) s += col[i];
      for (int x = 0; x < w; ++x) {
        out[x] = fixed ? fixed_finish(s, p.box) : kern::finish_f32(float(s), factor, offset);
        s = s + col[x + kw] - col[x];
      }
    }
  }
}

}  // namespace

void box_blur__running_sum_wasmsimd(const ImageView& src, const MutableImageView& dst, int y0, int y1, const Plan& p,
                                    Scratch& s) {
  box_kernel(src, dst, y0, y1, p, s);
}

}  // namespace convolens
