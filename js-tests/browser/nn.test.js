// CNN inference in Chromium: loadModel from a URL relative to the page (model.json, then its
// shards relative to it) and from File objects; SIMD and plain binaries agree.
import { launch, openPage, serve } from './chromium.js';

let server, url, browser;
beforeAll(async () => {
  ({ server, url } = await serve());
  browser = await launch([]);
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

test('loadModel by URL and from files, predict ImageData, activations; SIMD == plain', async () => {
  const { page, problems, context } = await openPage(browser, url + 'index.html');
  const r = await page.evaluate(async () => {
    const { load } = await import('/lib/convolens.js');
    const [simd, plain] = [await load({ simd: true }), await load({ simd: false })];
    // A white "1" on black, as ImageData.
    const img = new ImageData(28, 28);
    for (let y = 4; y < 24; y++) for (let x = 13; x < 16; x++) img.data.set([255, 255, 255, 255], (y * 28 + x) * 4);
    for (let i = 3; i < img.data.length; i += 4) img.data[i] = 255;
    const a = await simd.loadModel('models/mnist/model.json');
    const b = await plain.loadModel(new URL('models/mnist/model.json', location.href).href);
    const pa = a.predict(img), pb = b.predict(img);
    // From File objects, as an <input type=file multiple> would give them.
    const json = await (await fetch('models/mnist/model.json')).text();
    const paths = JSON.parse(json).weightsManifest.flatMap((g) => g.paths);
    const files = [new File([json], 'model.json'),
      ...(await Promise.all(paths.map(async (p) => new File([await (await fetch('models/mnist/' + p)).arrayBuffer()], p.split('/').pop()))))];
    const c = await simd.loadModel(files);
    const pc = c.predict(img);
    const acts = a.activations(img);
    let err = '';
    try { await simd.loadModel('models/none/model.json'); } catch (e) { err = e.message; }
    const out = {
      inputShape: a.inputShape, n: pa.length, sum: pa.reduce((s, v) => s + v, 0),
      diff: Math.max(...pa.map((v, i) => Math.abs(v - pb[i]))), sameFiles: pc.every((v, i) => v === pa[i]),
      layers: acts.length, lastEqual: acts[acts.length - 1].data.every((v, i) => v === pa[i]), err,
    };
    a.dispose(); b.dispose(); c.dispose();
    return out;
  });
  expect(r.inputShape).toEqual([28, 28, 1]);
  expect(r.n).toBe(10);
  expect(Math.abs(r.sum - 1)).toBeLessThan(1e-5);
  expect(r.diff).toBeLessThan(1e-5);
  expect(r.sameFiles).toBe(true);
  expect(r.layers).toBeGreaterThan(3);
  expect(r.lastEqual).toBe(true);
  expect(r.err).toMatch(/models\/none\/model.json answered HTTP 404/);
  // Only page errors count: the demo page itself may warn (no camera in this browser).
  expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
  await context.close();
});
