// What keeping the threaded module's heap views fresh costs on the frame path: apply() on small
// frames (under the banding threshold, so all on the calling thread), threaded module at 2
// threads vs the single-thread SIMD module. Prints the median µs per apply() of 15 runs.
//   node bench/heap-views.js
import { load } from '../web/lib/convolens.js';

const single = await load({ threads: false });
const mt = await load({ threads: 2 });
const median = (fn, n) => {
  for (let i = 0; i < n; i++) fn();
  const t = [];
  for (let s = 0; s < 15; s++) {
    const a = performance.now();
    for (let i = 0; i < n; i++) fn();
    t.push(((performance.now() - a) / n) * 1000);
  }
  return t.sort((x, y) => x - y)[7];
};
for (const [w, h] of [[8, 8], [32, 32], [64, 48]]) {
  const img = { data: new Uint8ClampedArray(w * h * 4).map((_, i) => (i * 2654435761) >>> 24), width: w, height: h };
  const out = { data: new Uint8ClampedArray(w * h * 4), width: w, height: h };
  const line = [];
  for (const [name, cl] of [['simd', single], ['simd-mt', mt]]) {
    const f = cl.createFilter('sharpen');
    line.push(`${name} ${median(() => f.apply(img, out), 2000).toFixed(2)} µs`);
    f.dispose();
  }
  console.log(`sharpen ${w}x${h}: ${line.join(', ')}`);
}
mt.dispose();
