// Where splitting CNN work over threads starts to pay: the threaded CNN module with every batch
// (or every conv layer) split, 2 threads, against the single-thread SIMD module, in interleaved
// rounds (bench/rounds.js): per case the median time of each, the per-round speed-up (median and
// range) and in how many rounds 2 threads were faster. src/nn/schedule.h's kBatchSplitMacs and
// kConvSplitMacs come from this (docs/threads.md).
//   node bench/nn-threshold.js [--rounds 15] [--only batch|conv]
import * as tf from '@tensorflow/tfjs';
import { load } from '../web/lib/convolens.js';
import { instantiate, stopThreads } from '../web/lib/load.js';
import { loadModel } from '../web/lib/model.js';
import { random, artifactsOf, mnistTiny } from '../tools/tfjs-peer.js';
import { interleave, ratio } from './rounds.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROUNDS = Number(arg('--rounds', 15));
const ONLY = arg('--only', '');
const single = await load({ simd: true, threads: false });
const mt = await instantiate('simd-mt', {}, 'nn', 2);

// Multiply-adds of one image through a tf model's conv and dense layers (what the thresholds count).
function macsOf(model) {
  let macs = 0;
  for (const l of model.layers) {
    const out = l.outputShape.slice(1).reduce((a, b) => a * b, 1);
    const k = l.getWeights()[0]?.shape;
    if (l.getClassName() === 'Conv2D') macs += out * k[0] * k[1] * k[2];
    else if (l.getClassName() === 'Dense') macs += k[0] * k[1];
  }
  return macs;
}

// One case: `model` (a tf model) predicting batches of `n` on one thread and split on two.
async function measure(label, model, n) {
  const art = await artifactsOf(tf, model);
  const a = await single.loadModel(art), b = await loadModel(mt, art);
  const x = random(n * model.inputs[0].shape.slice(1).reduce((p, q) => p * q, 1), n);
  const r = interleave({ one: () => a.predict(x), two: () => b.predict(x) }, { rounds: ROUNDS, sampleMs: 10 });
  const q = ratio(r.one, r.two), wins = r.one.samples.filter((t, i) => t > r.two.samples[i]).length;
  const macs = ((macsOf(model) * n) / 1e6).toFixed(2).padStart(5);
  console.log(`${label.padEnd(26)} ${macs} M MACs: 1 thread ${r.one.median.toFixed(4)} ms, 2 threads ${r.two.median.toFixed(4)} ms,` +
    ` ${q.median.toFixed(2)}x (${q.lo.toFixed(2)}-${q.hi.toFixed(2)}), faster in ${wins}/${ROUNDS} rounds`);
  a.dispose();
  b.dispose();
}

// A 3x3 conv layer, 16 -> 16 channels, on an s x s input; a small net for batches (~0.06 M
// multiply-adds per image, so the batches span the crossover), and the tiny MNIST net.
function conv16(s) {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [s, s, 16], filters: 16, kernelSize: 3, padding: 'same' }));
  return m;
}
function smallNet() {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [10, 10, 8], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 10 }));
  return m;
}

if (ONLY !== 'conv') {
  // Batches, every batch split (each image whole in one thread).
  mt.setSplitThresholds(-1, 0);
  const small = smallNet(), tiny = mnistTiny(tf);
  for (const n of [1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 32]) await measure(`small net batch ${n}`, small, n);
  for (const n of [1, 2, 3, 4, 8, 16, 32]) await measure(`mnist_tiny batch ${n}`, tiny, n);
  small.dispose();
  tiny.dispose();
}
if (ONLY !== 'batch') {
  // One image through one conv layer, split into row bands.
  mt.setSplitThresholds(0, -1);
  for (const s of [8, 10, 11, 12, 13, 14, 16, 20, 24, 32, 48, 64]) {
    const m = conv16(s);
    await measure(`conv 3x3 ${s}x${s}x16`, m, 1);
    m.dispose();
  }
}
mt.setSplitThresholds(-1, -1);
stopThreads(mt);
