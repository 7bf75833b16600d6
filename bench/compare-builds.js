// Two builds of the filter modules side by side in one process, e.g. before and after a refactor:
//   node bench/compare-builds.js <before-checkout> <after-checkout> [rounds]
// Each checkout must have its wasm built (web/wasm/). Every op runs on a resident 1280x720 frame
// (run(), as bench/filters.js times it), rounds interleaved (the order flips every round),
// medians per build; outputs are compared byte for byte. Prints one line per op and variant and
// the rows as JSON. Both builds load single-threaded.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OPS } from './filter-ops.js';

const [beforeDir, afterDir, roundsArg] = process.argv.slice(2);
if (!beforeDir || !afterDir) {
  console.error('usage: node bench/compare-builds.js <before-checkout> <after-checkout> [rounds]');
  process.exit(2);
}
const ROUNDS = Number(roundsArg ?? 9);
const W = 1280, H = 720;
const src = new Uint8ClampedArray(W * H * 4);
for (let i = 0, s = 1; i < src.length; i++) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; src[i] = s >>> 24; }

const lib = (dir) => import(pathToFileURL(resolve(dir, 'web/lib/convolens.js')).href);
const builds = {};
for (const [name, dir] of [['before', beforeDir], ['after', afterDir]]) {
  const { load } = await lib(dir);
  for (const simd of [true, false]) builds[`${name}-${simd ? 'simd' : 'plain'}`] = await load({ simd, threads: false });
}
const time = (f) => { const reps = 5, t = performance.now(); for (let i = 0; i < reps; i++) f.run(); return (performance.now() - t) / reps; };
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const rows = [];
for (const { op, preset, spec } of OPS) {
  const fs = {};
  for (const [k, cl] of Object.entries(builds)) {
    const f = preset ? cl.createFilter(...preset) : cl.createFilter(spec);
    f.input(W, H).set(src);
    for (let i = 0; i < 3; i++) f.run();
    fs[k] = { f, t: [] };
  }
  const ref = fs['before-simd'].f.run().slice();
  const same = Object.values(fs).every(({ f }) => f.run().every((v, i) => v === ref[i]));
  for (let r = 0; r < ROUNDS; r++)
    for (const k of (r % 2 ? Object.keys(fs).reverse() : Object.keys(fs))) fs[k].t.push(time(fs[k].f));
  for (const v of ['simd', 'plain']) {
    const b = median(fs[`before-${v}`].t), a = median(fs[`after-${v}`].t);
    rows.push({ op, variant: v, before_ms: +b.toFixed(3), after_ms: +a.toFixed(3), after_over_before: +(a / b).toFixed(3), identical: same });
    console.log(`${op.padEnd(16)} ${v.padEnd(5)} before ${b.toFixed(3).padStart(8)} ms  after ${a.toFixed(3).padStart(8)} ms  after/before ${(a / b).toFixed(3)}  identical output: ${same}`);
  }
  for (const { f } of Object.values(fs)) f.dispose();
}
console.log(JSON.stringify(rows));
