// The page with other frame sources: a generated video file as the camera, no camera
// permission (the test-scene fallback), and the main-thread path without the worker.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openPage, serve, BASE_ARGS, FAKE_CAMERA } from './chromium.js';
import { waitFrames, lastFrame, reference, firstDifference, choosePreset, ARTIFACTS } from './page-helpers.js';
import { makeFakeVideo } from '../../tools/make-fake-video.js';

let server, url;
beforeAll(async () => {
  ({ server, url } = await serve());
});
afterAll(() => server?.close());

test('a generated video file as the camera: frames flow and border/mode options match the reference', async () => {
  const video = makeFakeVideo(join(tmpdir(), `convolens-fake-camera-${process.pid}.y4m`), 320, 240, 8);
  const browser = await launch([...FAKE_CAMERA, `--use-file-for-fake-video-capture=${video.file}`]);
  try {
    const { page, problems } = await openPage(browser, url);
    await waitFrames(page, 5);
    expect(await page.evaluate(() => window.__convolens.source)).toBe('camera');
    expect(await page.textContent('#source-label')).toContain('convolens-fake-camera');
    let f = await lastFrame(page);
    expect([f.width, f.height]).toEqual([320, 240]);
    // The paper of the digit box is light grey (236) in the file; the camera path keeps it.
    const c = ((video.digitBox.y + 4) * f.width + video.digitBox.x + 4) * 4;
    expect(Math.abs(f.input[c] - 236)).toBeLessThanOrEqual(3);
    for (const [border, mode] of [['reflect101', 'rgb'], ['wrap', 'gray'], ['constant', 'rgb']]) {
      await page.selectOption('#border', border);
      await page.click(`#mode-group [data-mode="${mode}"]`);
      await page.waitForFunction(([b, m]) => window.__convolens.chain?.border === b && window.__convolens.chain?.mode === m, [border, mode]);
      await choosePreset(page, 'laplacian-8');
      f = await lastFrame(page);
      expect([border, mode, firstDifference(f.output, await reference(f), f.width)]).toEqual([border, mode, null]);
    }
    // "Digit from the camera": the box in the middle of the view holds the file's hand-drawn 7.
    await page.waitForFunction(() => window.__convolens.digits || /not/.test(document.getElementById('digit-status').textContent), null, { timeout: 20000 });
    if (await page.evaluate(() => !!window.__convolens.digits)) {
      await page.click('#camera-digit');
      await page.waitForFunction(() => window.__convolens.digits.last?.fromCamera, null, { timeout: 10000 });
      expect(await page.evaluate(() => window.__convolens.digits.last.digit)).toBe(video.digitBox.digit);
      await page.locator('#stage').screenshot({ path: ARTIFACTS + 'page-camera-digit.png' });
    }
    await page.screenshot({ path: ARTIFACTS + 'page-file-camera.png' });
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
    rmSync(video.file, { force: true });
  }
});

test('camera permission denied: a clear message, the test scene, and filters still work', async () => {
  const browser = await launch(['--use-fake-device-for-media-stream']);  // no fake-ui flag: permission is refused
  try {
    const { page, problems } = await openPage(browser, url);
    await waitFrames(page, 5);
    const state = await page.evaluate(() => ({ source: window.__convolens.source, notice: window.__convolens.notice }));
    expect(state.source).toBe('scene');
    expect(state.notice).toMatch(/denied/i);
    expect(await page.isVisible('#notice')).toBe(true);
    expect(await page.isVisible('#scene')).toBe(true);
    await choosePreset(page, 'gaussian');
    const f = await lastFrame(page);
    expect([f.width, f.height]).toEqual([640, 480]);
    expect(firstDifference(f.output, await reference(f), f.width)).toBeNull();
    await page.locator('#live').screenshot({ path: ARTIFACTS + 'page-camera-denied.png' });
    // An uploaded picture becomes the source (here: a screenshot of the page itself).
    const png = await page.locator('#share').screenshot();
    await page.setInputFiles('#upload', { name: 'picture.png', mimeType: 'image/png', buffer: png });
    await page.waitForFunction(() => window.__convolens.source === 'image');
    await waitFrames(page, 3);
    const g = await lastFrame(page);
    expect(firstDifference(g.output, await reference(g), g.width)).toBeNull();
    expect(await page.textContent('#source-label')).toContain('your image');
    // Dropping a picture on the view does the same: a red card with a white middle.
    await page.evaluate(async () => {
      const c = new OffscreenCanvas(64, 48);
      const x = c.getContext('2d');
      x.fillStyle = '#cc3333';
      x.fillRect(0, 0, 64, 48);
      x.fillStyle = '#ffffff';
      x.fillRect(16, 12, 32, 24);
      const dt = new DataTransfer();
      dt.items.add(new File([await c.convertToBlob({ type: 'image/png' })], 'dropped.png', { type: 'image/png' }));
      document.getElementById('input-frame').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    // Wait for a frame of the dropped card itself (white middle AND red corner; the uploaded
    // screenshot before it may be white in places too), then check that very frame.
    const isCard = (f) => f.input[0] === 204 && f.input[1] === 51 && f.input[(240 * f.width + 320) * 4] === 255;
    const deadline = Date.now() + 10000;
    let d = await lastFrame(page);
    while (!isCard(d) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      d = await lastFrame(page);
    }
    expect([Array.from(d.input.subarray(0, 3)), d.input[(240 * d.width + 320) * 4]]).toEqual([[204, 51, 51], 255]);
    expect(firstDifference(d.output, await reference(d), d.width)).toBeNull();
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('without a worker (?worker=0) the main thread does the same work', async () => {
  const browser = await launch();
  try {
    const { page, problems } = await openPage(browser, url + '?worker=0&source=scene');
    await waitFrames(page, 5);
    expect(await page.evaluate(() => window.__convolens.mode)).toBe('main thread');
    await choosePreset(page, 'emboss');
    const f = await lastFrame(page);
    expect(firstDifference(f.output, await reference(f), f.width)).toBeNull();
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('from a plain static server (not cross-origin isolated) the page works the same', async () => {
  const plain = await serve({ isolate: false });
  const browser = await launch();
  try {
    const { page, problems } = await openPage(browser, plain.url);
    await waitFrames(page, 5);
    expect(await page.evaluate(() => [crossOriginIsolated, window.__convolens.mode])).toEqual([false, 'worker']);
    const f = await lastFrame(page);
    expect(firstDifference(f.output, await reference(f), f.width)).toBeNull();
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
    plain.server.close();
  }
});

test('without VideoFrame (older engines) ImageBitmaps carry the frames and the output is the same', async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(() => { delete globalThis.VideoFrame; });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => ['error', 'warning'].includes(m.type()) && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url + '?source=scene');
    await waitFrames(page, 5);
    expect(await page.evaluate(() => [typeof VideoFrame, window.__convolens.mode])).toEqual(['undefined', 'worker']);
    await choosePreset(page, 'box');
    const f = await lastFrame(page);
    expect(firstDifference(f.output, await reference(f), f.width)).toBeNull();
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
  }
});
