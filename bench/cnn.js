// npm run bench:cnn: CNN inference, convolens (wasm SIMD, wasm plain, the SIMD + threads CNN
// module at 1, 2 and os.availableParallelism() threads: convolens-wasm-simd-mt, and batches split
// across Workers running the single-thread module: convolens-wasm-workers, a ParallelModel) vs
// TensorFlow.js (wasm backend with SIMD, cpu backend, one thread), in one run. Medians after
// warm-up, the implementations sampled in turn so they share the machine's background load.
// Writes bench/results/cnn.json: [{case, impl, threads, batch, median_ms, images_per_s, gflops}].
//   node bench/cnn.js [--quick] [--case mnist_tiny]   (--quick: fewer samples, for a smoke run;
//   --case: that case only, written to build/results/cnn-<case>.json)
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { load } from '../web/lib/convolens.js';
import { instantiate } from '../web/lib/load.js';
import { loadModel } from '../web/lib/model.js';
import { random, artifactsOf as saveArtifacts, mnistTiny } from '../tools/tfjs-peer.js';
import { capacity } from './capacity.js';

const artifactsOf = (model) => saveArtifacts(tf, model);

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const QUICK = process.argv.includes('--quick');
const SAMPLES = QUICK ? 3 : 11;  // per runner (the paired ratios need rounds: 7 left single medians ±25 %)
const ONLY = process.argv.includes('--case') ? process.argv[process.argv.indexOf('--case') + 1] : null;

// Runners are measured interleaved: calibrate each (warm-up, then enough calls per sample to
// last >= ~50 ms), then take one sample of each in turn, round after round, so that they all
// see the same background load (this machine is shared). Returns median ms per call of each.
// A runner: {name, fn, before?: async () => void (untimed, e.g. switch the tfjs backend),
// async?: true when fn returns a promise (awaited; the others are called synchronously)}.
async function run(r) {
  if (r.async) for (let i = 0; i < r.reps; i++) await r.fn();
  else for (let i = 0; i < r.reps; i++) r.fn();
}
async function measureInterleaved(runners) {
  for (const r of runners) {
    await r.before?.();
    r.reps = 1;
    await run(r);
    for (;;) {
      const t0 = performance.now();
      await run(r);
      r.once = (performance.now() - t0) / r.reps;
      if (r.once * r.reps >= 50 || r.reps >= 1 << 16) break;
      r.reps *= r.once * r.reps < 5 ? 8 : 2;
    }
    r.times = [];
    // Slow runners (the tfjs cpu backend at batch 1000 takes seconds) get fewer samples.
    r.samples = Math.max(3, Math.min(SAMPLES, Math.floor(4000 / (r.once * r.reps))));
  }
  const rounds = Math.max(...runners.map((r) => r.samples));
  for (let s = 0; s < rounds; s++)
    for (const r of runners) {
      if (r.times.length >= r.samples) continue;
      await r.before?.();
      const t0 = performance.now();
      await run(r);
      r.times.push((performance.now() - t0) / r.reps);
    }
  return runners.map((r) => {
    const t = [...r.times].sort((a, b) => a - b);
    return t[t.length >> 1];
  });
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

function seededMnistTiny() {
  const m = mnistTiny(tf);
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

// The f32x4 peak kernel lives in a benchmark-only module (bench/peak/), not in the shipped ones.
async function loadPeakModule() {
  const dir = join(ROOT, 'build/wasm');
  const create = createRequire(import.meta.url)(join(dir, 'convolens-bench-peak.cjs'));
  return create({ wasmBinary: readFileSync(join(dir, 'convolens-bench-peak.wasm')) });
}

async function main() {
  const results = [];
  const row = (r) => {
    results.push(r);
    const f = (x, d) => (x == null ? '-' : x.toFixed(d));
    console.log(`${r.case.padEnd(10)} ${r.impl.padEnd(23)} ${String(r.threads).padStart(2)}t batch ${String(r.batch).padStart(4)}  ${f(r.median_ms, 4).padStart(10)} ms  ${f(r.images_per_s, 0).padStart(8)} img/s  ${f(r.gflops, 2).padStart(6)} GFLOP/s`);
  };

  const simd = await load({ simd: true, threads: false }), plain = await load({ simd: false });
  const threadCounts = [...new Set([1, 2, availableParallelism()])];
  const raw = await instantiate('simd', {}, 'nn');
  // The threaded CNN module: load({threads: t}) for t > 1; one thread is the same module set to
  // one thread (load({threads: 1}) would pick the single-thread module; a pool of 0 workers
  // never resolves in Emscripten 3.1.6).
  const mtOne = await instantiate('simd-mt', {}, 'nn', 2);
  mtOne.setThreads(1);
  const mtInstances = new Map();
  for (const t of threadCounts) if (t > 1) mtInstances.set(t, await load({ threads: t }));
  const tfWasmDir = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);  // one thread, like ours
  setWasmPaths(tfWasmDir);  // a file path: the backend's own loader reads it (Node's fetch cannot)
  await tf.setBackend('cpu');

  const PEAK_ITERS = 1_000_000;
  const peakModule = await loadPeakModule();
  const peakRunner = { name: 'simd_peak', fn: () => peakModule.simdPeak(PEAK_ITERS, 1) };

  const cases = [['mnist_tiny', seededMnistTiny(), [1, 64, 1000]], ['conv_large', convLarge(), [1]]];
  const sh = await shipped();
  if (sh) cases.splice(1, 0, ['shipped', sh, [1, 64, 1000]]);
  else console.log('shipped    (web/models/mnist/model.json not present: skipped)');
  if (ONLY) cases.splice(0, cases.length, ...cases.filter(([n]) => n === ONLY));

  const cap = capacity();
  const machine = {};  // "case batch alu 1t" -> median ms
  const samples = {};  // "case impl threads batch" -> ms per call, one per round (paired ratios)
  for (const [name, peer, batches] of cases) {
    const art = await artifactsOf(peer);
    const shape = peer.inputs[0].shape.slice(1);
    const per = shape.reduce((a, b) => a * b, 1);
    const flops = flopsPerImage(peer);
    const ours = { 'convolens-wasm-simd': await simd.loadModel(art), 'convolens-wasm-plain': await plain.loadModel(art) };
    const parallel = new Map(), mt = new Map();
    for (const t of threadCounts) {
      parallel.set(t, await simd.loadParallelModel(art, { threads: t }));
      mt.set(t, t === 1 ? await loadModel(mtOne, art) : await mtInstances.get(t).loadModel(art));
    }
    await tf.setBackend('wasm');
    const wasmModel = await tf.loadLayersModel(tf.io.fromMemory(art));
    await tf.setBackend('cpu');
    for (const batch of batches) {
      const x = random(batch * per, 42 + batch);
      const inputs = {};
      for (const b of ['wasm', 'cpu']) {
        await tf.setBackend(b);
        inputs[b] = tf.tensor(x, [batch, ...shape]);
      }
      const tfRunner = (backend, model) => ({
        name: `tfjs-${backend}`,
        before: () => tf.setBackend(backend),
        fn: () => {
          const y = model.predict(inputs[backend]);
          y.dataSync();
          y.dispose();
        },
      });
      const runners = [
        ...Object.entries(ours).map(([impl, m]) => ({ name: impl, fn: () => m.predict(x) })),
        ...[...mt].map(([t, m]) => ({ name: 'convolens-wasm-simd-mt', threads: t, fn: () => m.predict(x) })),
        ...[...parallel].map(([t, m]) => ({ name: 'convolens-wasm-workers', threads: t, async: true, fn: () => m.predict(x) })),
        tfRunner('wasm', wasmModel),
        tfRunner('cpu', peer),
      ];
      if (name === 'conv_large') runners.push(peakRunner);  // the peak under the same load as the conv
      // The machine's 2-thread capacity in the same rounds (bench/capacity.js).
      const probes = ['alu', 'copy'].flatMap((k) => [{ name: `${k} 1t`, fn: cap[k].one }, { name: `${k} 2t`, fn: cap[k].two }]);
      runners.push(...probes);
      // tfjs-cpu is timed in a block of its own: the garbage it makes (typed arrays per op)
      // would otherwise be collected inside the others' samples.
      const cpu = runners.splice(runners.findIndex((r) => r.name === 'tfjs-cpu'), 1);
      const ms = [...(await measureInterleaved(runners)), ...(await measureInterleaved(cpu))];
      runners.push(...cpu);
      runners.forEach((r, i) => {
        samples[`${name} ${r.name} ${r.threads ?? 1} ${batch}`] = r.times;
        if (probes.includes(r)) machine[`${name} ${batch} ${r.name}`] = ms[i];
        else if (r === peakRunner)
          row({ case: 'simd_peak', impl: 'convolens-wasm-simd', threads: 1, batch: 1, median_ms: ms[i], images_per_s: null, gflops: (PEAK_ITERS * peakModule.peakFlopsPerIteration) / ms[i] / 1e6 });
        else
          row({ case: name, impl: r.name, threads: r.threads ?? 1, batch, median_ms: ms[i], images_per_s: (batch / ms[i]) * 1000, gflops: (flops * batch) / ms[i] / 1e6 });
      });
      for (const b of ['wasm', 'cpu']) inputs[b].dispose();
    }
    await tf.setBackend('wasm');
    wasmModel.dispose();
    await tf.setBackend('cpu');
    for (const m of Object.values(ours)) m.dispose();
    for (const m of parallel.values()) m.dispose();
    for (const m of mt.values()) m.dispose();
  }

  // The kernel rows: the scalar reference against the row the model picks (the first of the
  // table), on the large conv (printed only; cnn.json keeps the schema of the issue).
  if (!ONLY) {
    const peer = convLarge();
    const m = await simd.loadModel(await artifactsOf(peer));
    const x = random(64 * 64 * 32, 7);
    const [ref, fast] = await measureInterleaved([
      { name: 'reference', fn: () => m.predict(x, { reference: true }) },
      { name: 'fast', fn: () => m.predict(x) },
    ]);
    const v = raw.nnKernelVariants().conv2d, f = flopsPerImage(peer);
    const refName = v.find((n) => n.endsWith('__scalar')), fastName = v[0];
    console.log(`\nconv2d kernel rows, conv_large, wasm SIMD module:`);
    console.log(`  ${refName.padEnd(26)} ${(f / ref / 1e6).toFixed(2).padStart(6)} GFLOP/s`);
    console.log(`  ${fastName.padEnd(26)} ${(f / fast / 1e6).toFixed(2).padStart(6)} GFLOP/s`);
    m.dispose();
    peer.dispose();
  }

  // --quick runs are smoke tests: they do not replace the recorded results.
  const out = join(ROOT, ONLY ? `build/results/cnn-${ONLY}.json` : QUICK ? 'build/results/cnn-quick.json' : 'bench/results/cnn.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 1) + '\n');
  // Ratios against the targets of the issue.
  const get = (c, i, b, t = 1) => results.find((r) => r.case === c && r.impl === i && r.batch === b && r.threads === t);
  const peak = results.find((r) => r.case === 'simd_peak')?.gflops;
  console.log('\nvs tfjs-wasm (SIMD, 1 thread):');
  for (const c of ['mnist_tiny', 'shipped'])
    for (const b of [1, 64, 1000]) {
      const o = get(c, 'convolens-wasm-simd', b), t = get(c, 'tfjs-wasm', b);
      if (o && t) console.log(`  ${c} batch ${b}: ${(t.median_ms / o.median_ms).toFixed(2)}x faster (${o.images_per_s.toFixed(0)} vs ${t.images_per_s.toFixed(0)} img/s)`);
    }
  for (const impl of ['convolens-wasm-simd-mt', 'convolens-wasm-workers']) {
    console.log(`\nthreads, ${impl} vs the single-thread SIMD model (${availableParallelism()} cores reported, shared machine):`);
    for (const c of ['mnist_tiny', 'shipped', 'conv_large'])
      for (const b of [1, 64, 1000]) {
        const o = get(c, 'convolens-wasm-simd', b);
        if (!o) continue;
        const parts = threadCounts.map((t) => {
          const m = get(c, impl, b, t);
          // Per round: the single-thread sample over this row's sample of the same round.
          const st = samples[`${c} convolens-wasm-simd 1 ${b}`], mt = samples[`${c} ${impl} ${t} ${b}`];
          const q = mt.slice(0, st.length).map((x, i) => st[i] / x).sort((u, v) => u - v);
          const paired = `paired ${q[q.length >> 1].toFixed(2)}x, ${q[0].toFixed(2)}-${q[q.length - 1].toFixed(2)}`;
          return `${t}t ${(o.median_ms / m.median_ms).toFixed(2)}x (eff. ${Math.round((o.median_ms / m.median_ms / t) * 100)}%; ${paired})`;
        });
        const tw = get(c, 'tfjs-wasm', b), best = Math.min(...threadCounts.map((t) => get(c, impl, b, t).median_ms));
        const cap2 = (k) => (machine[`${c} ${b} ${k} 1t`] / machine[`${c} ${b} ${k} 2t`]).toFixed(2);
        console.log(`  ${c} batch ${b}: ${parts.join(', ')}${tw ? `; best vs tfjs-wasm ${(tw.median_ms / best).toFixed(2)}x` : ''}` +
          (impl === 'convolens-wasm-simd-mt' ? `; machine 2t: alu ${cap2('alu')}x, copy ${cap2('copy')}x` : ''));
      }
  }
  console.log('(Nt: median over median; paired: the median and range of the per-round ratios, as bench/filters.js gives them;');
  console.log(' machine 2t: an integer loop and an 8.3 MB copy split over 2 threads vs 1, timed in the same rounds: bench/capacity.js)');
  const cl = get('conv_large', 'convolens-wasm-simd', 1);
  cap.close();
  for (const c of mtInstances.values()) c.dispose();
  if (cl) console.log(`  conv_large: ${cl.gflops.toFixed(1)} GFLOP/s = ${((cl.gflops / peak) * 100).toFixed(0)}% of the f32x4 peak (${peak.toFixed(1)} GFLOP/s)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
