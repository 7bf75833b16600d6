// Loading: binary selection, wasmPaths/locateFile, clear errors for missing or mistyped files.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load, hasSimd } from '../web/lib/convolens.js';

const WASM_DIR = fileURLToPath(new URL('../web/wasm/', import.meta.url));
const MODEL = fileURLToPath(new URL('../web/models/mnist/model.json', import.meta.url));

test('Node 20 has SIMD and load() picks the SIMD binary (with threads on a multi-core machine) by default', async () => {
  expect(hasSimd()).toBe(true);
  const cl = await load();
  expect(cl.variant).toBe(cl.threads > 1 ? 'simd-mt' : 'simd');
  expect(cl.backend).toBe(cl.threads > 1 ? 'wasm-simd128-threads' : 'wasm-simd128');
  cl.dispose();  // every pool thread ends (js-tests/threads.test.js)
});

test('loading twice returns the same instance; plain is a separate one', async () => {
  const [a, b, c] = await Promise.all([load({ threads: false }), load({ simd: true, threads: false }), load({ simd: false })]);
  expect(a).toBe(b);
  expect(c).not.toBe(a);
  expect(c.backend).toBe('wasm-plain');
});

test('wasmPaths and locateFile place the files', async () => {
  const a = await load({ simd: false, wasmPaths: WASM_DIR });
  expect(a.backend).toBe('wasm-plain');
  const seen = [];
  const b = await load({ simd: true, threads: false, locateFile: (f) => (seen.push(f), new URL(f, 'file://' + WASM_DIR).href) });
  expect(b.backend).toBe('wasm-simd128');
  expect(seen).toEqual(['convolens-simd.mjs', 'convolens-simd.wasm']);
});

test('the CNN module is fetched on the first model load only, through the same locateFile', async () => {
  const seen = [];
  const cl = await load({ simd: false, locateFile: (f) => (seen.push(f), new URL(f, 'file://' + WASM_DIR).href) });
  expect(seen).toEqual(['convolens-plain.mjs', 'convolens-plain.wasm']);
  const before = cl.memory().heapBytes;
  const digits = await cl.loadDigitClassifier(MODEL);
  expect(seen).toEqual(['convolens-plain.mjs', 'convolens-plain.wasm', 'convolens-nn-plain.mjs', 'convolens-nn-plain.wasm']);
  expect(cl.memory().heapBytes).toBeGreaterThan(before);  // memory() now counts both modules
  const again = await cl.loadModel(MODEL);
  expect(seen).toHaveLength(4);  // loaded once
  again.dispose();
  digits.dispose();
});

test('a missing CNN module is an error naming its URL; the filters keep working and a retry may succeed', async () => {
  let broken = true;
  const cl = await load({ simd: false, locateFile: (f) => (f.startsWith('convolens-nn-') && broken ? `file:///nonexistent/${f}` : new URL(f, 'file://' + WASM_DIR).href) });
  await expect(cl.loadModel('whatever/model.json')).rejects.toThrow(/nonexistent\/convolens-nn-plain\.mjs/);
  const f = cl.createFilter('sharpen');
  expect(f.apply({ data: new Uint8ClampedArray(16).fill(9), width: 2, height: 2 })[0]).toBe(9);
  f.dispose();
  broken = false;
  const m = await cl.loadModel(MODEL);
  expect(m.summary().length).toBeGreaterThan(3);
  m.dispose();
});

test('a missing wasm folder gives an error naming the URL, and a later good load works', async () => {
  await expect(load({ wasmPaths: '/nonexistent/dir/', threads: false })).rejects.toThrow(/nonexistent\/dir\/convolens-simd\.mjs/);
  expect((await load({ threads: false })).backend).toBe('wasm-simd128');
});

describe('over HTTP', () => {
  let server, base;
  beforeAll(async () => {
    // Serves the real files, but the .wasm of "wrongtype/" as text/plain and "missing/" as 404.
    server = createServer((req, res) => {
      const [, dir, file] = req.url.split('/');
      if (dir === 'missing' && file.endsWith('.wasm')) return res.writeHead(404).end();
      const body = readFileSync(WASM_DIR + file);
      const type = file.endsWith('.wasm') ? (dir === 'wrongtype' ? 'text/plain' : 'application/wasm') : 'text/javascript';
      res.writeHead(200, { 'Content-Type': type }).end(body);
    });
    await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${server.address().port}`;
  });
  afterAll(() => server.close());

  test('wrong MIME type is named with the URL', async () => {
    // Node cannot import() JS over http, so the glue comes from disk and only the .wasm from the server.
    const locateFile = (f) => (f.endsWith('.wasm') ? `${base}/wrongtype/${f}` : new URL(f, 'file://' + WASM_DIR).href);
    await expect(load({ simd: false, locateFile })).rejects.toThrow(
      `convolens: wasm file ${base}/wrongtype/convolens-plain.wasm is served as "text/plain", expected "application/wasm"`);
  });

  test('HTTP 404 is named with the URL; the right server then works', async () => {
    const at = (dir) => (f) => (f.endsWith('.wasm') ? `${base}/${dir}/${f}` : new URL(f, 'file://' + WASM_DIR).href);
    await expect(load({ simd: false, locateFile: at('missing') })).rejects.toThrow(`${base}/missing/convolens-plain.wasm answered HTTP 404`);
    const cl = await load({ simd: false, locateFile: at('ok') });
    expect(cl.backend).toBe('wasm-plain');
  });
});
