// The CNN sections on one page load: a stray dot beside a drawn digit changes nothing;
// "Digit from the camera" (the crop beside the prediction,
// the drawing pad cleared, "no digit" when there is none, a digit read from an uploaded photo,
// the box inside the frame), "Convolution over channels", "The whole network" (shapes and
// parameter counts equal the model's own, read in Node), "Translation equivariance"; screenshots
// at 1280 and 390 px, nothing wider than the screen, no console errors.
import { fileURLToPath } from 'node:url';
import { launch, openPage, serve } from './chromium.js';
import { shoot } from './page-helpers.js';
import { load } from '../../web/lib/convolens.js';

const MODEL = fileURLToPath(new URL('../../web/models/mnist/model.json', import.meta.url));
const THREE = [[[85, 75], [120, 50], [175, 55], [190, 90], [165, 130], [125, 140]], [[125, 140], [175, 150], [195, 195], [165, 232], [115, 235], [80, 210]]];

let server, url, browser, page, context, problems, summary;
beforeAll(async () => {
  ({ server, url } = await serve());
  browser = await launch();
  ({ page, context, problems } = await openPage(browser, url + '?source=scene'));
  const cl = await load();
  const model = await cl.loadModel(MODEL);
  summary = model.summary();
  model.dispose();
  await page.waitForFunction(() => window.__convolens.digits?.ready || /not/.test(document.getElementById('digit-status').textContent), null, { timeout: 90000 });
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  server?.close();
});

// A 3 at 60 % size in the upper left of the pad.
async function drawThree() {
  await page.locator('#draw').scrollIntoViewIfNeeded();
  const box = await page.locator('#draw').boundingBox();
  const at = ([x, y]) => [box.x + 20 + 0.6 * x, box.y + 15 + 0.6 * y];
  for (const stroke of THREE) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 6 });
    await page.mouse.up();
  }
}

// A dark 7 on white paper, as a PNG made by the page's own canvas.
async function sevenPng() {
  const b64 = await page.evaluate(async () => {
    const c = new OffscreenCanvas(640, 480), x = c.getContext('2d');
    x.fillStyle = '#f4f1ea';
    x.fillRect(0, 0, 640, 480);
    x.strokeStyle = '#1a1a1a';
    x.lineWidth = 14;
    x.lineCap = x.lineJoin = 'round';
    x.beginPath();
    x.moveTo(275, 180);
    x.lineTo(365, 180);
    x.lineTo(305, 305);
    x.stroke();
    const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return btoa(s);
  });
  return Buffer.from(b64, 'base64');
}

// The camera box lies inside the input frame and inside the page's width.
async function boxInsideFrame() {
  return page.evaluate(() => {
    const b = document.getElementById('digit-box').getBoundingClientRect(), f = document.getElementById('input-frame').getBoundingClientRect();
    return b.width > 0 && b.left >= f.left - 0.5 && b.top >= f.top - 0.5 && b.right <= f.right + 0.5 && b.bottom <= f.bottom + 0.5 && b.right <= document.documentElement.clientWidth;
  });
}

test('the sections explain the loaded network: layers, shapes, parameters, channels, translation', async () => {
  expect(await page.textContent('#digit-status')).not.toMatch(/not/);
  await drawThree();
  await page.waitForFunction(() => window.__convolens.digits.last?.digit === 3 && window.__convolens.network?.updates > 0 && window.__convolens.shift, null, { timeout: 10000 });

  // A slipped pen: a dot far from the digit. It is left out: same box, same reading.
  const clean = await page.evaluate(() => ({ ...window.__convolens.digits.last, reads: window.__convolens.digits.reads }));
  const pad = await page.locator('#draw').boundingBox();
  await page.mouse.click(pad.x + 262, pad.y + 262);
  await page.waitForFunction((n) => window.__convolens.digits.reads > n, clean.reads);
  const dotted = await page.evaluate(() => window.__convolens.digits.last);
  expect([dotted.digit, dotted.box, dotted.inkPixels]).toEqual([3, clean.box, clean.inkPixels]);

  // The whole network: every layer of the model, in order, with the engine's shapes and counts.
  const net = await page.evaluate(() => window.__convolens.network);
  expect(net.layers.map((l) => [l.name, l.className, l.shape, l.params])).toEqual(summary.map((l) => [l.name, l.className, l.outputShape.slice(-3), l.params]));
  expect(net.total).toBe(summary.reduce((a, l) => a + l.params, 0));
  const formula = Object.fromEntries(net.layers.map((l) => [l.name, l.formula]));
  expect(formula.conv2d_1).toBe('(28 − 3 + 2·0) / 1 + 1 = 26');
  expect(formula.conv2d_2).toBe('(26 − 3 + 2·0) / 1 + 1 = 24');
  expect(formula.max_pooling2d_1).toBe('⌊(24 − 2 + 2·0) / 2⌋ + 1 = 12');
  const rows = await page.locator('#net-layers > li').allTextContents();
  expect(rows.length).toBe(summary.length + 1);  // + the input
  summary.forEach((l, i) => {
    expect(rows[i + 1]).toContain(l.outputShape.slice(-3).join(' × '));
    expect(rows[i + 1]).toContain(`${l.params.toLocaleString('en-US')} parameters`);
  });
  // A click on a map of the second ReLU shows the 10 kernels (one per input map) that made it.
  await page.locator('#net-layers canvas[data-layer="activation_2"][data-map="3"]').click();
  await page.waitForFunction(() => window.__convolens.network.kernels?.map === 3);
  expect(await page.evaluate(() => window.__convolens.network.kernels)).toEqual({ layer: 'activation_2', conv: 'conv2d_2', map: 3, kernels: 10, size: [3, 3] });
  expect(await page.locator('#net-kernels canvas').count()).toBe(10);

  // Convolution over channels: layer 2 sums 10 maps; the written terms add up to the engine's value.
  const ch = await page.evaluate(() => window.__convolens.channels);
  const conv2 = summary.find((l) => l.name === 'conv2d_2');
  expect([ch.layer, ch.inputMaps, ch.outputMaps, ch.kernel, ch.params]).toEqual(['conv2d_2', 10, 16, [3, 3, 10], conv2.params]);
  expect(ch.weights + ch.biases).toBe(conv2.params);
  expect(ch.parts.length).toBe(10);
  // Σ over the maps, then the batch norm the engine folded in (one scale and shift per map) = its value.
  expect(Math.abs(ch.parts.reduce((a, b) => a + b, 0) - ch.sum)).toBeLessThan(1e-9);
  expect(Math.abs(ch.scale * ch.sum + ch.shift - ch.engine)).toBeLessThan(1e-3);
  expect(ch.deviation).toBeLessThan(1e-3);
  expect(await page.textContent('#ch-params')).toContain(`= ${conv2.params.toLocaleString('en-US')} parameters`);

  // Translation: two steps right move layer 1's maps by 4 cells with the same values; the reading stays.
  await page.click('#shift-right');
  await page.click('#shift-right');
  await page.waitForFunction(() => window.__convolens.shift.dx === 4);
  const sh = await page.evaluate(() => window.__convolens.shift);
  expect(sh.layers[0]).toMatchObject({ name: 'activation_1', moved: [4, 0] });
  expect(sh.layers[0].maxDifference).toBeLessThan(1e-4);
  expect(sh.digit).toBe(sh.original);
  await page.keyboard.press('Tab');  // focus leaves the button; the section renders with the move

  await shoot(page, '#channels', 'page-channels-1280');
  await shoot(page, '#network', 'page-network-1280');
  await shoot(page, '#shift', 'page-shift-1280');
}, 60000);

test('Digit from the camera: crop beside the prediction, pad cleared, "no digit" on the scene, a photo of a 7 read', async () => {
  await page.click('#camera-digit');
  await page.waitForFunction(() => window.__convolens.camera?.reads >= 2);
  const cam = await page.evaluate(() => window.__convolens.camera);
  // The test scene holds no digit: nothing is claimed.
  expect(cam.verdict.digit).toBeNull();
  expect(await page.textContent('#digit-guess')).toBe('no digit');
  expect(await page.isVisible('#camera-crop')).toBe(true);
  expect(await page.evaluate(() => [document.getElementById('camera-crop').width, window.__convolens.camera.crop.width])).toEqual([cam.crop.width, cam.crop.width]);
  // The drawing pad was cleared.
  expect(await page.evaluate(() => {
    const c = document.getElementById('draw'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    return d.every((v, i) => i % 4 === 3 || v === 0);
  })).toBe(true);
  expect(await boxInsideFrame()).toBe(true);

  // A photo of a dark 7 on paper, as the source: the box reads it.
  await page.setInputFiles('#upload', { name: 'seven.png', mimeType: 'image/png', buffer: await sevenPng() });
  await page.waitForFunction(() => window.__convolens.source === 'image' && window.__convolens.camera.verdict?.digit === 7, null, { timeout: 15000 });
  expect(await page.textContent('#digit-guess')).toBe('7');
  expect(await page.textContent('#digit-box-label')).toMatch(/^7 · \d+ %$/);
  await shoot(page, '#digits', 'page-camera-digit-1280');
}, 60000);

test('at 390 px nothing is wider than the screen and the camera box stays inside the frame', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => document.documentElement.clientWidth === 390);
  await page.waitForFunction(() => {
    const b = document.getElementById('digit-box').getBoundingClientRect(), f = document.getElementById('input-frame').getBoundingClientRect();
    return b.right <= f.right + 0.5 && b.width > 0;
  });
  expect(await boxInsideFrame()).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const wide = await page.evaluate(() => [...document.querySelectorAll('#digits *, #channels *, #network *, #shift *')]
    .filter((e) => e.getBoundingClientRect().right > 390.5).map((e) => e.id || e.className || e.tagName).slice(0, 5));
  expect(wide).toEqual([]);
  await shoot(page, '#digits', 'page-camera-digit-390');
  await shoot(page, '#channels', 'page-channels-390');
  await shoot(page, '#network', 'page-network-390');
  await shoot(page, '#shift', 'page-shift-390');
  // Drawing ends the camera reading.
  await page.locator('#draw').scrollIntoViewIfNeeded();
  const box = await page.locator('#draw').boundingBox();
  await page.mouse.move(box.x + 100, box.y + 50);
  await page.mouse.down();
  await page.mouse.move(box.x + 110, box.y + 200, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => window.__convolens.camera.on === false && document.getElementById('digit-box').hidden);
}, 60000);

test('nothing logged an error or a warning', () => {
  expect(problems).toEqual([]);
});
