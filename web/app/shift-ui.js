// "Translation equivariance", live: the user's digit moved by whole pixels (buttons, arrow keys
// or dragging), the strongest feature map of each ReLU layer for the original and the moved
// digit side by side, and the prediction. A convolution slides the same kernel everywhere, so
// moving the input moves its maps (pooling halves the step); the global average pool forgets
// where, so the prediction stays.
import { drawMap, el, maxOf } from './net-maps.js';

const $ = (id) => document.getElementById(id);
const per = (s) => (s.length === 4 ? s.slice(1) : s);
const N = 28;

// input28 moved by (dx, dy) pixels, zeros shifted in.
export function shift28(input, dx, dy) {
  const out = new Float32Array(N * N);
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
    const sx = x - dx, sy = y - dy;
    if (sx >= 0 && sy >= 0 && sx < N && sy < N) out[y * N + x] = input[sy * N + sx];
  }
  return out;
}

// How far the ink may move before it leaves the 28 x 28 frame.
function room(input) {
  let x0 = N, y0 = N, x1 = -1, y1 = -1;
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) if (input[y * N + x] > 0) x0 = Math.min(x0, x), x1 = Math.max(x1, x), y0 = Math.min(y0, y), y1 = Math.max(y1, y);
  return x1 < 0 ? null : { left: -x0, right: N - 1 - x1, up: -y0, down: N - 1 - y1 };
}

export class ShiftView {
  #model = null;
  #input = null;
  #dx = 0;
  #dy = 0;

  constructor(hook) {
    this.hook = hook;
    for (const [id, d] of [['shift-left', [-2, 0]], ['shift-right', [2, 0]], ['shift-up', [0, -2]], ['shift-down', [0, 2]]])
      $(id).addEventListener('click', () => this.move(this.#dx + d[0], this.#dy + d[1]));
    $('shift-reset').addEventListener('click', () => this.move(0, 0));
    const cv = $('shift-input');
    cv.addEventListener('keydown', (e) => {
      const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
      if (!d) return;
      e.preventDefault();
      this.move(this.#dx + d[0], this.#dy + d[1]);
    });
    let drag = null;
    cv.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY, dx: this.#dx, dy: this.#dy, scale: cv.getBoundingClientRect().width / N };
      cv.setPointerCapture(e.pointerId);
    });
    cv.addEventListener('pointermove', (e) => {
      if (!drag) return;
      this.move(drag.dx + Math.round((e.clientX - drag.x) / drag.scale), drag.dy + Math.round((e.clientY - drag.y) / drag.scale));
    });
    const end = () => { drag = null; };
    cv.addEventListener('pointerup', end);
    cv.addEventListener('pointercancel', end);
  }

  update(model, input28) {
    this.#model = model;
    this.#input = input28;
    this.move(this.#dx, this.#dy);
  }

  // Moves the digit to (dx, dy) from where the preprocessing put it, kept inside the frame.
  move(dx, dy) {
    if (!this.#input || !this.#model) return;
    const r = room(this.#input);
    if (!r) return;
    this.#dx = dx = Math.max(r.left, Math.min(r.right, dx));
    this.#dy = dy = Math.max(r.up, Math.min(r.down, dy));
    const moved = shift28(this.#input, dx, dy);
    const img = new ImageData(N, N);
    for (let i = 0; i < N * N; i++) {
      img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = Math.round(Math.min(1, moved[i]) * 255);
      img.data[i * 4 + 3] = 255;
    }
    $('shift-input').getContext('2d').putImageData(img, 0, 0);
    const before = this.#model.activations(this.#input), after = this.#model.activations(moved);
    const rows = [];
    const layers = [];
    let step = 1, prevH = N;  // input pixels per map cell: pooling multiplies it, 'valid' convs do not
    before.forEach((a, i) => {
      const sh = per(a.shape);
      if (/Pool/.test(a.className) && sh.length === 3) step *= Math.round(prevH / sh[0]);
      prevH = sh[0];
      if (!/Activation|ReLU/.test(a.className) || sh.length !== 3) return;
      const A = { shape: per(a.shape), data: a.data }, B = { shape: per(after[i].shape), data: after[i].data };
      const [h, w, c] = A.shape;
      // The map that responds most to the original digit.
      let k = 0, best = -Infinity;
      for (let j = 0; j < c; j++) {
        let s = 0;
        for (let p = 0; p < h * w; p++) s += A.data[p * c + j];
        if (s > best) best = s, k = j;
      }
      const hi = Math.max(maxOf(A.data), maxOf(B.data));
      const c1 = el('canvas'), c2 = el('canvas');
      drawMap(c1, A, k, hi);
      drawMap(c2, B, k, hi);
      // Where the original's map equals the moved one's, cell for cell, the map moved with the digit.
      const mx = Math.round(dx / step), my = Math.round(dy / step);
      let diff = 0;
      if (mx * step === dx && my * step === dy)
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
          const sx = x - mx, sy = y - my;
          if (sx >= 0 && sy >= 0 && sx < w && sy < h) diff = Math.max(diff, Math.abs(B.data[(y * w + x) * c + k] - A.data[(sy * w + sx) * c + k]));
        }
      const exact = mx * step === dx && my * step === dy;
      layers.push({ name: a.name, map: k, size: [h, w], moved: exact ? [mx, my] : null, maxDifference: exact ? diff : null });
      c1.setAttribute('aria-label', `${a.name} map ${k + 1}, original digit`);
      c2.setAttribute('aria-label', `${a.name} map ${k + 1}, moved digit`);
      rows.push(el('figure', { className: 'shift-pair' }, el('div', { className: 'shift-maps' }, c1, c2),
        el('figcaption', { className: 'muted', textContent: `${a.name} map ${k + 1} (${w} × ${h})` + (exact ? ` · moved ${mx}, ${my} cells · ${diff < 1e-4 ? 'the same values, moved' : `differs by ≤ ${diff.toFixed(3)} at the edges`}` : ' · moved by a fraction of a cell: pooling blurs the step') })));
    });
    $('shift-maps').replaceChildren(...rows);
    const p0 = this.#model.predict(this.#input), p1 = this.#model.predict(moved);
    const top = (p) => p.indexOf(Math.max(...p));
    const d0 = top(Array.from(p0)), d1 = top(Array.from(p1));
    $('shift-status').textContent = `Moved (${dx}, ${dy}) px. It reads ${d1} · ${(p1[d1] * 100).toFixed(0)} % (in place: ${d0} · ${(p0[d0] * 100).toFixed(0)} %).`;
    this.hook.shift = { dx, dy, digit: d1, confidence: p1[d1], original: d0, layers };
  }
}
