// The package as embedding sites build it: npm pack -> install the tarball into an app -> a
// production build with Vite and with webpack 5, neither configured for convolens, and with
// esbuild plus the README's documented minimum (copy the files, set wasmPaths) -> open each
// build in Chromium: a frame through a filter (directly and through cl.live) on the SIMD + threads
// module the page picks by itself (cross-origin isolated), a drawn 7 classified.
// One tarball, one install; the three apps share it.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openPage, serve } from './chromium.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tool = (p) => join(ROOT, 'node_modules', p);
let dir, browser;

// The embedder's code: what a site writes, nothing bundler-specific. The esbuild page names its
// copied folder in <html data-wasm-paths>.
const APP = `
import { load } from 'convolens';

const out = document.getElementById('out');
async function main() {
  const where = document.documentElement.dataset.wasmPaths;
  const options = where ? { wasmPaths: where } : {};
  const cl = await load(options);
  const flat = { data: new Uint8ClampedArray(8 * 8 * 4).fill(200), width: 8, height: 8 };
  const filter = cl.createFilter('laplacian-4');
  const filtered = filter.apply(flat)[0];  // flat image: 128, the Laplacian's offset

  const source = Object.assign(document.createElement('canvas'), { width: 64, height: 48 });
  const g = source.getContext('2d');
  g.fillStyle = 'rgb(200, 100, 50)';
  g.fillRect(0, 0, 64, 48);
  const lv = await cl.live(source, document.getElementById('view'), ['laplacian-4'], options);
  while (lv.stats.frames < 1) await new Promise(requestAnimationFrame);
  const probe = await lv.probe(10, 10);
  const mode = lv.mode, liveEngine = lv.info.engineName;
  await lv.stop();

  const W = 200, px = new Uint8ClampedArray(W * W * 4).fill(255);  // a drawn 7, dark ink on white
  const dot = (x, y) => { for (let dy = -7; dy <= 7; dy++) for (let dx = -7; dx <= 7; dx++) { const i = ((y + dy) * W + x + dx) * 4; px[i] = px[i + 1] = px[i + 2] = 0; } };
  for (let x = 50; x <= 150; x++) dot(x, 40);
  for (let t = 0; t <= 1; t += 0.005) dot(Math.round(150 - 70 * t), Math.round(40 + 120 * t));
  const r = await cl.classifyDrawing({ data: px, width: W, height: W });
  return { backend: cl.backend, filtered, live: probe.output.slice(0, 3), mode, liveEngine, digit: r.digit };
}
main().then((r) => (out.textContent = JSON.stringify(r)), (e) => (out.textContent = 'error: ' + e.message))
  .finally(() => (out.dataset.done = '1'));
`;
const html = (script, attrs = '') => `<!doctype html><html lang="en"${attrs}><head><meta charset="utf-8"><title>embedder</title><link rel="icon" href="data:,"></head>
<body><canvas id="view" width="64" height="48"></canvas><pre id="out"></pre>${script}</body></html>`;
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const runAsync = (cmd, args, cwd) => promisify(execFile)(cmd, args, { cwd, maxBuffer: 1 << 24 });
const builds = {};  // the three builds run side by side from beforeAll; each test awaits its own

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'convolens-bundlers-'));
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], ROOT));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'embedder', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(dir, info.filename)], dir);
  for (const app of ['vite', 'webpack', 'esbuild']) {
    mkdirSync(join(dir, app, 'src'), { recursive: true });
    writeFileSync(join(dir, app, 'src', 'index.js'), APP);
  }
  writeFileSync(join(dir, 'vite', 'index.html'), html('<script type="module" src="/src/index.js"></script>'));
  builds.vite = runAsync(process.execPath, [tool('vite/bin/vite.js'), 'build', '--logLevel', 'warn'], join(dir, 'vite'));
  builds.webpack = runAsync(process.execPath, [tool('webpack-cli/bin/cli.js'), '--mode', 'production'], join(dir, 'webpack'));
  builds.esbuild = runAsync(tool('esbuild/bin/esbuild'), ['src/index.js', '--bundle', '--format=esm', '--minify', '--outfile=dist/app.js'], join(dir, 'esbuild'));
  for (const b of Object.values(builds)) b.catch(() => {});  // reported by the test that awaits it
  browser = await launch();
}, 180000);
afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Opens a build; returns what the page logged. backend: the threaded module where the bundler
// emitted its pool's worker script (the page is cross-origin isolated: the server sends COOP/COEP).
async function openBuilt(root, { mode = 'worker', backend = 'wasm-simd128-threads', csp = true } = {}) {
  const { server, url } = await serve({ root, csp });
  const { page, context, problems } = await openPage(browser, url);
  try {
    await page.waitForFunction(() => document.getElementById('out').dataset.done === '1', null, { timeout: 90000 });
    const text = await page.textContent('#out');
    expect(text).not.toMatch(/^error/);
    // cl.live runs the instance's engine (its worker starts a pool of its own).
    const liveEngine = backend === 'wasm-simd128' ? backend : expect.stringMatching(/^wasm-simd128-threads \(\d+ threads\)$/);
    expect(JSON.parse(text)).toEqual({ backend, filtered: 128, live: [128, 128, 128], mode, liveEngine, digit: 7 });
    return problems;
  } finally {
    await context.close();
    server.close();
  }
}

test('Vite (production build, no configuration): filters in the live worker and classifies a digit', async () => {
  const app = join(dir, 'vite');
  await builds.vite;
  const assets = readdirSync(join(app, 'dist', 'assets'));
  // weights.bin is copied (hashed) beside model.json: the loader names both by literal URLs.
  // The page is cross-origin isolated, so the digit is read by the threaded CNN module: both CNN
  // modules' .wasm files are there (the single-thread one is the fallback).
  expect(assets.filter((f) => /^(model|weights|convolens-nn-simd|convolens-nn-simd-mt)-.*\.(json|bin|wasm)$/.test(f))).toHaveLength(4);
  // The pools' worker scripts (filters, CNN) are copied as they are, not bundled (classic scripts).
  expect(assets.filter((f) => /^convolens-(nn-)?simd-mt\.worker-.*\.js$/.test(f))).toHaveLength(2);
  expect(await openBuilt(join(app, 'dist'))).toEqual([]);
}, 240000);

test('webpack 5 (production, no configuration): filters in the live worker and classifies a digit', async () => {
  const app = join(dir, 'webpack');
  await builds.webpack;
  writeFileSync(join(app, 'dist', 'index.html'), html('<script src="main.js"></script>'));
  expect(await openBuilt(join(app, 'dist'))).toEqual([]);
}, 240000);

test('esbuild with the documented minimum: the package\'s files copied to a CDN-like origin, wasmPaths set', async () => {
  const app = join(dir, 'esbuild');
  const pkg = join(dir, 'node_modules', 'convolens', 'web');
  await builds.esbuild;
  // The README's two copies: the wasm folder, and the digit model as its mnist/ subfolder,
  // served by another origin with CORS, as a CDN would.
  const cdnDir = join(dir, 'cdn', 'convolens@0.1.0');
  cpSync(join(pkg, 'wasm'), cdnDir, { recursive: true });
  cpSync(join(pkg, 'models', 'mnist'), join(cdnDir, 'mnist'), { recursive: true });
  const cdn = await serve({ root: join(dir, 'cdn'), cors: true, csp: false });
  try {
    const where = new URL('convolens@0.1.0/', cdn.url).href;
    writeFileSync(join(app, 'dist', 'index.html'), html('<script type="module" src="app.js"></script>', ` data-wasm-paths="${where}"`));
    // The embedder's CSP from the README, with the CDN's origin added.
    const origin = new URL(cdn.url).origin;
    const policy = `default-src 'self'; script-src 'self' ${origin} 'wasm-unsafe-eval'; connect-src 'self' ${origin}; worker-src 'self'; style-src 'self'`;
    // esbuild leaves new Worker(new URL(...)) alone, so cl.live runs on the main thread. The
    // pool's worker script is on the CDN's origin, where no Worker can start: one warning, then
    // the single-thread module.
    const problems = await openBuilt(join(app, 'dist'), { mode: 'main thread', backend: 'wasm-simd128', csp: policy });
    expect(problems.filter((p) => /threads/.test(p))).toEqual([expect.stringMatching(/^warning: convolens: the SIMD \+ threads module did not start: its pool's worker script .* is on another origin than the page/)]);
  } finally {
    cdn.server.close();
  }
}, 240000);
