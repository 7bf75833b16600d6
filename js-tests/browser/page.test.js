// The convolens page in headless Chromium with the fake camera: frames flow through the worker,
// the output is exactly what the C++ engine computes for the same frame, the inspector's
// arithmetic is right, the backend switch works, and nothing logs an error or a warning.
import { launch, openPage, serve } from './chromium.js';
import { waitFrames, lastFrame, reference, firstDifference, choosePreset, shoot, ARTIFACTS } from './page-helpers.js';
import { conv3x3Reference } from '../helpers/reference.js';

const SHARPEN = [0, -1, 0, -1, 5, -1, 0, -1, 0];
let server, url, browser, page, context, problems;

beforeAll(async () => {
  ({ server, url } = await serve());
  browser = await launch();
  ({ page, context, problems } = await openPage(browser, url));
  await waitFrames(page, 5);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  server?.close();
});

test('camera frames flow through the worker, the FPS readout is > 0, and the output equals the reference for the same frame', async () => {
  const state = await page.evaluate(() => ({ ...window.__convolens, inspector: undefined }));
  // The page is cross-origin isolated (the test server sends COOP/COEP): SIMD + threads is the
  // default engine, and its button and readout say how many threads run.
  const n = await page.evaluate(() => Math.min(navigator.hardwareConcurrency, 8));
  expect(state).toMatchObject({ ready: true, mode: 'worker', source: 'camera', backend: 'simd-mt', backendName: `wasm-simd128-threads (${n} threads)`, error: null, notice: null });
  expect(await page.textContent('#backend-mt')).toBe(`WASM SIMD + threads (${n})`);
  expect(await page.textContent('#engine-note')).toContain(`wasm-simd128-threads (${n} threads)`);
  await page.waitForFunction(() => Number(document.getElementById('fps').textContent) > 0);
  expect(Number(await page.textContent('#fps'))).toBeGreaterThan(0);
  const f = await lastFrame(page);
  expect([f.width, f.height]).toEqual([640, 480]);
  expect(f.chain.stages).toEqual([{ preset: 'sharpen' }]);
  // Independent check: the f32 JS definition of a 3x3 filter with the replicate border.
  expect(firstDifference(f.output, conv3x3Reference(f.input, f.width, f.height, SHARPEN), f.width)).toBeNull();
  // The kernel editor shows the preset's weights.
  expect(await page.$$eval('#kernel-grid input', (els) => els.map((e) => Number(e.value)))).toEqual(SHARPEN);
  await page.screenshot({ path: ARTIFACTS + 'page-desktop.png', fullPage: true });
  await shoot(page, '#live', 'page-live');
});

test.each(['box', 'laplacian-8', 'emboss'])('selecting the preset %s changes the output exactly as the reference does', async (name) => {
  const before = await lastFrame(page);
  await choosePreset(page, name);
  const f = await lastFrame(page);
  expect(f.chain.stages).toEqual([{ preset: name }]);
  expect(firstDifference(f.output, await reference(f), f.width)).toBeNull();
  // and it is a different picture from the sharpened one
  expect(firstDifference(f.output, await reference(f, before.chain), f.width)).not.toBeNull();
});

test.each(['edges', 'blur-edges', 'emboss', 'motion'])('the "Try" button %s sets a chain that runs exactly like the reference', async (recipe) => {
  await page.click(`#recipes [data-recipe="${recipe}"]`);
  await page.waitForFunction((r) => {
    const c = window.__convolens.chain;
    return c && (r === 'blur-edges' ? c.stages.length === 2 : r === 'motion' ? c.stages[0].kernel?.width === 7 : c.mode === 'gray');
  }, recipe);
  await waitFrames(page, 3);
  const f = await lastFrame(page);
  expect([recipe, firstDifference(f.output, await reference(f), f.width)]).toEqual([recipe, null]);
  await page.click('#recipes [data-recipe="reset"]');
  await page.waitForFunction(() => window.__convolens.chain?.stages[0]?.preset === 'sharpen' && window.__convolens.chain.mode === 'rgb');
});

test('the pixel inspector shows the right numbers for a chosen pixel', async () => {
  await choosePreset(page, 'sharpen');
  await page.click('#pause');
  await page.waitForTimeout(150);  // the frame in flight lands
  const f = await lastFrame(page);
  // Point at pixel (200, 150) of the 640x480 output with the mouse.
  const box = await page.locator('#output').boundingBox();
  const s = Math.min(box.width / f.width, box.height / f.height);
  const ox = (box.width - f.width * s) / 2, oy = (box.height - f.height * s) / 2;
  await page.mouse.move(box.x + ox + (200.5 * s), box.y + oy + (150.5 * s));
  await page.waitForFunction(() => window.__convolens.inspector?.probe?.x === 200 && window.__convolens.inspector?.probe?.y === 150);
  for (const channel of [0, 1, 2]) {
    await page.click(`#channel-group [data-channel="${channel}"]`);
    await page.waitForFunction((c) => window.__convolens.inspector?.channel === c, channel);
    const shown = await page.$$eval('#steps li', (lis) => Object.fromEntries(lis.map((li) => [li.dataset.key, li.querySelector('.v').textContent])));
    const mac = await page.textContent('#mac');
    // The expected numbers, straight from the frame.
    let sum = 0;
    const terms = [];
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const w = SHARPEN[(dy + 1) * 3 + dx + 1];
      const p = f.input[((150 + dy) * f.width + 200 + dx) * 4 + channel];
      sum += w * p;
      if (w) terms.push(`${Math.abs(w)}×${p}`);
    }
    const out = f.output[(150 * f.width + 200) * 4 + channel];
    const clamped = Math.min(255, Math.max(0, sum));
    expect(shown.sum.replace('−', '-')).toBe(String(sum));
    expect(shown.value).toBe(String(clamped));
    expect(shown.actual).toBe(String(out));
    expect(clamped).toBe(out);
    expect(mac.replace(/[−+]/g, ' ').split(/\s+/).filter(Boolean)).toEqual(terms);
  }
  await shoot(page, '#pixel', 'page-inspector');
  // Keyboard: focus the output, the arrow keys move the inspected pixel.
  await page.focus('#output');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => window.__convolens.inspector?.probe?.x === 201 && window.__convolens.inspector?.probe?.y === 151);
  await page.click('#pause');
});

test('the backend switch changes the backend, and every backend gives the same output', async () => {
  // Ends on the default engine, SIMD + threads.
  for (const [name, label] of [['simd', 'wasm-simd128'], ['plain', 'wasm-plain'], ['js', 'plain JavaScript'], ['simd-mt', 'wasm-simd128-threads']]) {
    await page.click(`#backend-group [data-backend="${name}"]`);
    // The threaded engine's name also says how many threads run: "wasm-simd128-threads (2 threads)".
    await page.waitForFunction((l) => window.__convolens.backendName === l || window.__convolens.backendName?.startsWith(l + ' ('), label);
    await waitFrames(page, 3);
    expect(await page.getAttribute(`#backend-group [data-backend="${name}"]`, 'aria-checked')).toBe('true');
    expect(await page.textContent('#engine-note')).toContain(label);
    expect(await page.textContent('#variant-note')).toMatch(name === 'js' ? /^Kernel code: convolveNaive$/ : /^Kernel code: \w+$/);
    const f = await lastFrame(page);
    expect([name, firstDifference(f.output, await reference(f), f.width)]).toEqual([name, null]);
  }
  await shoot(page, '#live .panels', 'page-speed');
});

// Switching filters and engines again and again leaving the wasm memory where it was: soak.test.js.

test('a custom kernel typed into the editor runs, and bad values give a clear message', async () => {
  await page.selectOption('#preset', '__custom');
  await page.selectOption('#kernel-w', '5');
  await page.waitForFunction(() => window.__convolens.chain?.stages[0]?.kernel?.width === 5);
  const inputs = page.locator('#kernel-grid input');
  expect(await inputs.count()).toBe(15);  // 5 wide x 3 high
  await inputs.nth(0).fill('2');
  await inputs.nth(14).fill('-1');
  await page.click('#normalise');
  await page.waitForFunction(() => window.__convolens.chain?.stages[0]?.kernel?.scale === 2);
  await waitFrames(page, 3);
  const f = await lastFrame(page);
  expect(f.chain.stages[0].kernel).toMatchObject({ width: 5, height: 3, scale: 2, offset: 0 });
  expect(firstDifference(f.output, await reference(f), f.width)).toBeNull();
  await page.fill('#kernel-scale', '0');
  await page.waitForFunction(() => !document.getElementById('kernel-error').hidden);
  expect(await page.textContent('#kernel-error')).toMatch(/scale/i);
  await waitFrames(page, 3);  // still running (the previous kernel)
  await page.selectOption('#preset', 'sharpen');
  await waitFrames(page, 2);
});

test('the snapshot button downloads the output as a PNG', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#snapshot')]);
  expect(download.suggestedFilename()).toMatch(/^convolens-[a-z0-9-]+\.png$/);
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  expect([...readFileSync(path).subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
});

test('the resolution choice changes the camera and processing size', async () => {
  await page.selectOption('#resolution', '320x240');
  await page.waitForFunction(() => window.__convolens.width === 320 && window.__convolens.height === 240, null, { timeout: 10000 });
  await waitFrames(page, 3);
  const f = await lastFrame(page);
  expect([f.width, f.height]).toEqual([320, 240]);
  expect(firstDifference(f.output, await reference(f), f.width)).toBeNull();
  expect(await page.textContent('#share-figure')).toContain('320 × 240');
  await page.selectOption('#resolution', '640x480');
  await page.waitForFunction(() => window.__convolens.width === 640, null, { timeout: 10000 });
});

test('every section renders, at desktop and at phone width', async () => {
  for (const id of ['slide', 'share', 'digits']) await shoot(page, `#${id}`, `page-${id}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await waitFrames(page, 3);
  await page.screenshot({ path: ARTIFACTS + 'page-phone.png', fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expect(problems).toEqual([]);
});
