#!/usr/bin/env node
// The soak: the page in headless Chromium with the fake camera, driven like a restless user for
// a while. Every second one more action, in a fixed rotation: a preset, a custom kernel size, a
// border, a colour mode, a resolution, an engine, the inspector on another pixel, a digit drawn
// and read, a model loaded, run and disposed. Every `sample` seconds it records frames, fps,
// dropped frames, the page's memory (performance.measureUserAgentSpecificMemory: JS heaps of the
// page and its workers plus wasm memories) and the engine module's live wasm bytes in a fixed
// state. It fails on any console error, page error or frame error, a stalled view, a model that
// leaves wasm bytes behind, live wasm bytes that differ from the warm-up's in the same state, or
// memory that grows past the bound after warm-up (the first sample).
//   npm run soak -- [--minutes 10] [--seconds N] [--sample 60] [--bound-mb 48] [--out build/results/soak.json]
// The browser suite runs a 60-second version (js-tests/browser/soak.test.js).
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { startServer } from '../scripts/serve.js';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  // measureUserAgentSpecificMemory otherwise waits for the next natural GC (many seconds)
  '--enable-blink-features=ForceEagerMeasureMemory'];

const MiB = 2 ** 20;
const CANONICAL = { resolution: '640x480', preset: 'sharpen', border: 'replicate', mode: 'rgb', backend: 'simd' };
const STROKES = [
  [[75, 60], [205, 60], [125, 235]],              // a 7
  [[150, 45], [140, 140], [132, 235]],            // a 1
  [[80, 80], [140, 40], [200, 80], [80, 230], [210, 230]],  // a 2
];

// A seeded LCG, so a run can be repeated.
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const waitState = (page, fn, arg, timeout = 30000) => page.waitForFunction(fn, arg, { timeout });

async function waitFrames(page, n) {
  const start = await page.evaluate(() => window.__convolens.frames);
  await waitState(page, ([s, k]) => window.__convolens.frames >= s + k || window.__convolens.error, [start, n]);
}

async function setBackend(page, b) {
  await page.click(`#backend-group [data-backend="${b}"]`);
  await waitState(page, (x) => window.__convolens.backend === x, b);
}

async function setResolution(page, res) {
  await page.selectOption('#resolution', res);
  const [w, h] = res.split('x').map(Number);
  // The fake camera gives what was asked for; wait until frames of that size are processed.
  await waitState(page, ([W, H]) => window.__convolens.width === W && window.__convolens.height === H, [w, h]);
}

async function setPreset(page, name) {
  await page.selectOption('#preset', name);
  await waitState(page, (n) => window.__convolens.chain?.stages.some((s) => s.preset === n), name);
}

// The actions, one per second in rotation; each takes the page from one working state to another.
function actions(page, random, tally) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  let res = 0, engine = 0;
  return [
    async function preset() {
      const names = await page.$$eval('#preset option', (os) => os.map((o) => o.value).filter((v) => v && v !== '__custom'));
      await setPreset(page, pick(names));
    },
    async function kernelSize() {
      await page.selectOption('#preset', '__custom');
      // Up to 15 per side: 31x31 in plain JS at 1280x720 takes seconds a frame, which slows the rotation, not the check.
      const sizes = await page.$$eval('#kernel-w option', (os) => os.map((o) => o.value).filter((v) => Number(v) <= 15));
      const [w, h] = [pick(sizes), pick(sizes)];
      await page.selectOption('#kernel-w', w);
      await page.selectOption('#kernel-h-size', h);
      await waitState(page, ([W, H]) => window.__convolens.chain?.stages[0]?.kernel?.width === W && window.__convolens.chain?.stages[0]?.kernel?.height === H, [Number(w), Number(h)]);
    },
    async function border() {
      const modes = await page.$$eval('#border option', (os) => os.map((o) => o.value));
      const b = pick(modes);
      await page.selectOption('#border', b);
      await waitState(page, (x) => window.__convolens.chain?.border === x, b);
    },
    async function mode() {
      const m = pick(['rgb', 'gray']);
      await page.click(`#mode-group [data-mode="${m}"]`);
      await waitState(page, (x) => window.__convolens.chain?.mode === x, m);
    },
    async function resolution() {
      const list = await page.$$eval('#resolution option', (os) => os.map((o) => o.value));
      await setResolution(page, list[res++ % list.length]);
    },
    async function engineSwitch() {
      await setBackend(page, ['plain', 'js', 'simd'][engine++ % 3]);
    },
    async function inspector() {
      const box = await page.locator('#output').boundingBox();
      await page.mouse.move(box.x + random() * box.width, box.y + random() * box.height);
      await waitState(page, () => !!window.__convolens.inspector);
      tally.probes++;
    },
    async function digit() {
      if (!(await page.evaluate(() => !!window.__convolens.digits))) return;
      await page.click('#draw-clear');
      const before = await page.evaluate(() => window.__convolens.digits.last);
      const box = await page.locator('#draw').boundingBox();
      const stroke = pick(STROKES);
      await page.mouse.move(box.x + stroke[0][0], box.y + stroke[0][1]);
      await page.mouse.down();
      for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 4 });
      await page.mouse.up();
      await waitState(page, (b) => window.__convolens.digits.last && window.__convolens.digits.last !== b, before);
      tally.digits++;
    },
    async function model() {
      const leak = await page.evaluate(async () => {
        // One thread: a threaded instance's idle pool Workers wait blocked (Atomics.wait) and
        // cannot answer measureUserAgentSpecificMemory, whose samples would then time out.
        window.__soakCl ??= await (await import('/lib/convolens.js')).load({ simd: true, threads: false });
        const cl = window.__soakCl;
        const base = cl.memory().liveBytes;
        const m = await cl.loadModel('/models/mnist/model.json');
        const y = m.predict(new Float32Array(4 * 784).fill(0.5));
        m.dispose();
        if (y.length !== 40) return `predict gave ${y.length} values`;
        const after = cl.memory().liveBytes;
        return after === base ? null : `a loaded and disposed model left ${after - base} wasm bytes`;
      });
      if (leak) throw new Error(leak);
      tally.models++;
    },
  ];
}

// Frames, fps, dropped frames, memory; the engine's live wasm bytes in the canonical state.
async function sample(page, t) {
  await page.selectOption('#resolution', CANONICAL.resolution);
  await setBackend(page, CANONICAL.backend);
  await page.selectOption('#border', CANONICAL.border);
  await page.click(`#mode-group [data-mode="${CANONICAL.mode}"]`);
  await setPreset(page, CANONICAL.preset);
  await waitState(page, () => window.__convolens.width === 640 && window.__convolens.chain?.border === 'replicate' && window.__convolens.chain?.mode === 'rgb');
  await waitFrames(page, 2);
  return page.evaluate(async (seconds) => {
    const h = window.__convolens;
    let ua = null, uaNote = null, byScope = null;
    try {
      const m = await performance.measureUserAgentSpecificMemory();
      ua = m.bytes;
      byScope = {};  // bytes by where they live: Window (the page), DedicatedWorkerGlobalScope, ...
      for (const b of m.breakdown) for (const a of b.attribution) byScope[a.scope] = (byScope[a.scope] ?? 0) + b.bytes / b.attribution.length;
    } catch (e) {
      uaNote = `${e.name}: ${e.message}`;  // not cross-origin isolated, or not supported
    }
    const wasm = await h.memory();
    return {
      t: seconds, frames: h.frames, fps: h.fps, dropped: h.live.stats.dropped, restarts: h.workerRestarts ?? 0,
      memoryBytes: ua, memoryByScope: byScope, memoryNote: uaNote, jsHeap: performance.memory?.usedJSHeapSize ?? null,
      wasmHeap: wasm.heapBytes, liveBytes: wasm.liveBytes, liveBuffers: wasm.liveBuffers,
    };
  }, t);
}

export async function soak({ seconds = 600, sampleEvery = 60, boundBytes = 48 * MiB, seed = 15, log = console.log } = {}) {
  const { server, url } = await startServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  const problems = [];
  const samples = [];
  const tally = { actions: 0, probes: 0, digits: 0, models: 0 };
  const failures = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(`${url}?res=${CANONICAL.resolution}`);
    await waitState(page, () => window.__convolens.ready || window.__convolens.error, null, 60000);
    await waitFrames(page, 3);
    const list = actions(page, rng(seed), tally);
    const t0 = Date.now();
    const elapsed = () => (Date.now() - t0) / 1000;
    let next = 1;
    for (let i = 0; elapsed() < seconds && !failures.length; i++) {
      const act = list[i % list.length];
      try {
        await act();
        tally.actions++;
      } catch (e) {
        failures.push(`action ${act.name} (#${i}) at ${elapsed().toFixed(0)} s: ${e.message.split('\n')[0]}`);
      }
      const error = await page.evaluate(() => window.__convolens.error);
      if (error) failures.push(`frame error at ${elapsed().toFixed(0)} s: ${error}`);
      if (problems.length) failures.push(`console: ${problems.join(' | ')}`);
      if (elapsed() >= next * sampleEvery || elapsed() >= seconds) {
        const s = await sample(page, Math.round(elapsed()));
        samples.push(s);
        log(format(s));
        next = Math.floor(elapsed() / sampleEvery) + 1;
      }
      // One action a second: wait out the rest of this second.
      const rest = (i + 1) * 1000 - (Date.now() - t0);
      if (rest > 0) await page.waitForTimeout(rest);
    }
    // The last sample, at the end of the run.
    if (!failures.length && samples.at(-1)?.t !== Math.round(elapsed())) {
      const s = await sample(page, Math.round(elapsed()));
      samples.push(s);
      log(format(s));
    }
    failures.push(...judge(samples, boundBytes));
    await context.close();
  } finally {
    await browser.close();
    server.close();
  }
  return { seconds, sampleEvery, boundBytes, tally, samples, problems, failures, ok: failures.length === 0 };
}

// After warm-up (the first sample): frames keep coming, the engine's live wasm bytes in the same
// state stay exactly where they were, and the page's memory grows by at most boundBytes.
function judge(samples, boundBytes) {
  const out = [];
  if (samples.length < 2) return ['fewer than two samples: run longer than the sample interval'];
  const warm = samples[0];
  for (let i = 1; i < samples.length; i++) {
    const s = samples[i], prev = samples[i - 1];
    if (s.frames <= prev.frames) out.push(`no frames processed between ${prev.t} s and ${s.t} s`);
    if (s.liveBytes !== warm.liveBytes || s.liveBuffers !== warm.liveBuffers)
      out.push(`at ${s.t} s the engine holds ${s.liveBytes} live wasm bytes in ${s.liveBuffers} buffers, after warm-up ${warm.liveBytes} in ${warm.liveBuffers}`);
    const m = s.memoryBytes ?? s.jsHeap, w = warm.memoryBytes ?? warm.jsHeap;
    if (m != null && w != null && m - w > boundBytes)
      out.push(`at ${s.t} s the page uses ${(m / MiB).toFixed(1)} MiB, ${((m - w) / MiB).toFixed(1)} MiB more than after warm-up (bound ${(boundBytes / MiB).toFixed(0)} MiB)`);
  }
  return out;
}

function format(s) {
  const mib = (b) => (b == null ? '   n/a' : (b / MiB).toFixed(1).padStart(6));
  return `${String(s.t).padStart(5)} s  frames ${String(s.frames).padStart(6)}  fps ${s.fps.toFixed(1).padStart(5)}  dropped ${String(s.dropped).padStart(5)}  ` +
    `memory ${mib(s.memoryBytes)} MiB (page ${mib(s.memoryByScope?.Window)}, workers ${mib(s.memoryByScope?.DedicatedWorkerGlobalScope)})  main JS heap ${mib(s.jsHeap)} MiB  engine wasm heap ${mib(s.wasmHeap)} MiB, live ${s.liveBytes} B in ${s.liveBuffers}` +
    (s.memoryNote ? `  (measureUserAgentSpecificMemory: ${s.memoryNote}; bound on the main JS heap instead)` : '');
}

function option(args, name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const seconds = option(args, 'seconds', option(args, 'minutes', 10) * 60);
  const sampleEvery = option(args, 'sample', 60);
  const boundBytes = option(args, 'bound-mb', 48) * MiB;
  const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : 'build/results/soak.json';
  if (!(seconds > 0) || !(sampleEvery > 0) || !(boundBytes > 0)) {
    console.error('soak: --minutes/--seconds, --sample and --bound-mb must be positive numbers');
    process.exit(2);
  }
  console.log(`soak: ${seconds} s, a sample every ${sampleEvery} s, memory bound ${boundBytes / MiB} MiB after warm-up`);
  const r = await soak({ seconds, sampleEvery, boundBytes });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(r, null, 2));
  const first = r.samples[0], last = r.samples.at(-1);
  console.log(`actions ${r.tally.actions} (inspector ${r.tally.probes}, digits ${r.tally.digits}, models ${r.tally.models}); ` +
    `frames ${last?.frames ?? 0}, dropped ${last?.dropped ?? 0}; memory ${first?.memoryBytes != null ? `${(first.memoryBytes / MiB).toFixed(1)} -> ${(last.memoryBytes / MiB).toFixed(1)} MiB` : 'n/a'}`);
  console.log(r.ok ? 'soak: passed' : `soak: FAILED\n  ${r.failures.join('\n  ')}`);
  console.log(`(${out})`);
  process.exit(r.ok ? 0 : 1);
}
