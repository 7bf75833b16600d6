// The SIMD + threads CNN module (convolens-nn-simd-mt): an instance loaded with threads runs its
// models on it; batches split across threads and one image's conv layers split into row bands
// give the single-thread SIMD module's bytes for batches 1..200 and threads 1..8; errors keep
// their type; dispose() ends the CNN module's threads too.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from '../web/lib/convolens.js';
import { instantiate, stopThreads } from '../web/lib/load.js';
import { loadModel } from '../web/lib/model.js';

const MODEL = fileURLToPath(new URL('../web/models/mnist/model.json', import.meta.url));
const input = (n, seed) => new Float32Array(n * 784).map((_, i) => ((i * 2654435761 + seed) % 1000) / 1000);
const same = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
const osThreads = () => readdirSync('/proc/self/task').length;  // Node's worker_threads are OS threads
const settle = async (limit) => {  // terminated workers exit asynchronously: poll (bounded)
  for (let i = 0; i < 400 && osThreads() > limit; i++) await new Promise((r) => setTimeout(r, 25));
  return osThreads();
};

let single, singleModel;  // the single-thread SIMD CNN module and the MNIST model on it
let raw, rawModel;        // the threaded CNN module with 8 threads
beforeAll(async () => {
  single = await load({ simd: true, threads: false });
  singleModel = await single.loadModel(MODEL);
  raw = await instantiate('simd-mt', {}, 'nn', 8);
  rawModel = await loadModel(raw, MODEL);
});
afterAll(() => {
  singleModel.dispose();
  rawModel.dispose();
  stopThreads(raw);
});

// Batches 1..16 and sizes up to 200 (each image's output does not depend on its batch, so the
// reference is one 200-image prediction), at every thread count; first at the measured
// thresholds, then with every batch and every conv layer split (row bands even at batch 1).
test('threads 1..8, batches 1..200: the single-thread bytes, at the thresholds and split everywhere', () => {
  const x = input(200, 7), want = singleModel.predict(x);
  const sizes = [...Array.from({ length: 16 }, (_, i) => i + 1), 31, 64, 127, 200];
  for (const split of [-1, 0]) {
    raw.setSplitThresholds(split, split);
    for (let t = 1; t <= 8; t++) {
      raw.setThreads(t);
      for (const n of sizes) {
        const got = rawModel.predict(x.subarray(0, n * 784));
        expect([split, t, n, same(got, want.subarray(0, n * 10))]).toEqual([split, t, n, true]);
      }
    }
  }
  raw.setSplitThresholds(-1, -1);
  raw.setThreads(8);
});

test('activations() in row bands: every layer the single-thread bytes', () => {
  raw.setSplitThresholds(0, 0);
  try {
    const x = input(1, 3);
    const a = singleModel.activations(x), b = rawModel.activations(x);
    expect(b.length).toBe(a.length);
    for (let i = 0; i < a.length; i++) expect([a[i].name, same(b[i].data, a[i].data)]).toEqual([a[i].name, true]);
  } finally {
    raw.setSplitThresholds(-1, -1);
  }
});

test('load({threads}) runs models and the digit classifier on the threaded CNN module; errors keep their type', async () => {
  const before = osThreads();
  const cl = await load({ threads: 3 });
  const filterThreads = osThreads();
  const m = await cl.loadModel(MODEL);
  expect(osThreads() - filterThreads).toBe(2);  // the CNN module's own pool: threads - 1 workers
  const x = input(100, 5);
  expect(same(m.predict(x), singleModel.predict(x))).toBe(true);
  cl.setThreads(2);
  expect(same(m.predict(x), singleModel.predict(x))).toBe(true);
  let want;
  try { singleModel.predict(new Float32Array(784 * 3 + 1)); } catch (e) { want = e; }
  expect(want).toBeInstanceOf(RangeError);
  expect(() => m.predict(new Float32Array(784 * 3 + 1))).toThrow(want);
  expect(same(m.predict(x), singleModel.predict(x))).toBe(true);  // still usable
  const blank = { data: new Uint8ClampedArray(64 * 64 * 4).fill(255), width: 64, height: 64 };
  expect((await cl.classifyDrawing(blank)).empty).toBe(true);
  const pm = await cl.loadParallelModel(MODEL, { threads: 2, minBatch: 16 });  // still there (pages without isolation)
  expect(same(await pm.predict(x), singleModel.predict(x))).toBe(true);
  pm.dispose();
  await cl.releaseDigitClassifier();
  cl.dispose();
  expect(same(m.predict(x), singleModel.predict(x))).toBe(true);  // on one thread after dispose()
  m.dispose();
  expect(await settle(before)).toBeLessThanOrEqual(before);
});
