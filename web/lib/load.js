// Finds, fetches and instantiates the right wasm binaries: SIMD + threads (filters, CNN) where the
// engine can run them (threadSupport), SIMD where the engine validates SIMD, exception-handling
// and bulk-memory instructions, plain otherwise. Works in browsers, workers and Node >= 18.
import { fileUrlToPath, readFileBytes, nodeCores, evaluateCommonJs } from './node-io.js';
import { startPool, workerScriptProblem } from './pool-start.js';
import { guardModule } from './guard.js';

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

// Smallest module with a memory.fill (bulk memory, which the SIMD binaries use for memcpy/memset).
// Every engine with SIMD and EH has it; checked all the same, so the choice never rests on that.
const BULK_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 3, 1, 0, 0, 10, 13, 1, 11, 0, 65, 0, 65, 0, 65, 0, 252, 11, 0, 11,
]);

function validates(bytes) {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

// Whether this engine runs the SIMD binary: wasm SIMD, exception handling and bulk memory.
export const NO_SIMD = 'this engine lacks WebAssembly SIMD, exception handling or bulk memory';
export function hasSimd() {
  return validates(SIMD_PROBE) && validates(EH_PROBE) && validates(BULK_PROBE);
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

// Most threads a module starts by itself (threads: true / auto); more may be asked for explicitly.
export const MAX_AUTO_THREADS = 8;
export const MAX_THREADS = 16;

// Cores this engine reports (1 when it does not say).
async function cores() {
  if (isNode) return nodeCores();
  return globalThis.navigator?.hardwareConcurrency || 1;
}

// Whether the SIMD + threads module can run here, and if not, why: shared wasm memory needs
// SharedArrayBuffer, which browsers only give cross-origin-isolated pages (COOP + COEP headers)
// and their workers; Node >= 18 always has it. -> {ok, cores, reason}
export async function threadSupport() {
  const n = await cores();
  let reason = '';
  if (!hasSimd()) reason = NO_SIMD;
  else if (isNode && Number(process.versions.node.split('.')[0]) < 18) reason = `Node ${process.versions.node} is older than 18`;
  else if (!isNode && globalThis.crossOriginIsolated !== true)
    reason = 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  else if (typeof SharedArrayBuffer !== 'function') reason = 'SharedArrayBuffer is not available';
  else if (!isNode && typeof Worker !== 'function') reason = 'Web Workers are not available here';
  else if (n < 2) reason = 'this engine reports a single core';
  return { ok: !reason, cores: n, reason };
}

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
  'convolens-simd-mt.mjs': () => new URL('../wasm/convolens-simd-mt.mjs', import.meta.url),
  'convolens-simd-mt.wasm': () => new URL('../wasm/convolens-simd-mt.wasm', import.meta.url),
  // The pool's worker script, a classic script: a plain new URL (not new Worker(new URL(...)))
  // makes bundlers copy it as a file (Vite: an asset, webpack: asset/resource) without bundling
  // it. ?no-inline: Vite would inline a file this small as a data: URL, where no pool can start.
  'convolens-simd-mt.worker.js': () => new URL('../wasm/convolens-simd-mt.worker.js?no-inline', import.meta.url),
  'convolens-nn-simd-mt.mjs': () => new URL('../wasm/convolens-nn-simd-mt.mjs', import.meta.url),
  'convolens-nn-simd-mt.wasm': () => new URL('../wasm/convolens-nn-simd-mt.wasm', import.meta.url),
  'convolens-nn-simd-mt.worker.js': () => new URL('../wasm/convolens-nn-simd-mt.worker.js?no-inline', import.meta.url),
};

// The URL of `file` for these load() options: locateFile, else under wasmPaths, else shipped.
export function resolveUrl(file, options) {
  if (options.locateFile) return options.locateFile(file);
  if (options.wasmPaths) {
    const base = options.wasmPaths.endsWith('/') ? options.wasmPaths : options.wasmPaths + '/';
    return new URL(file, new URL(base, isNode ? 'file://' + process.cwd() + '/' : globalThis.location?.href)).href;
  }
  // Any other name (the threaded module's Node build, names Emscripten asks locateFile about but
  // never fetches because the binary is handed over) sits beside the shipped files.
  return (SHIPPED[file] ? SHIPPED[file]() : new URL(file, SHIPPED['convolens-simd.wasm']())).href;
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

// The wasm modules: image filters (what load() brings), the CNN engine (loaded on the first
// loadModel / digit classifier) and the trainer, each in a SIMD and a plain build; the filters
// and the CNN engine also in a SIMD + threads build ('simd-mt').
export function moduleFile(variant, part = 'filters') {
  return part === 'filters' ? `convolens-${variant}` : `convolens-${part}-${variant}`;  // nn, train
}

// Loads and instantiates one module ('simd' | 'plain' | 'simd-mt', 'filters' | 'nn' | 'train');
// returns the Embind module, guarded (guard.js: every module is guarded here, once). simd-mt:
// `threads` threads take part (the caller and threads - 1 pool workers, all started before this
// resolves).
export async function instantiate(variant, options = {}, part = 'filters', threads = 1) {
  const name = moduleFile(variant, part);
  const mt = variant === 'simd-mt';
  // In Node the threaded module is the CommonJS build: its pool uses worker_threads.
  const glueUrl = resolveUrl(mt && isNode ? `${name}-node.cjs` : `${name}.mjs`, options);
  // The pool's worker script (the Node build's is named .cjs: the package is ESM). A browser
  // starts Workers from the page's own origin only: another origin fails before any download.
  const script = mt && resolveUrl(isNode ? `${name}-node.worker.cjs` : `${name}.worker.js`, options);
  const problem = mt && workerScriptProblem(script);
  if (problem) throw new Error(problem);
  let factory;
  try {
    factory = mt && isNode ? await evaluateCommonJs(glueUrl) : (await import(/* webpackIgnore: true */ /* @vite-ignore */ glueUrl)).default;
  } catch (e) {
    throw new Error(`convolens: cannot load module ${glueUrl}: ${e.message}`);
  }
  // The binary is fetched here, not by the glue, so errors name the URL and Node works
  // (Emscripten 3.1.6's own loader breaks on Node's global fetch). One .wasm serves both glues.
  const wasmBinary = await fetchBinary(resolveUrl(`${name}.wasm`, options));
  const moduleOptions = {
    wasmBinary,
    print: options.print || (() => {}),
    printErr: options.printErr || ((m) => console.warn(`convolens: ${m}`)),
  };
  if (!mt) return guardModule(await factory(moduleOptions));
  moduleOptions.convolensPoolSize = threads - 1;
  const scriptPath = isNode ? await fileUrlToPath(script) : script;
  moduleOptions.locateFile = (file) => (file.endsWith('.worker.js') ? scriptPath : resolveUrl(file, options));
  if (!isNode) moduleOptions.mainScriptUrlOrBlob = glueUrl;
  const m = await startPool(factory, moduleOptions, script, options.threadsTimeout);
  installHeapViewSync(m);
  guardModule(m);  // runs m.syncHeapViews after every call
  m.setThreads(threads);
  // Node: pool workers must not keep the process alive (the caller only ever waits for them
  // inside a call); dispose() still ends them.
  if (isNode) for (const w of [...m.PThread.unusedWorkers, ...m.PThread.runningWorkers]) w.unref?.();
  return m;
}
// Threaded modules only (shared memory): shared memory grows without detaching old views, and a
// pool thread that grows it does not update this thread's views (Emscripten refreshes them only
// on the thread that grew it). A single-thread module grows on this thread, whose views
// Emscripten refreshes itself: it gets no m.syncHeapViews, and its guard syncs nothing.
// Memory grows only inside calls into the module, and everything allocated lies below the heap's
// end (the sbrk pointer, a word in memory): the guard (guard.js) runs syncHeapViews after each
// call, which reads that word and makes new views only when the heap's end passed their length.
// Reading memory.buffer instead costs ~0.25 µs a time in V8 (shared memory), the word a few ns.
function installHeapViewSync(m) {
  const names = ['HEAP8', 'HEAPU8', 'HEAP16', 'HEAPU16', 'HEAP32', 'HEAPU32', 'HEAPF32', 'HEAPF64'].filter((n) => m[n]);
  // In static data, below the length of any view. A module without it: compare the buffer.
  const end = m.heapEndAddress ? m.heapEndAddress() / 4 : -1;
  let words = m.HEAPU32, length = 0;
  m.syncHeapViews = () => {
    if (end >= 0 ? words[end] <= length : m.wasmMemory.buffer.byteLength === length) return;
    const buffer = m.wasmMemory.buffer;
    for (const n of names) if (m[n].buffer !== buffer) m[n] = new m[n].constructor(buffer);
    words = m.HEAPU32;
    length = buffer.byteLength;
  };
  m.syncHeapViews();
}

// Pool Workers (threads) a threaded module holds, running or idle: tests count them.
export function poolWorkerCount(m) {
  const p = m?.PThread;
  return p ? p.runningWorkers.length + p.unusedWorkers.length : 0;
}

// Ends every pool thread of a threaded module; the module keeps working on one thread. The
// Workers are terminated directly: PThread.terminateAllThreads() would also free each thread's
// stack while a thread may still be starting (a Worker ends asynchronously), and that thread
// then crashes on freed memory. The few KB of thread data stay with the module.
export function stopThreads(m) {
  const p = m?.PThread;
  if (!p) return;
  m.setThreads(1);
  for (const w of [...p.runningWorkers, ...p.unusedWorkers]) w.terminate();
  p.runningWorkers.length = 0;
  p.unusedWorkers.length = 0;
  p.pthreads = {};
}
