#!/usr/bin/env node
// Measures the page's filter time (engine ms per frame, median of 64 frames; 20 for plain JS)
// in headless Chromium, on the built-in test scene (after 10 warm-up frames, the better of two
// medians), and the engine fps that time allows (1000 / ms). A benchmark, not a test.
//   node tools/page-speed.js [preset=sharpen ...] [--engines simd-mt,simd,plain,js]
//        [--res 640x480,1280x720] [--chain sharpen,sobel-magnitude]
// --chain measures one chain of presets (its stages in order) instead of one preset at a time.
// The page is served cross-origin isolated, so the "WASM SIMD + threads" engine (simd-mt) runs.
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.js';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  if (i < 0) return dflt;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v.split(',');
};
const engines = opt('--engines', ['simd', 'plain', 'js']);
const sizes = opt('--res', ['640x480', '1280x720']);
const chain = opt('--chain', null);
const presets = chain ? [chain.join(' + ')] : argv.length ? argv : ['sharpen'];

const { server, url } = await startServer({ port: 0 });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const rows = [];
try {
  for (const res of sizes) {
    const page = await browser.newPage();
    await page.goto(`${url}?source=scene&res=${res}`);
    await page.waitForFunction(() => window.__convolens.frames > 5);
    const size = await page.evaluate(() => `${window.__convolens.width}x${window.__convolens.height}`);
    if (size !== res) throw new Error(`the page runs ${size}, not ${res} (its resolution picker lacks it?)`);
    for (const preset of presets) {
      if (!chain) await page.selectOption('#preset', preset);
      for (const engine of engines) {
        await page.click(`#backend-group [data-backend="${engine}"]`);
        await page.waitForFunction((b) => window.__convolens.backend === b, engine);
        if (chain) {  // straight to the live view: the chain UI is not what is measured
          await page.evaluate(async (stages) => { await window.__convolens.live.setChain({ stages, border: 'replicate', mode: 'rgb' }); }, chain);
        }
        const frames = engine === 'js' ? 20 : 64;
        // Warm up (tier-up of the wasm/JS code), then take the better median of two runs:
        // the machine may be shared, and interference only ever adds time.
        await page.evaluate(() => window.__convolens.resetTimes());
        await page.waitForFunction(() => window.__convolens.timedFrames() >= 10, null, { timeout: 120000 });
        let ms = Infinity;
        for (let run = 0; run < 2; run++) {
          await page.evaluate(() => window.__convolens.resetTimes());
          await page.waitForFunction((n) => window.__convolens.timedFrames() >= n, frames, { timeout: 120000 });
          ms = Math.min(ms, await page.evaluate(() => window.__convolens.msMedian()));
        }
        const name = await page.evaluate(() => window.__convolens.backendName);
        rows.push({ res, preset, engine, name, ms: +ms.toFixed(2), engine_fps: +(1000 / ms).toFixed(0) });
        console.log(`${res.padEnd(10)} ${preset.padEnd(28)} ${engine.padEnd(8)} ${ms.toFixed(2).padStart(8)} ms/frame ${(1000 / ms).toFixed(0).padStart(6)} fps of engine time  (${name})`);
      }
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
