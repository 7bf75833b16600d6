// The convolens instance (filters, models, digits, trainer): what the library's own workers
// import. It never imports live.js or train-worker.js, which start those workers: a worker whose
// imports lead back to its own new Worker(...) is a cycle that bundlers refuse (Vite). The public
// entry, convolens.js, hands live() in (provideLive), so cl.live() works wherever users import it.
import { hasSimd, instantiate } from './load.js';
import { loadModel } from './model.js';
import { loadDigitClassifier } from './digits.js';
import { lifetimeStats } from './lifetime.js';
import { Filter, Pipeline, presetCatalog } from './filters.js';
import { guardModule } from './guard.js';
import { describe } from './values.js';
import { Trainer, TRAIN_PRESETS } from './train.js';
import { loadMnist } from './mnist.js';

export { hasSimd, loadMnist, TRAIN_PRESETS };

let liveImpl = null;
export function provideLive(live) {
  liveImpl = live;
}

class Convolens {
  #m;
  #options;
  #nn = null;        // Promise of the CNN module, started by the first model load
  #nnModule = null;  // the CNN module once loaded (memory() counts it)
  constructor(module, variant, options) {
    this.#m = module;
    this.#options = options;
    this.variant = variant;            // 'simd' | 'plain'
    this.backend = module.backend();   // what the binary was compiled for
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
  // download it. The same variant (SIMD or plain) and the same wasmPaths/locateFile as load().
  #nnEngine() {
    if (!this.#nn) {
      this.#nn = instantiate(this.variant, this.#options, 'nn').then((m) => (this.#nnModule = guardModule(m)));
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
      this.#train = instantiate(this.variant, this.#options, 'train').then((m) => (this.#trainModule = guardModule(m)));
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
  const { simd, wasmPaths, locateFile } = options;
  if (simd !== undefined && typeof simd !== 'boolean') throw new TypeError(`convolens: load() option simd must be true, false or undefined, got ${describe(simd)}`);
  if (wasmPaths !== undefined && typeof wasmPaths !== 'string')
    throw new TypeError(`convolens: load() option wasmPaths must be a string (a folder URL or path), got ${describe(wasmPaths)}`);
  if (locateFile !== undefined && typeof locateFile !== 'function')
    throw new TypeError(`convolens: load() option locateFile must be a function (file name -> URL), got ${describe(locateFile)}`);
}

// The CNN side alone (models, digits) for pages whose filtering runs elsewhere (cl.live's
// worker): fetches only the CNN module, never the filter one. Same options as load().
export async function loadCnn(options = {}) {
  const variant = options.simd === false || (options.simd === undefined && !hasSimd()) ? 'plain' : 'simd';
  const m = guardModule(await instantiate(variant, options, 'nn'));
  return {
    variant,
    loadModel: (source, opts) => loadModel(m, source, opts),
    loadDigitClassifier: (url) => loadDigitClassifier(m, (src) => loadModel(m, src), url, options.wasmPaths),
    memory: () => m.memoryStats(),
  };
}

const loaded = new Map();
const locatorIds = new Map();  // each distinct locateFile function is its own cache entry

// options: {simd: true|false|undefined (auto), wasmPaths, locateFile}
export function load(options = {}) {
  try {
    checkLoadOptions(options);
  } catch (e) {
    return Promise.reject(e);
  }
  const variant = options.simd === false || (options.simd === undefined && !hasSimd()) ? 'plain' : 'simd';
  if (options.simd === true && !hasSimd()) return Promise.reject(new Error('convolens: this engine lacks WebAssembly SIMD or exception handling; load({simd: false}) uses the plain binary'));
  if (options.locateFile && !locatorIds.has(options.locateFile)) locatorIds.set(options.locateFile, locatorIds.size + 1);
  const key = `${variant}|${options.wasmPaths ?? ''}|${locatorIds.get(options.locateFile) ?? ''}`;
  if (!loaded.has(key)) {
    const p = instantiate(variant, options).then((m) => new Convolens(guardModule(m), variant, options), (e) => {
      throw e?.name === 'TypeError' && /Invalid URL/i.test(e.message)
        ? new TypeError(`convolens: wasmPaths ${describe(options.wasmPaths)} does not make a valid URL (${e.message})`)
        : e;
    });
    p.catch(() => loaded.delete(key));  // a failed load may be retried
    loaded.set(key, p);
  }
  return loaded.get(key);
}
