// Property test: random small Sequential models built with @tensorflow/tfjs from the supported
// layer set (random input shapes, kernel sizes, strides, paddings, activations, BatchNormalization,
// weights stored as float32, uint8/uint16-quantized or float16) give the same outputs in
// convolens (SIMD and plain) as in TF.js, within 1e-4 (relative to 1 + |value|).
// Seeded and bounded (fast-check), so a failure reproduces; the failing model is printed.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { load } from '../web/lib/convolens.js';
import { random, artifactsOf as saveArtifacts } from '../tools/tfjs-peer.js';
// Math through a module constant: in Jest's vm context each global lookup is slow, ~25x in hot loops.
const M = Math;

tf.setBackend('cpu');
const RUNS = Number(process.env.CONVOLENS_PROPERTY_RUNS || 20);
const SEED = Number(process.env.CONVOLENS_PROPERTY_SEED || 20261129);
const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'tanh', 'softmax'];

const window = fc.record({ k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), s: fc.integer({ min: 1, max: 2 }), same: fc.boolean() });
const layerArb = fc.oneof(
  fc.record({ type: fc.constant('conv2d'), win: window, filters: fc.integer({ min: 1, max: 6 }), act: fc.constantFrom(...ACTIVATIONS), bias: fc.boolean() }),
  fc.record({ type: fc.constant('depthwise'), win: window, mult: fc.integer({ min: 1, max: 2 }), act: fc.constantFrom(...ACTIVATIONS), bias: fc.boolean() }),
  fc.record({ type: fc.constant('batchnorm') }),
  fc.record({ type: fc.constantFrom('maxpool', 'avgpool'), win: window }),
  fc.record({ type: fc.constant('activation'), act: fc.constantFrom(...ACTIVATIONS) }),
  fc.record({ type: fc.constant('zeropad'), pad: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })) }),
);
const modelArb = fc.record({
  h: fc.integer({ min: 3, max: 9 }), w: fc.integer({ min: 3, max: 9 }), c: fc.integer({ min: 1, max: 4 }),
  layers: fc.array(layerArb, { minLength: 1, maxLength: 4 }),
  head: fc.constantFrom('none', 'flatten-dense', 'gap-dense'),
  headAct: fc.constantFrom(...ACTIVATIONS),
  quant: fc.array(fc.constantFrom('float32', 'uint8', 'uint16', 'float16'), { minLength: 24, maxLength: 24 }),
  seed: fc.integer({ min: 1, max: 1e6 }),
});

// Builds the tf model, keeping every window inside its input (a 'valid' window that does not
// fit becomes 'same'), so every generated model is one TF.js accepts.
function build(spec) {
  const m = tf.sequential();
  let [h, w, c] = [spec.h, spec.w, spec.c];
  const first = () => (m.layers.length ? {} : { inputShape: [spec.h, spec.w, spec.c] });
  const out = (n, k, s, same) => (same ? M.ceil(n / s) : M.floor((n - k) / s) + 1);
  for (const l of spec.layers) {
    if (l.win) {
      const [kh, kw] = l.win.k, s = l.win.s, same = l.win.same || kh > h || kw > w;
      const padding = same ? 'same' : 'valid';
      if (l.type === 'conv2d') {
        m.add(tf.layers.conv2d({ ...first(), filters: l.filters, kernelSize: [kh, kw], strides: s, padding, activation: l.act, useBias: l.bias }));
        c = l.filters;
      } else if (l.type === 'depthwise') {
        m.add(tf.layers.depthwiseConv2d({ ...first(), kernelSize: [kh, kw], depthMultiplier: l.mult, strides: s, padding, activation: l.act, useBias: l.bias }));
        c *= l.mult;
      } else {
        const make = l.type === 'maxpool' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d;
        m.add(make({ ...first(), poolSize: [kh, kw], strides: s, padding }));
      }
      [h, w] = [out(h, kh, s, same), out(w, kw, s, same)];
    } else if (l.type === 'batchnorm') {
      m.add(tf.layers.batchNormalization(first()));
    } else if (l.type === 'activation') {
      m.add(tf.layers.activation({ ...first(), activation: l.act }));
    } else {
      m.add(tf.layers.zeroPadding2d({ ...first(), padding: l.pad }));
      [h, w] = [h + 2 * l.pad[0], w + 2 * l.pad[1]];
    }
  }
  if (spec.head !== 'none') {
    m.add(spec.head === 'flatten-dense' ? tf.layers.flatten() : tf.layers.globalAveragePooling2d({}));
    m.add(tf.layers.dense({ units: 5, activation: spec.headAct }));
  }
  return m;
}

// IEEE half of x (round to nearest), and back.
function toHalf(x) {
  const s = x < 0 || Object.is(x, -0) ? 0x8000 : 0, a = M.abs(x);
  if (a < 2 ** -14) return s | M.round(a / 2 ** -24);
  let e = M.floor(M.log2(a)), m = M.round((a / 2 ** e - 1) * 1024);
  if (m === 1024) (e += 1), (m = 0);
  return s | ((e + 15) << 10) | m;
}
const fromHalf = (h) => {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  return s * (e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15));
};

// Stored bytes and the values the loader will decode from them, for one weight.
function quantize(values, how) {
  if (how === 'float32') return { bytes: new Uint8Array(values.buffer.slice(0)), deq: values };
  if (how === 'float16') {
    const q = Uint16Array.from(values, toHalf);
    return { bytes: new Uint8Array(q.buffer), deq: Float32Array.from(q, fromHalf), quantization: { dtype: 'float16' } };
  }
  const levels = how === 'uint8' ? 255 : 65535;
  let min = Infinity, max = -Infinity;
  for (const v of values) (min = M.min(min, v)), (max = M.max(max, v));
  const scale = max > min ? (max - min) / levels : 1;
  const q = (how === 'uint8' ? Uint8Array : Uint16Array).from(values, (v) => M.round((v - min) / scale));
  return { bytes: new Uint8Array(q.buffer), deq: Float32Array.from(q, (x) => x * scale + min), quantization: { dtype: how, scale, min } };
}

// Seeded weights (BatchNormalization variances positive), quantized as spec.quant says; the tf
// model gets the decoded values, so both engines compute with the same numbers.
async function artifacts(model, spec) {
  const ws = model.getWeights();
  const names = model.weights.map((w) => w.originalName ?? w.name);
  const parts = ws.map((w, i) => {
    const variance = /moving_variance/.test(names[i]);
    const v = random(w.size, spec.seed + i, variance ? 0.2 : -0.5, variance ? 2 : 0.5);
    return quantize(v, spec.quant[i % spec.quant.length]);
  });
  const values = parts.map((p, i) => tf.tensor(p.deq, ws[i].shape));  // ws are the variables' own tensors: not disposed
  model.setWeights(values);
  values.forEach((t) => t.dispose());
  const art = await saveArtifacts(tf, model);
  expect(art.weightSpecs.map((s) => s.shape)).toEqual(model.weights.map((w) => w.shape));
  const weights = art.weightSpecs.map((s, i) => (parts[i].quantization ? { ...s, quantization: parts[i].quantization } : s));
  return { modelJson: { modelTopology: art.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights }] }, weights: parts.map((p) => p.bytes) };
}

let simd, plain;
beforeAll(async () => {
  simd = await load({ simd: true });
  plain = await load({ simd: false });
});

test(`random Sequential models agree with TF.js within 1e-4 (${RUNS} models, seed ${SEED})`, async () => {
  await fc.assert(fc.asyncProperty(modelArb, async (spec) => {
    const peer = build(spec);
    try {
      const source = await artifacts(peer, spec);
      const shape = [spec.h, spec.w, spec.c], per = spec.h * spec.w * spec.c;
      const x = random(2 * per, spec.seed ^ 0x5eed);
      const want = tf.tidy(() => peer.predict(tf.tensor(x, [2, ...shape])).dataSync());
      for (const cl of [simd, plain]) {
        const model = await cl.loadModel(source);
        try {
          const got = model.predict(x);
          expect(got.length).toBe(want.length);
          let worst = 0;
          for (let i = 0; i < got.length; i++) worst = M.max(worst, M.abs(got[i] - want[i]) / (1 + M.abs(want[i])));
          expect({ variant: cl.variant, ok: worst <= 1e-4, worst }).toEqual({ variant: cl.variant, ok: true, worst });
        } finally {
          model.dispose();
        }
      }
    } finally {
      peer.dispose();
    }
  }), { seed: SEED, numRuns: RUNS, endOnFailure: true });
});
