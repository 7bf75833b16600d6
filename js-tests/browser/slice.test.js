// The first slice in a real browser: fake camera frames flow through the wasm filter, and the
// output equals the JS reference for the very frame that went in.
import { launch, openPage, serve, ARTIFACTS } from './chromium.js';
import { conv3x3Reference } from '../helpers/reference.js';

const SHARPEN = [0, -1, 0, -1, 5, -1, 0, -1, 0];
let server, url, browser;

beforeAll(async () => {
  ({ server, url } = await serve());
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

test('camera frames flow through the SIMD filter and match the reference', async () => {
  const { page, problems, context } = await openPage(browser, url);
  await page.waitForFunction(() => window.__convolens.frames >= 5 || window.__convolens.error, null, { timeout: 20000 });
  expect(await page.evaluate(() => window.__convolens.error)).toBeNull();
  const frame = await page.evaluate(() => {
    const s = window.__convolens;
    const b64 = (a) => { let t = ''; for (let i = 0; i < a.length; i += 8192) t += String.fromCharCode(...a.subarray(i, i + 8192)); return btoa(t); };
    return { w: s.input.width, h: s.input.height, input: b64(s.input.data), output: b64(s.output.data), status: document.getElementById('status').textContent };
  });
  const input = new Uint8ClampedArray(Buffer.from(frame.input, 'base64'));
  const output = new Uint8ClampedArray(Buffer.from(frame.output, 'base64'));
  expect(frame.status).toContain('wasm-simd128');
  expect(input.length).toBe(frame.w * frame.h * 4);
  const want = conv3x3Reference(input, frame.w, frame.h, SHARPEN);
  let diffs = 0;
  for (let i = 0; i < want.length; i++) if (want[i] !== output[i]) diffs++;
  expect(diffs).toBe(0);
  await page.screenshot({ path: ARTIFACTS + 'slice.png' });
  expect(problems).toEqual([]);
  await context.close();
});
