// npm run bench:filters: image filters on a deterministic 1280x720 RGBA frame, in one run:
// convolens (wasm SIMD, wasm plain, native) vs naive JavaScript vs OpenCV.js, same kernels and
// border (replicate); medians over interleaved rounds. Then the scaling section: 1280x720, 1920x1080 and
// 3840x2160 frames (same content) on the single-thread SIMD module, the SIMD + threads module at
// 1, 2 and os.availableParallelism() threads, OpenCV.js 4.x and OpenCV.js 5.0 alpha
// (opencv-js-wasm), timed in interleaved rounds (bench/rounds.js): medians over the rounds and
// per-round speed-ups with their range. Prints tables with ratios and writes
// bench/results/filters.json: [{op, impl, width, height, threads, median_ms, mpix_per_s}]
// (scaling rows also min_ms, max_ms, rounds).
//   node bench/filters.js [--quick] [--rounds N (>= 9)] [--scaling-only] [--ops a,b] [--sizes WxH,...]
// (a subset, with --scaling-only, --ops or --sizes, prints only and leaves the results file alone)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../web/lib/convolens.js';
import { convolveNaive, gradientMagnitudeNaive } from '../web/lib/naive.js';
import { CUSTOM7, OPS as ALL_OPS } from './filter-ops.js';
import { capacity } from './capacity.js';
import { interleave, ratio } from './rounds.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
// --scaling-only: skip the 1280x720 single-thread tables; --ops a,b and --sizes 1920x1080,...: a subset.
const SCALING_ONLY = process.argv.includes('--scaling-only');
const OPS = arg('--ops') ? ALL_OPS.filter((o) => arg('--ops').split(',').includes(o.op)) : ALL_OPS;
const SIZES_ARG = arg('--sizes')?.split(',').map((s) => s.split('x').map(Number));
const W = 1280, H = 720, MPIX = (W * H) / 1e6;


function frame(w = W, h = H) {  // xorshift32, seed 1 (the same bytes tools/bench_filters uses)
  const a = new Uint8ClampedArray(w * h * 4);
  let s = 1;
  for (let i = 0; i < a.length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    a[i] = s >>> 24;
  }
  return a;
}

// Median ms of one call; samples of >= ~30 ms each after a warm-up (V8 tiers up on the way).
function measure(fn, samples) {
  for (let i = 0; i < 3; i++) fn();
  let reps = 1;
  const t0 = performance.now();
  fn();
  const one = performance.now() - t0;
  reps = Math.max(1, Math.min(200, Math.round(30 / Math.max(one, 0.01))));
  const times = [];
  for (let s = 0; s < samples; s++) {
    const a = performance.now();
    for (let i = 0; i < reps; i++) fn();
    times.push((performance.now() - a) / reps);
  }
  times.sort((x, y) => x - y);
  return times[times.length >> 1];
}

async function loadOpenCv() {
  const require = createRequire(import.meta.url);
  let cv = require('@techstark/opencv-js');
  if (!cv.Mat) await new Promise((r) => (cv.onRuntimeInitialized = r));
  return { cv };  // wrapped: the Emscripten module is a thenable, and returning it would loop forever
}

// OpenCV.js 5.0 alpha (npm opencv-js-wasm, the fastest OpenCV.js build on npm); null if missing.
async function loadOpenCv5() {
  try {
    const require = createRequire(import.meta.url);
    const cv5 = await require('opencv-js-wasm')();
    return cv5;
  } catch (e) {
    console.warn(`bench: opencv-js-wasm unavailable (${e.message}); skipping it`);
    return null;
  }
}

// The OpenCV.js call for an op on given Mats (either OpenCV.js build).
function opencvOp(c, s, d, op, k) {
  const anchor = new c.Point(-1, -1);
  const kernel = () => c.matFromArray(k.height, k.width, c.CV_32F, Array.from(k.weights, (w) => w / k.scale));
  if (op === 'gaussian5x5') { const z = new c.Size(5, 5); return () => c.GaussianBlur(s, d, z, 1, 1, c.BORDER_REPLICATE); }
  if (op === 'box15x15') { const z = new c.Size(15, 15); return () => c.blur(s, d, z, anchor, c.BORDER_REPLICATE); }
  if (op === 'sobel_magnitude') {
    const gx = new c.Mat(), gy = new c.Mat(), mag = new c.Mat();
    return () => {
      c.Sobel(s, gx, c.CV_32F, 1, 0, 3, 1, 0, c.BORDER_REPLICATE);
      c.Sobel(s, gy, c.CV_32F, 0, 1, 3, 1, 0, c.BORDER_REPLICATE);
      c.magnitude(gx, gy, mag);
      mag.convertTo(d, c.CV_8U);
    };
  }
  const m = kernel();
  return () => c.filter2D(s, d, -1, m, anchor, k.offset, c.BORDER_REPLICATE);
}

function maxDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) if ((i & 3) !== 3) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const src = frame();
const image = { data: src, width: W, height: H };
// CONVOLENS_WASM_PATHS=dir: load the modules from a private copy (web/wasm/ is shared by every build).
const wasmPaths = process.env.CONVOLENS_WASM_PATHS;
const simd = await load({ simd: true, threads: false, wasmPaths });
const plain = await load({ simd: false, wasmPaths });
const { cv } = await loadOpenCv();


// OpenCV.js: the same kernels, BORDER_REPLICATE, 8UC4 in and out.
const cvSrc = cv.matFromArray(H, W, cv.CV_8UC4, src);
const cvDst = new cv.Mat();
const anchor = new cv.Point(-1, -1);
const cvKernel = (k) => cv.matFromArray(k.height, k.width, cv.CV_32F, Array.from(k.weights, (w) => w / k.scale));
const gx = new cv.Mat(), gy = new cv.Mat(), mag = new cv.Mat();
const opencv = {
  sharpen3x3: (k) => { const m = cvKernel(k); return () => cv.filter2D(cvSrc, cvDst, -1, m, anchor, k.offset, cv.BORDER_REPLICATE); },
  gaussian5x5: () => { const s = new cv.Size(5, 5); return () => cv.GaussianBlur(cvSrc, cvDst, s, 1, 1, cv.BORDER_REPLICATE); },
  box15x15: () => { const s = new cv.Size(15, 15); return () => cv.blur(cvSrc, cvDst, s, anchor, cv.BORDER_REPLICATE); },
  sobel_magnitude: () => () => {
    cv.Sobel(cvSrc, gx, cv.CV_32F, 1, 0, 3, 1, 0, cv.BORDER_REPLICATE);
    cv.Sobel(cvSrc, gy, cv.CV_32F, 0, 1, 3, 1, 0, cv.BORDER_REPLICATE);
    cv.magnitude(gx, gy, mag);
    mag.convertTo(cvDst, cv.CV_8U);
  },
  custom7x7: (k) => { const m = cvKernel(k); return () => cv.filter2D(cvSrc, cvDst, -1, m, anchor, k.offset, cv.BORDER_REPLICATE); },
};

// Native: tools/bench_filters from build/native (built by scripts/bench.sh; CONVOLENS_NATIVE_BENCH=path overrides);
// dispatched variants only.
const results = [];
const notes = [];
const pad = (s, n) => String(s).padEnd(n);
const padl = (s, n) => String(s).padStart(n);
if (!SCALING_ONLY) {
  let native = [];
  const nativeBin = [process.env.CONVOLENS_NATIVE_BENCH, join(ROOT, 'build/native/bench_filters')].filter(Boolean).find(existsSync);
  if (nativeBin) {
    const out = execFileSync(nativeBin, ['--reps', QUICK ? '5' : '21', '--custom7x7', CUSTOM7.join(',')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    native = JSON.parse(out);
  } else {
    console.warn('bench: no build/native/bench_filters; run scripts/build.sh native (skipping convolens-native)');
  }

  // Timed in one set of interleaved rounds for all ops (bench/rounds.js), as the scaling section
  // below: a spell of the machine falls on a few rounds of every configuration, not on all the
  // samples of one (timed one after the other, the SIMD box read 1.9 ms in a run whose
  // interleaved rounds gave 1.2-1.7 ms).
  const copies = [];
  const dst = new Uint8ClampedArray(W * H * 4);
  const configs = {};
  const filters = [];
  for (const { op, preset, spec } of OPS) {
    const make = (cl) => (preset ? cl.createFilter(...preset) : cl.createFilter(spec));
    const fs = make(simd), fp = make(plain);
    const k = fs.kernel;
    // Like OpenCV's Mats, the frame sits in wasm memory already (input() + run(): no copies).
    fs.input(W, H).set(src);
    fp.input(W, H).set(src);
    const ours = Uint8ClampedArray.from(fs.run());
    copies.push(`${op}: convolens-wasm-simd apply(image, output) with both copies: ${measure(() => fs.apply(image, dst), QUICK ? 3 : 9).toFixed(3)} ms`);
    const naive = op === 'sobel_magnitude'
      ? () => gradientMagnitudeNaive(src, dst, W, H, { width: 3, height: 3, weightsX: k.weights, weightsY: simd.presets.find((p) => p.name === 'sobel-magnitude').kernelY.weights })
      : () => convolveNaive(src, dst, W, H, { ...k });
    naive();
    notes.push(`${op}: naive-js differs from convolens by at most ${maxDiff(dst, ours)}`);
    const cvRun = opencv[op](k);
    cvRun();
    notes.push(`${op}: opencv-js differs from convolens by at most ${maxDiff(cvDst.data, ours)}`);
    Object.assign(configs, { [`${op} simd`]: () => fs.run(), [`${op} plain`]: () => fp.run(), [`${op} naive`]: naive, [`${op} opencv`]: cvRun });
    filters.push({ op, fs, fp });
  }
  const timed = interleave(configs, { rounds: QUICK ? 3 : 9, warmup: 1 });
  for (const { op, fs, fp } of filters) {
    const add = (impl, ms, extra = {}) => {
      results.push({ op, impl, width: W, height: H, threads: 1, median_ms: +ms.toFixed(4), mpix_per_s: +(MPIX / ms * 1e3).toFixed(2), ...extra });
      process.stderr.write(`  ${op} ${impl}: ${ms.toFixed(3)} ms\n`);
    };
    add('convolens-wasm-simd', timed[`${op} simd`].median, { variant: fs.variant });
    add('convolens-wasm-plain', timed[`${op} plain`].median, { variant: fp.variant });
    const n = native.find((r) => r.op === op && r.dispatched);
    if (n) add('convolens-native', n.median_ms, { variant: n.variant });
    add('naive-js', timed[`${op} naive`].median);
    add('opencv-js', timed[`${op} opencv`].median);
    fs.dispose();
    fp.dispose();
  }

  console.log(`convolens filters, ${W}x${H} RGBA, Node ${process.versions.node}, one thread${QUICK ? ' (quick)' : ''}\n`);
  console.log(`${pad('op', 16)}${pad('impl', 22)}${padl('median ms', 11)}${padl('Mpix/s', 9)}${padl('vs opencv', 11)}${padl('vs naive', 10)}  variant`);
  for (const r of results) {
    const cvr = results.find((q) => q.op === r.op && q.impl === 'opencv-js');
    const nv = results.find((q) => q.op === r.op && q.impl === 'naive-js');
    console.log(`${pad(r.op, 16)}${pad(r.impl, 22)}${padl(r.median_ms.toFixed(3), 11)}${padl(r.mpix_per_s.toFixed(0), 9)}` +
      `${padl((cvr.median_ms / r.median_ms).toFixed(1) + 'x', 11)}${padl((nv.median_ms / r.median_ms).toFixed(1) + 'x', 10)}  ${r.variant ?? ''}`);
  }
  console.log('');
  for (const { op } of OPS) {
    const s = results.find((q) => q.op === op && q.impl === 'convolens-wasm-simd');
    const p = results.find((q) => q.op === op && q.impl === 'convolens-wasm-plain');
    console.log(`${pad(op, 16)} wasm SIMD is ${(p.median_ms / s.median_ms).toFixed(1)}x wasm plain`);
  }
  console.log('\n' + copies.join('\n'));

  // Gray mode (luminance -> convolve -> gray written to R, G, B; alpha kept), wasm SIMD vs plain.
  const gray = [];
  for (const { op, preset, spec } of OPS) {
    const opts = { mode: 'gray' };
    const make = (cl) => (preset ? cl.createFilter(preset[0], { ...preset[1], ...opts }) : cl.createFilter({ ...spec, ...opts }));
    const fs = make(simd), fp = make(plain);
    fs.input(W, H).set(src);
    fp.input(W, H).set(src);
    const s = measure(() => fs.run(), QUICK ? 5 : 15), p = measure(() => fp.run(), QUICK ? 3 : 7);
    gray.push(`${pad(op, 16)} gray mode: wasm SIMD ${s.toFixed(3)} ms, wasm plain ${p.toFixed(3)} ms (${(p / s).toFixed(1)}x)  ${fs.variant}`);
    fs.dispose();
    fp.dispose();
  }
  console.log('\n' + gray.join('\n'));
  console.log('\n' + notes.join('\n'));
}

// ---- scaling: frame sizes x threads, with both OpenCV.js builds as peers -------------------
// Interleaved (bench/rounds.js): per frame size, every configuration of every op (single-thread
// SIMD, SIMD + threads at 1, 2 and all cores, both OpenCV.js builds) is timed once per round on
// the same frame, the order flipping every round; medians over >= 9 rounds, speed-ups per round
// (paired) with their range. Sequential medians swung 0.87-1.82x between two configurations
// running the same code on a quiet machine; paired rounds do not. One set of rounds for all ops
// (not one per op) spreads each op's rounds over the whole size's run: this VM has spells of
// seconds in which one of its two vCPUs runs 1.5-1.8x slower, and a spell then falls on a few
// rounds of every op (which the medians pass over) instead of on every round of one op.
const cores = availableParallelism();
const threadCounts = [...new Set([1, 2, cores])];
const mt = await load({ threads: Math.max(...threadCounts), wasmPaths });
if (mt.variant !== 'simd-mt') console.warn(`bench: the threaded module did not load (${mt.variant}); its rows run on one thread`);
const cv5 = await loadOpenCv5();
const SIZES = SIZES_ARG ?? (QUICK ? [[1280, 720], [1920, 1080]] : [[1280, 720], [1920, 1080], [3840, 2160]]);
const ROUNDS = Math.max(9, Number(arg('--rounds') ?? 11));
const scaling = [];
const speedups = [];  // {w, h, op, t, median, lo, hi}
const cap = capacity();
const machine = [];  // {w, h, alu, copy}: the machine's 2-thread capacity in each size's rounds
for (const [w, h] of SIZES) {
  const px = frame(w, h);
  const mpix = (w * h) / 1e6;
  const addRow = (op, impl, threads, r) => {
    const row = { op, impl, width: w, height: h, threads, median_ms: +r.median.toFixed(4), mpix_per_s: +(mpix / r.median * 1e3).toFixed(2),
      min_ms: +r.min.toFixed(4), max_ms: +r.max.toFixed(4), rounds: r.samples.length };
    scaling.push(row);
    results.push(row);
    process.stderr.write(`  ${w}x${h} ${op} ${impl} ${threads}t: ${r.median.toFixed(3)} ms (${r.min.toFixed(3)}-${r.max.toFixed(3)})\n`);
  };
  const peers = [['opencv-js', cv], ['opencv-js-wasm', cv5]].filter(([, c]) => c).map(([impl, c]) => ({ impl, c, src: c.matFromArray(h, w, c.CV_8UC4, px), dst: new c.Mat() }));
  // Every op's configurations go into one set of rounds (keys "op config"; an op's configurations
  // side by side), so each op's rounds spread over the whole size's run.
  const configs = {};
  const filters = [];
  for (const { op, preset, spec } of OPS) {
    const make = (cl) => (preset ? cl.createFilter(...preset) : cl.createFilter(spec));
    const fs = make(simd), fm = make(mt);
    fs.input(w, h).set(px);
    fm.input(w, h).set(px);
    const want = Uint8ClampedArray.from(fs.run());
    configs[`${op} simd`] = () => fs.run();
    for (const t of threadCounts) {
      const before = () => { if (mt.variant === 'simd-mt') mt.setThreads(t); };
      before();
      if (maxDiff(fm.run(), want) !== 0) notes.push(`${w}x${h} ${op}: simd-mt ${t} threads DIFFERS from single-thread SIMD`);
      configs[`${op} mt${t}`] = { run: () => fm.run(), before };
    }
    for (const p of peers) configs[`${op} ${p.impl}`] = opencvOp(p.c, p.src, p.dst, op, fs.kernel);
    filters.push({ op, fs, fm });
  }
  for (const k of ['alu', 'copy']) Object.assign(configs, { [`${k} 1t`]: cap[k].one, [`${k} 2t`]: cap[k].two });
  const all = interleave(configs, { rounds: ROUNDS, sampleMs: w * h > 4e6 ? 40 : 25 });
  machine.push({ w, h, alu: ratio(all['alu 1t'], all['alu 2t']), copy: ratio(all['copy 1t'], all['copy 2t']) });
  for (const { op, fs, fm } of filters) {
    const r = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(`${op} `)).map(([k, v]) => [k.slice(op.length + 1), v]));
    addRow(op, 'convolens-wasm-simd', 1, r.simd);
    for (const t of threadCounts) {
      addRow(op, 'convolens-wasm-simd-mt', t, r[`mt${t}`]);
      speedups.push({ w, h, op, t, ...ratio(r.simd, r[`mt${t}`]) });
    }
    for (const p of peers) {
      addRow(op, p.impl, 1, r[p.impl]);
      const best = Object.keys(r).filter((k) => k.startsWith('mt')).reduce((a, k) => (r[k].median < r[a].median ? k : a), 'mt1');
      speedups.push({ w, h, op, t: p.impl, ...ratio(r[p.impl], r[best]) });
    }
    fs.dispose();
    fm.dispose();
  }
  for (const p of peers) { p.src.delete(); p.dst.delete(); }
}
if (mt.variant === 'simd-mt') mt.setThreads(Math.max(...threadCounts));

const range = (q) => `${q.median.toFixed(2)}x (${q.lo.toFixed(2)}-${q.hi.toFixed(2)})`;
console.log(`\nscaling: wasm SIMD + threads vs the single-thread SIMD module and OpenCV.js, ${cores} cores reported, Node ${process.versions.node},`);
console.log(`${ROUNDS} interleaved rounds, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`);
console.log(`${pad('size', 11)}${pad('op', 16)}${padl('simd 1t ms', 11)}${threadCounts.map((t) => padl(`mt ${t}t ms`, 11) + padl('speed-up (range)', 20) + padl('eff.', 6)).join('')}${padl('ocv4 ms', 9)}${padl('ocv5 ms', 9)}${padl('ocv best/mt best (range)', 26)}`);
for (const [w, h] of SIZES)
  for (const { op } of OPS) {
    const row = (impl, t = 1) => scaling.find((r) => r.width === w && r.height === h && r.op === op && r.impl === impl && r.threads === t);
    const su = (t) => speedups.find((q) => q.w === w && q.h === h && q.op === op && q.t === t);
    const base = row('convolens-wasm-simd').median_ms;
    let line = `${pad(`${w}x${h}`, 11)}${pad(op, 16)}${padl(base.toFixed(3), 11)}`;
    for (const t of threadCounts) {
      const q = su(t);
      line += padl(row('convolens-wasm-simd-mt', t).median_ms.toFixed(3), 11) + padl(range(q), 20) + padl(Math.round((q.median / t) * 100) + '%', 6);
    }
    const o4 = row('opencv-js'), o5 = row('opencv-js-wasm');
    const bestPeer = o5 && o5.median_ms < o4.median_ms ? 'opencv-js-wasm' : 'opencv-js';
    line += padl(o4 ? o4.median_ms.toFixed(3) : '-', 9) + padl(o5 ? o5.median_ms.toFixed(3) : '-', 9) + padl(su(bestPeer) ? range(su(bestPeer)) : '-', 26);
    console.log(line);
  }
console.log('(speed-up: single-thread SIMD time / threaded time, median of the per-round ratios and their range; the mt 1t column runs the');
console.log(' same code as the SIMD module, so its speed-up shows the residual noise; eff.: speed-up / threads; last column: the faster');
console.log(' OpenCV.js build / the fastest threaded row, per round)');
console.log('machine, the same rounds (bench/capacity.js): 2 threads vs 1 on an integer loop (alu) and on copying 8.3 MB (copy):');
for (const m of machine) console.log(`  ${m.w}x${m.h}: alu ${range(m.alu)}, copy ${range(m.copy)}`);
cap.close();
mt.dispose();

const scalingNotes = notes.filter((n) => n.includes('simd-mt'));
console.log(scalingNotes.length ? scalingNotes.join('\n') : 'every threaded output equals the single-thread SIMD output byte for byte');

// A subset (--ops, --sizes, --scaling-only) prints only: the results file holds full runs.
if (SCALING_ONLY || arg('--ops') || SIZES_ARG) {
  console.log('\n(a subset: bench/results/filters.json not written)');
} else {
  const keys = ['op', 'impl', 'width', 'height', 'threads', 'median_ms', 'mpix_per_s', 'min_ms', 'max_ms', 'rounds'];
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/filters.json'), JSON.stringify(results.map((r) => Object.fromEntries(keys.filter((k) => k in r).map((k) => [k, r[k]]))), null, 2) + '\n');
  console.log('\nwrote bench/results/filters.json');
}
for (const m of [cvSrc, cvDst, gx, gy, mag]) m.delete();
