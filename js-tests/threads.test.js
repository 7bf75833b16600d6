// The SIMD + threads filter module (convolens-simd-mt): picked by load() in Node, the same bytes
// as the single-thread SIMD module for every kernel row, border, channel mode and thread count
// 1..8, clear errors, every thread ended by dispose() (Jest exits), heap flat over many frames.
// Long runs (100 load cycles, 10,000 frames): npm run test:threads-long.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { load, threadSupport } from '../web/lib/convolens.js';
import { instantiate, poolWorkerCount, stopThreads } from '../web/lib/load.js';
import { Filter, Pipeline } from '../web/lib/filters.js';
import { randomBytes } from './helpers/reference.js';
import { useTempDirs } from './helpers/temp-dirs.js';

const LONG = process.env.CONVOLENS_LONG === '1';
const BORDERS = ['constant', 'replicate', 'reflect101', 'wrap'];
const same = (a, b) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
const osThreads = () => readdirSync('/proc/self/task').length;  // Node's worker_threads are OS threads
const settle = async (limit) => {  // terminated workers exit asynchronously: poll (bounded)
  for (let i = 0; i < 400 && osThreads() > limit; i++) await new Promise((r) => setTimeout(r, 25));
  return osThreads();
};
// The thread count once threads still ending have ended: it has not changed for 8 polls. Only a
// baseline: a count taken too early is higher, which can only make the later check laxer.
const steadyThreads = async () => {
  let last = osThreads();
  for (let i = 0, same = 0; i < 400 && same < 8; i++) {
    await new Promise((r) => setTimeout(r, 25));
    const n = osThreads();
    same = n === last ? same + 1 : 0;
    last = n;
  }
  return last;
};

const tempDir = useTempDirs();
let single;  // the single-thread SIMD module
let raw;     // a threaded module with 8 threads, its band thresholds lowered to band every frame
beforeAll(async () => {
  single = await load({ simd: true, threads: false });
  raw = await instantiate('simd-mt', {}, 'filters', 8);
});
afterAll(() => stopThreads(raw));

test('Node can run threads; load() picks the threaded filter module by default', async () => {
  const s = await threadSupport();
  expect(s).toEqual({ ok: true, cores: expect.any(Number), reason: '' });
  const cl = await load();
  try {
    if (s.cores < 2) return expect(cl.variant).toBe('simd');  // one core: the SIMD module
    expect([cl.variant, cl.backend, cl.threads]).toEqual(['simd-mt', 'wasm-simd128-threads', Math.min(s.cores, 8)]);
    expect([single.variant, single.backend, single.threads]).toEqual(['simd', 'wasm-simd128', 1]);
  } finally {
    cl.dispose();
  }
});

test('threads: n runs n threads; setThreads(1..n); bad values are clear errors', async () => {
  const cl = await load({ threads: 3 });
  expect([cl.variant, cl.threads]).toEqual(['simd-mt', 3]);
  cl.setThreads(2);
  expect(cl.threads).toBe(2);
  expect(() => cl.setThreads(4)).toThrow(new RangeError('convolens: setThreads: the number of threads must be an integer 1..3, got 4'));
  cl.dispose();
  await expect(load({ threads: 0 })).rejects.toThrow(new RangeError('convolens: load() option threads must be an integer 1..16, got 0'));
  await expect(load({ threads: 2.5 })).rejects.toThrow(RangeError);
  await expect(load({ threads: 'two' })).rejects.toThrow(TypeError);
  await expect(load({ threadsFallback: 1 })).rejects.toThrow(TypeError);
});

test('threads asked for where they cannot run: a logged fallback to one thread, or a clear error', async () => {
  const warnings = [];
  const cl = await load({ simd: false, threads: 2, warn: (m) => warnings.push(m) });
  expect([cl.variant, cl.threads]).toEqual(['plain', 1]);
  expect(warnings).toEqual(['convolens: threads: 2 asked for, but the plain module (simd: false) has no threads; running on one thread']);
  await expect(load({ simd: false, threads: 2, threadsFallback: false }))
    .rejects.toThrow(new Error('convolens: threads: 2 asked for, but the plain module (simd: false) has no threads'));
});

test('a pool that does not start (worker script missing, or never answering): one warning and one thread, or a clear error', async () => {
  const dir = tempDir('convolens-pool-');
  const silent = join(dir, 'silent.cjs');
  writeFileSync(silent, '// a pool worker that never answers\n');
  const wasm = new URL('../web/wasm/', import.meta.url);
  const pool = (script) => (file) => (file.endsWith('.worker.cjs') ? pathToFileURL(script).href : new URL(file, wasm).href);
  const threadsBefore = osThreads();
  for (const [script, extra, why] of [[join(dir, 'missing.cjs'), {}, /a pool Worker failed: .*missing\.cjs/],
    [silent, { threadsTimeout: 300 }, /its pool of 1 Worker\(s\) did not start within 300 ms/]]) {
    const options = { threads: 2, locateFile: pool(script), ...extra };
    await expect(load({ ...options, threadsFallback: false })).rejects.toThrow(why);
    const warnings = [];
    const cl = await load({ ...options, warn: (m) => warnings.push(m) });
    expect([cl.variant, cl.threads, await load({ ...options, warn: (m) => warnings.push(m) })]).toEqual(['simd', 1, cl]);
    expect(warnings).toEqual([expect.stringMatching(/^convolens: the SIMD \+ threads module did not start: .*; running on one thread/)]);
    expect(warnings[0]).toMatch(why);
    const f = cl.createFilter('sharpen');
    expect(f.apply({ data: new Uint8ClampedArray(16 * 16 * 4).fill(9), width: 16, height: 16 })[0]).toBe(9);
    f.dispose();
    cl.dispose();
  }
  expect(await settle(threadsBefore)).toBeLessThanOrEqual(threadsBefore);  // the failed pools' Workers ended
});

// Shared memory grown by another thread leaves this thread's views at the old length (growth
// neither detaches them nor tells this thread). Growing it from JS does exactly that, on demand:
// the frames of the next filter then sit beyond the views' old end. Through the stale views the
// frame cannot even be written; after the guard's sync it is written and read right. Only
// threaded modules carry the sync: a single-thread module's views follow its own growth.
test('memory grown outside the calling thread\'s views: stale views fail, the synced next frame is right', async () => {
  const m = raw;
  expect(typeof m.syncHeapViews).toBe('function');
  expect((await instantiate('simd')).syncHeapViews).toBeUndefined();
  const a = single.createFilter('gaussian', { size: 5 }), b = new Filter(m, 'gaussian', { size: 5 });
  const before = m.HEAPU8.length;
  const w = 1024, h = Math.ceil(before / (w * 4)) + 16;  // each frame (input, output) larger than the whole heap was
  const img = { data: randomBytes(w * h * 4, 12), width: w, height: h };
  // Grown after the last call that passed a string (Embind's string marshalling refreshes views).
  m.wasmMemory.grow(Math.ceil((2 * w * h * 4) / 65536) + 64);
  expect(m.HEAPU8.length).toBe(before);  // stale: growth left this thread's views as they were
  expect(() => m.HEAPU8.set(img.data)).toThrow(/out of bounds/);  // so the frame does not fit into them
  expect(same(b.apply(img), a.apply(img))).toBe(true);
  expect(m.HEAPU8.length).toBeGreaterThan(before);
  a.dispose();
  b.dispose();
});

// Every preset (all sizes the catalogue describes are covered by the kernel rows they pick) and
// custom kernels (integer taps 1..9 wide, float, separable), at odd sizes incl. 1-row and
// 1-column images, every border and channel mode, in bands of as little as one row.
test('bands give the single-thread bytes: every row, border, mode, 1..8 threads, odd heights', () => {
  raw.setBandThresholds(0, 1);
  const specs = single.presets.map((p) => [p.name, undefined]);
  for (const k of [1, 2, 3, 5, 7, 9]) specs.push([{ kernel: Array.from(randomBytes(k * k, k), (v) => (v % 7) - 3), width: k, height: k, scale: 1 / 4 }]);
  specs.push([{ kernel: Array.from(randomBytes(25, 3), (v) => v / 97 - 1.2), width: 5, height: 5 }]);
  specs.push([{ kernel: [1, 4, 6, 4, 1], width: 5, height: 1, scale: 1 / 16 }]);
  const images = [[37, 23], [19, 1], [1, 9], [64, 17], [5, 2]].map(([w, h], i) => ({ data: randomBytes(w * h * 4, 11 + i), width: w, height: h }));
  const rows = new Set();
  let compared = 0;
  for (const [spec, params] of specs)
    for (const border of BORDERS)
      for (const mode of ['rgb', 'gray']) {
        const opts = { border, borderValue: 40, mode };
        const a = typeof spec === 'string' ? single.createFilter(spec, { ...params, ...opts }) : single.createFilter({ ...spec, ...opts });
        const b = typeof spec === 'string' ? new Filter(raw, spec, { ...params, ...opts }) : new Filter(raw, { ...spec, ...opts });
        rows.add(b.variant);
        expect(b.variant).toBe(a.variant);
        for (const img of images) {
          const want = a.apply(img).slice();
          for (let t = 1; t <= 8; t++) {
            raw.setThreads(t);
            const got = b.apply(img);
            if (!same(got, want)) throw new Error(`differs: ${JSON.stringify(spec)} ${border} ${mode} ${img.width}x${img.height} ${t} threads`);
            compared++;
          }
        }
        a.dispose();
        b.dispose();
      }
  raw.setBandThresholds(-1, -1);
  raw.setThreads(8);
  expect(rows.size).toBeGreaterThanOrEqual(12);  // distinct kernel rows exercised
  expect(compared).toBeGreaterThan(5000);
});

// Pipelines run chained per band (each band all stages on its rows and their halos) unless a
// stage after the first has a wrap border (then stage by stage): both give the same bytes.
test('pipelines chained per band give the single-thread bytes: 2-4 stages, every border at every stage, modes, 1..8 threads', () => {
  raw.setBandThresholds(0, 1);
  const kinds = [['sharpen'], ['gaussian', { size: 5 }], ['box', { size: 15 }], ['sobel-magnitude'],
    [{ kernel: [1, 1, 1, 1, 1, 1, 1], width: 7, height: 1, scale: 7 }],
    [{ kernel: [1, -2, 3, 5, 3, -2, 1], width: 1, height: 7, scale: 9, offset: 10 }],
    [{ kernel: [1, 2, 0, 1, 3, 1, -1, 2], width: 2, height: 4, scale: 8 }]];  // even: reaches 2 rows down, 1 up
  const chains = [[0, 3], [2, 6], [4, 5, 0], [1, 3, 2, 6]];
  const images = [[37, 23], [19, 2], [64, 17]].map(([w, h], i) => ({ data: randomBytes(w * h * 4, 31 + i), width: w, height: h }));
  let compared = 0;
  for (const chain of chains)
    for (let b = 0; b < BORDERS.length; b++)
      for (const mode of ['rgb', 'gray']) {
        const items = chain.map((k, i) => {
          const [spec, params] = kinds[k];
          const opts = { border: BORDERS[(b + i) % 4], borderValue: 90, mode };
          return typeof spec === 'string' ? [spec, { ...params, ...opts }] : { ...spec, ...opts };
        });
        const a = single.createPipeline(items), p = new Pipeline(raw, items);
        for (const img of images) {
          const want = a.apply(img).slice();
          for (let t = 1; t <= 8; t++) {
            raw.setThreads(t);
            if (!same(p.apply(img), want)) throw new Error(`differs: chain ${JSON.stringify(items)} ${img.width}x${img.height} ${t} threads`);
            compared++;
          }
        }
        a.dispose();
        p.dispose();
      }
  raw.setBandThresholds(-1, -1);
  raw.setThreads(8);
  expect(compared).toBe(4 * 4 * 2 * 3 * 8);
});

test('a pipeline and a large frame (default thresholds) give the single-thread bytes', () => {
  const img = { data: randomBytes(641 * 363 * 4, 5), width: 641, height: 363 };
  const steps = ['gaussian', 'sharpen', 'sobel-magnitude'];
  const a = single.createPipeline(steps), b = new Pipeline(raw, steps);
  for (const t of [2, 3, 8]) {
    raw.setThreads(t);
    expect(same(b.apply(img), a.apply(img))).toBe(true);
  }
  const fa = single.createFilter('box', { size: 15 }), fb = new Filter(raw, 'box', { size: 15 });
  expect(same(fb.apply(img), fa.apply(img))).toBe(true);
  for (const o of [a, b, fa, fb]) o.dispose();
});

test('bad input is the same typed error as single-thread; the module stays usable', async () => {
  const cl = await load({ threads: 2 });
  const f = cl.createFilter('sharpen'), g = single.createFilter('sharpen');
  const bad = { data: new Uint8ClampedArray(10), width: 300, height: 300 };
  let want;
  try { g.apply(bad); } catch (e) { want = e; }
  expect(() => f.apply(bad)).toThrow(want);
  expect(want).toBeInstanceOf(RangeError);
  const img = { data: randomBytes(300 * 300 * 4, 2), width: 300, height: 300 };
  expect(same(f.apply(img), g.apply(img))).toBe(true);
  f.dispose();
  g.dispose();
  cl.dispose();
});

test('dispose() ends the threads; objects keep working on one thread; load() starts afresh', async () => {
  const cl = await load({ threads: 2 });
  const f = cl.createFilter('box', { size: 5 });
  const img = { data: randomBytes(320 * 200 * 4, 3), width: 320, height: 200 };
  const want = f.apply(img).slice();
  cl.dispose();
  expect(cl.threads).toBe(1);
  expect(same(f.apply(img), want)).toBe(true);
  f.dispose();
  const again = await load({ threads: 2 });
  expect(again).not.toBe(cl);
  expect(again.threads).toBe(2);
  again.dispose();
});

test('100 create/dispose cycles of a threaded filter: same pool threads, memory back to baseline', async () => {
  const cl = await load({ threads: 2 });
  const img = { data: randomBytes(400 * 200 * 4, 4), width: 400, height: 200 };
  cl.createFilter('gaussian').apply(img);  // first frame: the pool's threads start working
  const threads = osThreads(), base = cl.memory();
  for (let i = 0; i < 100; i++) {
    const f = cl.createFilter(i % 2 ? 'gaussian' : 'sobel-magnitude');
    f.apply(img);
    f.dispose();
  }
  expect({ threads: osThreads(), liveBytes: cl.memory().liveBytes, liveBuffers: cl.memory().liveBuffers })
    .toEqual({ threads, liveBytes: base.liveBytes, liveBuffers: base.liveBuffers });
  cl.dispose();
});

test(`${LONG ? 100 : 5} load({threads}) / dispose() cycles leave no thread behind (counted)`, async () => {
  const img = { data: randomBytes(320 * 240 * 4, 9), width: 320, height: 240 };
  let peak = 0;
  const cycle = async () => {
    const cl = await load({ threads: 2 });
    const f = cl.createFilter('sharpen');
    f.apply(img);
    peak = Math.max(peak, osThreads());
    f.dispose();
    cl.dispose();
  };
  await cycle();  // the first cycle also starts threads Node itself keeps (its file-system pool)
  const before = await steadyThreads();
  for (let i = 1; i < (LONG ? 100 : 5); i++) await cycle();
  const after = await settle(before);
  expect({ peakAboveStart: peak > before, leftover: Math.max(0, after - before) }).toEqual({ peakAboveStart: true, leftover: 0 });
}, 600000);

// The same inside a worker, as a page's engine Worker or spawnWorker() runs it: the worker loads
// the threaded module (its pool threads are the worker's children), filters a frame, disposes and
// exits; nothing it started may outlive it.
test(`${LONG ? 100 : 5} load({threads}) cycles inside a worker leave no thread behind (counted)`, async () => {
  const lib = new URL('../web/lib/convolens.js', import.meta.url).href;
  const body = `const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(lib)}).then(async ({ load }) => {
      const cl = await load({ threads: 2 });
      const f = cl.createFilter('sharpen');
      const out = f.apply({ data: new Uint8ClampedArray(320 * 240 * 4).fill(7), width: 320, height: 240 });
      const report = { threads: cl.threads, pool: require('node:fs').readdirSync('/proc/self/task').length, first: out[0] };
      f.dispose();
      cl.dispose();
      parentPort.postMessage(report);
    });`;
  const cycle = () => new Promise((resolve, reject) => {
    const w = new Worker(body, { eval: true });
    let report;
    w.on('message', (m) => { report = m; });
    w.on('error', reject);
    w.on('exit', () => resolve(report));
  });
  let peak = 0;
  const first = await cycle();  // the first cycle also starts threads Node itself keeps
  expect(first).toMatchObject({ threads: 2, first: 7 });
  const before = await steadyThreads();
  for (let i = 1; i < (LONG ? 100 : 5); i++) {
    const r = await cycle();
    expect(r).toMatchObject({ threads: 2, first: 7 });
    peak = Math.max(peak, r.pool);
  }
  const after = await settle(before);
  expect({ peakAboveStart: peak > before, leftover: Math.max(0, after - before) }).toEqual({ peakAboveStart: true, leftover: 0 });
}, 600000);

test(`${LONG ? '10,000' : '1,000'} frames with a size change every 100: heap and live objects flat`, async () => {
  const cl = await load({ threads: 2 });
  const sizes = [[320, 240], [641, 361], [200, 480], [1280, 72]];
  const imgs = sizes.map(([w, h], i) => ({ data: randomBytes(w * h * 4, 20 + i), width: w, height: h }));
  const f = cl.createFilter('gaussian', { size: 5 });
  const frames = LONG ? 10000 : 1000;
  // One round over every size reaches the heap's high-water mark; after that nothing grows.
  for (const img of imgs) for (let i = 0; i < 3; i++) f.apply(img);
  const base = cl.memory();
  for (let i = 0; i < frames; i++) {
    f.apply(imgs[Math.floor(i / 100) % imgs.length]);
    if (i % 100 === 99) expect(cl.memory()).toEqual(base);
  }
  f.dispose();
  cl.dispose();
}, 600000);
