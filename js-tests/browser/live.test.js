// cl.live (web/lib/live.js) as an embedding site uses it, in headless Chromium: a canvas source
// through a chain onto a canvas, in the worker and on the main thread; engines, pause, probe,
// errors. Outputs are checked against the plain wasm engine in Node for the same input frame.
import { openPage, useBrowser } from './chromium.js';
import { reference, firstDifference } from './page-helpers.js';
import { engineOptions } from '../../web/lib/live-engines.js';

const web = useBrowser();

// A blank same-origin page with an output canvas and a moving, textured source canvas.
async function blank() {
  const { page, context, problems } = await openPage(web.browser, 'about:blank');
  const body = '<!doctype html><link rel="icon" href="data:,"><canvas id="out"></canvas>';
  await page.route(web.url + 'live-test.html', (r) => r.fulfill({ contentType: 'text/html', body }));
  await page.goto(web.url + 'live-test.html');
  await page.evaluate(async () => {
    const src = Object.assign(document.createElement('canvas'), { width: 160, height: 120 });
    const g = src.getContext('2d');
    window.draw = (t) => {
      for (let y = 0; y < 120; y += 8) for (let x = 0; x < 160; x += 8) {
        g.fillStyle = `rgb(${(x * 3 + t) % 256}, ${(y * 5) % 256}, ${(x * y) % 256})`;
        g.fillRect(x, y, 8, 8);
      }
    };
    window.src = src;
    window.cl = await import('/lib/convolens.js');
  });
  return { page, context, problems };
}

const frames = (page, n = 3) => page.evaluate(() => window.lv.stats.frames).then((s) => page.waitForFunction(([a, k]) => window.lv.stats.frames >= a + k, [s, n]));

// The last input/output pair (base64 across: element-wise serialisation of big arrays is slow).
async function pair(page) {
  const s = await page.evaluate(async () => {
    const p = await window.lv.snapshot();
    const b64 = (a) => { let t = ''; for (let i = 0; i < a.length; i += 8192) t += String.fromCharCode(...a.subarray(i, i + 8192)); return btoa(t); };
    return { width: p.width, height: p.height, input: b64(p.input), output: b64(p.output) };
  });
  const bytes = (b) => new Uint8ClampedArray(Buffer.from(b, 'base64'));
  return { width: s.width, height: s.height, input: bytes(s.input), output: bytes(s.output) };
}

async function expectChain(page, chain) {
  const frame = await pair(page);
  const want = await reference(frame, chain);
  expect(firstDifference(frame.output, want, frame.width)).toBeNull();
}

const SHARPEN = { stages: [{ preset: 'sharpen' }], border: 'replicate', borderValue: 0, mode: 'rgb' };
const EDGES = { stages: [{ preset: 'gaussian' }, { preset: 'sobel-magnitude' }], border: 'replicate', borderValue: 0, mode: 'rgb' };

test('engine names map onto load() options generically', () => {
  expect(engineOptions('simd')).toEqual({ simd: true, threads: false });
  expect(engineOptions('plain')).toEqual({ simd: false, threads: false });
  expect(engineOptions('simd-mt')).toEqual({ simd: true, threads: true });
  expect(engineOptions('js')).toBeNull();
  expect(() => engineOptions('gpu')).toThrow(/unknown engine "gpu"/);
  expect(() => engineOptions('simd-xx')).toThrow(/no feature "xx"/);
});

test.each([['worker', true], ['main thread', false]])('live() in the %s: chain, engines, pause, probe, stop', async (mode, worker) => {
  const { page, context, problems } = await blank();
  await page.evaluate(async (w) => {
    window.lv = await window.cl.live(window.src, document.getElementById('out'), ['gaussian', 'sobel-magnitude'], { worker: w, draw: window.draw });
  }, worker);
  expect(await page.evaluate(() => [window.lv.mode, window.lv.info.engine])).toEqual([mode, 'simd']);
  await frames(page);
  await expectChain(page, EDGES);

  // Every engine gives the same output for a single-kernel chain.
  await page.evaluate(() => window.lv.setChain(['sharpen']));
  for (const engine of ['plain', 'js', 'simd']) {
    expect(await page.evaluate((e) => window.lv.setEngine(e).then((i) => i.engine), engine)).toBe(engine);
    await frames(page);
    await expectChain(page, SHARPEN);
  }

  // Paused: a chain change re-filters the last frame; the probe reads that pair.
  await page.evaluate(() => window.lv.pause());
  await page.evaluate(() => window.lv.setChain(['gaussian', 'sobel-magnitude']));
  await expectChain(page, EDGES);
  const probe = await page.evaluate(() => window.lv.probe(20, 30));
  const frame = await pair(page);
  const o = (30 * frame.width + 20) * 4;
  expect(probe.output).toEqual(Array.from(frame.output.subarray(o, o + 4)));
  expect(probe.input).toEqual(Array.from(frame.input.subarray(o, o + 4)));
  expect(probe.taps).toHaveLength(probe.kernel.width * probe.kernel.height);
  await page.evaluate(() => window.lv.resume());
  await frames(page);

  // Stats, then stop: the loop ends and the worker is gone.
  const stats = await page.evaluate(() => ({ ...window.lv.stats }));
  expect(stats.fps).toBeGreaterThan(0);
  expect(stats.ms).toBeGreaterThan(0);
  await page.evaluate(() => window.lv.stop());
  expect(problems).toEqual([]);
  await context.close();
});

test('bad input gives errors that name the problem, and the live view keeps running', async () => {
  const { page, context, problems } = await blank();
  const errors = await page.evaluate(async () => {
    const out = document.getElementById('out');
    const msg = (p) => p.then(() => 'no error', (e) => `${e.name}: ${e.message}`);
    const r = {
      canvas: await msg(window.cl.live(window.src, null, ['sharpen'])),
      engine: await msg(window.cl.live(window.src, out, ['sharpen'], { engine: 'gpu' })),
    };
    window.lv = await window.cl.live(window.src, out, ['sharpen'], { draw: window.draw });
    r.preset = await msg(window.lv.setChain(['no-such-filter']));
    r.setEngine = await msg(window.lv.setEngine('gpu'));
    return r;
  });
  expect(errors.canvas).toMatch(/TypeError: .*canvas/);
  expect(errors.engine).toMatch(/RangeError: unknown engine "gpu"/);
  expect(errors.preset).toMatch(/RangeError: .*no-such-filter/);
  expect(errors.setEngine).toMatch(/RangeError: unknown engine "gpu"/);
  await frames(page);
  await expectChain(page, SHARPEN);
  await page.evaluate(() => window.lv.stop());
  expect(problems).toEqual([]);
  await context.close();
});
