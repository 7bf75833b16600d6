// npm run bench:train (not a test): training speed and accuracy, convolens (wasm SIMD one
// thread; wasm SIMD on two workers, data-parallel; native as the limit) vs ConvNetJS 0.3.0 and TensorFlow.js (cpu backend), on the same
// real MNIST images. Each row trains one epoch on its first N training images (the slow peers
// get fewer images), batch 64 (ConvNetJS: its demo's batch 20, Adadelta), then tests on the
// 10,000 test images (ConvNetJS, TF.js: on 1,000). Our rows also give our inference speed on
// the same network at batch 64. Writes bench/results/train.json:
//   [{model, impl, threads, images_per_s, inference_images_per_s, test_acc, train_images, note,
//     train_over_inference_paired (our one-thread rows)}]
//   node bench/train.js [--train N] [--convnetjs N] [--tfjs N] [--ours-only]
// --ours-only: our rows alone (no ConvNetJS, no TF.js); they replace the same rows of the
// existing train.json, the others are kept.
import { writeFileSync, readFileSync, existsSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { load } from '../web/lib/convolens.js';
import { createShared } from '../web/lib/train-parallel.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, d) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const N_OURS = arg('--train', 60000), N_CONVNETJS = arg('--convnetjs', 3000), N_TFJS = arg('--tfjs', 256);
const OURS_ONLY = process.argv.includes('--ours-only');
const MODELS = ['convnetjs', 'tiny', 'mnist'];
const rows = [];
const row = (r) => {
  rows.push(r);
  console.log(`${r.model.padEnd(10)} ${r.impl.padEnd(26)} ${String(r.threads).padStart(2)}  ${r.images_per_s == null ? '      -' : r.images_per_s.toFixed(1).padStart(7)} img/s train  ` +
    `${r.inference_images_per_s == null ? '' : r.inference_images_per_s.toFixed(0) + ' img/s inference  '}${r.test_acc == null ? '' : 'test ' + (100 * r.test_acc).toFixed(2) + '%'}  ${r.note ?? ''}`);
};

// One thread: the trainer and the CNN module are single-threaded anyway, and the row names stay
// "wasm-simd" whether or not the threaded filter module is present.
const cl = await load({ threads: false });
const mnist = await cl.loadMnist({ train: Math.max(N_OURS, N_CONVNETJS, N_TFJS), test: 10000 });
const sub = (d, n) => ({ images: d.images.subarray(0, n * 784), labels: d.labels.subarray(0, n) });
const floats = (u8) => Float32Array.from(u8, (v) => v / 255);

// ---- ours, wasm SIMD, one thread --------------------------------------------------------------
// Training and inference are timed interleaved: after every training chunk (about 0.5 s), the
// same network runs inference in the CNN module for about 0.2 s. This VM has spells of seconds
// in which everything runs up to 1.8x slower; timed one after the other, the two rates could fall
// in different spells, so the ratio is also given as the median over chunks of the chunk's rate
// over the inference sample next to it ("paired"). The training rate counts the chunks' time only.
for (const model of MODELS) {
  // A short untimed fit first, so that V8 has compiled the hot functions before the timed one (as
  // predict() is called once before it is timed): otherwise the first model pays for it.
  const warm = await cl.createTrainer(model);
  await warm.fit(sub(mnist.train, 256), { epochs: 1, batchSize: 64, learningRate: 0.01 });
  // Our best inference on the same network: the CNN module's predict() at batch 64, what a user
  // would compare with. Its speed does not depend on the weights' values.
  const m = await warm.model();
  warm.dispose();
  const x = floats(mnist.test.images.subarray(0, 64 * 784));
  const out = new Float32Array(64 * 10);
  m.predict(x, { output: out });
  const infer = (ms) => {
    let reps = 0;
    const i0 = performance.now();
    while (performance.now() - i0 < ms) { m.predict(x, { output: out }); reps++; }
    return (64 * reps) / ((performance.now() - i0) / 1000);
  };
  const t = await cl.createTrainer(model);
  const chunks = [];  // {images, ms, inference}
  let since = performance.now(), lastImages = 0;
  await t.fit(sub(mnist.train, N_OURS), {
    epochs: 1, batchSize: 64, learningRate: model === 'mnist' ? 0.005 : 0.01, chunkMs: 500,
    onProgress: (p) => {
      const images = Math.min(p.step * 64, N_OURS);
      chunks.push({ images: images - lastImages, ms: performance.now() - since, inference: infer(200) });
      lastImages = images;
      since = performance.now();
    },
  });
  const median = (a) => [...a].sort((u, v) => u - v)[a.length >> 1];
  const ips = N_OURS / (chunks.reduce((s, c) => s + c.ms, 0) / 1000);
  const inf = median(chunks.map((c) => c.inference));
  const paired = median(chunks.filter((c) => c.images >= 64 * 8).map((c) => (c.images / (c.ms / 1000)) / c.inference));
  const acc = t.evaluate(mnist.test).accuracy;
  m.dispose();
  t.dispose();
  row({ model, impl: `convolens wasm-${cl.variant}`, threads: 1, images_per_s: ips, inference_images_per_s: inf, test_acc: acc,
    train_images: N_OURS, train_over_inference_paired: paired,
    note: `train/inference ${(100 * ips / inf).toFixed(1)} % (median of ${chunks.length} paired chunks ${(100 * paired).toFixed(1)} %)` });
}

// ---- ours, wasm SIMD, two workers (data-parallel, as the page trains) --------------------------
// Two worker_threads run Trainer.fitPart on halves of every batch and share the gradients
// through a SharedArrayBuffer (web/lib/train-parallel.js); the time is the slower worker's
// fitPart() (the final BatchNorm recalibration included, as in fit()).
for (const model of MODELS) {
  const one = rows.find((r) => r.model === model && r.threads === 1);
  const t = await cl.createTrainer(model);
  const parameters = t.parameters;
  t.dispose();
  const link = { parts: 2, buffer: createShared(2, parameters) };
  const options = { epochs: 1, batchSize: 64, learningRate: model === 'mnist' ? 0.005 : 0.01 };
  const workers = [0, 1].map((part) => new Worker(new URL('./train-part.js', import.meta.url), {
    workerData: { model, train: sub(mnist.train, N_OURS), test: mnist.test, options, link: { ...link, part } },
  }));
  const next = (w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await Promise.all(workers.map(next));  // both loaded
  const done = workers.map(next);
  for (const w of workers) w.postMessage('go');
  const results = await Promise.all(done);
  const ms = Math.max(...results.map((r) => r.ms));  // each worker's fitPart(), started together
  await Promise.all(workers.map((w) => w.terminate()));
  if (results[0].hash !== results[1].hash) throw new Error(`${model}: the two workers' weights differ`);
  const ips = N_OURS / (ms / 1000);
  row({ model, impl: `convolens wasm-${cl.variant}`, threads: 2, images_per_s: ips, inference_images_per_s: null,
    test_acc: results[0].accuracy, train_images: N_OURS,
    note: `2 workers, data-parallel; ${one ? (ips / one.images_per_s).toFixed(2) + 'x one thread' : ''}` });
}

// ---- ours, native (the limit) -----------------------------------------------------------------
const tool = ROOT + 'build/native/bench_train';
for (const model of MODELS) {
  if (!existsSync(tool)) break;
  const r = JSON.parse(execFileSync(tool, ['--preset', model, '--train', String(N_OURS)], { cwd: ROOT, encoding: 'utf8' }));
  row({ model, impl: 'convolens native (g++)', threads: 1, images_per_s: r.images_per_s, inference_images_per_s: null, test_acc: r.test_acc, train_images: N_OURS });
}

// ---- ConvNetJS 0.3.0: its MNIST demo network and trainer --------------------------------------
if (!OURS_ONLY) {
  const convnetjs = createRequire(import.meta.url)('convnetjs');
  const net = new convnetjs.Net();
  net.makeLayers([
    { type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 },
    { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 3, stride: 3 },
    { type: 'softmax', num_classes: 10 },
  ]);
  const trainer = new convnetjs.SGDTrainer(net, { method: 'adadelta', batch_size: 20, l2_decay: 0.001 });
  // The demo feeds 24x24 crops of the 28x28 digits (random when training, central when testing).
  const vol = (images, i, dx, dy) => {
    const v = new convnetjs.Vol(24, 24, 1, 0.0);
    for (let y = 0; y < 24; y++) for (let x = 0; x < 24; x++) v.w[y * 24 + x] = images[i * 784 + (y + dy) * 28 + x + dx] / 255;
    return v;
  };
  const t0 = performance.now();
  for (let i = 0; i < N_CONVNETJS; i++) trainer.train(vol(mnist.train.images, i, (i * 7) % 5, (i * 3) % 5), mnist.train.labels[i]);
  const ips = N_CONVNETJS / ((performance.now() - t0) / 1000);
  let right = 0;
  for (let i = 0; i < 1000; i++) right += net.forward(vol(mnist.test.images, i, 2, 2)).w.indexOf(Math.max(...net.forward(vol(mnist.test.images, i, 2, 2)).w)) === mnist.test.labels[i];
  row({ model: 'convnetjs', impl: 'ConvNetJS 0.3.0 (its demo net)', threads: 1, images_per_s: ips, inference_images_per_s: null, test_acc: right / 1000, train_images: N_CONVNETJS, note: 'test on 1,000' });
}

// ---- TensorFlow.js: cpu backend trains; the wasm backend cannot train a conv net ---------------
const tfModel = (model) => {
  const m = tf.sequential();
  const layers = { tiny: [['conv', 8, 3]], convnetjs: [['conv', 8, 5], ['conv', 16, 5]] }[model];
  if (!layers) return null;
  layers.forEach(([, f, k], i) => {
    m.add(tf.layers.conv2d({ ...(i === 0 ? { inputShape: [28, 28, 1] } : {}), filters: f, kernelSize: k, activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
};
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);  // one thread, like ours
setWasmPaths(ROOT + 'node_modules/@tensorflow/tfjs-backend-wasm/dist/');  // a file path: Node's fetch cannot read files
for (const backend of OURS_ONLY ? [] : ['cpu', 'wasm']) {
  await tf.setBackend(backend);
  for (const model of ['convnetjs', 'tiny']) {
    const m = tfModel(model);
    const xs = tf.tensor4d(floats(mnist.train.images.subarray(0, N_TFJS * 784)), [N_TFJS, 28, 28, 1]);
    const ys = tf.oneHot(tf.tensor1d(mnist.train.labels.slice(0, N_TFJS), 'int32'), 10).toFloat();
    try {
      const t0 = performance.now();
      await m.fit(xs, ys, { epochs: 1, batchSize: 64, verbose: 0 });
      const ips = N_TFJS / ((performance.now() - t0) / 1000);
      const tx = tf.tensor4d(floats(mnist.test.images.subarray(0, 1000 * 784)), [1000, 28, 28, 1]);
      const pred = m.predict(tx).argMax(-1).dataSync();
      let right = 0;
      for (let i = 0; i < 1000; i++) right += pred[i] === mnist.test.labels[i];
      tx.dispose();
      row({ model, impl: `TF.js ${backend} backend`, threads: 1, images_per_s: ips, inference_images_per_s: null, test_acc: right / 1000, train_images: N_TFJS, note: 'test on 1,000' });
    } catch (e) {
      row({ model, impl: `TF.js ${backend} backend`, threads: 1, images_per_s: null, inference_images_per_s: null, test_acc: null, train_images: 0, note: `cannot train: ${e.message.split('\n')[0]}` });
    }
    tf.dispose([xs, ys]);
    m.dispose();
  }
}

mkdirSync(ROOT + 'bench/results', { recursive: true });
const OUT = ROOT + 'bench/results/train.json';
const same = (a, b) => a.model === b.model && a.impl === b.impl && a.threads === b.threads;
const kept = OURS_ONLY && existsSync(OUT) ? JSON.parse(readFileSync(OUT, 'utf8')).filter((r) => !rows.some((n) => same(n, r))) : [];
writeFileSync(OUT, JSON.stringify([...rows, ...kept], null, 1) + '\n');
console.log('wrote bench/results/train.json');
