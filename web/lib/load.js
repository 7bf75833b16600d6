// Finds, fetches and instantiates the right wasm binaries: SIMD where the engine validates SIMD
// and exception-handling instructions, plain otherwise. Works in browsers, workers and Node >= 18.
import { fileUrlToPath, readFileBytes } from './node-io.js';

// Smallest module that uses a v128 instruction (i8x16.splat + drop); validates only with SIMD.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11,
]);
// Smallest module with a try/catch_all block (wasm exception handling, as em++ -fwasm-exceptions
// emits it). The SIMD binary needs both; engines with SIMD but no EH (Chrome 91-94, Firefox
// 89-99) get the plain binary.
const EH_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 8, 1, 6, 0, 6, 64, 25, 11, 11,
]);

function validates(bytes) {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

// Whether this engine runs the SIMD binary: wasm SIMD and wasm exception handling.
export function hasSimd() {
  return validates(SIMD_PROBE) && validates(EH_PROBE);
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

// Every shipped file by a literal new URL(..., import.meta.url), the one form that bundlers
// (Vite, webpack, Parcel) recognise and copy into their output, renamed as they like. A template
// string or a computed name would be left for the browser to find, and the file not copied.
const SHIPPED = {
  'convolens-simd.mjs': () => new URL('../wasm/convolens-simd.mjs', import.meta.url),
  'convolens-simd.wasm': () => new URL('../wasm/convolens-simd.wasm', import.meta.url),
  'convolens-plain.mjs': () => new URL('../wasm/convolens-plain.mjs', import.meta.url),
  'convolens-plain.wasm': () => new URL('../wasm/convolens-plain.wasm', import.meta.url),
  'convolens-nn-simd.mjs': () => new URL('../wasm/convolens-nn-simd.mjs', import.meta.url),
  'convolens-nn-simd.wasm': () => new URL('../wasm/convolens-nn-simd.wasm', import.meta.url),
  'convolens-nn-plain.mjs': () => new URL('../wasm/convolens-nn-plain.mjs', import.meta.url),
  'convolens-nn-plain.wasm': () => new URL('../wasm/convolens-nn-plain.wasm', import.meta.url),
  'convolens-train-simd.mjs': () => new URL('../wasm/convolens-train-simd.mjs', import.meta.url),
  'convolens-train-simd.wasm': () => new URL('../wasm/convolens-train-simd.wasm', import.meta.url),
  'convolens-train-plain.mjs': () => new URL('../wasm/convolens-train-plain.mjs', import.meta.url),
  'convolens-train-plain.wasm': () => new URL('../wasm/convolens-train-plain.wasm', import.meta.url),
};

// The URL of `file` for these load() options: locateFile, else under wasmPaths, else shipped.
export function resolveUrl(file, options) {
  if (options.locateFile) return options.locateFile(file);
  if (options.wasmPaths) {
    const base = options.wasmPaths.endsWith('/') ? options.wasmPaths : options.wasmPaths + '/';
    return new URL(file, new URL(base, isNode ? 'file://' + process.cwd() + '/' : globalThis.location?.href)).href;
  }
  return SHIPPED[file]().href;
}

async function fetchBinary(url) {
  if (isNode && url.startsWith('file:')) {
    try {
      return await readFileBytes(await fileUrlToPath(url));
    } catch (e) {
      throw new Error(`convolens: cannot read wasm file ${url}: ${e.code || e.message}`);
    }
  }
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`convolens: cannot fetch wasm file ${url}: ${e.message}`);
  }
  if (!response.ok) throw new Error(`convolens: wasm file ${url} answered HTTP ${response.status}`);
  const type = response.headers.get('content-type') || '';
  if (!type.startsWith('application/wasm'))
    throw new Error(`convolens: wasm file ${url} is served as "${type || 'no type'}", expected "application/wasm"`);
  return new Uint8Array(await response.arrayBuffer());
}

// The wasm modules: image filters (what load() brings) and the CNN engine (loaded on the first
// loadModel / digit classifier), each in a SIMD and a plain build.
export function moduleFile(variant, part = 'filters') {
  return part === 'filters' ? `convolens-${variant}` : `convolens-${part}-${variant}`;  // nn, train
}

// Loads and instantiates one module ('simd' | 'plain', 'filters' | 'nn' | 'train'); returns the raw Embind module.
export async function instantiate(variant, options = {}, part = 'filters') {
  const name = moduleFile(variant, part);
  const glueUrl = resolveUrl(`${name}.mjs`, options);
  let factory;
  try {
    factory = (await import(/* webpackIgnore: true */ /* @vite-ignore */ glueUrl)).default;
  } catch (e) {
    throw new Error(`convolens: cannot load module ${glueUrl}: ${e.message}`);
  }
  // The binary is fetched here, not by the glue, so errors name the URL and Node works
  // (Emscripten 3.1.6's own loader breaks on Node's global fetch).
  const wasmBinary = await fetchBinary(resolveUrl(`${name}.wasm`, options));
  return factory({
    wasmBinary,
    print: options.print || (() => {}),
    printErr: options.printErr || ((m) => console.warn(`convolens: ${m}`)),
  });
}
