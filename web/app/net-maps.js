// Small drawing helpers shared by the CNN sections: one channel of an HWC activation as a grey
// image on a common scale, and a 3x3 (or any) kernel slice as a heat map.
import { weightColour } from './heatmap.js';

// Largest value over every channel of an activation (the shared scale of a layer's maps).
export function maxOf(data) {
  let hi = 0;
  for (let i = 0; i < data.length; i++) if (data[i] > hi) hi = data[i];
  return hi;
}

// Channel k of an h x w x c activation into a w x h canvas: black = 0, white = `hi` (shared by
// every map of the layer, so brighter means more, across maps).
export function drawMap(canvas, act, k, hi) {
  const [h, w, c] = act.shape;
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const img = new ImageData(w, h);
  const s = hi > 0 ? 255 / hi : 0;
  for (let p = 0; p < w * h; p++) {
    const v = Math.max(0, Math.min(255, act.data[p * c + k] * s));
    img.data[p * 4] = img.data[p * 4 + 1] = img.data[p * 4 + 2] = v;
    img.data[p * 4 + 3] = 255;
  }
  canvas.getContext('2d').putImageData(img, 0, 0);
}

// The kh x kw slice of an HWIO kernel for input channel i and output channel o, as a heat map
// (blue negative, red positive) scaled by maxAbs, `cell` CSS pixels per weight.
export function kernelSlice(w, i, o) {
  const [kh, kw, cin, cout] = w.shape;
  const out = new Float32Array(kh * kw);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[y * kw + x] = w.data[((y * kw + x) * cin + i) * cout + o];
  return { width: kw, height: kh, weights: out };
}

export function drawSlice(canvas, slice, maxAbs, cell = 10) {
  canvas.width = slice.width * cell;
  canvas.height = slice.height * cell;
  const ctx = canvas.getContext('2d');
  for (let y = 0; y < slice.height; y++) for (let x = 0; x < slice.width; x++) {
    ctx.fillStyle = weightColour(slice.weights[y * slice.width + x], maxAbs);
    ctx.fillRect(x * cell, y * cell, cell, cell);
  }
}

export function maxAbsOf(data) {
  let m = 1e-9;
  for (let i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i]));
  return m;
}

export const fmt = (n) => n.toLocaleString('en-US');
// Shape without the batch dimension, written "26 × 26 × 10".
export const shapeText = (s) => s.join(' × ');
export const el = (tag, props = {}, ...kids) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
};
