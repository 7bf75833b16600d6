// Independent JS implementations of convolens' pixel definitions, for checking the wasm output.
// Math through a module constant: in Jest's vm context each global lookup is slow, ~25x in hot loops.
const M = Math;
const f = M.fround;

// Round half to even, like f32x4.nearest and nearbyint.
export function roundHalfEven(v) {
  const r = M.round(v);
  return M.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// 3x3 RGBA, replicate border, f32 arithmetic in the documented order; alpha from the centre.
export function conv3x3Reference(src, width, height, kernel, scale = 1, offset = 0) {
  const out = new Uint8ClampedArray(src.length);
  const inv = f(1 / f(scale));
  const clampi = (v, n) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let ky = 0; ky < 3; ky++)
          for (let kx = 0; kx < 3; kx++) {
            const p = src[(clampi(y + ky - 1, height) * width + clampi(x + kx - 1, width)) * 4 + c];
            acc = f(acc + f(f(kernel[ky * 3 + kx]) * p));
          }
        const v = f(f(acc * inv) + f(offset));
        out[(y * width + x) * 4 + c] = M.min(255, M.max(0, roundHalfEven(v)));
      }
      out[(y * width + x) * 4 + 3] = src[(y * width + x) * 4 + 3];
    }
  return out;
}

// Deterministic pseudo-random bytes (xorshift32).
export function randomBytes(n, seed = 1) {
  const a = new Uint8ClampedArray(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    a[i] = s >>> 24;
  }
  return a;
}
