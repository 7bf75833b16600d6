// Faults around the engine, in Chromium: the camera ending mid-stream or its permission revoked,
// the page's processing worker dying, and the library's worker helper (spawnWorker) losing its
// worker. Each waits for the state it checks, never for time.
import { launch, openPage, useBrowser } from './chromium.js';
import { waitFrames } from './page-helpers.js';

const web = useBrowser();

test('the camera track ends mid-stream: the page says so, shows the test scene, and Camera starts it again', async () => {
  const { page, problems, context } = await openPage(web.browser, web.url);
  await waitFrames(page, 3);
  expect(await page.evaluate(() => window.__convolens.source)).toBe('camera');
  // What an unplugged camera does: the track ends (stop() from script fires no 'ended' event,
  // so this also checks that the page notices by the track's state).
  await page.evaluate(() => document.getElementById('camera').srcObject.getVideoTracks()[0].stop());
  await page.waitForFunction(() => window.__convolens.source === 'scene' && /camera stopped/i.test(window.__convolens.notice ?? ''));
  await waitFrames(page, 3);
  expect(await page.isVisible('#scene')).toBe(true);
  expect(await page.isVisible('#notice button')).toBe(true);
  // A device that goes away says so by an 'ended' event: the same.
  await page.click('#notice button');
  await page.waitForFunction(() => window.__convolens.source === 'camera' && !window.__convolens.notice && document.getElementById('camera').srcObject);
  await waitFrames(page, 3);
  await page.evaluate(() => {
    const track = document.getElementById('camera').srcObject.getVideoTracks()[0];
    track.dispatchEvent(new Event('ended'));
  });
  await page.waitForFunction(() => window.__convolens.source === 'scene' && /unplugged/i.test(window.__convolens.notice ?? ''));
  // The Camera choice of the source switch starts it again too.
  await page.click('#source-group [data-source="camera"]');
  await page.waitForFunction(() => window.__convolens.source === 'camera' && !window.__convolens.notice);
  await waitFrames(page, 3);
  expect(problems).toEqual([]);
  await context.close();
});

test('the camera permission is revoked mid-stream: the page says so, shows the test scene; Camera asks again', async () => {
  // No fake-UI flag: the camera permission really decides (with it, every request is accepted).
  const browser = await launch(['--use-fake-device-for-media-stream']);
  try {
    const { page, problems, context } = await openPage(browser, web.url, { permissions: ['camera'] });
    // What the site settings do when the user blocks the camera: the permission of this origin in
    // this browser context turns 'denied' (Chromium then ends the track as well).
    const cdp = await context.newCDPSession(page);
    const { targetInfo } = await cdp.send('Target.getTargetInfo');
    const setCamera = (setting) => cdp.send('Browser.setPermission', {
      permission: { name: 'camera' }, setting, origin: new URL(web.url).origin, browserContextId: targetInfo.browserContextId,
    });
    await waitFrames(page, 3);
    expect(await page.evaluate(() => window.__convolens.source)).toBe('camera');
    await setCamera('denied');
    await page.waitForFunction(() => window.__convolens.source === 'scene' && /permission was revoked/i.test(window.__convolens.notice ?? ''));
    await waitFrames(page, 3);
    expect(await page.isVisible('#scene')).toBe(true);
    // Asked again while still blocked: refused, said so, the scene goes on.
    await page.click('#notice button');
    await page.waitForFunction(() => window.__convolens.source === 'scene' && /permission was denied/i.test(window.__convolens.notice ?? ''));
    await waitFrames(page, 3);
    // Allowed again: the Camera choice starts it.
    await setCamera('granted');
    await page.click('#source-group [data-source="camera"]');
    await page.waitForFunction(() => window.__convolens.source === 'camera' && !window.__convolens.notice && document.getElementById('camera').srcObject);
    await waitFrames(page, 3);
    expect(problems).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('the processing worker dies: the page notices, says so, starts a new worker and goes on', async () => {
  const { page, problems, context } = await openPage(web.browser, `${web.url}?source=scene`);
  await waitFrames(page, 3);
  await page.selectOption('#preset', 'sobel-magnitude');
  await page.waitForFunction(() => window.__convolens.chain?.stages.some((s) => s.preset === 'sobel-magnitude'));
  for (let k = 1; k <= 2; k++) {
    const before = await page.evaluate(() => window.__convolens.frames);
    await page.evaluate(() => window.__convolens.live.killWorker());  // as the browser ends a worker that ran out of memory
    await page.waitForFunction((n) => window.__convolens.workerRestarts === n, k);
    expect(await page.evaluate(() => window.__convolens.notice)).toMatch(/processing worker stopped.*new one took over/);
    await page.waitForFunction((b) => window.__convolens.frames > b + 3, before);
    // The new worker runs the chain the old one had.
    expect(await page.evaluate(() => window.__convolens.live.info.kernels.length)).toBeGreaterThan(0);
    expect(await page.evaluate(() => window.__convolens.live.mode)).toBe('worker');
    // The new output canvas answers the pointer: the inspector explains the pixel under it.
    const box = await page.locator('#output').boundingBox();
    const [w, h] = await page.evaluate(() => [window.__convolens.width, window.__convolens.height]);
    const want = { x: 10 + 20 * k, y: 7 * k };
    await page.mouse.move(box.x + ((want.x + 0.5) * box.width) / w, box.y + ((want.y + 0.5) * box.height) / h);
    await page.waitForFunction((p) => window.__convolens.inspector?.probe?.x === p.x && window.__convolens.inspector?.probe?.y === p.y, want);
  }
  expect(await page.evaluate(() => window.__convolens.error)).toBeNull();
  expect(problems).toEqual([]);
  await context.close();
});

test('spawnWorker: a worker that dies rejects pending and later calls clearly; a new one can be spawned', async () => {
  const { page, problems, context } = await openPage(web.browser, web.url + 'examples/worker.html');
  const r = await page.evaluate(async () => {
    // Keep a handle on the raw Worker, to end it the way the browser would (not through the helper).
    const Native = Worker;
    let raw = null;
    window.Worker = class extends Native {
      constructor(...args) {
        super(...args);
        raw = this;
      }
    };
    const { spawnWorker } = await import('/lib/worker.js');
    const w = await spawnWorker();
    const f = await w.createFilter('box');
    const ok = (await f.apply({ data: new Uint8ClampedArray(16).fill(40), width: 2, height: 2 }))[0];
    const exits = [];
    w.onexit = (e) => exits.push(e.message);
    const died = new Promise((resolve) => {
      const t = setInterval(() => { if (!w.alive) { clearInterval(t); resolve(); } }, 10);
    });
    const pending = w.loadModel('/models/mnist/model.json').then(() => 'resolved', (e) => e.message);
    raw.terminate();
    const pendingError = await pending;
    await died;
    const later = await f.apply({ data: new Uint8ClampedArray(16), width: 2, height: 2 }).then(() => 'resolved', (e) => e.message);
    const w2 = await spawnWorker();
    const f2 = await w2.createFilter('box');
    const again = (await f2.apply({ data: new Uint8ClampedArray(16).fill(40), width: 2, height: 2 }))[0];
    w2.terminate();
    const afterTerminate = await w2.memory().then(() => 'resolved', (e) => e.message);
    return { ok, pendingError, later, exits, alive: w.alive, again, afterTerminate, w2exits: w2.onexit };
  });
  expect(r.ok).toBe(40);
  // Either the load was still pending (rejected), or it finished before the worker ended.
  expect(r.pendingError).toMatch(/^(convolens worker died: .*spawn a new one|resolved)$/);
  expect(r.later).toMatch(/^convolens worker died: /);
  expect(r.exits).toHaveLength(1);
  expect(r.alive).toBe(false);
  expect(r.again).toBe(40);
  expect(r.afterTerminate).toBe('convolens worker terminated');
  expect(problems).toEqual([]);
  await context.close();
});

test('model downloads in the browser: a 404 and a server that never answers end with errors naming the URL, nothing left loaded', async () => {
  const { page, problems, context } = await openPage(web.browser, web.url + 'examples/worker.html');
  // These models' shards are requested but never answered (hang: the timeout; abort: the signal).
  const modelJson = new URL('../../web/models/mnist/model.json', import.meta.url).pathname;
  await page.route(/\/(hang|abort)\/model\.json$/, (r) => r.fulfill({ path: modelJson }));
  let held = 0;
  await page.route('**/hang/weights.bin', () => {});
  await page.route('**/abort/weights.bin', () => { held++; });
  const r = await page.evaluate(async () => {
    const cl = (window.cl = await (await import('/lib/convolens.js')).load());
    (await cl.loadModel('/models/mnist/model.json')).dispose();  // the CNN engine is loaded: the baseline is its own
    window.counts = () => { const m = cl.memory(); return [m.liveBytes, m.liveBuffers, m.liveObjects]; };
    window.why = (p) => p.then(() => 'loaded', (e) => `${e.name}: ${e.message}`);
    const base = counts();
    const missing = await why(cl.loadModel('/models/nope/model.json'));
    // The shard must be what times out; on a loaded machine model.json may take longer than a
    // short timeout, so it grows until model.json arrives within it.
    let timeout = null;
    for (let ms = 200; ms <= 12800 && !/weight shard/.test(timeout); ms *= 4) timeout = await why(cl.loadModel('/hang/model.json', { timeout: ms }));
    window.ctl = new AbortController();
    window.aborted = why(cl.loadModel('/abort/model.json', { signal: ctl.signal, timeout: 0 }));
    return { base, missing, timeout };
  });
  // Abort once the shard request is held (polled, not timed).
  for (let i = 0; i < 1200 && held < 1; i++) await new Promise((ok) => setTimeout(ok, 50));
  expect(held).toBe(1);
  const aborted = await page.evaluate(() => { ctl.abort(); return aborted; });
  const after = await page.evaluate(() => counts());
  expect(r.missing).toMatch(/model\.json .*\/models\/nope\/model\.json answered HTTP 404/);
  expect(r.timeout).toMatch(/weight shard .*\/hang\/weights\.bin failed: no complete answer within \d+ ms/);
  expect(aborted).toMatch(/weight shard .*\/abort\/weights\.bin failed: aborted by the signal/);
  expect(after).toEqual(r.base);
  expect(problems.filter((p) => !/404|Failed to load resource/.test(p))).toEqual([]);
  await context.close();
});
