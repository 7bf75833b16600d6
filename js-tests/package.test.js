// The package as another project gets it: npm pack -> install the tarball into an empty folder
// -> import 'convolens' from Node -> run a filter and a digit classification. Plus size limits.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let dir, tarball, files;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'convolens-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [info] = JSON.parse(out);
  tarball = join(dir, info.filename);
  files = info.files.map((f) => f.path);
  const app = join(dir, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'embedder', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], { cwd: app, stdio: 'ignore' });
}, 120000);
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

test('the tarball holds the JS, the types, every wasm file and the model, and nothing else of note', () => {
  for (const f of ['web/lib/convolens.js', 'web/lib/convolens.d.ts', 'web/lib/worker.js', 'web/lib/worker.d.ts',
    'web/wasm/convolens-simd.mjs', 'web/wasm/convolens-simd.wasm', 'web/wasm/convolens-plain.mjs', 'web/wasm/convolens-plain.wasm',
    'web/wasm/convolens-nn-simd.mjs', 'web/wasm/convolens-nn-simd.wasm', 'web/wasm/convolens-nn-plain.mjs', 'web/wasm/convolens-nn-plain.wasm',
    'web/wasm/convolens-train-simd.mjs', 'web/wasm/convolens-train-simd.wasm', 'web/wasm/convolens-train-plain.mjs', 'web/wasm/convolens-train-plain.wasm',
    // SIMD + threads (filters, CNN): ES module, CommonJS for Node, the pthread worker script of each, one .wasm
    'web/wasm/convolens-simd-mt.mjs', 'web/wasm/convolens-simd-mt.wasm', 'web/wasm/convolens-simd-mt.worker.js',
    'web/wasm/convolens-simd-mt-node.cjs', 'web/wasm/convolens-simd-mt-node.worker.cjs',
    'web/wasm/convolens-nn-simd-mt.mjs', 'web/wasm/convolens-nn-simd-mt.wasm', 'web/wasm/convolens-nn-simd-mt.worker.js',
    'web/wasm/convolens-nn-simd-mt-node.cjs', 'web/wasm/convolens-nn-simd-mt-node.worker.cjs',
    'web/lib/parallel-model.js', 'web/lib/cnn-worker-main.js',
    'web/models/mnist/model.json', 'package.json', 'README.md']) expect(files).toContain(f);
  expect(files.filter((f) => /^(src|cpp-tests|js-tests|build|node_modules|scripts)\//.test(f))).toEqual([]);
});

// Issue 7: each .wasm <= 150 KB, each JS glue <= 80 KB (filters and the CNN engine are separate modules).
const WASM_BUDGET = 150_000, GLUE_BUDGET = 80_000;  // decimal KB: the stricter reading

test('each wasm file is at most 150 KB and each JS glue at most 80 KB', () => {
  const sizes = {};
  for (const f of files.filter((f) => f.startsWith('web/wasm/'))) {
    const bytes = readFileSync(join(ROOT, f));
    sizes[f] = { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    expect([f, bytes.length <= (f.endsWith('.wasm') ? WASM_BUDGET : GLUE_BUDGET)]).toEqual([f, true]);
  }
  console.log('package sizes (bytes, gzip -9):\n' + Object.entries(sizes).map(([f, s]) => `  ${f}: ${s.bytes} / ${s.gzip}`).join('\n'));
});

test('an empty project imports the installed package in Node and filters (threaded module) and classifies', async () => {
  const script = `
    import { load } from 'convolens';
    const cl = await load();
    const img = { data: new Uint8ClampedArray(8 * 8 * 4).fill(200), width: 8, height: 8 };
    const f = cl.createFilter('sharpen');
    const pixel = f.apply(img)[0];  // a copy the caller owns
    // A drawn "7": a top bar and a diagonal, dark ink on white.
    const W = 200, px = new Uint8ClampedArray(W * W * 4).fill(255);
    const dot = (x, y) => { for (let dy = -7; dy <= 7; dy++) for (let dx = -7; dx <= 7; dx++) { const i = ((y + dy) * W + x + dx) * 4; px[i] = px[i + 1] = px[i + 2] = 0; } };
    for (let x = 50; x <= 150; x++) dot(x, 40);
    for (let t = 0; t <= 1; t += 0.005) dot(Math.round(150 - 70 * t), Math.round(40 + 120 * t));
    const r = await cl.classifyDrawing({ data: px, width: W, height: W });
    f.dispose();
    // No dispose(): a script that forgets it must still exit (the pool's workers are unref'd).
    console.log(JSON.stringify({ backend: cl.backend, threads: cl.threads, pixel, digit: r.digit, empty: !!r.empty }));
  `;
  writeFileSync(join(dir, 'app', 'run.mjs'), script);
  const result = JSON.parse(execFileSync('node', ['run.mjs'], { cwd: join(dir, 'app'), encoding: 'utf8', timeout: 60000 }));
  const cores = (await import('node:os')).availableParallelism();
  expect(result).toEqual({ backend: cores > 1 ? 'wasm-simd128-threads' : 'wasm-simd128', threads: Math.min(cores, 8), pixel: 200, digit: 7, empty: false });
});

// Package hygiene, judged by the ecosystem's own linters on the tarball itself.
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const lint = (cmd, args) => {
  try {
    return { code: 0, out: execFileSync(bin(cmd), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    return { code: e.status, out: `${e.stdout}${e.stderr}` };
  }
};

test('publint finds no error or warning in the tarball', () => {
  const r = lint('publint', ['run', tarball, '--strict']);  // --strict: warnings count as errors
  expect([r.code, r.out]).toEqual([0, expect.not.stringMatching(/Errors:|Warnings:/)]);
});

test('arethetypeswrong finds no problem with the types of convolens and convolens/worker', () => {
  // esm-only: the package is ES modules only, so CommonJS callers reach it by import() alone.
  // It exits non-zero on any problem the profile does not ignore.
  const r = lint('attw', [tarball, '--profile', 'esm-only', '--no-color']);
  expect([r.code, r.out]).toEqual([0, expect.not.stringMatching(/💀|❌|Resolution failed/)]);
});

test('package.json declares exports with types, sideEffects, engines, files and a version; a CHANGELOG ships', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  for (const entry of ['.', './worker']) expect(Object.keys(pkg.exports[entry])[0]).toBe('types');  // types first, as TypeScript needs
  expect(pkg.sideEffects).toBe(false);
  expect(pkg.engines.node).toMatch(/^>=\d+/);
  expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(files).toContain('CHANGELOG.md');
  expect(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')).toContain(`## ${pkg.version}`);
  // No file of the browser build imports a node: module: bundlers for the browser fail on them.
  for (const f of files.filter((f) => f.startsWith('web/lib/') && f.endsWith('.js') && f !== 'web/lib/node-io.js'))
    expect([f, readFileSync(join(ROOT, f), 'utf8').match(/['"]node:[a-z/]+['"]/g)]).toEqual([f, null]);
  expect(pkg.browser['./web/lib/node-io.js']).toBe('./web/lib/node-io-browser.js');
});
