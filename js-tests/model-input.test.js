// What loadModel and predict accept, beyond the happy path: weights in a SharedArrayBuffer, a
// typed array whose length getter lies, a NUL in model.json, a manifest of 40,000 entries, the
// pixels option (image -> input conversion) and the output option (the results rule).
import { load } from '../web/lib/convolens.js';

// Dense 4 -> 3 (+ bias): predict([1,0,0,0]) = kernel row 0 + bias.
const KERNEL = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], BIAS = [0.5, -0.5, 0];
function dense(extraWeights = []) {
  return {
    modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [
      { class_name: 'Dense', config: { name: 'd', units: 3, batch_input_shape: [null, 4] } }] } },
    weightsManifest: [{ paths: ['w.bin'], weights: [
      { name: 'd/kernel', shape: [4, 3], dtype: 'float32' }, { name: 'd/bias', shape: [3], dtype: 'float32' }, ...extraWeights] }],
  };
}
const weightBytes = () => new Float32Array([...KERNEL, ...BIAS]).buffer;

let cl;
beforeAll(async () => {
  cl = await load();
});

test('weights in a SharedArrayBuffer are accepted, like pixels in one', async () => {
  const shared = new SharedArrayBuffer(60);
  new Uint8Array(shared).set(new Uint8Array(weightBytes()));
  for (const weights of [shared, [new Uint8Array(shared, 0, 24), new Uint8Array(shared, 24)], new Float32Array(shared)]) {
    const m = await cl.loadModel({ modelJson: dense(), weights });
    expect(Array.from(m.predict(new Float32Array([1, 0, 0, 0])))).toEqual([1.5, 1.5, 3]);
    m.dispose();
  }
  await expect(cl.loadModel({ modelJson: dense(), weights: 'nope' })).rejects.toThrow('weights must be an ArrayBuffer, a SharedArrayBuffer or a typed array');
});

test('a typed array whose length getter lies is read with its true length', async () => {
  class Liar extends Float32Array {
    get length() { return 4; }
  }
  class LiarBytes extends Uint8ClampedArray {
    get length() { return 16; }
  }
  const m = await cl.loadModel({ modelJson: dense(), weights: weightBytes() });
  const long = new Liar(8);  // really 2 images
  long.set([1, 0, 0, 0, 0, 1, 0, 0]);
  expect(Array.from(m.predict(long))).toEqual([1.5, 1.5, 3, 4.5, 4.5, 6]);
  expect(() => m.predict(new Liar(1))).toThrow('input has 1 values, not a multiple of the 4');
  expect(() => m.predict([new Liar(2)])).toThrow('batch item 0 has 2 values, expected 4');
  const out = new Liar(1);
  expect(() => m.predict(new Float32Array(4), { output: out })).toThrow('options.output has room for 1 values, the result has 3');
  m.dispose();
  // Pixels: a 2x2 image model reads the true data length too.
  const img = await cl.loadModel({ modelJson: {
    modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [
      { class_name: 'Flatten', config: { name: 'f', batch_input_shape: [null, 2, 2, 1] } }] } } }, weights: [] });
  expect(() => img.predict({ data: new LiarBytes(4), width: 2, height: 2 })).toThrow('image 0.data has 4 bytes, but a 2x2 RGBA image needs 16');
  img.dispose();
});

test('a NUL in model.json does not cut the error message', async () => {
  const j = dense();
  j.modelTopology.config.layers[0].class_name = 'De\u0000nse';
  await expect(cl.loadModel({ modelJson: j, weights: weightBytes() })).rejects.toThrow("layer 'd' (De\\u0000nse): layer class 'De\\u0000nse' is not supported");
  const extra = new Uint8Array(64);
  extra.set(new Uint8Array(weightBytes()));
  await expect(cl.loadModel({ modelJson: dense([{ name: 'x\u0000y', shape: [1], dtype: 'float32' }]), weights: extra })).rejects.toThrow(
    "weight 'x\\u0000y' in the manifest belongs to no layer of the model");
});

test('a manifest of 40,000 entries is refused (a limit, and a linear duplicate check)', async () => {
  const many = Array.from({ length: 40000 }, (_, i) => ({ name: `w${i}`, shape: [1], dtype: 'float32' }));
  const weights = new ArrayBuffer(60 + 4 * many.length);
  new Uint8Array(weights).set(new Uint8Array(weightBytes()));
  await expect(cl.loadModel({ modelJson: dense(many), weights })).rejects.toThrow('model.json: more than 4000 weights in the manifest');
  const base = cl.memory();
  const dup = [...Array.from({ length: 3997 }, (_, i) => ({ name: `w${i}`, shape: [1], dtype: 'float32' })), { name: 'w5', shape: [1], dtype: 'float32' }];
  await expect(cl.loadModel({ modelJson: dense(dup), weights: new ArrayBuffer(60 + 4 * dup.length) })).rejects.toThrow("weight 'w5': listed twice");
  expect(cl.memory().liveBytes).toBe(base.liveBytes);
});

test('pixels option: range and gray conversion; the default is luma / 255', async () => {
  const flat = { modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [
    { class_name: 'Flatten', config: { name: 'f', batch_input_shape: [null, 1, 2, 1] } }] } } };
  const rgb = { modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [
    { class_name: 'Flatten', config: { name: 'f', batch_input_shape: [null, 1, 1, 3] } }] } } };
  const img = { data: new Uint8ClampedArray([255, 0, 0, 255, 30, 60, 90, 255]), width: 2, height: 1 };
  const def = await cl.loadModel({ modelJson: flat, weights: [] });
  expect(def.pixels).toEqual({ range: [0, 1], gray: 'luma' });
  expect(Array.from(def.predict(img))).toEqual([Math.fround((0.299 * 255) / 255), Math.fround((0.299 * 30 + 0.587 * 60 + 0.114 * 90) / 255)]);
  const avg = await cl.loadModel({ modelJson: flat, weights: [] }, { pixels: { gray: 'average', range: [-1, 1] } });
  expect(Array.from(avg.predict(img))).toEqual([Math.fround(-1 + (2 * 85) / 255), Math.fround(-1 + (2 * 60) / 255)]);
  const color = await cl.loadModel({ modelJson: rgb, weights: [] }, { pixels: { range: [0, 255] } });
  expect(Array.from(color.predict({ data: new Uint8ClampedArray([1, 2, 3, 4]), width: 1, height: 1 }))).toEqual([1, 2, 3]);
  await expect(cl.loadModel({ modelJson: flat, weights: [] }, { pixels: { gray: 'green' } })).rejects.toThrow("options.pixels.gray must be 'luma' or 'average'");
  await expect(cl.loadModel({ modelJson: flat, weights: [] }, { pixels: { range: [0, NaN] } })).rejects.toThrow('options.pixels.range must be [min, max]');
  for (const m of [def, avg, color]) m.dispose();
});

test('results rule: predict returns a new array, or fills options.output', async () => {
  const m = await cl.loadModel({ modelJson: dense(), weights: weightBytes() });
  const a = m.predict(new Float32Array([1, 0, 0, 0]));
  const b = m.predict(new Float32Array([0, 1, 0, 0]));
  expect(a.buffer).not.toBe(b.buffer);
  expect(Array.from(a)).toEqual([1.5, 1.5, 3]);  // not overwritten by the next call
  const out = new Float32Array(7).fill(-9);
  expect(m.predict([new Float32Array([1, 0, 0, 0]), new Float32Array([0, 1, 0, 0])], { output: out })).toBe(out);
  expect(Array.from(out)).toEqual([1.5, 1.5, 3, 4.5, 4.5, 6, -9]);
  expect(() => m.predict(new Float32Array(4), { output: [] })).toThrow('options.output must be a Float32Array');
  m.dispose();
});
