// Where splitting CNN work over threads starts to pay: the threaded CNN module with every batch
// (or every conv layer) split, 2 threads, against the single-thread SIMD module. Interleaved
// rounds, medians. src/nn/schedule.h's kBatchSplitMacs and kConvSplitMacs come from this.
//   node bench/nn-threshold.js
import * as tf from '@tensorflow/tfjs';
import { load } from '../web/lib/convolens.js';
import { instantiate, stopThreads } from '../web/lib/load.js';
import { loadModel } from '../web/lib/model.js';
import { random, artifactsOf, mnistTiny } from '../tools/tfjs-peer.js';

const ROUNDS = 15;
const single = await load({ simd: true, threads: false });
const mt = await instantiate('simd-mt', {}, 'nn', 2);

// Median ms per call of a and b, sampled in turn (each sample >= ~5 ms of calls).
function compare(a, b) {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) a();
    if (performance.now() - t0 > 5) break;
    reps *= 2;
  }
  const ta = [], tb = [];
  for (let r = 0; r < ROUNDS; r++)
    for (const [f, t] of [[a, ta], [b, tb]]) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) f();
      t.push((performance.now() - t0) / reps);
    }
  const med = (t) => t.sort((x, y) => x - y)[t.length >> 1];
  return [med(ta), med(tb)];
}
const line = (label, [a, b]) => console.log(`${label}: 1 thread ${a.toFixed(4)} ms, 2 threads ${b.toFixed(4)} ms (${(a / b).toFixed(2)}x)`);

// Batches of the tiny MNIST net (~0.8 M multiply-adds per image), every batch split.
{
  const art = await artifactsOf(tf, mnistTiny(tf));
  const a = await single.loadModel(art), b = await loadModel(mt, art);
  mt.setSplitThresholds(-1, 0);
  for (const n of [1, 2, 3, 4, 6, 8, 16, 32]) {
    const x = random(n * 784, n);
    line(`mnist_tiny batch ${String(n).padStart(2)} (${(0.8 * n).toFixed(1)} M MACs)`, compare(() => a.predict(x), () => b.predict(x)));
  }
  a.dispose();
  b.dispose();
}

// One image through one 3x3 conv layer, 16 -> 16 channels, every conv split into row bands.
mt.setSplitThresholds(0, -1);
for (const s of [12, 16, 24, 32, 48, 64]) {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [s, s, 16], filters: 16, kernelSize: 3, padding: 'same' }));
  const art = await artifactsOf(tf, m);
  const a = await single.loadModel(art), b = await loadModel(mt, art);
  const x = random(s * s * 16, s);
  line(`conv 3x3 ${s}x${s}x16 (${((s * s * 16 * 9 * 16) / 1e6).toFixed(2)} M MACs)`, compare(() => a.predict(x), () => b.predict(x)));
  a.dispose();
  b.dispose();
  m.dispose();
}
mt.setSplitThresholds(-1, -1);
stopThreads(mt);
