// The maths the pixel inspector shows: the taps a kernel sees around one pixel and how one
// output channel comes out of them, step by step.
import { borderIndex } from '../lib/pixels.js';

// The neighbourhood a kernel of kw x kh sees around (x, y), border resolved.
// Returns [{x, y, dx, dy, rgb: [r, g, b] }] in kernel order; x = y = -1 for constant-border taps.
export function neighbourhood(data, width, height, x, y, kw, kh, border, borderValue = 0) {
  const ax = (kw - 1) >> 1, ay = (kh - 1) >> 1;
  const taps = [];
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const sx = borderIndex(x + kx - ax, width, border);
      const sy = borderIndex(y + ky - ay, height, border);
      if (sx < 0 || sy < 0) {
        taps.push({ x: -1, y: -1, dx: kx - ax, dy: ky - ay, rgb: [borderValue, borderValue, borderValue] });
      } else {
        const o = (sy * width + sx) * 4;
        taps.push({ x: sx, y: sy, dx: kx - ax, dy: ky - ay, rgb: [data[o], data[o + 1], data[o + 2]] });
      }
    }
  }
  return taps;
}

// Round half to even (what the core does after scale and offset).
export function roundHalfEven(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// One output channel, computed the way the inspector explains it.
export function explainChannel(taps, c, kernel) {
  let sum = 0;
  for (let i = 0; i < taps.length; i++) sum += kernel.weights[i] * taps[i].rgb[c];
  const scaled = sum / kernel.scale + kernel.offset;
  const rounded = roundHalfEven(scaled);
  return { sum, scaled, rounded, value: Math.min(255, Math.max(0, rounded)) };
}
