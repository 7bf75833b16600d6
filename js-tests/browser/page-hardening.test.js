// The page under its Content-Security-Policy, for keyboard and assistive-technology users, and
// against bad uploads: a walk through camera, filters, inspector and digit without one CSP
// violation; axe-core finds no serious or critical problem; every control is reached by Tab with
// a visible focus ring and works from the keyboard; reduced motion is honoured; an 8000 x 8000
// image, a corrupt PNG, a non-image and a model.json that is not one each give a message and the
// page goes on working.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import { launch, serve } from './chromium.js';
import { waitFrames, choosePreset } from './page-helpers.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let server, url, browser, context, page, response;
const problems = [];

// Every securitypolicyviolation event of the page, recorded before any page script runs.
const RECORD_CSP = () => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
};

async function open(options = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  await ctx.addInitScript(RECORD_CSP);
  const p = await ctx.newPage();
  p.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`${m.type()}: ${m.text()}`));
  p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  const r = await p.goto(url);
  return { ctx, p, r };
}

beforeAll(async () => {
  ({ server, url } = await serve());
  browser = await launch();
  ({ ctx: context, p: page, r: response } = await open());
  await waitFrames(page, 3);
  await page.waitForFunction(() => window.__convolens.digits, null, { timeout: 60000 });
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  server?.close();
});

async function drawSeven() {
  await page.click('#draw-clear');
  const box = await page.locator('#draw').boundingBox();
  const stroke = [[75, 60], [205, 60], [125, 235]];
  await page.mouse.move(box.x + stroke[0][0], box.y + stroke[0][1]);
  await page.mouse.down();
  for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction(() => window.__convolens.digits.last?.digit === 7);
}

test('a walk through camera, filters, inspector and digit raises no CSP violation', async () => {
  const csp = response.headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).not.toMatch(/unsafe-inline|'unsafe-eval'/);
  expect(response.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  expect(await page.evaluate(() => window.__convolens.source)).toBe('camera');
  await choosePreset(page, 'emboss');
  await page.click('#recipes [data-recipe="blur-edges"]');
  await page.waitForFunction(() => window.__convolens.chain?.stages.length === 2);
  await waitFrames(page, 2);
  await page.click('#recipes [data-recipe="reset"]');
  // The inspector: point at a pixel, then move it with the keyboard.
  const out = await page.locator('#output').boundingBox();
  await page.mouse.move(out.x + out.width / 2, out.y + out.height / 2);
  await page.waitForFunction(() => !/No pixel/.test(document.getElementById('magnifier-caption').textContent));
  const caption = await page.textContent('#magnifier-caption');
  await page.focus('#output');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((c) => document.getElementById('magnifier-caption').textContent !== c, caption);
  await page.click('#slide-step');
  await drawSeven();
  expect(await page.evaluate(() => window.__csp)).toEqual([]);
  expect(problems.filter((p) => /Content.Security.Policy|Refused to/i.test(p))).toEqual([]);
});

test('axe-core finds no serious or critical accessibility problem (every section, a digit drawn)', async () => {
  await page.evaluate(AXE);  // evaluated by the test runner, not as a page script
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(found).toEqual([]);
});

test('Tab reaches every control, each with a visible focus ring', async () => {
  const total = await page.evaluate(() => {
    const sel = 'a[href], button, select, input, textarea, [tabindex]:not([tabindex="-1"])';
    const controls = [...document.querySelectorAll(sel)].filter((el) => !el.disabled && !el.closest('[hidden]') && el.type !== 'hidden' &&
      el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden');
    // A radio group is one Tab stop (roving tabindex); its arrow keys are tested below.
    const groups = [...document.querySelectorAll('[role="radiogroup"]')];
    controls.forEach((el, i) => {
      const g = el.getAttribute('role') === 'radio' && el.closest('[role="radiogroup"]');
      el.dataset.kb = g ? `group ${groups.indexOf(g)}` : String(i);
    });
    document.activeElement?.blur();
    window.scrollTo(0, 0);
    return new Set(controls.map((el) => el.dataset.kb)).size;
  });
  expect(total).toBeGreaterThan(20);
  await page.focus('body');
  const seen = new Set(), unringed = [];
  for (let i = 0; i < total + 10 && seen.size < total; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement, s = getComputedStyle(el);
      const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
      return { kb: el.dataset?.kb, ring, what: el.id || el.textContent.trim().slice(0, 30) || el.tagName };
    });
    if (f.kb !== undefined) seen.add(f.kb);
    if (f.kb !== undefined && !f.ring) unringed.push(f.what);
  }
  const missed = await page.evaluate((got) => [...new Set([...document.querySelectorAll('[data-kb]')].filter((el) => !got.includes(el.dataset.kb))
    .map((el) => el.dataset.kb.startsWith('group') ? el.closest('[role="radiogroup"]').getAttribute('aria-label') : el.id || el.textContent.trim().slice(0, 30) || el.outerHTML.slice(0, 60)))], [...seen]);
  expect({ missed, unringed: [...new Set(unringed)] }).toEqual({ missed: [], unringed: [] });
});

test('controls work from the keyboard: source, preset, inspector, animation', async () => {
  // The source radio group: arrow keys move the choice (camera -> test scene).
  await page.focus('[data-source="camera"]');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => window.__convolens.source === 'scene' && document.activeElement.dataset.source === 'scene');
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => window.__convolens.source === 'camera');
  await page.focus('#preset');
  const before = await page.inputValue('#preset');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction((b) => window.__convolens.chain?.stages[0]?.preset !== b, before);
  await page.focus('#output');
  const caption = await page.textContent('#magnifier-caption');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction((c) => document.getElementById('magnifier-caption').textContent !== c, caption);
  const pressed = await page.getAttribute('#slide-play', 'aria-pressed');
  await page.focus('#slide-play');
  await page.keyboard.press('Space');
  await page.waitForFunction((p) => document.getElementById('slide-play').getAttribute('aria-pressed') !== p, pressed);
});

test('prefers-reduced-motion: the animation starts paused and scrolling is not smooth', async () => {
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).scrollBehavior)).toBe('smooth');
  const { ctx, p } = await open({ reducedMotion: 'reduce' });
  try {
    await p.waitForSelector('#slide-play[aria-pressed="false"]');
    expect(await p.evaluate(() => getComputedStyle(document.documentElement).scrollBehavior)).toBe('auto');
  } finally {
    await ctx.close();
  }
});

// A PNG of w x h grey pixels, rows of one value each (compresses to a few hundred KB at 8000 x 8000).
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b) => { let c = ~0; for (const x of b) c = crcTable[(c ^ x) & 255] ^ (c >>> 8); return ~c >>> 0; };
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length), body = Buffer.concat([Buffer.from(type), data]);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const raw = Buffer.alloc((w + 1) * h);
  for (let y = 0; y < h; y++) raw.fill(y & 255, y * (w + 1) + 1, (y + 1) * (w + 1));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;  // bit depth; colour type 0 (grey)
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 1 })), chunk('IEND', Buffer.alloc(0))]);
}

const notice = () => page.evaluate(() => window.__convolens.notice);

test.each([
  ['a non-image file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') }, /“notes.txt” is not an image/],
  ['a corrupt PNG', { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.concat([png(4, 4).subarray(0, 40), Buffer.from('garbage')]) }, /Could not read “broken.png”/],
  ['an 8000 x 8000 image', { name: 'huge.png', mimeType: 'image/png', buffer: png(8000, 8000) }, /“huge.png” is 8000 × 8000 pixels; it is shown scaled down to 2048 × 2048/],
])('uploading %s gives a message and the page keeps filtering', async (_, file, message) => {
  const before = await notice();
  await page.setInputFiles('#upload', file);
  await page.waitForFunction((b) => (window.__convolens.notice ?? null) !== b, before, { timeout: 60000 });
  expect(await notice()).toMatch(message);
  await waitFrames(page, 2);
  expect(await page.evaluate(() => window.__convolens.error)).toBeNull();
});

test('uploading a model.json that is not a model gives a message and the digit reader keeps working', async () => {
  await page.setInputFiles('#model-upload', { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": "world"}') });
  await page.waitForFunction(() => /Could not use “model.json”/.test(document.getElementById('digit-status').textContent));
  expect(await page.textContent('#digit-status')).toMatch(/network in use stays/);
  await drawSeven();
  expect(await page.evaluate(() => window.__csp)).toEqual([]);
});
