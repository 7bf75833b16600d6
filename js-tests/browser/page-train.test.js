// Section 6, "Train it yourself": training runs in workers (two here: the test server makes the
// page cross-origin isolated) and the page shows it. Start, see progress and the first layer's
// kernels change, pause and resume, let it finish, download the model and read it back through
// cl.loadModel, use it to read a drawn 7; a second run is stopped early. Waits for states, never
// for time.
import { readFile } from 'node:fs/promises';
import { load } from '../../web/lib/convolens.js';
import { launch, openPage, serve } from './chromium.js';
import { shoot } from './page-helpers.js';

let server, url, browser, page, context, problems;
beforeAll(async () => {
  ({ server, url } = await serve());
  browser = await launch();
  ({ page, context, problems } = await openPage(browser, url + '?source=scene'));
  await page.waitForFunction(() => window.__train && window.__convolens?.digits, null, { timeout: 30000 });
}, 60000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  server?.close();
});

const state = () => page.evaluate(() => ({ ...window.__train }));

test('train the tiny net: progress, kernels that change, pause/resume, confusion matrix, wrong digits', async () => {
  await page.selectOption('#train-preset', 'tiny');
  // 10,000 digits x 5 epochs (790 steps): the run must still be going when Pause is clicked after
  // a few progress reports (5,000 x 1 took ~0.1 s of the tiny net's training on two workers).
  await page.selectOption('#train-size', '10000');
  await page.selectOption('#train-lr', '0.01');
  await page.selectOption('#train-epochs', '5');
  await page.click('#train-start');
  await page.waitForFunction(() => window.__train.state === 'training' && window.__train.step > 0 && window.__train.kernelDraws >= 2, null, { timeout: 120000 });
  const first = await state();
  expect(first.loss).toBeGreaterThan(0);
  expect(await page.textContent('#train-speed')).toMatch(/images\/s .* s left/);
  await page.waitForFunction((sig) => window.__train.kernelSig !== sig, first.kernelSig, { timeout: 60000 });
  await page.click('#train-pause');
  await page.waitForFunction(() => window.__train.state === 'paused');
  expect(await page.getAttribute('#train-pause', 'aria-pressed')).toBe('true');
  const pausedAt = (await state()).step;
  await page.click('#train-pause');
  await page.waitForFunction((s) => window.__train.state === 'training' && window.__train.step > s, pausedAt, { timeout: 60000 });
  await page.waitForFunction(() => window.__train.state === 'done' || window.__train.state === 'error', null, { timeout: 300000 });
  const done = await state();
  expect(done.state).toBe('done');
  expect(done.workers).toBe(2);
  expect(done.step).toBe(done.totalSteps);
  expect(done.accuracy).toBeGreaterThan(0.85);
  expect(await page.locator('#train-confusion tr').count()).toBe(11);
  expect(await page.locator('#train-wrong figure').count()).toBeGreaterThan(0);
  expect(await page.locator('#train-kernels canvas').count()).toBe(8);
  await shoot(page, '#train', 'page-train-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, '#train', 'page-train-390');
  await page.setViewportSize({ width: 1280, height: 900 });
}, 420000);

test('Download saves model.json and weights.bin; cl.loadModel reads them with the trained predictions', async () => {
  const files = {};
  const both = new Promise((resolve) => {
    const onDownload = async (d) => {
      files[d.suggestedFilename()] = await readFile(await d.path());
      if (files['model.json'] && files['weights.bin']) {
        page.off('download', onDownload);
        resolve();
      }
    };
    page.on('download', onDownload);
  });
  await page.click('#train-download');
  await both;
  const cl = await load();
  const w = files['weights.bin'];
  const model = await cl.loadModel({ modelJson: files['model.json'].toString('utf8'),
    weights: [w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength)] });
  const { test } = await cl.loadMnist({ train: 0, test: 500 });
  const probs = model.predict(Float32Array.from(test.images, (v) => v / 255));
  const trained = (await state()).predictions;  // the trainer's own, in the worker
  expect(trained).toHaveLength(500);
  const read = Array.from({ length: 500 }, (_, i) => {
    const p = probs.subarray(i * 10, i * 10 + 10);
    return p.indexOf(Math.max(...p));
  });
  expect(read).toEqual(trained);
  model.dispose();
}, 120000);

test('"Use this model" switches "Draw a digit" to it, and it reads a drawn 7', async () => {
  await page.click('#train-use');
  await page.waitForFunction(() => window.__convolens.digits.model === 'trained', null, { timeout: 30000 });
  await page.click('#draw-clear');
  const box = await page.locator('#draw').boundingBox();
  await page.mouse.move(box.x + 75, box.y + 60);
  await page.mouse.down();
  for (const [x, y] of [[205, 60], [125, 235]]) await page.mouse.move(box.x + x, box.y + y, { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction(() => window.__convolens.digits.last && !window.__convolens.digits.last.empty, null, { timeout: 10000 });
  await page.waitForFunction(() => window.__convolens.digits.last.digit === 7, null, { timeout: 5000 }).catch(() => {});
  expect(await page.evaluate(() => window.__convolens.digits.last.digit)).toBe(7);
}, 60000);

test('Stop ends a run early, and the page still evaluates what it learned', async () => {
  await page.selectOption('#train-epochs', '5');
  expect(await page.inputValue('#train-epochs')).toBe('5');  // 5 × 157 steps: Stop lands long before the end
  await page.click('#train-start');
  await page.waitForFunction(() => window.__train.state === 'training' && window.__train.step > 2, null, { timeout: 120000 });
  await page.click('#train-stop');
  await page.waitForFunction(() => window.__train.state === 'done' || window.__train.state === 'error', null, { timeout: 120000 });
  const s = await state();
  expect(s.state).toBe('done');
  expect(s.step).toBeLessThan(s.totalSteps);
}, 300000);

test('nothing logged an error or a warning', () => {
  expect(problems).toEqual([]);
});
