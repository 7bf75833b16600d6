// The live-filter half of the page, as a newcomer uses it (issue 13, bugs 1–6 and 9, and the
// explanations in sections 1–3): one source state machine, the kernel editor with large and
// fixed-point kernels, the inspector (exact terms, gradients, chains, border taps), the readout,
// phone layout. Two page loads: the fake camera with a gate on getUserMedia, then the test scene.
import { openPage, useBrowser } from './chromium.js';
import { waitFrames, lastFrame, reference, ARTIFACTS } from './page-helpers.js';

const web = useBrowser();

// getUserMedia held at a gate the test opens, so "click while the camera is starting" is a
// state, not a race against the clock. Every stream it hands out is kept, to count live tracks.
function gateCamera() {
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  const gum = (window.__gum = { hold: true, pending: 0, streams: [], waiting: [] });
  gum.release = () => { gum.hold = false; for (const go of gum.waiting.splice(0)) go(); };
  navigator.mediaDevices.getUserMedia = async (c) => {
    gum.pending++;
    try {
      const s = await real(c);
      gum.streams.push(s);
      if (gum.hold) await new Promise((go) => gum.waiting.push(go));
      return s;
    } finally {
      gum.pending--;
    }
  };
}

// What the page shows about its source, from every side that must agree.
const sourceState = () => {
  const h = window.__convolens, cam = document.getElementById('camera'), scene = document.getElementById('scene');
  return {
    kind: h.source,
    checked: document.querySelector('#source-group [aria-checked="true"]')?.dataset.source ?? null,
    label: /test scene/.test(document.getElementById('source-label').textContent) ? 'scene' : /your image/.test(document.getElementById('source-label').textContent) ? 'image' : 'camera',
    shown: !cam.hidden && scene.hidden ? 'camera' : cam.hidden && !scene.hidden ? 'canvas' : 'both or none',
    processed: h.live?.source === cam ? 'camera' : h.live?.source === scene ? 'canvas' : 'other',
    liveTracks: window.__gum.streams.flatMap((s) => s.getVideoTracks()).filter((t) => t.readyState === 'live').length,
    pending: window.__gum.pending,
    notice: h.notice,
  };
};
const WANT = {
  scene: { kind: 'scene', checked: 'scene', label: 'scene', shown: 'canvas', processed: 'canvas', liveTracks: 0, pending: 0, notice: null },
  camera: { kind: 'camera', checked: 'camera', label: 'camera', shown: 'camera', processed: 'camera', liveTracks: 1, pending: 0, notice: null },
};

// Waits until every side agrees on `want`, then for a few more frames (a stale start would
// land now), and checks again.
async function settle(page, want) {
  // Polled from here: a predicate that eval()s in the page would break the page's CSP.
  const until = Date.now() + 20000;
  while (Date.now() < until && JSON.stringify(await page.evaluate(sourceState)) !== JSON.stringify(want))
    await new Promise((r) => setTimeout(r, 50));
  await waitFrames(page, 4);
  expect(await page.evaluate(sourceState)).toEqual(want);
}

test('bugs 1, 9: one source at a time — clicks while the camera starts, resolution + scene at once, fps readout names the camera limit', async () => {
  const context = await web.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(gateCamera);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => ['error', 'warning'].includes(m.type()) && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  try {
    await page.goto(web.url);
    // The camera is starting (held at the gate): choose the test scene now, then let it finish.
    await page.waitForFunction(() => window.__convolens.live && window.__gum.pending === 1);
    await page.click('#source-group [data-source="scene"]');
    await page.evaluate(() => window.__gum.release());
    await settle(page, WANT.scene);

    await page.evaluate(() => { window.__gum.hold = false; });
    await page.click('#source-group [data-source="camera"]');
    await settle(page, WANT.camera);
    // The camera caps the fps: the readout says so, from the track's own frame rate.
    await page.waitForFunction(() => /camera/.test(document.getElementById('fps-note')?.textContent ?? ''));
    const fpsNote = await page.textContent('#fps-note');
    const rate = await page.evaluate(() => window.__convolens.cameraFps);
    expect(fpsNote).toContain(`${rate} fps`);

    // Resolution change (restarts the camera) and the test scene at once.
    await page.evaluate(() => { window.__gum.hold = true; });
    await page.selectOption('#resolution', '320x240');
    await page.click('#source-group [data-source="scene"]');
    await page.evaluate(() => window.__gum.release());
    await settle(page, WANT.scene);
    expect(await page.evaluate(() => [window.__convolens.width, window.__convolens.height])).toEqual([320, 240]);

    // Camera, scene, camera in quick succession: the last click wins, one camera runs.
    await page.evaluate(() => { window.__gum.hold = true; });
    for (const s of ['camera', 'scene', 'camera']) await page.click(`#source-group [data-source="${s}"]`);
    await page.evaluate(() => window.__gum.release());
    await settle(page, WANT.camera);
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});

// The inspector's numbers as shown: {key: text} of the step rows.
const shownSteps = () => Object.fromEntries([...document.querySelectorAll('#steps li')].map((li) => [li.dataset.key, li.querySelector('.v').textContent]));
const parseNum = (s) => Number(String(s).replace('−', '-'));

async function probeAt(page, x, y) {
  await page.evaluate(([px, py]) => window.__convolens.setProbe(px, py), [x, y]);
  await page.waitForFunction(([px, py]) => window.__convolens.inspector?.probe?.x === px && window.__convolens.inspector?.probe?.y === py, [x, y]);
}

async function choose(page, preset, stage = 0) {
  await page.selectOption('#preset', preset);
  await page.waitForFunction(([p, i]) => window.__convolens.chain?.stages[i]?.preset === p, [preset, stage]);
}

test('bugs 2–6, 9 and the explanations: editor, inspector, chain steps, phone layout (test scene)', async () => {
  const { page, context, problems } = await openPage(web.browser, web.url + '?source=scene');
  try {
    await waitFrames(page, 3);
    // Bug 2: "Image…" opens the picker; cancelled, the test scene stays the selected source.
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#source-group [data-source="image"]')]);
    expect(chooser).toBeTruthy();
    expect(await page.getAttribute('#source-group [data-source="scene"]', 'aria-checked')).toBe('true');
    expect(await page.getAttribute('#source-group [data-source="image"]', 'aria-checked')).toBe('false');

    await page.click('#pause');
    await page.waitForFunction(() => window.__convolens.live.paused);
    await waitFrames(page, 0);

    // Bug 3: a 9×9 and a 31×31 kernel stay inside the Kernel panel; the Size selects show them.
    const panelFits = () => {
      const p = document.getElementById('kernel-h').closest('.panel');
      return p.scrollWidth <= p.clientWidth && document.documentElement.scrollWidth <= document.documentElement.clientWidth;
    };
    await choose(page, 'motion-blur');
    await page.waitForFunction(() => document.querySelectorAll('#kernel-grid input').length === 81);
    expect(await page.evaluate(() => [document.getElementById('kernel-w').value, document.getElementById('kernel-h-size').value])).toEqual(['9', '9']);
    expect(await page.evaluate(panelFits)).toBe(true);
    await choose(page, 'gaussian');
    await page.$eval('#param-sigma', (el) => { el.value = '10'; el.dispatchEvent(new Event('input', { bubbles: true })); });
    await page.waitForFunction(() => window.__convolens.chain.stages[0].params?.sigma === 10 && document.querySelectorAll('#kernel-grid input').length === 31 * 31);
    expect(await page.evaluate(() => [document.getElementById('kernel-w').value, document.getElementById('kernel-h-size').value])).toEqual(['31', '31']);
    expect(await page.evaluate(panelFits)).toBe(true);
    // Bug 5: a 961-term sum is summarised, not written out in full.
    await probeAt(page, 100, 100);
    expect(await page.textContent('#mac')).toMatch(/more terms/);
    expect(await page.locator('#mac .w').count()).toBeLessThanOrEqual(24);
    await page.locator('#live .panels').screenshot({ path: ARTIFACTS + 'page-kernel-31.png' });

    // Bug 4: fixed-point Gaussian weights are shown whole (no cut digits) and explained.
    await choose(page, 'sharpen');
    await choose(page, 'gaussian');
    await page.waitForFunction(() => document.querySelectorAll('#kernel-grid input').length === 49);
    const cut = () => [...document.querySelectorAll('#kernel-grid input, #kernel-scale, #kernel-offset')]
      .filter((el) => el.scrollWidth > el.clientWidth).map((el) => el.value);
    expect(await page.evaluate(cut)).toEqual([]);
    expect(await page.evaluate(() => [...document.querySelectorAll('#kernel-grid input')].map((e) => e.value))).toContain('10404');
    expect(await page.textContent('#kernel-note')).toMatch(/65536/);

    // Bug 5: unsharp mask's written terms add up to the Sum shown, exactly, and no "0×" terms.
    await choose(page, 'unsharp');
    await probeAt(page, 150, 120);
    await page.waitForFunction(() => window.__convolens.inspector?.probe?.kernel?.width === 7);
    expect(await page.evaluate(cut)).toEqual([]);
    const mac = (await page.textContent('#mac')).replace(/\s+/g, ' ');
    const terms = [...mac.matchAll(/([−+]?) ?(\d+(?:\.\d+)?)×(\d+)/g)].map(([, s, w, p]) => (s === '−' ? -1 : 1) * Number(w) * Number(p));
    const firstNeg = mac.trim().startsWith('−');
    if (firstNeg) terms[0] = -Math.abs(terms[0]);
    expect(terms.length).toBe(49);
    expect(mac).not.toMatch(/(^|[ −+])0×/);
    let steps = await page.evaluate(shownSteps);
    expect(terms.reduce((a, b) => a + b, 0)).toBe(parseNum(steps.sum));
    expect(await page.textContent('#inspector-note')).not.toMatch(/^$/);
    expect(parseNum(steps.value)).toBe(parseNum(steps.actual));

    // Bug 6: Sobel edges after a 9×9 kernel: the inspector shows gx, gy and the magnitude,
    // not the old kernel; every number matches the frame and the engine's pixel.
    await choose(page, 'motion-blur');
    await choose(page, 'sobel-magnitude');
    let f = await lastFrame(page);
    const { x: jx, y: jy } = await jumpToInteresting(page, f);
    await page.waitForFunction(() => window.__convolens.inspector?.result?.gx !== undefined);
    steps = await page.evaluate(shownSteps);
    const gx = sumAt(f, jx, jy, [-1, 0, 1, -2, 0, 2, -1, 0, 1], 0), gy = sumAt(f, jx, jy, [-1, -2, -1, 0, 0, 0, 1, 2, 1], 0);
    const mag = Math.fround(Math.sqrt(Math.fround(gx * gx + gy * gy)));
    const written = f.output[(jy * f.width + jx) * 4];
    expect([parseNum(steps.gx), parseNum(steps.gy), parseNum(steps.actual)]).toEqual([gx, gy, written]);
    expect(Math.min(255, Math.round(mag))).toBe(written);
    expect(await page.textContent('#magnifier-caption')).toMatch(/3×3/);
    expect(await page.textContent('#magnifier-caption')).not.toMatch(/9×9/);
    await page.locator('#pixel').screenshot({ path: ARTIFACTS + 'page-inspector-edges.png' });

    // Bug 6: editing one weight of Sharpen makes it a custom kernel with its own description.
    await choose(page, 'sharpen');
    const sharpenText = await page.textContent('#preset-description');
    await page.locator('#kernel-grid input').nth(4).fill('6');
    await page.waitForFunction(() => window.__convolens.chain.stages[0].kernel?.weights[4] === 6);
    expect(await page.textContent('#preset-description')).not.toBe(sharpenText);
    // Bug 6: constant border at (0, 0): five taps lie outside, five are crossed out, caption says 5.
    await page.selectOption('#border', 'constant');
    await page.waitForFunction(() => window.__convolens.chain.border === 'constant');
    await probeAt(page, 0, 0);
    await page.waitForFunction(() => window.__convolens.inspector.probe.border === 'constant');
    expect(await page.textContent('#magnifier-caption')).toMatch(/5 taps past the edge/);
    expect(await page.evaluate(() => window.__convolens.inspector.probe.taps.filter((t) => t.outside).length)).toBe(5);
    await page.selectOption('#border', 'replicate');

    // Bug 9: the sum is announced on demand only.
    expect(await page.getAttribute('#mac', 'aria-live')).toBeNull();
    expect(await page.evaluate(() => [...document.querySelectorAll('#pixel [aria-live]')].filter((e) => e.getAttribute('aria-live') !== 'off' && e.id !== 'say-live').length)).toBe(0);
    await page.click('#say-sum');
    await page.waitForFunction(() => /=/.test(document.getElementById('say-live').textContent));

    // Chain: blur, then edges. Stage 1 explains the camera frame, stage 2 the blurred frame,
    // and stage 2's result is the pixel the engine wrote.
    await page.click('#recipes [data-recipe="blur-edges"]');
    await page.waitForFunction(() => window.__convolens.chain.stages.length === 2 && document.querySelectorAll('#stage-group [role="radio"]').length === 2);
    f = await lastFrame(page);
    const { x: cx, y: cy } = await jumpToInteresting(page, f);
    const at = (cy * f.width + cx) * 4;
    const blurred = await reference({ ...f, chain: { ...f.chain, stages: [f.chain.stages[0]] } });
    await page.click('#stage-group [data-stage="0"]');
    await page.waitForFunction(() => window.__convolens.inspector?.probe?.stage === 0);
    steps = await page.evaluate(shownSteps);
    expect(parseNum(steps.actual)).toBe(blurred[at]);
    await page.click('#stage-group [data-stage="1"]');
    await page.waitForFunction(() => window.__convolens.inspector?.probe?.stage === 1 && window.__convolens.inspector.result?.gx !== undefined);
    steps = await page.evaluate(shownSteps);
    const b = { input: blurred, width: f.width };
    const bgx = sumAt(b, cx, cy, [-1, 0, 1, -2, 0, 2, -1, 0, 1], 0), bgy = sumAt(b, cx, cy, [-1, -2, -1, 0, 0, 0, 1, 2, 1], 0);
    expect([parseNum(steps.gx), parseNum(steps.gy)]).toEqual([bgx, bgy]);
    expect(bgx * bgx + bgy * bgy).toBeGreaterThan(0);  // an edge, not a flat patch
    expect(parseNum(steps.actual)).toBe(f.output[at]);
    expect(parseNum(steps.value)).toBe(parseNum(steps.actual));
    await page.locator('#live').screenshot({ path: ARTIFACTS + 'page-filters-1280.png' });
    await page.locator('#pixel').screenshot({ path: ARTIFACTS + 'page-inspector-chain.png' });
    expect(await page.textContent('#slide')).toMatch(/constant 0/);

    // Phone width: "+ Add a filter" adds a plain blur, the page stays as wide as the screen,
    // tap targets are at least 44 px.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('#recipes [data-recipe="reset"]');
    await page.waitForFunction(() => window.__convolens.chain.stages.length === 1);
    await page.click('#add-stage');
    await page.waitForFunction(() => window.__convolens.chain.stages.length === 2);
    expect(await page.evaluate(() => window.__convolens.chain.stages[1].preset)).toBe('box');
    await page.waitForFunction(() => document.querySelectorAll('#kernel-grid input').length === 9);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    const small = await page.evaluate(() => [...document.querySelectorAll('.toc a, #channel-group button, #kernel-grid input, #source-group button')]
      .map((e) => [e.textContent || e.getAttribute('aria-label'), e.getBoundingClientRect()]).filter(([, r]) => r.height < 44 || r.width < 44).map(([t]) => t));
    expect(small).toEqual([]);
    await choose(page, 'motion-blur', 1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await page.locator('#live').screenshot({ path: ARTIFACTS + 'page-filters-390.png' });
    await page.locator('#pixel').screenshot({ path: ARTIFACTS + 'page-inspector-390.png' });
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});

// Σ w·p over the 3×3 neighbourhood (replicate border) of channel c.
function sumAt(f, x, y, w, c) {
  const h = f.input.length / 4 / f.width;
  let s = 0;
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
    const sx = Math.min(f.width - 1, Math.max(0, x + dx)), sy = Math.min(h - 1, Math.max(0, y + dy));
    s += w[(dy + 1) * 3 + dx + 1] * f.input[(sy * f.width + sx) * 4 + c];
  }
  return s;
}

// The jump button picks the pixel of largest local contrast (max − min of the 3×3 luma).
async function jumpToInteresting(page, f) {
  await page.click('#jump');
  await page.waitForFunction(() => {
    const h = window.__convolens;
    return h.jump && h.inspector?.probe?.x === h.jump.x && h.inspector.probe.y === h.jump.y;
  });
  const { x, y } = await page.evaluate(() => window.__convolens.jump);
  const lumaAt = (px, py) => { const o = (py * f.width + px) * 4; return (77 * f.input[o] + 150 * f.input[o + 1] + 29 * f.input[o + 2] + 128) >> 8; };
  const contrast = (px, py) => {
    let lo = 255, hi = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) { const v = lumaAt(px + dx, py + dy); lo = Math.min(lo, v); hi = Math.max(hi, v); }
    return hi - lo;
  };
  let best = 0;
  for (let py = 1; py < f.height - 1; py++) for (let px = 1; px < f.width - 1; px++) best = Math.max(best, contrast(px, py));
  expect(contrast(x, y)).toBe(best);
  return { x, y };
}
