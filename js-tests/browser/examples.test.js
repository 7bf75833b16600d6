// The embedding examples in web/examples/, as a site would run them, in headless Chromium.
import { launch, openPage, serve, ARTIFACTS } from './chromium.js';

let server, url, browser;
beforeAll(async () => {
  ({ server, url } = await serve());
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

test('webcam example filters camera frames', async () => {
  const { page, problems, context } = await openPage(browser, url + 'examples/webcam.html');
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
  await page.screenshot({ path: ARTIFACTS + 'example-webcam.png' });
  expect(problems).toEqual([]);
  await context.close();
});

test('digit example classifies a digit drawn with the mouse', async () => {
  const { page, problems, context } = await openPage(browser, url + 'examples/digit.html');
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
  const { page, problems, context } = await openPage(browser, url + 'examples/worker.html');
  await page.waitForFunction(() => /^([5-9]|\d\d+) frames, wasm-simd128 in a worker/.test(document.getElementById('info').textContent), null, { timeout: 20000 });
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
