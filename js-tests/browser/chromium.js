// Shared set-up for browser tests: the demo server and Debian's Chromium via playwright-core.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { startServer } from '../../scripts/serve.js';

export const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
mkdirSync(ARTIFACTS, { recursive: true });

export const BASE_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const FAKE_CAMERA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

export async function launch(extraArgs = FAKE_CAMERA) {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...BASE_ARGS, ...extraArgs] });
}

export async function serve(options) {
  return startServer({ port: 0, ...options });
}

// One demo server and one Chromium for the whole test file that calls it (at its top level):
// started in beforeAll, closed in afterAll. The returned object gets { server, url, browser }
// once beforeAll has run.
export function useBrowser(extraArgs) {
  const web = {};
  beforeAll(async () => {
    Object.assign(web, await serve());
    web.browser = await launch(extraArgs);
  });
  afterAll(async () => {
    await web.browser?.close();
    web.server?.close();
  });
  return web;
}

// Opens a page and records console errors/warnings and page errors into the returned list.
export async function openPage(browser, url, { viewport = { width: 1280, height: 900 }, permissions } = {}) {
  const context = await browser.newContext({ viewport, permissions });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { page, context, problems };
}
