#!/usr/bin/env node
// Measures the page's filter time (ms per frame, median of 64 frames; 20 for plain JS) in headless Chromium for
// each backend at 640x480 and 1280x720, on the built-in test scene (after 10 warm-up frames, the
// better of two medians). A benchmark, not a test.
//   node tools/page-speed.js [preset=sharpen ...]
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.js';

const presets = process.argv.slice(2).length ? process.argv.slice(2) : ['sharpen'];
const { server, url } = await startServer({ port: 0, root: '/tmp/live-main/web/' });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const rows = [];
try {
  for (const res of ['640x480', '1280x720']) {
    const page = await browser.newPage();
    await page.goto(`${url}?source=scene&res=${res}`);
    await page.waitForFunction(() => window.__convolens.frames > 5);
    for (const preset of presets) {
      await page.selectOption('#preset', preset);
      for (const backend of ['simd', 'plain', 'js']) {
        await page.click(`#backend-group [data-backend="${backend}"]`);
        await page.waitForFunction((b) => window.__convolens.backend === b, backend);
        const frames = backend === 'js' ? 20 : 64;
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
        const fps = await page.evaluate(() => window.__convolens.fps);
        rows.push({ res, preset, backend, ms: +ms.toFixed(2), fps: +fps.toFixed(0) });
        console.log(`${res.padEnd(9)} ${preset.padEnd(12)} ${backend.padEnd(6)} ${ms.toFixed(2).padStart(8)} ms/frame`);
      }
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
