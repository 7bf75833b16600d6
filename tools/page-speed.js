#!/usr/bin/env node
// Measures the page's filter time (ms per frame, median of 64 frames) in headless Chromium for
// each backend at 640x480 and 1280x720, on the built-in test scene. A benchmark, not a test.
//   node tools/page-speed.js [preset=sharpen ...]
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.js';

const presets = process.argv.slice(2).length ? process.argv.slice(2) : ['sharpen'];
const { server, url } = await startServer({ port: 0 });
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
        await page.evaluate(() => window.__convolens.resetTimes());
        await page.waitForFunction((n) => window.__convolens.timedFrames() >= n, frames, { timeout: 120000 });
        const ms = await page.evaluate(() => window.__convolens.msMedian());
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
