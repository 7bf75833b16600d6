// CNN inference through the public module: a real peer (@tensorflow/tfjs, cpu backend) builds
// and saves models with random weights; convolens loads the saved artifacts and must give the
// same outputs. Plus every way to load, every input form, errors, and memory over 10,000 calls.
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { load } from '../web/lib/convolens.js';
import { random, artifactsOf as saveArtifacts, mnistTiny } from '../tools/tfjs-peer.js';
import { useTempDirs } from './helpers/temp-dirs.js';

tf.setBackend('cpu');
const artifactsOf = (model) => saveArtifacts(tf, model);
const tempDir = useTempDirs();

// BatchNormalization starts as the identity; give it real statistics so folding is exercised.
function randomizeBatchNorm(model, seed) {
  for (const layer of model.layers)
    if (layer.getClassName() === 'BatchNormalization')
      layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(random(w.size, seed + i, i === 3 ? 0.2 : -0.5, i === 3 ? 2 : 1.5), w.shape)));
}

const PEERS = {
  mnist: () => mnistTiny(tf),
  batchnorm: () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [13, 11, 3], filters: 13, kernelSize: 3, padding: 'same', useBias: false }));
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.activation({ activation: 'relu' }));
    m.add(tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'valid', activation: 'elu' }));
    m.add(tf.layers.batchNormalization());  // after a non-linear activation: not foldable, runs standalone
    m.add(tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dropout({ rate: 0.5 }));
    m.add(tf.layers.dense({ units: 7, activation: 'tanh' }));
    m.add(tf.layers.batchNormalization());
    return m;
  },
  depthwise: () => {
    const m = tf.sequential();
    m.add(tf.layers.zeroPadding2d({ inputShape: [15, 17, 4], padding: [[1, 2], [0, 1]] }));
    m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6' }));
    m.add(tf.layers.depthwiseConv2d({ kernelSize: [3, 2], depthMultiplier: 2, padding: 'valid', activation: 'sigmoid' }));
    m.add(tf.layers.conv2d({ filters: 32, kernelSize: 1, dilationRate: 1 }));
    m.add(tf.layers.leakyReLU({ alpha: 0.1 }));
    m.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same' }));
    m.add(tf.layers.globalAveragePooling2d({}));
    m.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
    return m;
  },
  functional: () => {  // a Functional (tf.model) chain: saved as class_name "Model" with inbound_nodes
    const input = tf.input({ shape: [9, 9, 5] });
    let x = tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(input);
    x = tf.layers.batchNormalization().apply(x);
    x = tf.layers.activation({ activation: 'relu' }).apply(x);
    x = tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(x);
    x = tf.layers.globalAveragePooling2d({}).apply(x);
    x = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(x);
    return tf.model({ inputs: input, outputs: x });
  },
};

function maxAbsDiff(a, b) {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe.each(['simd', 'plain'])('CNN in the %s module', (variant) => {
  let cl;
  beforeAll(async () => {
    cl = await load({ simd: variant === 'simd' });
  });

  test.each(Object.keys(PEERS))('%s model: same outputs as @tensorflow/tfjs (max abs diff <= 1e-4), batch 1 and 7', async (name) => {
    const peer = PEERS[name]();
    randomizeBatchNorm(peer, 100);
    const model = await cl.loadModel(await artifactsOf(peer));
    try {
      const shape = peer.inputs[0].shape.slice(1);
      const per = shape.reduce((a, b) => a * b, 1);
      for (const batch of [1, 7]) {
        const x = random(batch * per, 7 + batch);
        const want = tf.tidy(() => peer.predict(tf.tensor(x, [batch, ...shape])).dataSync());
        const got = model.predict(x);
        const d = maxAbsDiff(got, want);
        expect({ name, batch, ok: d <= 1e-4, d }).toEqual({ name, batch, ok: true, d });
      }
    } finally {
      model.dispose();
      peer.dispose();
    }
  });

  test('loads from {modelJson, weights: ArrayBuffer[]}, File[], a path and a file: URL', async () => {
    const peer = PEERS.mnist();
    const art = await artifactsOf(peer);
    const bytes = new Uint8Array(art.weightData);
    const modelJson = { modelTopology: art.modelTopology, weightsManifest: [{ paths: ['a.bin', 'b.bin'], weights: art.weightSpecs }] };
    const shards = [bytes.slice(0, 1000).buffer, bytes.slice(1000).buffer];
    const x = random(784, 3);
    const want = tf.tidy(() => peer.predict(tf.tensor(x, [1, 28, 28, 1])).dataSync());
    const dir = tempDir('convolens-nn-');
    writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
    writeFileSync(join(dir, 'a.bin'), new Uint8Array(shards[0]));
    writeFileSync(join(dir, 'b.bin'), new Uint8Array(shards[1]));
    const sources = [
      { modelJson, weights: shards },
      { modelJson: JSON.stringify(modelJson), weights: shards },
      [new File([JSON.stringify(modelJson)], 'model.json'), new File([shards[1]], 'b.bin'), new File([shards[0]], 'a.bin')],
      join(dir, 'model.json'),
      pathToFileURL(join(dir, 'model.json')).href,
    ];
    for (const [i, src] of sources.entries()) {
      const m = await cl.loadModel(src);
      expect([i, maxAbsDiff(m.predict(x), want) <= 1e-4]).toEqual([i, true]);
      m.dispose();
    }
    await expect(cl.loadModel(join(dir, 'missing.json'))).rejects.toThrow('cannot read model.json');
    await expect(cl.loadModel([new File([JSON.stringify(modelJson)], 'model.json')])).rejects.toThrow('weight file "a.bin"');
    peer.dispose();
  });

  test('summary, activations, weights, ImageData and batch inputs', async () => {
    const peer = PEERS.mnist();
    const art = await artifactsOf(peer);
    const model = await cl.loadModel(art);
    expect(model.inputShape).toEqual([28, 28, 1]);
    const s = model.summary();
    expect(s.map((l) => [l.className, l.outputShape, l.params])).toEqual([
      ['Conv2D', [28, 28, 8], 208], ['MaxPooling2D', [14, 14, 8], 0], ['Conv2D', [14, 14, 16], 3216],
      ['MaxPooling2D', [7, 7, 16], 0], ['Flatten', [784], 0], ['Dense', [10], 7850]]);
    expect(s.map((l) => l.name)).toEqual(peer.layers.map((l) => l.name));
    // ImageData -> grayscale in 0..1
    const rgba = new Uint8ClampedArray(28 * 28 * 4);
    const gray = new Float32Array(784);
    for (let p = 0; p < 784; p++) {
      rgba.set([(p * 7) % 256, (p * 13) % 256, (p * 29) % 256, 255], 4 * p);
      gray[p] = (0.299 * rgba[4 * p] + 0.587 * rgba[4 * p + 1] + 0.114 * rgba[4 * p + 2]) / 255;
    }
    const img = { data: rgba, width: 28, height: 28 };
    const fromImage = model.predict(img);
    expect(maxAbsDiff(fromImage, model.predict(gray))).toBeLessThan(1e-6);
    const batch = model.predict([img, gray, random(784, 5)]);
    expect(batch.length).toBe(30);
    expect(maxAbsDiff(batch.subarray(0, 10), fromImage)).toBe(0);
    expect(maxAbsDiff(model.predict(gray, { reference: true }), fromImage)).toBeLessThan(1e-6);
    // activations: every layer, last one equals predict
    const acts = model.activations(gray);
    expect(acts.map((a) => [a.name, a.shape, a.data.length])).toEqual(s.map((l) => [l.name, l.outputShape, l.outputShape.reduce((a, b) => a * b)]));
    expect(maxAbsDiff(acts[5].data, fromImage)).toBe(0);
    const want0 = tf.tidy(() => tf.model({ inputs: peer.inputs, outputs: peer.layers[0].output }).predict(tf.tensor(gray, [1, 28, 28, 1])).dataSync());
    expect(maxAbsDiff(acts[0].data, want0)).toBeLessThan(1e-5);
    // weights: first-layer kernels as in the file
    const w = model.weights(s[0].name);
    expect(w.shape).toEqual([5, 5, 1, 8]);
    expect(maxAbsDiff(w.data, peer.layers[0].getWeights()[0].dataSync())).toBe(0);
    expect(model.weights(s[1].name)).toBeNull();
    expect(() => model.weights('nope')).toThrow('no layer named "nope"');
    model.dispose();
    peer.dispose();
  });

  test('bad models and inputs give clear errors; the module keeps working', async () => {
    const peer = PEERS.mnist();
    const art = await artifactsOf(peer);
    const topo = JSON.parse(JSON.stringify(art.modelTopology));
    topo.config.layers[1].class_name = 'LSTM';
    await expect(cl.loadModel({ ...art, modelTopology: topo })).rejects.toThrow(TypeError);
    await expect(cl.loadModel({ ...art, modelTopology: topo })).rejects.toThrow(`layer '${topo.config.layers[1].config.name}' (LSTM): layer class 'LSTM' is not supported`);
    const topo2 = JSON.parse(JSON.stringify(art.modelTopology));
    topo2.config.layers[0].config.groups = 2;
    await expect(cl.loadModel({ ...art, modelTopology: topo2 })).rejects.toThrow("option 'groups' must be 1");
    await expect(cl.loadModel({ ...art, weightData: art.weightData.slice(0, 100) })).rejects.toThrow(RangeError);
    await expect(cl.loadModel({ ...art, weightData: art.weightData.slice(0, 100) })).rejects.toThrow('weight data truncated');
    await expect(cl.loadModel({ modelJson: '{"modelTopology":', weights: [] })).rejects.toThrow('model.json: unexpected end of input');
    await expect(cl.loadModel(42)).rejects.toThrow(TypeError);
    const model = await cl.loadModel(art);
    expect(() => model.predict(new Float32Array(783))).toThrow('input has 783 values, not a multiple of the 784');
    expect(() => model.predict({ data: new Uint8ClampedArray(16), width: 2, height: 2 })).toThrow('image 0 is 2x2, the model expects 28x28');
    expect(() => model.predict([new Float32Array(784), new Float32Array(3)])).toThrow('batch item 1 has 3 values');
    expect(() => model.predict('x')).toThrow(TypeError);
    expect(() => model.predict([])).toThrow('empty');
    expect(() => model.activations(new Float32Array(784 * 2))).toThrow('one image');
    expect(model.predict(random(784, 1)).length).toBe(10);
    model.dispose();
    expect(() => model.predict(random(784, 1))).toThrow('used after dispose');
    model.dispose();  // idempotent
    peer.dispose();
  });

  test('no per-call heap growth over 10,000 calls; memory returns to baseline after dispose', async () => {
    // A small net so 10,000 calls stay fast in the plain module too.
    const peer = tf.sequential();
    peer.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
    peer.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    peer.add(tf.layers.flatten());
    peer.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    const art = await artifactsOf(peer);
    const base = cl.memory();
    const model = await cl.loadModel(art);
    const x = random(64, 2), x4 = random(64 * 4, 3);
    model.predict(x4);
    model.activations(x);
    const during = cl.memory();
    for (let i = 0; i < 10000; i++) model.predict(i % 100 === 0 ? x4 : x);
    for (let i = 0; i < 50; i++) model.activations(x);
    expect(cl.memory()).toEqual(during);
    model.dispose();
    const after = cl.memory();
    expect([after.liveBytes, after.liveBuffers, after.liveObjects]).toEqual([base.liveBytes, base.liveBuffers, base.liveObjects]);
    peer.dispose();
  });
});

test('the shipped MNIST model (web/models/mnist) loads and classifies, if present', async () => {
  const path = new URL('../web/models/mnist/model.json', import.meta.url);
  if (!existsSync(path)) return;  // committed by the mnist work; nothing to check before that
  const cl = await load();
  const model = await cl.loadModel(path.href);
  const out = model.predict(new Float32Array(model.inputShape.reduce((a, b) => a * b, 1)));
  expect(out.length).toBe(model.outputShape.reduce((a, b) => a * b, 1));
  expect(out.every(Number.isFinite)).toBe(true);
  model.dispose();
});
