// Two builds of the filter modules side by side in one process, e.g. before and after a refactor:
//   node bench/compare-builds.js <before-checkout> <after-checkout> [rounds]
//        [--modules simd,plain,mt1,mt2] [--ops a,b] [--size WxH]
// Each checkout must have its wasm built (web/wasm/). Every op runs on a resident frame (run(),
// as bench/filters.js times it; 1280x720 unless --size), rounds interleaved (the order flips
// every round), medians (and the fastest sample) per build; outputs are compared byte for byte.
// Modules: simd and plain (the default) are the single-thread modules; mtN is the SIMD + threads
// module set to N threads. Prints one line per op and module and the rows as JSON.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OPS } from './filter-ops.js';

const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : undefined; };
const MODULES = (flag('--modules') ?? 'simd,plain').split(',');
const ONLY = flag('--ops')?.split(',');
const [W, H] = (flag('--size') ?? '1280x720').split('x').map(Number);
const [beforeDir, afterDir, roundsArg] = args;
if (!beforeDir || !afterDir || !(W > 0 && H > 0)) {
  console.error('usage: node bench/compare-builds.js <before-checkout> <after-checkout> [rounds] [--modules simd,plain,mt1,mt2] [--ops a,b] [--size WxH]');
  process.exit(2);
}
const ROUNDS = Number(roundsArg ?? 9);
// mtN rows share their checkout's threaded instance (load() caches it), set to N threads before each
// sample; a threaded module of one thread is loaded with 2 and set to 1 (docs/threads.md, Sizes).
const threadsOf = (m) => (m.startsWith('mt') ? Number(m.slice(2)) : 0);
const THREADS = Math.max(0, ...MODULES.map(threadsOf));
const src = new Uint8ClampedArray(W * H * 4);
for (let i = 0, s = 1; i < src.length; i++) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; src[i] = s >>> 24; }

// The query keeps the two checkouts' modules apart even where their paths resolve alike.
const lib = (dir, name) => import(`${pathToFileURL(resolve(dir, 'web/lib/convolens.js')).href}?${name}`);
const builds = {};
const instances = [];
for (const [name, dir] of [['before', beforeDir], ['after', afterDir]]) {
  const { load } = await lib(dir, name);
  for (const m of MODULES) {
    let cl;
    if (m === 'simd' || m === 'plain') cl = await load({ simd: m === 'simd', threads: false });
    else cl = await load({ threads: Math.max(2, THREADS), threadsFallback: false });  // one instance per checkout
    builds[`${name}-${m}`] = cl;
    if (!instances.includes(cl)) instances.push(cl);
  }
}
const time = (f, cl, threads) => {
  if (threads) cl.setThreads(threads);
  const reps = 5, t = performance.now();
  for (let i = 0; i < reps; i++) f.run();
  return (performance.now() - t) / reps;
};
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const rows = [];
for (const { op, preset, spec } of OPS) {
  if (ONLY && !ONLY.includes(op)) continue;
  const fs = {};
  for (const [k, cl] of Object.entries(builds)) {
    const f = preset ? cl.createFilter(...preset) : cl.createFilter(spec);
    f.input(W, H).set(src);
    for (let i = 0; i < 3; i++) f.run();
    fs[k] = { f, cl, threads: threadsOf(k.slice(k.indexOf('-') + 1)), t: [] };
  }
  const ref = Object.values(fs)[0].f.run().slice();
  const same = Object.values(fs).every(({ f, cl, threads }) => {
    if (threads) cl.setThreads(threads);
    return f.run().every((v, i) => v === ref[i]);
  });
  for (let r = 0; r < ROUNDS; r++)
    for (const k of (r % 2 ? Object.keys(fs).reverse() : Object.keys(fs))) fs[k].t.push(time(fs[k].f, fs[k].cl, fs[k].threads));
  for (const v of MODULES) {
    const tb = fs[`before-${v}`].t, ta = fs[`after-${v}`].t;
    const b = median(tb), a = median(ta), bmin = Math.min(...tb), amin = Math.min(...ta);
    rows.push({ op, variant: v, width: W, height: H, before_ms: +b.toFixed(3), after_ms: +a.toFixed(3),
      after_over_before: +(a / b).toFixed(3), before_min_ms: +bmin.toFixed(3), after_min_ms: +amin.toFixed(3), identical: same });
    console.log(`${op.padEnd(16)} ${v.padEnd(5)} before ${b.toFixed(3).padStart(8)} ms  after ${a.toFixed(3).padStart(8)} ms  ` +
      `after/before ${(a / b).toFixed(3)}  (fastest ${bmin.toFixed(3)} -> ${amin.toFixed(3)})  identical output: ${same}`);
  }
  for (const { f } of Object.values(fs)) f.dispose();
}
for (const cl of instances) cl.dispose?.();
console.log(JSON.stringify(rows));
