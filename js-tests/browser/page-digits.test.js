// "Draw a digit" on the page: mouse strokes drawing 0, 1, 3 and 7 are read correctly, and the
// 28x28 input, the probability bars and every conv layer's feature maps are shown.
import { launch, openPage, serve } from './chromium.js';
import { shoot } from './page-helpers.js';

// Strokes in the 280x280 drawing canvas (CSS pixels on a desktop viewport).
const ellipse = (cx, cy, rx, ry, n = 28) => Array.from({ length: n + 1 }, (_, i) => [cx + rx * Math.sin((2 * Math.PI * i) / n), cy - ry * Math.cos((2 * Math.PI * i) / n)]);
const DIGITS = {
  0: [ellipse(140, 140, 55, 85)],
  1: [[[150, 45], [140, 140], [132, 235]]],
  3: [[[85, 75], [120, 50], [175, 55], [190, 90], [165, 130], [125, 140]], [[125, 140], [175, 150], [195, 195], [165, 232], [115, 235], [80, 210]]],
  7: [[[75, 60], [205, 60], [125, 235]]],
};

let server, url, browser, page, context, problems;
beforeAll(async () => {
  ({ server, url } = await serve());
  browser = await launch();
  ({ page, context, problems } = await openPage(browser, url + '?source=scene'));
  await page.waitForFunction(() => window.__convolens.digits || /not/.test(document.getElementById('digit-status').textContent), null, { timeout: 20000 });
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  server?.close();
});

test.each(Object.keys(DIGITS))('a %s drawn with the mouse is read correctly, live while drawing', async (digit) => {
  expect(await page.textContent('#digit-status')).not.toMatch(/not/);
  await page.click('#draw-clear');
  const box = await page.locator('#draw').boundingBox();
  for (const stroke of DIGITS[digit]) {
    await page.mouse.move(box.x + stroke[0][0], box.y + stroke[0][1]);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 6 });
    await page.mouse.up();
  }
  // The prediction follows within an animation frame; wait for it (a wrong one fails below, by name).
  await page.waitForFunction((d) => window.__convolens.digits.last?.digit === d, Number(digit), { timeout: 3000 }).catch(() => {});
  await page.waitForTimeout(50);
  const last = await page.evaluate(() => window.__convolens.digits.last);
  expect([digit, last.digit]).toEqual([digit, Number(digit)]);
  expect(await page.textContent('#digit-guess')).toBe(digit);
  // the bars add up to 1 and the top bar is the guess
  const sum = last.probabilities.reduce((a, b) => a + b, 0);
  expect(sum).toBeCloseTo(1, 3);
  // the first layer's kernels are drawn here, the feature maps of every ReLU layer in section 7
  expect(await page.locator('#layers .layer').count()).toBe(1);
  expect(await page.locator('#net-layers canvas[data-map]').count()).toBeGreaterThanOrEqual(10);
  if (digit === '3') await shoot(page, '#digits', 'page-digits-3');
});

test('nothing logged an error or a warning', () => {
  expect(problems).toEqual([]);
});
