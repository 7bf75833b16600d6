// The embedding examples in web/examples/, as a site would run them, in headless Chromium.
import { openPage, useBrowser, ARTIFACTS } from './chromium.js';

const web = useBrowser();

test('webcam example filters camera frames', async () => {
  const { page, problems, context } = await openPage(web.browser, web.url + 'examples/webcam.html');
  // Wait until the output canvas has non-black, varying pixels: edges of the fake camera's scene.
  await page.waitForFunction(() => {
    const c = document.getElementById('out');
    if (!c.width) return false;
    // Read through a fresh canvas each time: repeated getImageData on the page's own canvas
    // would make Chrome warn about willReadFrequently, which is the test's doing, not the page's.
    const copy = Object.assign(document.createElement('canvas'), { width: c.width, height: c.height }).getContext('2d');
    copy.drawImage(c, 0, 0);
    const d = copy.getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    for (let i = 0; i < d.length; i += 4) lit += d[i] + d[i + 1] + d[i + 2] > 60 ? 1 : 0;
    return lit > 100 && lit < c.width * c.height / 2;
  }, null, { timeout: 20000 });
  // cl.live reports its speed and where it runs: the SIMD engine in the worker.
  await page.waitForFunction(() => /^\d+ fps, [\d.]+ ms per frame \(wasm-simd128, worker\)$/.test(document.getElementById('info').textContent), null, { timeout: 20000 });
  // The example is the few-line version: at most 20 lines of script.
  const lines = await page.evaluate(() => document.querySelector('script[type=module]').textContent.trim().split('\n').length);
  expect(lines).toBeLessThanOrEqual(20);
  await page.screenshot({ path: ARTIFACTS + 'example-webcam.png' });
  expect(problems).toEqual([]);
  await context.close();
});

test('digit example classifies a digit drawn with the mouse', async () => {
  const { page, problems, context } = await openPage(web.browser, web.url + 'examples/digit.html');
  await page.waitForFunction(() => document.getElementById('pad').onpointerdown !== null, null, { timeout: 20000 });
  const box = await page.locator('#pad').boundingBox();
  const stroke = async (points) => {
    await page.mouse.move(box.x + points[0][0], box.y + points[0][1]);
    await page.mouse.down();
    for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 8 });
    await page.mouse.up();
  };
  await stroke([[70, 60], [210, 60], [130, 230]]);  // a 7
  await page.waitForFunction(() => /^7 /.test(document.getElementById('result').value), null, { timeout: 5000 });
  await page.screenshot({ path: ARTIFACTS + 'example-digit.png' });
  expect(problems).toEqual([]);
  await context.close();
});

test('worker example filters frames in a Web Worker', async () => {
  const { page, problems, context } = await openPage(web.browser, web.url + 'examples/worker.html');
  // The page is cross-origin isolated: the example's worker runs the SIMD + threads module.
  await page.waitForFunction(() => /^([5-9]|\d\d+) frames, wasm-simd128(-threads)? in a worker/.test(document.getElementById('info').textContent), null, { timeout: 20000 });
  // The emboss of a mostly flat scene is mostly mid-grey (offset 128).
  const mid = await page.evaluate(() => {
    const c = document.getElementById('out');
    const g = Object.assign(document.createElement('canvas'), { width: c.width, height: c.height }).getContext('2d');
    g.drawImage(c, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) n += Math.abs(d[i] - 128) < 8 ? 1 : 0;
    return n / (d.length / 4);
  });
  expect(mid).toBeGreaterThan(0.5);
  expect(problems).toEqual([]);
  await context.close();
});

test('the worker helper loads the CNN module in the worker: a model predicts, a drawn 7 is read', async () => {
  const { page, problems, context } = await openPage(web.browser, web.url + 'examples/worker.html');
  const r = await page.evaluate(async () => {
    const { spawnWorker } = await import('/lib/worker.js');
    const w = await spawnWorker();
    const model = await w.loadModel('/models/mnist/model.json');
    const summary = await model.summary();
    const probs = await model.predict(new Float32Array(784));
    // A "7": a top bar and a diagonal, dark ink on white, 200 x 200.
    const W = 200, px = new Uint8ClampedArray(W * W * 4).fill(255);
    const dot = (x, y) => { for (let dy = -7; dy <= 7; dy++) for (let dx = -7; dx <= 7; dx++) { const i = ((y + dy) * W + x + dx) * 4; px[i] = px[i + 1] = px[i + 2] = 0; } };
    for (let x = 50; x <= 150; x++) dot(x, 40);
    for (let t = 0; t <= 1; t += 0.005) dot(Math.round(150 - 70 * t), Math.round(40 + 120 * t));
    const digit = await w.classifyDrawing({ data: px, width: W, height: W });
    const bad = await model.predict(new Float32Array(3)).then(() => 'no error', (e) => `${e.name}: ${e.message}`);
    const withModel = await w.memory();
    await model.dispose();
    const mem = await w.memory();
    w.terminate();
    return { layers: summary.length, n: probs.length, sum: probs.reduce((a, b) => a + b, 0), digit: digit.digit, bad, withModel, mem };
  });
  expect(r.layers).toBeGreaterThan(3);
  expect(r.n).toBe(10);
  expect(Math.abs(r.sum - 1)).toBeLessThan(1e-4);
  expect(r.digit).toBe(7);
  expect(r.bad).toMatch(/^RangeError: .*784/);
  // dispose() in the page reaches the worker: the model's object and its wasm memory are freed.
  expect(r.mem.liveObjects).toBe(r.withModel.liveObjects - 1);
  expect(r.mem.liveBytes).toBeLessThan(r.withModel.liveBytes);
  expect(problems).toEqual([]);
  await context.close();
});
