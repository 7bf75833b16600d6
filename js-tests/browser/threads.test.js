// The SIMD + threads filter module in Chromium: on a cross-origin-isolated page it loads in the
// page and in the library's worker and gives the single-thread bytes; a ParallelModel splits a
// CNN batch over Workers with the single-thread outputs; served without COOP/COEP, threads are
// off with the reason (the page says it), everything runs on one thread, and nothing logs an error.
import { launch, openPage, serve } from './chromium.js';

let isolated, plainHost, browser;
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

// Runs in the page: threaded vs single-thread filters, parallel and threaded vs plain CNN, on the same inputs.
async function compareInPage() {
  const { load, threadSupport } = await import('/lib/convolens.js');
  const support = await threadSupport();
  const one = await load({ threads: false });
  const cl = await load({ threads: true, warn: () => {} });  // browsers run threads when asked
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

test('cross-origin isolated: the threaded module runs in the page and in the worker, same bytes', async () => {
  const { page, problems, context } = await openPage(browser, isolated.url + 'examples/worker.html');
  const r = await page.evaluate(compareInPage);
  expect(r).toEqual({ support: { ok: true, cores: expect.any(Number), reason: '' }, variant: 'simd-mt', backend: 'wasm-simd128-threads',
    threads: expect.any(Number), same: true, cnnSame: true });
  expect(r.threads).toBe(Math.min(r.support.cores, 8));
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
