// Where banding starts to pay: the threaded filter module with every frame banded (thresholds
// lowered to 0 pixels / 16 rows) against the single-thread SIMD module, small frames, 2 threads.
// Prints median ms per frame; src/image/filter_bands.h's kMinBandedPixels comes from this.
//   node bench/band-threshold.js
import { load } from '../web/lib/convolens.js';
import { instantiate, stopThreads } from '../web/lib/load.js';
import { Filter } from '../web/lib/filters.js';

const single = await load({ threads: false });
const mt = await instantiate('simd-mt', {}, 'filters', 2);
mt.setBandThresholds(0, 16);
const median = (fn) => {
  for (let i = 0; i < 20; i++) fn();
  const t = [];
  for (let s = 0; s < 15; s++) {
    const a = performance.now();
    for (let i = 0; i < 20; i++) fn();
    t.push((performance.now() - a) / 20);
  }
  return t.sort((x, y) => x - y)[7];
};
for (const [w, h] of [[96, 64], [128, 96], [160, 120], [224, 168], [256, 192], [320, 240], [640, 480]]) {
  const img = { data: new Uint8ClampedArray(w * h * 4).map((_, i) => (i * 2654435761) >>> 24), width: w, height: h };
  const line = [];
  for (const [name, params] of [['sharpen'], ['gaussian', { size: 5 }], ['box', { size: 15 }]]) {
    const a = single.createFilter(name, params), b = new Filter(mt, name, params);
    const ta = median(() => a.apply(img)), tb = median(() => b.apply(img));
    line.push(`${name} ${ta.toFixed(3)} -> ${tb.toFixed(3)} ms (${(ta / tb).toFixed(2)}x)`);
    a.dispose(); b.dispose();
  }
  console.log(`${w}x${h} (${(w * h / 1024).toFixed(0)} K px): ${line.join(', ')}`);
}
stopThreads(mt);
