// The trainer module through the public API: lazy loading, training on real MNIST digits,
// evaluate/save/model, gradients equal to TensorFlow.js's, the same weights as the native build
// for a seed, hostile specs, abort/pause, and memory over train/dispose cycles.
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { load, TRAIN_PRESETS } from '../web/lib/convolens.js';
import { createShared, setStop } from '../web/lib/train-parallel.js';
import { random } from '../tools/tfjs-peer.js';

tf.setBackend('cpu');
const WASM_DIR = fileURLToPath(new URL('../web/wasm/', import.meta.url));
// Same run as cpp-tests/train/session_test.cpp: preset tiny, seed 7, the first 256 training
// images, batch 32, 2 epochs, no augmentation, learning rate 0.01 (portable gemm natively).
const GOLDEN_HASH = '60609df9ee4a93ab';

let cl, mnist;
beforeAll(async () => {
  cl = await load();
  mnist = await cl.loadMnist({ train: 3000, test: 1000 });
}, 60000);

const subset = (d, n) => ({ images: d.images.subarray(0, n * 784), labels: d.labels.subarray(0, n) });

test('the trainer module is fetched on the first createTrainer only, through the same locateFile', async () => {
  const seen = [];
  const c = await load({ simd: false, locateFile: (f) => (seen.push(f), new URL(f, 'file://' + WASM_DIR).href) });
  const f = c.createFilter('sharpen');
  f.dispose();
  const model = await c.loadDigitClassifier();
  model.dispose();
  expect(seen.some((f) => f.includes('train'))).toBe(false);
  const t = await c.createTrainer('tiny');
  expect(seen.filter((f) => f.includes('train'))).toEqual(['convolens-train-plain.mjs', 'convolens-train-plain.wasm']);
  t.dispose();
});

test('loadMnist reads real digits: labels 0..9, ink on black, the counts asked for', () => {
  expect(mnist.train.count).toBe(3000);
  expect(mnist.test.images.length).toBe(1000 * 784);
  expect(Math.max(...mnist.train.labels)).toBe(9);
  expect(mnist.train.labels[0]).toBe(5);  // the first MNIST training digit is a 5
  const ink = mnist.train.images.subarray(0, 784).filter((v) => v > 128).length;
  expect(ink).toBeGreaterThan(50);
  expect(() => cl.loadMnist({ train: 70000 })).rejects.toThrow(RangeError);
});

test('fit learns: loss falls, progress is reported, test accuracy > 85% after one epoch on 3,000 images', async () => {
  const t = await cl.createTrainer('tiny');
  const reports = [];
  const last = await t.fit(mnist.train, { epochs: 1, batchSize: 32, learningRate: 0.01, onProgress: (p) => reports.push(p) });
  expect(last.done).toBe(true);
  expect(last.step).toBe(Math.ceil(3000 / 32));
  expect(reports.length).toBeGreaterThan(0);
  for (const k of ['step', 'epoch', 'loss', 'accuracy', 'imagesPerSecond', 'secondsLeft']) expect(Number.isFinite(last[k])).toBe(true);
  const r = t.evaluate(mnist.test);
  expect(r.accuracy).toBeGreaterThan(0.85);
  expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(1000);
  expect(r.wrong.length).toBe(Math.round(1000 * (1 - r.accuracy)));
  // The model on the CNN engine agrees with the trainer's own predictions.
  const m = await t.model();
  const probs = m.predict(Float32Array.from(mnist.test.images.subarray(0, 784 * 50), (v) => v / 255));
  for (let i = 0; i < 50; i++) {
    const p = probs.subarray(i * 10, i * 10 + 10);
    expect(p.indexOf(Math.max(...p))).toBe(r.predictions[i]);
  }
  m.dispose();
  t.dispose();
}, 120000);

test('save() gives artifacts that @tensorflow/tfjs and cl.loadModel load, with the same outputs', async () => {
  const t = await cl.createTrainer('mnist');
  await t.fit(subset(mnist.train, 256), { epochs: 1, batchSize: 64 });
  const art = t.save();
  const tfModel = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: art.modelTopology, weightSpecs: art.weightSpecs, weightData: art.weightData }));
  const ours = await cl.loadModel(art);
  const x = Float32Array.from(mnist.test.images.subarray(0, 784 * 8), (v) => v / 255);
  const theirs = tfModel.predict(tf.tensor4d(x, [8, 28, 28, 1])).dataSync();
  const mine = ours.predict(x);
  for (let i = 0; i < mine.length; i++) expect(Math.abs(mine[i] - theirs[i])).toBeLessThan(1e-4);
  // json + weightData are the downloadable files.
  const again = await cl.loadModel({ modelJson: art.json, weights: [art.weightData] });
  expect(again.predict(x.subarray(0, 784))[3]).toBeCloseTo(mine[3], 6);
  again.dispose();
  ours.dispose();
  tfModel.dispose();
  t.dispose();
}, 120000);

// Gradients of every layer equal TF.js's for the same weights and batch (relative to the
// largest gradient of each tensor: elementwise ratios of near-zero values mean nothing).
const GRAD_SPECS = {
  tiny: 'tiny',
  batchnorm: [{ type: 'conv2d', filters: 4, kernel: 3, bias: false }, { type: 'batchNorm' }, { type: 'relu' }, { type: 'maxPool' },
    { type: 'conv2d', filters: 6, kernel: 5 }, { type: 'relu' }, { type: 'globalAveragePool' }, { type: 'dense', units: 16 },
    { type: 'relu' }, { type: 'dense', units: 10 }],
};
for (const [name, spec] of Object.entries(GRAD_SPECS)) {
  test(`gradients equal tf.grads (${name})`, async () => {
    const t = await cl.createTrainer(spec);
    const art = t.save();
    // Random weights, including non-trivial BatchNorm parameters.
    const w = random(art.weightData.byteLength / 4, 11, -0.5, 0.5);
    let o = 0;
    for (const s of art.weightSpecs) {
      const size = s.shape.reduce((a, b) => a * b, 1);
      if (/gamma|moving_variance/.test(s.name)) for (let i = o; i < o + size; i++) w[i] = 1 + w[i];
      o += size;
    }
    t.setWeights(w);
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: art.modelTopology, weightSpecs: art.weightSpecs, weightData: w.buffer }));
    const n = 8;
    const x = Float32Array.from(mnist.train.images.subarray(0, n * 784), (v) => v / 255);
    const labels = mnist.train.labels.slice(0, n);
    const ours = t.gradients(x, labels);
    const xs = tf.tensor4d(x, [n, 28, 28, 1]), ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();
    const vars = model.trainableWeights.map((v) => v.read());
    const { value, grads } = tf.variableGrads(() => tf.metrics.categoricalCrossentropy(ys, model.apply(xs, { training: true })).mean(), vars);
    expect(ours.loss).toBeCloseTo(value.dataSync()[0], 4);
    expect(ours.grads.length).toBe(vars.length);
    vars.forEach((v, i) => {
      const g = grads[v.name].dataSync(), mine = ours.grads[i].data;
      expect(mine.length).toBe(g.length);
      let maxDiff = 0, maxAbs = 0;
      for (let j = 0; j < g.length; j++) {
        maxDiff = Math.max(maxDiff, Math.abs(mine[j] - g[j]));
        maxAbs = Math.max(maxAbs, Math.abs(g[j]));
      }
      expect([ours.grads[i].name, maxDiff / Math.max(maxAbs, 1e-12)]).toEqual([ours.grads[i].name, expect.any(Number)]);
      expect(maxDiff / Math.max(maxAbs, 1e-12)).toBeLessThanOrEqual(1e-4);
    });
    tf.dispose([xs, ys, value, ...Object.values(grads)]);
    model.dispose();
    t.dispose();
  }, 60000);
}

test('same seed, same weights bit for bit (and the same as the native build)', async () => {
  const run = async () => {
    const t = await cl.createTrainer({ layers: TRAIN_PRESETS.tiny, seed: 7 });
    await t.fit(subset(mnist.train, 256), { epochs: 2, batchSize: 32, learningRate: 0.01, seed: 7 });
    const h = t.weightsHash();
    t.dispose();
    return h;
  };
  const a = await run(), b = await run();
  expect(a).toBe(b);
  console.log(`weights hash ${a}`);
  expect(a).toBe(GOLDEN_HASH);
}, 60000);

// The data-parallel path of spawnTrainer({workers: 2}) with one part, in this thread (two parts
// need two workers: js-tests/browser/page-train.test.js): it learns like fit(), and a stop flag in
// the shared buffer ends it with an AbortError. Weights copied through save()/setWeights are the
// same bit for bit (the workers share weights that way).
test('fitPart learns like fit; the stop flag aborts it; setWeights(save()) copies the weights exactly', async () => {
  const t = await cl.createTrainer('tiny');
  const link = { part: 0, parts: 1, buffer: createShared(1, t.parameters) };
  let reports = 0;
  const last = t.fitPart(mnist.train, { epochs: 1, batchSize: 32, learningRate: 0.01, onProgress: () => reports++ }, link);
  expect(last.done).toBe(true);
  expect(last.step).toBe(Math.ceil(3000 / 32));
  for (const k of ['loss', 'accuracy', 'imagesPerSecond']) expect(Number.isFinite(last[k])).toBe(true);
  expect(reports).toBeGreaterThan(0);
  expect(t.evaluate(mnist.test).accuracy).toBeGreaterThan(0.85);
  const u = await cl.createTrainer({ layers: TRAIN_PRESETS.tiny, seed: 5 });
  u.setWeights(new Float32Array(t.save().weightData));
  expect(u.weightsHash()).toBe(t.weightsHash());
  const stopped = { ...link, buffer: createShared(1, t.parameters) };
  setStop(stopped.buffer);
  expect(() => t.fitPart(mnist.train, { epochs: 1 }, stopped)).toThrow(/abort/i);
  expect(() => t.fitPart(mnist.train, { epochs: 1 }, { ...link, buffer: createShared(2, t.parameters) })).toThrow(RangeError);
  t.dispose();
  u.dispose();
}, 60000);

test('a hostile spec is a clear error before anything is allocated; the module stays usable', async () => {
  const t0 = await cl.createTrainer('tiny');  // module loaded
  t0.dispose();
  const before = cl.memory();
  const cases = [
    [[{ type: 'conv2d', filters: 0, kernel: 3 }, { type: 'flatten' }, { type: 'dense', units: 10 }], RangeError, /0 filters/],
    [[{ type: 'conv2d', filters: 8, kernel: 99 }, { type: 'flatten' }, { type: 'dense', units: 10 }], RangeError, /kernel 99/],
    [[{ type: 'flatten' }, { type: 'dense', units: 1e9 }, { type: 'dense', units: 10 }], RangeError, /1073741824 units|units/],
    [[{ type: 'conv2d', filters: NaN, kernel: 3 }, { type: 'dense', units: 10 }], RangeError, /filters must be an integer/],
    [[{ type: 'conv2d', filters: 256, kernel: 3 }, { type: 'conv2d', filters: 256, kernel: 3 }, { type: 'flatten' }, { type: 'dense', units: 10 }], RangeError, /million parameters|activations/],
    [[{ type: 'flatten' }, { type: 'dense', units: 7 }], RangeError, /10 classes/],
    [[{ type: 'conv2d', filters: 8, kernel: 3 }, { type: 'dense', units: 10 }], TypeError, /flat input/],
    [[{ type: 'lstm' }], TypeError, /unknown type "lstm"/],
    ['resnet', TypeError, /unknown preset "resnet"/],
  ];
  for (const [spec, type, msg] of cases) {
    const p = cl.createTrainer(spec);
    await expect(p).rejects.toThrow(type);
    await expect(p).rejects.toThrow(msg);
  }
  const t = await cl.createTrainer('tiny');
  for (const lr of [NaN, -1, Infinity, 2]) await expect(t.fit(subset(mnist.train, 64), { learningRate: lr })).rejects.toThrow(/learningRate/);
  await expect(t.fit(subset(mnist.train, 64), { epochs: 0 })).rejects.toThrow(/epochs 0/);
  await expect(t.fit({ images: new Uint8Array(10), labels: new Uint8Array(1) })).rejects.toThrow(/784 per image/);
  await t.fit(subset(mnist.train, 64), { epochs: 1 });  // still usable
  t.dispose();
  const after = cl.memory();
  expect([after.liveBytes, after.liveBuffers, after.liveObjects]).toEqual([before.liveBytes, before.liveBuffers, before.liveObjects]);
});

test('abort stops fit with an AbortError; pause holds it until resume', async () => {
  const t = await cl.createTrainer('tiny');
  const ac = new AbortController();
  let reports = 0;
  const p = t.fit(mnist.train, { epochs: 5, batchSize: 16, chunkMs: 5, signal: ac.signal, onProgress: () => ++reports === 3 && ac.abort() });
  await expect(p).rejects.toThrow(/abort/i);
  expect(reports).toBe(3);
  let paused = 0, resumed = false;
  const q = t.fit(subset(mnist.train, 640), { epochs: 1, batchSize: 16, chunkMs: 5, onProgress: (r) => {
    if (++paused === 2) {
      t.pause();
      setTimeout(() => { resumed = true; t.resume(); }, 50);
    }
    if (paused > 2) expect(resumed).toBe(true);
  } });
  const last = await q;
  expect(last.done).toBe(true);
  t.dispose();
}, 60000);

test('five train/dispose cycles leave memory flat', async () => {
  const cycle = async () => {
    const t = await cl.createTrainer('convnetjs');
    await t.fit(subset(mnist.train, 128), { epochs: 1, batchSize: 32 });
    t.evaluate(subset(mnist.test, 100));
    const m = await t.model();
    m.dispose();
    t.dispose();
  };
  await cycle();
  const before = cl.memory();
  for (let i = 0; i < 5; i++) await cycle();
  const after = cl.memory();
  expect(after).toEqual(before);
}, 120000);
