// npm run bench:filters: image filters on a deterministic 1280x720 RGBA frame, in one run:
// convolens (wasm SIMD, wasm plain, native) vs naive JavaScript vs OpenCV.js, same kernels and
// border (replicate). Then the scaling section: 1280x720, 1920x1080 and 3840x2160 frames (same
// content) on the single-thread SIMD module, the SIMD + threads module at 1, 2 and
// os.availableParallelism() threads, OpenCV.js 4.x and OpenCV.js 5.0 alpha (opencv-js-wasm).
// Medians after warm-up. Prints tables with ratios and writes bench/results/filters.json:
// [{op, impl, width, height, threads, median_ms, mpix_per_s}].
//   node bench/filters.js [--quick]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../web/lib/convolens.js';
import { convolveNaive, gradientMagnitudeNaive } from '../web/lib/naive.js';
import { CUSTOM7, OPS } from './filter-ops.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
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
let native = [];
const nativeBin = [process.env.CONVOLENS_NATIVE_BENCH, join(ROOT, 'build/native/bench_filters')].filter(Boolean).find(existsSync);
if (nativeBin) {
  const out = execFileSync(nativeBin, ['--reps', QUICK ? '5' : '21', '--custom7x7', CUSTOM7.join(',')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  native = JSON.parse(out);
} else {
  console.warn('bench: no build/native/bench_filters; run scripts/build.sh native (skipping convolens-native)');
}

const results = [];
const notes = [];
const copies = [];
const dst = new Uint8ClampedArray(W * H * 4);
for (const { op, preset, spec } of OPS) {
  const make = (cl) => (preset ? cl.createFilter(...preset) : cl.createFilter(spec));
  const fs = make(simd), fp = make(plain);
  const k = fs.kernel;
  const add = (impl, ms, extra = {}) => {
    results.push({ op, impl, width: W, height: H, threads: 1, median_ms: +ms.toFixed(4), mpix_per_s: +(MPIX / ms * 1e3).toFixed(2), ...extra });
    process.stderr.write(`  ${op} ${impl}: ${ms.toFixed(3)} ms\n`);
  };
  // Like OpenCV's Mats, the frame sits in wasm memory already (input() + run(): no copies).
  fs.input(W, H).set(src);
  fp.input(W, H).set(src);
  add('convolens-wasm-simd', measure(() => fs.run(), QUICK ? 5 : 15), { variant: fs.variant });
  const ours = Uint8ClampedArray.from(fs.run());
  copies.push(`${op}: convolens-wasm-simd apply(image, output) with both copies: ${measure(() => fs.apply(image, dst), QUICK ? 3 : 9).toFixed(3)} ms`);
  add('convolens-wasm-plain', measure(() => fp.run(), QUICK ? 3 : 7), { variant: fp.variant });
  const n = native.find((r) => r.op === op && r.dispatched);
  if (n) add('convolens-native', n.median_ms, { variant: n.variant });
  const naive = op === 'sobel_magnitude'
    ? () => gradientMagnitudeNaive(src, dst, W, H, { width: 3, height: 3, weightsX: k.weights, weightsY: simd.presets.find((p) => p.name === 'sobel-magnitude').kernelY.weights })
    : () => convolveNaive(src, dst, W, H, { ...k });
  add('naive-js', measure(naive, QUICK ? 1 : 3));
  notes.push(`${op}: naive-js differs from convolens by at most ${maxDiff(dst, ours)}`);
  add('opencv-js', measure(opencv[op](k), QUICK ? 3 : 9));
  notes.push(`${op}: opencv-js differs from convolens by at most ${maxDiff(cvDst.data, ours)}`);
  fs.dispose();
  fp.dispose();
}

const pad = (s, n) => String(s).padEnd(n);
const padl = (s, n) => String(s).padStart(n);
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

// ---- scaling: frame sizes x threads, with both OpenCV.js builds as peers -------------------
const cores = availableParallelism();
const threadCounts = [...new Set([1, 2, cores])];
const mt = await load({ threads: Math.max(...threadCounts), wasmPaths });
if (mt.variant !== 'simd-mt') console.warn(`bench: the threaded module did not load (${mt.variant}); its rows run on one thread`);
const cv5 = await loadOpenCv5();
const SIZES = QUICK ? [[1280, 720], [1920, 1080]] : [[1280, 720], [1920, 1080], [3840, 2160]];
const scaling = [];
for (const [w, h] of SIZES) {
  const px = frame(w, h);
  const mpix = (w * h) / 1e6;
  const addRow = (op, impl, threads, ms) => {
    const r = { op, impl, width: w, height: h, threads, median_ms: +ms.toFixed(4), mpix_per_s: +(mpix / ms * 1e3).toFixed(2) };
    scaling.push(r);
    results.push(r);
    process.stderr.write(`  ${w}x${h} ${op} ${impl} ${threads}t: ${ms.toFixed(3)} ms\n`);
  };
  const samples = w * h > 4e6 ? (QUICK ? 3 : 7) : (QUICK ? 5 : 11);
  const peers = [['opencv-js', cv], ['opencv-js-wasm', cv5]].filter(([, c]) => c).map(([impl, c]) => ({ impl, c, src: c.matFromArray(h, w, c.CV_8UC4, px), dst: new c.Mat() }));
  for (const { op, preset, spec } of OPS) {
    const make = (cl) => (preset ? cl.createFilter(...preset) : cl.createFilter(spec));
    const fs = make(simd), fm = make(mt);
    fs.input(w, h).set(px);
    fm.input(w, h).set(px);
    addRow(op, 'convolens-wasm-simd', 1, measure(() => fs.run(), samples));
    const want = Uint8ClampedArray.from(fs.run());
    for (const t of threadCounts) {
      if (mt.variant === 'simd-mt') mt.setThreads(t);
      addRow(op, 'convolens-wasm-simd-mt', t, measure(() => fm.run(), samples));
      const got = fm.run();
      if (maxDiff(got, want) !== 0) notes.push(`${w}x${h} ${op}: simd-mt ${t} threads DIFFERS from single-thread SIMD`);
    }
    for (const p of peers) addRow(op, p.impl, 1, measure(opencvOp(p.c, p.src, p.dst, op, fs.kernel), samples));
    fs.dispose();
    fm.dispose();
  }
  for (const p of peers) { p.src.delete(); p.dst.delete(); }
}
if (mt.variant === 'simd-mt') mt.setThreads(Math.max(...threadCounts));

console.log(`\nscaling: wasm SIMD + threads vs the single-thread SIMD module and OpenCV.js, ${cores} cores reported, Node ${process.versions.node}`);
console.log(`${pad('size', 11)}${pad('op', 16)}${padl('simd 1t ms', 11)}${threadCounts.map((t) => padl(`mt ${t}t ms`, 11) + padl('speed-up', 9) + padl('eff.', 6)).join('')}${padl('ocv4 ms', 9)}${padl('ocv5 ms', 9)}${padl('best/ocv', 9)}`);
for (const [w, h] of SIZES)
  for (const { op } of OPS) {
    const row = (impl, t = 1) => scaling.find((r) => r.width === w && r.height === h && r.op === op && r.impl === impl && r.threads === t);
    const base = row('convolens-wasm-simd').median_ms;
    let line = `${pad(`${w}x${h}`, 11)}${pad(op, 16)}${padl(base.toFixed(3), 11)}`;
    for (const t of threadCounts) {
      const m = row('convolens-wasm-simd-mt', t).median_ms;
      line += padl(m.toFixed(3), 11) + padl((base / m).toFixed(2) + 'x', 9) + padl(Math.round((base / m / t) * 100) + '%', 6);
    }
    const o4 = row('opencv-js')?.median_ms, o5 = row('opencv-js-wasm')?.median_ms;
    const best = Math.min(...threadCounts.map((t) => row('convolens-wasm-simd-mt', t).median_ms), base);
    line += padl(o4 ? o4.toFixed(3) : '-', 9) + padl(o5 ? o5.toFixed(3) : '-', 9) + padl((Math.min(o4 ?? Infinity, o5 ?? Infinity) / best).toFixed(1) + 'x', 9);
    console.log(line);
  }
console.log('(speed-up: single-thread SIMD module time / threaded time; eff.: speed-up / threads; best/ocv: the faster OpenCV.js build / the fastest convolens row)');
mt.dispose();

mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/filters.json'), JSON.stringify(results.map(({ op, impl, width, height, threads, median_ms, mpix_per_s }) => ({ op, impl, width, height, threads, median_ms, mpix_per_s })), null, 2) + '\n');
console.log('\nwrote bench/results/filters.json');
for (const m of [cvSrc, cvDst, gx, gy, mag]) m.delete();
