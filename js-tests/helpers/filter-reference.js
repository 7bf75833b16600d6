// The filter definition of docs/filters.md computed in double precision, for any size, channel
// count, border, mode and gradient operator: what the property tests hold both binaries to.
//   spec: {width, height, weights, scale, offset, border, borderValue, mode, gradient?: 'L1'|'L2', weightsY?}
// Weights, scale and offset are taken as the float32 values the core stores.
import { roundHalfEven } from './reference.js';
// Math through a module constant: in Jest's vm context each global lookup is slow, ~25x in hot loops.
const M = Math;

const f32 = M.fround;

function borderIndex(border) {
  switch (border) {
    case 'constant': return () => -1;
    case 'replicate': return (i, n) => (i < 0 ? 0 : n - 1);
    case 'wrap': return (i, n) => ((i % n) + n) % n;
    case 'reflect101': return (i, n) => {
      if (n === 1) return 0;
      const p = 2 * (n - 1);
      const m = ((i % p) + p) % p;
      return m < n ? m : p - m;
    };
    default: throw new RangeError(`unknown border ${border}`);
  }
}

const luminance = (r, g, b) => (77 * r + 150 * g + 29 * b + 128) >> 8;

// Returns the exactly rounded output bytes.
export function filterReference(src, w, h, channels, spec) {
  const { width: kw, height: kh, border = 'replicate', borderValue = 0, mode = 'rgb', gradient = null } = spec;
  const wx = Array.from(spec.weights, f32);
  const wy = gradient ? Array.from(spec.weightsY, f32) : null;
  const scale = f32(spec.scale);
  const offset = f32(spec.offset ?? 0);
  const map = borderIndex(border);
  const ax = M.floor((kw - 1) / 2), ay = M.floor((kh - 1) / 2);
  const gray = channels === 4 && mode === 'gray';
  const planes = channels === 1 ? 1 : gray ? 1 : 3;
  // The planes convolved: the one channel, R G B, or the luminance.
  const plane = (c) => {
    const p = new Float64Array(w * h);
    for (let i = 0; i < w * h; i++)
      p[i] = channels === 1 ? src[i] : gray ? luminance(src[i * 4], src[i * 4 + 1], src[i * 4 + 2]) : src[i * 4 + c];
    return p;
  };
  const out = new Uint8ClampedArray(w * h * channels);
  for (let c = 0; c < planes; c++) {
    const p = plane(c);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let gx = 0, gy = 0;
        for (let j = 0; j < kh; j++) {
          let yy = y + j - ay;
          if (yy < 0 || yy >= h) yy = map(yy, h);
          for (let i = 0; i < kw; i++) {
            let xx = x + i - ax;
            if (xx < 0 || xx >= w) xx = map(xx, w);
            const v = yy < 0 || xx < 0 ? borderValue : p[yy * w + xx];
            gx += wx[j * kw + i] * v;
            if (wy) gy += wy[j * kw + i] * v;
          }
        }
        const acc = !gradient ? gx : gradient === 'L1' ? M.abs(gx) + M.abs(gy) : M.hypot(gx, gy);
        const v = M.min(255, M.max(0, roundHalfEven(acc / scale + offset)));
        const o = y * w + x;
        if (channels === 1) out[o] = v;
        else if (gray) out[o * 4] = out[o * 4 + 1] = out[o * 4 + 2] = v;
        else out[o * 4 + c] = v;
      }
  }
  if (channels === 4) for (let i = 0; i < w * h; i++) out[i * 4 + 3] = src[i * 4 + 3];
  return out;
}

// The largest |a - b| and where: the first index, so a failure names the pixel and channel.
export function largestDifference(a, b, channels, width) {
  let max = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = M.abs(a[i] - b[i]);
    if (d > max) { max = d; at = i; }
  }
  if (at < 0) return { max: 0 };
  const px = M.floor(at / channels);
  return { max, x: px % width, y: M.floor(px / width), channel: at % channels, got: a[at], want: b[at] };
}
