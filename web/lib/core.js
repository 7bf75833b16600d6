// The convolens instance (filters, models, digits, trainer): what the library's own workers
// import. It never imports live.js or train-worker.js, which start those workers: a worker whose
// imports lead back to its own new Worker(...) is a cycle that bundlers refuse (Vite). The public
// entry, convolens.js, hands live() in (provideLive), so cl.live() works wherever users import it.
import { hasSimd, instantiate, stopThreads, threadSupport, MAX_AUTO_THREADS, MAX_THREADS, NO_SIMD } from './load.js';
import { loadModel } from './model.js';
import { loadParallelModel } from './parallel-model.js';
import { loadDigitClassifier } from './digits.js';
import { lifetimeStats } from './lifetime.js';
import { Filter, Pipeline, presetCatalog } from './filters.js';
import { describe } from './values.js';
import { Trainer, TRAIN_PRESETS } from './train.js';
import { loadMnist } from './mnist.js';

export { hasSimd, threadSupport, loadMnist, TRAIN_PRESETS };

let liveImpl = null;
export function provideLive(live) {
  liveImpl = live;
}

class Convolens {
  #m;
  #options;
  #nn = null;        // Promise of the CNN module, started by the first model load
  #nnModule = null;  // the CNN module once loaded (memory() counts it)
  #threads;
  #maxThreads;  // the pool size load() started: setThreads never goes above it
  constructor(module, variant, options, threads = 1) {
    this.#m = module;
    this.#options = options;
    this.#threads = this.#maxThreads = threads;
    this.variant = variant;            // 'simd' | 'plain' | 'simd-mt' (filters on threads)
    this.backend = module.backend();   // what the binary was compiled for
  }
  // The trainer has no threaded build: simd-mt loads its SIMD build (and the CNN module's, once
  // dispose() has ended the threads).
  get #singleVariant() {
    return this.variant === 'simd-mt' ? 'simd' : this.variant;
  }
  // Threads the filters run on (1 unless the SIMD + threads module loaded; 1 after dispose()).
  get threads() {
    return this.#threads;
  }
  // Threads taking part from now on, 1..the number load() started (the pool never grows, so a
  // caller never waits for a thread that has yet to start).
  setThreads(n) {
    if (!Number.isInteger(n) || n < 1 || n > this.#maxThreads)
      throw new RangeError(`convolens: setThreads: the number of threads must be an integer 1..${this.#maxThreads}, got ${describe(n)}`);
    this.#threads = n;
    this.#m.setThreads?.(n);
    this.#nnModule?.setThreads?.(n);
  }
  // Ends every pool thread (Node can exit, the page frees its Workers). Objects made from this
  // instance keep working, on one thread; load() afterwards starts a fresh instance.
  dispose() {
    this.#threads = this.#maxThreads = 1;
    stopThreads(this.#m);
    stopThreads(this.#nnModule);
    forget(this);
  }
  // Image filters (web/lib/filters.js): presets, custom kernels, pipelines.
  get presets() {
    return presetCatalog(this.#m);
  }
  get maxKernelSize() {
    return this.#m.maxKernelSize;
  }
  createFilter(nameOrSpec, params) {
    return new Filter(this.#m, nameOrSpec, params);
  }
  createPipeline(items) {
    return new Pipeline(this.#m, items);
  }
  // The CNN engine is a second wasm module, fetched on first use: pages that only filter never
  // download it. The same variant (SIMD + threads with as many threads, SIMD or plain) and the
  // same wasmPaths/locateFile as load().
  #nnEngine() {
    if (!this.#nn) {
      const mt = this.variant === 'simd-mt' && this.#maxThreads > 1;
      const threads = this.#maxThreads;
      this.#nn = instantiate(mt ? 'simd-mt' : this.#singleVariant, this.#options, 'nn', mt ? threads : 1).then((m) => {
        if (mt && this.#maxThreads !== threads) stopThreads(m);  // dispose() came while it loaded
        else if (mt) m.setThreads(this.#threads);
        return (this.#nnModule = m);
      });
      this.#nn.catch(() => (this.#nn = null));  // a failed load may be retried
    }
    return this.#nn;
  }
  // A TF.js Layers model: URL/path of model.json, {modelJson, weights: ArrayBuffer[]}, or files;
  // options {signal, timeout, pixels} (web/lib/model.js).
  async loadModel(source, options) {
    const m = await this.#nnEngine();
    return loadModel(m, source, options);
  }
  // A model whose large batches run across threads: the calling thread plus Workers, each with
  // the single-thread CNN module (web/lib/parallel-model.js). options: as loadModel, plus
  // {threads (default: this.threads, else the cores up to 8), minBatch}. predict() is async.
  async loadParallelModel(source, options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('loadParallelModel: options must be an object');
    const { wasmPaths, locateFile } = this.#options;
    if (locateFile && !wasmPaths) throw new TypeError('loadParallelModel: locateFile cannot cross into a worker; load() with wasmPaths');
    const where = wasmPaths ? { wasmPaths: globalThis.location ? new URL(wasmPaths, globalThis.location.href).href : wasmPaths } : {};
    const threads = options.threads ?? (this.#maxThreads > 1 ? this.#maxThreads : Math.min((await threadSupport()).cores, MAX_AUTO_THREADS));
    const m = await this.#nnEngine();
    return loadParallelModel(m, this.#singleVariant, where, source, { ...options, threads });
  }
  // Handwritten digits: a classifier over the shipped MNIST model (or the model.json at url;
  // undefined or null = the shipped one).
  async loadDigitClassifier(url) {
    const m = await this.#nnEngine();
    return loadDigitClassifier(m, (src) => loadModel(m, src), url, this.#options.wasmPaths);
  }
  // One drawing -> {digit, probabilities, confidence, input28} | {empty: true}; loads the
  // shipped classifier on first use and keeps it.
  async classifyDrawing(imageData) {
    if (!this.#digits) {
      this.#digits = this.loadDigitClassifier();
      this.#digits.catch(() => (this.#digits = null));  // a failed load may be retried
    }
    return (await this.#digits).classify(imageData);
  }
  #digits = null;
  // Frees the classifier classifyDrawing() keeps (model and drawing buffers); the next
  // classifyDrawing() loads it again. Resolves when it is gone.
  async releaseDigitClassifier() {
    const pending = this.#digits;
    this.#digits = null;
    if (!pending) return;
    try {
      (await pending).dispose();
    } catch {
      // a load that failed left nothing to free
    }
  }
  // Live video through a filter chain (live.js) on this instance's binary and wasm location.
  live(source, canvas, chain, options = {}) {
    if (!liveImpl) return Promise.reject(new Error('convolens: cl.live() needs the convolens entry module (import from "convolens")'));
    // Only data crosses into the worker: locateFile (a function) only on the main thread.
    const { wasmPaths, locateFile } = this.#options;
    const where = locateFile && options.worker === false ? { locateFile } : wasmPaths ? { wasmPaths } : {};
    return liveImpl(source, canvas, chain, { engine: this.variant, ...where, ...options });
  }
  // The trainer is a third wasm module, fetched on the first createTrainer() only.
  #train = null;
  #trainModule = null;
  #trainEngine() {
    if (!this.#train) {
      this.#train = instantiate(this.#singleVariant, this.#options, 'train').then((m) => (this.#trainModule = m));
      this.#train.catch(() => (this.#train = null));
    }
    return this.#train;
  }
  // spec: a preset name ('tiny', 'convnetjs', 'mnist'), a layer list, or {layers, seed}.
  async createTrainer(spec) {
    const m = await this.#trainEngine();
    return new Trainer(m, spec, (src) => this.loadModel(src));
  }
  // The real MNIST digits (web/data/, written by the build): {train, test} of {images, labels, count}.
  loadMnist(options) {
    return loadMnist(options);
  }
  // Live convolens buffers and objects plus the heap size (both modules once the CNN one is
  // loaded): tests check they return to baseline.
  memory() {
    let { liveBytes, liveBuffers } = this.#m.memoryStats();
    let heapBytes = this.#m.HEAPU8.length;
    if (this.#nnModule) {
      const n = this.#nnModule.memoryStats();
      liveBytes += n.liveBytes;
      liveBuffers += n.liveBuffers;
      heapBytes += this.#nnModule.HEAPU8.length;
    }
    if (this.#trainModule) {
      const t = this.#trainModule.memoryStats();
      liveBytes += t.liveBytes;
      liveBuffers += t.liveBuffers;
      heapBytes += this.#trainModule.HEAPU8.length;
    }
    return { liveBytes, liveBuffers, liveObjects: lifetimeStats().liveObjects, heapBytes };
  }
}

// Wrong option types are refused up front: they would otherwise fail later, deep in URL code.
function checkLoadOptions(options) {
  if (options === null || typeof options !== 'object') throw new TypeError(`convolens: load() options must be an object, got ${describe(options)}`);
  const { simd, wasmPaths, locateFile, threads, threadsFallback, threadsTimeout, warn } = options;
  if (simd !== undefined && typeof simd !== 'boolean') throw new TypeError(`convolens: load() option simd must be true, false or undefined, got ${describe(simd)}`);
  if (threads !== undefined && typeof threads !== 'boolean' && typeof threads !== 'number')
    throw new TypeError(`convolens: load() option threads must be a number of threads, true, false or undefined, got ${describe(threads)}`);
  if (typeof threads === 'number' && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS))
    throw new RangeError(`convolens: load() option threads must be an integer 1..${MAX_THREADS}, got ${describe(threads)}`);
  if (threadsFallback !== undefined && typeof threadsFallback !== 'boolean')
    throw new TypeError(`convolens: load() option threadsFallback must be true, false or undefined, got ${describe(threadsFallback)}`);
  if (warn !== undefined && typeof warn !== 'function') throw new TypeError(`convolens: load() option warn must be a function, got ${describe(warn)}`);
  if (threadsTimeout !== undefined && !(typeof threadsTimeout === 'number' && threadsTimeout > 0 && threadsTimeout <= 2 ** 31 - 1))
    throw new RangeError(`convolens: load() option threadsTimeout must be a number of milliseconds > 0, got ${describe(threadsTimeout)}`);
  if (wasmPaths !== undefined && typeof wasmPaths !== 'string')
    throw new TypeError(`convolens: load() option wasmPaths must be a string (a folder URL or path), got ${describe(wasmPaths)}`);
  if (locateFile !== undefined && typeof locateFile !== 'function')
    throw new TypeError(`convolens: load() option locateFile must be a function (file name -> URL), got ${describe(locateFile)}`);
}

// The CNN side alone (models, digits) for pages whose filtering runs elsewhere (cl.live's
// worker): fetches only the CNN module, never the filter one. Same options as load().
export async function loadCnn(options = {}) {
  const variant = options.simd === false || (options.simd === undefined && !hasSimd()) ? 'plain' : 'simd';
  const m = await instantiate(variant, options, 'nn');
  return {
    variant,
    loadModel: (source, opts) => loadModel(m, source, opts),
    loadDigitClassifier: (url) => loadDigitClassifier(m, (src) => loadModel(m, src), url, options.wasmPaths),
    memory: () => m.memoryStats(),
  };
}

const loaded = new Map();  // key -> Promise<Convolens> (with .instance once resolved)
const locatorIds = new Map();  // each distinct locateFile function is its own cache entry

// Drops every cache entry that resolved to cl (a fallback shares the single-thread entry).
function forget(cl) {
  for (const [key, p] of loaded) if (p.instance === cl) loaded.delete(key);
}

// Which module and how many threads -> {variant, threads}: SIMD + threads where threadSupport()
// says they can run (browsers: a cross-origin-isolated page or its workers; Node >= 18) unless
// threads: false. Threads asked for where they cannot run: throws when options.threadsFallback
// === false, else warns and runs on one.
async function choose(options) {
  const simd = options.simd === false || (options.simd === undefined && !hasSimd()) ? 'plain' : 'simd';
  if (options.simd === true && !hasSimd()) throw new Error(`convolens: ${NO_SIMD}; load({simd: false}) uses the plain binary`);
  const t = options.threads;
  if (t === false || t === 1 || (simd === 'plain' && t === undefined)) return { variant: simd, threads: 1 };
  const support = simd === 'plain' ? { ok: false, reason: 'the plain module (simd: false) has no threads' } : await threadSupport();
  if (!support.ok) {
    if (t === undefined) return { variant: simd, threads: 1 };  // auto: quietly single-threaded
    const msg = `convolens: threads: ${t} asked for, but ${support.reason}`;
    if (options.threadsFallback === false) throw new Error(msg);
    (options.warn || console.warn)(`${msg}; running on one thread`);
    return { variant: simd, threads: 1 };
  }
  return { variant: 'simd-mt', threads: Number.isInteger(t) ? t : Math.min(support.cores, MAX_AUTO_THREADS) };
}

// The instance for `key`, made once by make() (a failed make may be retried).
function cached(key, make) {
  if (!loaded.has(key)) {
    const p = make().then((cl) => (p.instance = cl));
    p.catch(() => loaded.delete(key));
    loaded.set(key, p);
  }
  return loaded.get(key);
}

async function create(variant, options, threads) {
  let m;
  try {
    m = await instantiate(variant, options, 'filters', threads);
  } catch (e) {
    throw e?.name === 'TypeError' && /Invalid URL/i.test(e.message)
      ? new TypeError(`convolens: wasmPaths ${describe(options.wasmPaths)} does not make a valid URL (${e.message})`)
      : e;
  }
  return new Convolens(m, variant, options, threads);
}

// options: {simd: true|false|undefined (auto), threads: n|true|false|undefined (auto),
//   threadsFallback: true (warn, run on one thread) | false (reject), threadsTimeout (ms),
//   warn, wasmPaths, locateFile}
export async function load(options = {}) {
  checkLoadOptions(options);
  const { variant, threads } = await choose(options);
  if (options.locateFile && !locatorIds.has(options.locateFile)) locatorIds.set(options.locateFile, locatorIds.size + 1);
  const where = `${options.wasmPaths ?? ''}|${locatorIds.get(options.locateFile) ?? ''}`;
  if (variant !== 'simd-mt') return cached(`${variant}|1|${where}`, () => create(variant, options, 1));
  // The pool may fail to start where threads should run (its worker script not served, blocked
  // by the page's CSP, ...; web/lib/pool-start.js): one warning, then the single-thread SIMD
  // module, which later loads with the same options get too.
  return cached(`${variant}|${threads}|${where}`, async () => {
    try {
      return await create(variant, options, threads);
    } catch (e) {
      if (e instanceof TypeError) throw e;  // bad options (wasmPaths): the same with one thread
      const why = String(e?.message ?? e).replace(/^convolens: /, '');
      const msg = `convolens: the SIMD + threads module did not start: ${why}`;
      if (options.threadsFallback === false) throw new Error(msg);
      (options.warn || console.warn)(`${msg}; running on one thread (load({threads: false}) skips the attempt)`);
      return cached(`simd|1|${where}`, () => create('simd', options, 1));
    }
  });
}
