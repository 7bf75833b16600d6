// CNN batches across threads without a threaded CNN module: a ParallelModel (the calling thread
// plus Workers, each with the single-thread SIMD CNN module) gives the single-thread outputs for
// every batch size around its threshold; small batches run in place; errors keep their type.
import { fileURLToPath } from 'node:url';
import { load } from '../web/lib/convolens.js';

const MODEL = fileURLToPath(new URL('../web/models/mnist/model.json', import.meta.url));
const input = (n, seed) => new Float32Array(n * 784).map((_, i) => ((i * 2654435761 + seed) % 1000) / 1000);
const same = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

let cl, single;
beforeAll(async () => {
  cl = await load({ threads: false });
  single = await cl.loadModel(MODEL);
});
afterAll(() => single.dispose());

test.each([2, 3])('%i threads: the single-thread outputs for batches 1..200 (Float32Array and arrays)', async (threads) => {
  const pm = await cl.loadParallelModel(MODEL, { threads, minBatch: 16 });
  try {
    expect([pm.threads, pm.minBatch, pm.inputShape, pm.outputShape]).toEqual([threads, 16, [28, 28, 1], [10]]);
    for (const n of [1, 2, 15, 16, 17, 64, 200]) {
      const x = input(n, n);
      expect([n, same(await pm.predict(x), single.predict(x))]).toEqual([n, true]);
    }
    const items = Array.from({ length: 33 }, (_, i) => input(1, i));
    expect(same(await pm.predict(items), single.predict(items))).toBe(true);
    const images = Array.from({ length: 20 }, (_, i) => ({ data: new Uint8ClampedArray(28 * 28 * 4).map((_, j) => (i * 31 + j * 7) & 255), width: 28, height: 28 }));
    expect(same(await pm.predict(images), single.predict(images))).toBe(true);
  } finally {
    pm.dispose();
  }
});

test('bad input is the single-thread error (the index in the whole batch); a disposed model refuses', async () => {
  const pm = await cl.loadParallelModel(MODEL, { threads: 2, minBatch: 4 });
  const items = Array.from({ length: 40 }, (_, i) => input(1, i));
  items[30] = new Float32Array(5);
  let want;
  try { single.predict(items); } catch (e) { want = e; }
  await expect(pm.predict(items)).rejects.toThrow(want);
  expect(want).toBeInstanceOf(RangeError);
  await expect(pm.predict(new Float32Array(784 * 10 + 3))).rejects.toThrow(RangeError);
  expect(same(await pm.predict(input(40, 1)), single.predict(input(40, 1)))).toBe(true);  // still usable
  pm.dispose();
  await expect(pm.predict(input(1, 1))).rejects.toThrow('ParallelModel was disposed');
  await expect(cl.loadParallelModel(MODEL, { threads: 0 })).rejects.toThrow(RangeError);
});
