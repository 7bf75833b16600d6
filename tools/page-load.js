#!/usr/bin/env node
// What the page costs to start, in headless Chromium against `npm start`'s server (brotli/gzip):
// bytes on the wire and requests until the first processed frame, and the time to that frame
// (performance.now() at the first frame, i.e. since navigation start), on the built-in test
// scene. Each run uses a fresh browser context (empty cache); the first run warms the server's
// compression cache (a production host serves precompressed files), the median of the others is
// reported. A measurement, not a test.
//   node tools/page-load.js [runs=5]
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.js';

const runs = Number(process.argv[2] || 5);
const { server, url } = await startServer({ port: 0 });
// Count what the server sends (page, worker and module requests alike): body bytes as sent.
let log = [];
server.on('request', (req, res) => {
  const end = res.end;
  res.end = function (body, ...rest) {
    log.push({ path: req.url, bytes: body?.length ?? 0 });
    return end.call(this, body, ...rest);
  };
});
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const results = [];
try {
  for (let i = 0; i <= runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    log = [];
    await page.goto(`${url}?source=scene`);
    await page.waitForFunction(() => window.__convolens.ready || window.__convolens.error, null, { timeout: 60000 });
    const { firstFrameMs, error } = await page.evaluate(() => window.__convolens);
    if (error) throw new Error(`page error: ${error}`);
    const before = log.slice();
    await context.close();
    if (i === 0) continue;  // warm-up
    results.push({ ms: firstFrameMs, bytes: before.reduce((s, r) => s + r.bytes, 0), requests: before.length, files: before });
  }
} finally {
  await browser.close();
  server.close();
}
results.sort((a, b) => a.ms - b.ms);
const mid = results[results.length >> 1];
for (const f of mid.files.sort((a, b) => b.bytes - a.bytes)) console.log(`${String(f.bytes).padStart(8)}  ${f.path}`);
console.log(`first processed frame: ${mid.ms.toFixed(0)} ms (median of ${results.length}: ${results.map((r) => r.ms.toFixed(0)).join(', ')})`);
console.log(`on the wire before it: ${(mid.bytes / 1000).toFixed(1)} KB in ${mid.requests} requests`);
