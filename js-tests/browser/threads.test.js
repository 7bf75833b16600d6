// The SIMD + threads filter module in Chromium: on a cross-origin-isolated page load() picks it
// by itself, in the page and in the library's worker, and gives the single-thread bytes; a
// ParallelModel splits a CNN batch over Workers with the single-thread outputs; served without
// COOP/COEP, threads are off with the reason (the page says it), everything runs on one thread,
// and nothing logs an error. A pool that cannot start (worker script missing, silent, on another
// origin, blocked by CSP) falls back to one thread with one warning, within a bounded time.
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openPage, serve } from './chromium.js';
import { useTempDirs } from '../helpers/temp-dirs.js';

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
const WORKER_SCRIPT = 'convolens-simd-mt.worker.js';
const tempDir = useTempDirs();
let isolated, plainHost, browser, broken;
beforeAll(async () => {
  isolated = await serve();
  plainHost = await serve({ isolate: false });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  isolated?.server.close();
  plainHost?.server.close();
});

// A site whose copies of the wasm folder break the pool: /missing/ lacks the pool's worker script
// (a bundler that did not emit it), /silent/'s never answers. /lib and /wasm are the real ones.
function brokenSite() {
  if (broken) return broken;
  broken = tempDir('convolens-pool-');
  for (const d of ['lib', 'wasm', 'models']) symlinkSync(join(WEB, d), join(broken, d));
  for (const d of ['missing', 'silent']) {
    mkdirSync(join(broken, d));
    for (const f of readdirSync(join(WEB, 'wasm'))) if (f !== WORKER_SCRIPT) symlinkSync(join(WEB, 'wasm', f), join(broken, d, f));
  }
  writeFileSync(join(broken, 'silent', WORKER_SCRIPT), '// a pool worker that never answers\n');
  writeFileSync(join(broken, 'blank.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>blank</title>');
  return broken;
}

// Runs in the page: threaded vs single-thread filters, parallel and threaded vs plain CNN, on the same inputs.
async function compareInPage() {
  const { load, threadSupport } = await import('/lib/convolens.js');
  const support = await threadSupport();
  const one = await load({ threads: false });
  const cl = await load();  // threads where they can run, as in Node
  const w = 301, h = 203, data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0, s = 1; i < data.length; i++) { s = (s * 1103515245 + 12345) >>> 0; data[i] = s >>> 24; }
  let same = true;
  for (const name of ['sharpen', 'gaussian', 'box', 'sobel-magnitude']) {
    for (const mode of ['rgb', 'gray']) {
      const a = one.createFilter(name, { mode }), b = cl.createFilter(name, { mode });
      const x = a.apply({ data, width: w, height: h }).slice(), y = b.apply({ data, width: w, height: h });
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) { same = false; break; }
      a.dispose(); b.dispose();
    }
  }
  const ma = await one.loadModel('/models/mnist/model.json');
  const mb = await one.loadParallelModel('/models/mnist/model.json', { threads: 2, minBatch: 8 });
  const input = new Float32Array(37 * 784).map((_, i) => (i % 97) / 97);
  const mc = await cl.loadModel('/models/mnist/model.json');  // the threaded CNN module where threads run
  const pa = ma.predict(input), pb = await mb.predict(input), pc = mc.predict(input);
  const cnnSame = pa.length === pb.length && pa.every((v, i) => v === pb[i]) && pc.length === pa.length && pa.every((v, i) => v === pc[i]);
  const result = { support, variant: cl.variant, backend: cl.backend, threads: cl.threads, same, cnnSame };
  ma.dispose(); mb.dispose(); mc.dispose();
  cl.dispose();
  return result;
}

test('cross-origin isolated: load() picks the threaded module in the page and in the worker, same bytes', async () => {
  const { page, problems, context } = await openPage(browser, isolated.url + 'examples/worker.html');
  const r = await page.evaluate(compareInPage);
  expect(r).toEqual({ support: { ok: true, cores: expect.any(Number), reason: '' }, variant: 'simd-mt', backend: 'wasm-simd128-threads',
    threads: expect.any(Number), same: true, cnnSame: true });
  expect(r.threads).toBe(Math.min(r.support.cores, 8));
  // The example's spawnWorker() (no options) runs the threaded module in its worker.
  await page.waitForFunction(() => /^([5-9]|\d\d+) frames, wasm-simd128-threads in a worker/.test(document.getElementById('info').textContent), null, { timeout: 20000 });
  expect(problems).toEqual([]);
  await context.close();
});

test('served without COOP/COEP: threads are off with the reason, one thread runs, no console errors', async () => {
  const { page, problems, context } = await openPage(browser, plainHost.url + 'examples/worker.html');
  const r = await page.evaluate(compareInPage);
  expect(r).toMatchObject({ variant: 'simd', backend: 'wasm-simd128', threads: 1, same: true, cnnSame: true });
  expect(r.support.ok).toBe(false);
  expect(r.support.reason).toMatch(/not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
  // Asking for threads anyway: the clear error, or the warning naming the reason and one thread.
  const asked = await page.evaluate(async () => {
    const { load } = await import('/lib/convolens.js');
    let error = null;
    try { await load({ threads: 2, threadsFallback: false }); } catch (e) { error = e.message; }
    const warnings = [];
    const cl = await load({ threads: 2, warn: (m) => warnings.push(m) });
    return { error, warnings, threads: cl.threads };
  });
  expect(asked.error).toMatch(/^convolens: threads: 2 asked for, but the page is not cross-origin isolated/);
  expect(asked.warnings).toEqual([expect.stringMatching(/not cross-origin isolated.*; running on one thread$/)]);
  expect(asked.threads).toBe(1);
  await page.waitForFunction(() => /^([5-9]|\d\d+) frames, wasm-simd128 in a worker/.test(document.getElementById('info').textContent), null, { timeout: 20000 });
  expect(problems).toEqual([]);
  await context.close();
});

test('the demo page without COOP/COEP: the threads button is off and the page says why', async () => {
  const { page, problems, context } = await openPage(browser, plainHost.url);
  await page.waitForFunction(() => window.__convolens?.ready && window.__convolens.frames > 2, null, { timeout: 30000 });
  expect(await page.evaluate(() => [window.__convolens.backend, document.getElementById('backend-mt').disabled])).toEqual(['simd', true]);
  expect(await page.textContent('#engine-note')).toMatch(/Threads are off: the page is not cross-origin isolated/);
  expect(problems).toEqual([]);
  await context.close();
});

test('killing the worker helper mid-frame: the pending call rejects with a clear message, a new worker works', async () => {
  const { page, problems, context } = await openPage(browser, isolated.url + 'examples/worker.html');
  const r = await page.evaluate(async () => {
    const { spawnWorker } = await import('/lib/worker.js');
    const w = await spawnWorker({ threads: true });
    const f = await w.createFilter('gaussian', { size: 15 });
    const pending = f.apply({ data: new Uint8ClampedArray(1920 * 1080 * 4), width: 1920, height: 1080 }).then(() => 'finished', (e) => e.message);
    w.terminate();  // ends the worker and its pool threads while the frame is on its way
    const message = await pending;
    const again = await spawnWorker({ threads: true });
    const g = await again.createFilter('sharpen');
    const out = await g.apply({ data: new Uint8ClampedArray(64 * 64 * 4).fill(7), width: 64, height: 64 });
    again.terminate();
    return { message, backend: again.backend, pixel: out[0] };
  });
  expect(r).toEqual({ message: 'convolens worker terminated', backend: 'wasm-simd128-threads', pixel: 7 });
  expect(problems).toEqual([]);
  await context.close();
});

// Runs in the page: load() with these options; what it picked, what it warned, and a frame.
async function loadIn(page, options) {
  return page.evaluate(async (o) => {
    const { load } = await import('/lib/convolens.js');
    const warnings = [];
    let error = null;
    try { await load({ ...o, threadsFallback: false }); } catch (e) { error = e.message; }
    const cl = await load({ ...o, warn: (m) => warnings.push(m) });
    const again = await load({ ...o, warn: (m) => warnings.push(m) });  // the fallback is remembered
    const f = cl.createFilter('sharpen');
    const pixel = f.apply({ data: new Uint8ClampedArray(64 * 64 * 4).fill(9), width: 64, height: 64 })[0];
    f.dispose();
    return { error, warnings, variant: cl.variant, threads: cl.threads, same: again === cl, pixel };
  }, options);
}
const fellBack = { variant: 'simd', threads: 1, same: true, pixel: 9 };

test('a pool that cannot start: its worker script missing (a bundler did not emit it) or never answering: one warning, one thread', async () => {
  const { server, url } = await serve({ root: brokenSite() });
  const { page, problems, context } = await openPage(browser, url + 'blank.html');
  try {
    const missing = await loadIn(page, { wasmPaths: '/missing/' });
    expect(missing).toMatchObject(fellBack);
    const why = /a pool Worker could not load its script http:\/\/.*\/missing\/convolens-simd-mt\.worker\.js \(missing, or blocked by the Content-Security-Policy's worker-src\)/;
    expect(missing.error).toMatch(why);
    expect(missing.warnings).toEqual([expect.stringMatching(/^convolens: the SIMD \+ threads module did not start: .*; running on one thread/)]);
    expect(missing.warnings[0]).toMatch(why);
    const silent = await page.evaluate(async () => {
      const { load } = await import('/lib/convolens.js');
      const warnings = [];
      const cl = await load({ wasmPaths: '/silent/', threadsTimeout: 1000, warn: (m) => warnings.push(m) });
      return { variant: cl.variant, warnings };
    });
    expect(silent).toEqual({ variant: 'simd', warnings: [expect.stringMatching(/did not start: its pool of \d+ Worker\(s\) did not start within 1000 ms; running on one thread/)] });
    expect(problems).toEqual([]);  // the 404 included: Chromium does not log a Worker's failed script
  } finally {
    await context.close();
    server.close();
  }
});

test('a pool whose worker script is on another origin (a CDN copy; the way round it) or blocked by CSP worker-src: one warning, one thread', async () => {
  const root = brokenSite();
  const cdn = await serve({ root, cors: true, csp: false });
  const strict = await serve({ root, csp: "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'none'; img-src data:" });
  const open = await serve({ root, csp: false });
  try {
    const a = await openPage(browser, isolated.url + 'examples/worker.html');
    const cross = await loadIn(a.page, { wasmPaths: new URL('wasm/', cdn.url).href });
    expect(cross).toMatchObject(fellBack);
    expect(cross.warnings).toEqual([expect.stringMatching(/pool's worker script .* is on another origin than the page .*; running on one thread/)]);
    await a.page.waitForFunction(() => /^([5-9]|\d\d+) frames, wasm-simd128-threads in a worker/.test(document.getElementById('info').textContent), null, { timeout: 20000 });
    expect(a.problems).toEqual([]);  // no Worker was tried
    await a.context.close();

    // The way round it: the worker script from the page's origin, everything else from the CDN
    // (a page whose CSP lets scripts come from the CDN: the pool Worker imports the glue from it).
    const c = await openPage(browser, open.url + 'blank.html');
    const mixed = await c.page.evaluate(async (cdnWasm) => {
      const { load } = await import('/lib/convolens.js');
      const cl = await load({ locateFile: (f) => (f.endsWith('.worker.js') ? '/wasm/' + f : cdnWasm + f) });
      const r = { variant: cl.variant, threads: cl.threads };
      cl.dispose();
      return r;
    }, new URL('wasm/', cdn.url).href);
    expect(mixed).toEqual({ variant: 'simd-mt', threads: expect.any(Number) });
    expect(c.problems).toEqual([]);
    await c.context.close();

    const b = await openPage(browser, strict.url + 'blank.html');
    const blocked = await loadIn(b.page, {});
    expect(blocked).toMatchObject(fellBack);
    expect(blocked.warnings).toEqual([expect.stringMatching(/did not start: .*; running on one thread/)]);
    // The browser reports the CSP violation itself; nothing else is logged.
    expect(b.problems.filter((p) => !/violates the following Content Security Policy directive: "worker-src 'none'"/.test(p))).toEqual([]);
    await b.context.close();
  } finally {
    cdn.server.close();
    strict.server.close();
    open.server.close();
  }
});
