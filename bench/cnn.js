// npm run bench:cnn: CNN inference, convolens (wasm SIMD, wasm plain) vs TensorFlow.js (wasm
// backend with SIMD, cpu backend), one thread, in one run. Medians after warm-up.
// Writes bench/results/cnn.json: [{case, impl, batch, median_ms, images_per_s, gflops}].
//   node bench/cnn.js [--quick]      (--quick: fewer samples, for a smoke run)
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { load } from '../web/lib/convolens.js';
import { instantiate } from '../web/lib/load.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const SAMPLES = QUICK ? 3 : 7;

function random(n, seed, lo = 0, hi = 1) {  // mulberry32: the same inputs every run
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

// Median milliseconds of one call of fn; each sample runs enough calls to last >= ~50 ms.
function measure(fn) {
  fn();
  let reps = 1;
  for (;;) {  // warm-up and calibration
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= 50 || reps >= 1 << 16) break;
    reps *= dt < 5 ? 8 : 2;
  }
  const times = [];
  for (let s = 0; s < SAMPLES; s++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    times.push((performance.now() - t0) / reps);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

// Multiply-adds x2 of conv/dense layers, per image, from a tf.LayersModel.
function flopsPerImage(model) {
  let f = 0;
  for (const l of model.layers) {
    const cls = l.getClassName(), out = l.output.shape.slice(1), inp = l.input.shape.slice(1);
    const spatial = out.slice(0, -1).reduce((a, b) => a * b, 1), oc = out[out.length - 1];
    if (cls === 'Conv2D') f += 2 * spatial * oc * l.kernelSize[0] * l.kernelSize[1] * inp[inp.length - 1];
    if (cls === 'DepthwiseConv2D') f += 2 * spatial * oc * l.kernelSize[0] * l.kernelSize[1];
    if (cls === 'Dense') f += 2 * spatial * oc * inp[inp.length - 1];
  }
  return f;
}

// Deterministic weights for a freshly built tf model (its own initializers are unseeded).
function seedWeights(model, seed) {
  model.layers.forEach((l, li) => {
    const ws = l.getWeights();
    if (ws.length) l.setWeights(ws.map((w, i) => tf.tensor(random(w.size, seed + li * 10 + i, -0.3, 0.3), w.shape)));
  });
}

async function artifactsOf(model) {
  let art;
  await model.save(tf.io.withSaveHandler(async (a) => {
    art = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return art;
}

function mnistTiny() {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  seedWeights(m, 1);
  return m;
}

function convLarge() {  // 151 MFLOP: enough work per call that the kernel, not overhead, is timed
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [64, 64, 32], filters: 64, kernelSize: 3, padding: 'same' }));
  seedWeights(m, 2);
  return m;
}

async function shipped() {
  const path = join(ROOT, 'web/models/mnist/model.json');
  if (!existsSync(path)) return null;
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const shards = json.weightsManifest.flatMap((g) => g.paths).map((p) => readFileSync(join(dirname(path), p)));
  const weightData = new Uint8Array(Buffer.concat(shards)).buffer;
  const art = { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData };
  return tf.loadLayersModel(tf.io.fromMemory(art));
}

async function main() {
  const results = [];
  const row = (r) => {
    results.push(r);
    const f = (x, d) => (x == null ? '-' : x.toFixed(d));
    console.log(`${r.case.padEnd(10)} ${r.impl.padEnd(20)} batch ${String(r.batch).padStart(4)}  ${f(r.median_ms, 4).padStart(10)} ms  ${f(r.images_per_s, 0).padStart(8)} img/s  ${f(r.gflops, 2).padStart(6)} GFLOP/s`);
  };

  const simd = await load({ simd: true }), plain = await load({ simd: false });
  const raw = await instantiate('simd');
  const tfWasmDir = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);  // one thread, like ours
  setWasmPaths(tfWasmDir);  // a file path: the backend's own loader reads it (Node's fetch cannot)
  await tf.setBackend('cpu');

  // simd_peak: f32x4 mul+add, 12 chains
  {
    const iters = 2_000_000;
    raw.nnSimdPeak(1000, 1);
    const ms = measure(() => raw.nnSimdPeak(iters, 1));
    row({ case: 'simd_peak', impl: 'convolens-wasm-simd', batch: 1, median_ms: ms, images_per_s: null, gflops: (iters * 96) / ms / 1e6 });
  }

  const cases = [['mnist_tiny', mnistTiny(), [1, 64, 1000]], ['conv_large', convLarge(), [1]]];
  const sh = await shipped();
  if (sh) cases.splice(1, 0, ['shipped', sh, [1, 64, 1000]]);
  else console.log('shipped    (web/models/mnist/model.json not present: skipped)');

  for (const [name, peer, batches] of cases) {
    const art = await artifactsOf(peer);
    const shape = peer.inputs[0].shape.slice(1);
    const per = shape.reduce((a, b) => a * b, 1);
    const flops = flopsPerImage(peer);
    const ours = { 'convolens-wasm-simd': await simd.loadModel(art), 'convolens-wasm-plain': await plain.loadModel(art) };
    for (const batch of batches) {
      const x = random(batch * per, 42 + batch);
      const report = (impl, ms) => row({ case: name, impl, batch, median_ms: ms, images_per_s: (batch / ms) * 1000, gflops: (flops * batch) / ms / 1e6 });
      for (const [impl, m] of Object.entries(ours)) report(impl, measure(() => m.predict(x)));
      for (const backend of ['wasm', 'cpu']) {
        await tf.setBackend(backend);
        const model = backend === 'wasm' ? await tf.loadLayersModel(tf.io.fromMemory(art)) : peer;
        const input = tf.tensor(x, [batch, ...shape]);
        const run = () => {
          const y = model.predict(input);
          y.dataSync();
          y.dispose();
        };
        if (backend === 'cpu' && batch * flops > 2e8) {
          // The cpu backend takes seconds here: fewer samples keep the run short.
          run();
          const t0 = performance.now();
          run();
          report('tfjs-cpu', performance.now() - t0);
        } else {
          report(`tfjs-${backend}`, measure(run));
        }
        input.dispose();
        if (model !== peer) model.dispose();
        await tf.setBackend('cpu');
      }
    }
    for (const m of Object.values(ours)) m.dispose();
  }

  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/cnn.json'), JSON.stringify(results, null, 1) + '\n');
  // Ratios against the targets of the issue.
  const get = (c, i, b) => results.find((r) => r.case === c && r.impl === i && r.batch === b);
  const peak = results[0].gflops;
  console.log('\nvs tfjs-wasm (SIMD, 1 thread):');
  for (const c of ['mnist_tiny', 'shipped'])
    for (const b of [1, 64, 1000]) {
      const o = get(c, 'convolens-wasm-simd', b), t = get(c, 'tfjs-wasm', b);
      if (o && t) console.log(`  ${c} batch ${b}: ${(t.median_ms / o.median_ms).toFixed(2)}x faster (${o.images_per_s.toFixed(0)} vs ${t.images_per_s.toFixed(0)} img/s)`);
    }
  const cl = get('conv_large', 'convolens-wasm-simd', 1);
  console.log(`  conv_large: ${cl.gflops.toFixed(1)} GFLOP/s = ${((cl.gflops / peak) * 100).toFixed(0)}% of the f32x4 peak (${peak.toFixed(1)} GFLOP/s)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
