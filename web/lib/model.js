// CNN inference: load a TF.js Layers model (model.json + weight shards) into the wasm engine
// and run it. Images go into one heap buffer that is reused call after call.
//   const model = await cl.loadModel('models/mnist/model.json');
//   const probs = model.predict(imageData);        // Float32Array
//   model.dispose();

import { own, release, disposedError } from './lifetime.js';
import { readUrl, hasScheme, isFilePath } from './read-url.js';
import { fileUrlToPath, pathInFolderOf } from './node-io.js';
import { checkPixels } from './pixels.js';
import { trueBytes, trueLength, trueView } from './values.js';  // built-in getters: a subclass cannot lie about its extent

// Every download of one loadModel() shares one AbortController: the caller's signal and the
// timeout both abort it, and a failed shard aborts the others.
const DEFAULT_TIMEOUT_MS = 60_000;

function loadContext(options) {
  const { signal, timeout = DEFAULT_TIMEOUT_MS } = options;
  if (signal !== undefined && !(signal && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function'))
    throw new TypeError('loadModel: options.signal must be an AbortSignal');
  if (typeof timeout !== 'number' || !(timeout >= 0)) throw new RangeError(`loadModel: options.timeout must be a number of ms >= 0 (0 = none), got ${timeout}`);
  const ctl = new AbortController();
  const ctx = { signal: ctl.signal, reason: null, abort: (r) => { if (!ctx.reason) ctx.reason = r; ctl.abort(); } };
  const onAbort = () => ctx.abort('aborted by the signal');
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const timer = timeout > 0 && timeout < Infinity ? setTimeout(() => ctx.abort(`no complete answer within ${timeout} ms (options.timeout)`), timeout) : null;
  ctx.close = () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
  return ctx;
}

function checkAborted(ctx, what) {
  if (ctx.reason) throw new Error(`convolens: loading ${what} failed: ${ctx.reason}`);
}


// Where a weight path of the manifest points. Weight paths are relative names inside the model's
// folder ("group1-shard1of2.bin", "shards/a.bin"); in the browser an absolute URL of the same
// origin is accepted too. Anything else ("../x", "/etc/x", "file:", another origin) is refused
// before anything is read, so a model file cannot make us read (or reveal the size of) other files.
async function weightUrl(modelUrl, p) {
  const refuse = (why) => new TypeError(`convolens: weight path ${JSON.stringify(p)} in ${modelUrl} ${why}: weight paths must be relative names inside the model's folder`);
  if (typeof p !== 'string' || p === '') throw refuse('is not a file name');
  if (isFilePath(modelUrl)) {
    if (hasScheme(p) || p.startsWith('/') || p.includes('\\') || p.includes('\0') || p.split('/').some((s) => s === '..'))
      throw refuse('leaves the model\'s folder');
    const jsonPath = modelUrl.startsWith('file:') ? await fileUrlToPath(modelUrl) : modelUrl;
    const full = await pathInFolderOf(jsonPath, p);
    if (!full) throw refuse('leaves the model\'s folder');
    return full;
  }
  const base = new URL(modelUrl, globalThis.location?.href);
  let u;
  try {
    u = new URL(p, base);
  } catch {
    throw refuse('is not a URL');
  }
  if (u.origin !== base.origin || u.origin === 'null') throw refuse('is on another origin');
  if (!hasScheme(p) && !p.startsWith('/')) {
    // A relative name must stay in the folder ("%2e%2e/" is "../" to the URL parser).
    const folder = new URL('.', base).href;
    if (!u.href.startsWith(folder)) throw refuse('leaves the model\'s folder');
  }
  return u.href;
}

// Bytes per stored value of a manifest entry, or 0 when unknown (the core reports those).
function entryBytes(spec) {
  const q = spec?.quantization?.dtype;
  const size = q ? { uint8: 1, uint16: 2, float16: 2 }[q] : (spec?.dtype ?? 'float32') === 'float32' ? 4 : 0;
  const shape = spec?.shape;
  if (!size || !Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) return 0;
  return size * shape.reduce((a, b) => a * b, 1);
}

function bytesOf(x, what) {
  // By tag, not instanceof: buffers from another realm (a worker, a vm context) count too.
  const tag = Object.prototype.toString.call(x);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return trueBytes(x);
  throw new TypeError(`${what} must be an ArrayBuffer, a SharedArrayBuffer or a typed array`);
}


function concat(parts) {
  const n = parts.reduce((s, p) => s + p.byteLength, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TypeError(`${what} is not valid JSON: ${e.message}`);
  }
}

function manifestGroups(json) {
  const m = json?.weightsManifest;
  if (!Array.isArray(m)) return [];
  return m.map((g) => ({ paths: Array.isArray(g?.paths) ? g.paths : [], bytes: Array.isArray(g?.weights) ? g.weights.map(entryBytes) : [] }));
}

function manifestPaths(json) {
  return manifestGroups(json).flatMap((g) => g.paths);
}

// model.json + shards from a URL or path: the shards of each manifest group must add up to
// what its entries describe, so a truncated or wrong shard is reported with its URL.
async function readFromUrl(url, ctx) {
  const text = new TextDecoder().decode(await readUrl(url, 'model.json', { ctx }));
  const json = parseJson(text, `model.json at ${url}`);
  const groups = manifestGroups(json);
  const urls = [];
  for (const g of groups) urls.push(await Promise.all(g.paths.map((p) => weightUrl(url, p))));
  const shards = await Promise.all(urls.flat().map((u) => readUrl(u, 'weight shard', { ctx }).catch((e) => {
    ctx.abort('another weight shard failed');  // stop the other downloads
    throw e;
  })));
  let i = 0;
  groups.forEach((g, gi) => {
    const got = shards.slice(i, i + g.paths.length), names = urls[gi];
    i += g.paths.length;
    if (g.bytes.some((b) => b === 0)) return;
    const want = g.bytes.reduce((a, b) => a + b, 0), have = got.reduce((a, b) => a + b.byteLength, 0);
    if (want !== have)
      throw new RangeError(`convolens: the weight shards of ${url} do not add up: ${names.join(', ')} hold ${have} bytes, ` +
        `the manifest entries of weightsManifest[${gi}] describe ${want} (${have < want ? 'truncated?' : 'surplus bytes'})`);
  });
  checkAborted(ctx, url);
  return { json: text, weights: concat(shards), url };
}

const isFile = (f) => typeof f?.name === 'string' && typeof f?.arrayBuffer === 'function';

// Normalises every accepted source to {json: string, weights: Uint8Array, url?: string}.
export async function readModelSource(source, options = {}) {
  if (typeof source === 'string' || source instanceof URL) {
    const ctx = loadContext(options);
    try {
      return await readFromUrl(String(source), ctx);
    } finally {
      ctx.close();
    }
  }
  const files = source && typeof source === 'object' && typeof source.length === 'number' ? Array.from(source) : null;
  if (files && files.length && files.every(isFile)) {
    const jsonFile = files.find((f) => f.name.endsWith('.json'));
    if (!jsonFile) throw new TypeError('the files must include a model.json');
    const text = await jsonFile.text();
    const json = parseJson(text, jsonFile.name);
    const byName = new Map(files.map((f) => [f.name, f]));
    const shards = await Promise.all(manifestPaths(json).map(async (p) => {
      const f = typeof p === 'string' ? byName.get(p.split('/').pop()) : undefined;
      if (!f) throw new TypeError(`weight file "${p}" named in ${jsonFile.name} was not among the files given`);
      return new Uint8Array(await f.arrayBuffer());
    }));
    return { json: text, weights: concat(shards) };
  }
  if (source && typeof source === 'object' && 'modelJson' in source) {
    const text = typeof source.modelJson === 'string' ? source.modelJson : JSON.stringify(source.modelJson);
    const w = source.weights ?? [];
    const parts = Array.isArray(w) ? w.map((x, i) => bytesOf(x, `weights[${i}]`)) : [bytesOf(w, 'weights')];
    return { json: text, weights: concat(parts) };
  }
  if (source && typeof source === 'object' && 'modelTopology' in source && 'weightSpecs' in source) {
    // The artifacts @tensorflow/tfjs hands to an IO handler (tf.io.withSaveHandler).
    const json = JSON.stringify({ modelTopology: source.modelTopology, weightsManifest: [{ paths: [], weights: source.weightSpecs }] });
    const wd = source.weightData;
    const parts = wd == null ? [] : Array.isArray(wd) ? wd.map((x) => bytesOf(x, 'weightData')) : [bytesOf(wd, 'weightData')];
    return { json, weights: concat(parts) };
  }
  throw new TypeError('loadModel: expected a URL or path, {modelJson, weights: ArrayBuffer[]}, TF.js model artifacts, or a FileList/File[] with model.json and its .bin files');
}

// How pixels (RGBA bytes) become model input: each channel value v (0..255) becomes
// range[0] + (range[1] - range[0]) * v / 255; a 1-channel model gets gray = 'luma'
// (0.299 R + 0.587 G + 0.114 B, ITU-R BT.601, what MNIST-style models expect) or 'average'.
const DEFAULT_PIXELS = Object.freeze({ range: Object.freeze([0, 1]), gray: 'luma' });

export function pixelOptions(p) {
  if (p === undefined) return DEFAULT_PIXELS;
  if (!p || typeof p !== 'object') throw new TypeError('loadModel: options.pixels must be an object {range, gray}');
  const range = p.range ?? DEFAULT_PIXELS.range, gray = p.gray ?? DEFAULT_PIXELS.gray;
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite))
    throw new TypeError(`loadModel: options.pixels.range must be [min, max] (finite numbers), got ${JSON.stringify(range)}`);
  if (gray !== 'luma' && gray !== 'average')
    throw new TypeError(`loadModel: options.pixels.gray must be 'luma' or 'average', got ${JSON.stringify(gray)}`);
  return Object.freeze({ range: Object.freeze([...range]), gray });
}

// Results: predict(), activations() and weights() return new arrays the caller owns (never a
// view of wasm memory, which the next call overwrites and memory growth detaches); predict()
// writes into options.output instead when one is given, allocating nothing.
export class Model {
  #m;
  #native;
  #inSize;
  #outSize;
  #capacity = 0;
  #summary;
  #token;
  #reference = false;

  constructor(module, json, weights, pixels = DEFAULT_PIXELS) {
    this.#m = module;
    this.#native = module.NnModel.load(json, weights);
    this.#inSize = this.#native.inputSize();
    this.#outSize = this.#native.outputSize();
    this.inputShape = this.#native.inputShape();    // e.g. [28, 28, 1]
    this.outputShape = this.#native.outputShape();
    this.pixels = pixels;                           // how images become input (see loadModel)
    this.#summary = this.#native.summary();
    const native = this.#native;
    this.#token = own(this, () => native.delete());  // FinalizationRegistry safety net + live count
  }

  // [{name, className, outputShape, params}]
  summary() {
    this.#live();
    return this.#summary.map((l) => ({ ...l, outputShape: [...l.outputShape] }));
  }

  // input: ImageData / {data, width, height} (RGBA, converted as this.pixels says), a
  // Float32Array of N*H*W*C values, or an array of those (a batch).
  // Returns a new Float32Array of N * outputSize values, or fills options.output and returns it.
  predict(input, { reference = false, output } = {}) {
    this.#live();
    const out = output === undefined ? null : output;
    if (out !== null && !(out instanceof Float32Array)) throw new TypeError('predict: options.output must be a Float32Array');
    const n = this.#write(input);
    const need = n * this.#outSize;
    if (out && trueLength(out) < need)
      throw new RangeError(`predict: options.output has room for ${trueLength(out)} values, the result has ${need}`);
    this.#useReference(reference);
    this.#native.predict(n);
    const p = this.#native.outputPtr() / 4;
    const result = this.#m.HEAPF32.subarray(p, p + need);
    if (!out) return result.slice();
    trueView(out, Float32Array).set(result);
    return out;
  }

  // Every layer's output for one image: [{name, className, shape, data: Float32Array}] (copies).
  activations(input) {
    this.#live();
    const n = this.#write(input);
    if (n !== 1) throw new RangeError(`activations() takes one image, got a batch of ${n}`);
    this.#useReference(false);
    this.#native.activations();
    return this.#summary.map((l, i) => {
      const size = l.outputShape.reduce((a, b) => a * b, 1);
      const p = this.#native.activationPtr(i) / 4;
      return { name: l.name, className: l.className, shape: [...l.outputShape], data: this.#m.HEAPF32.slice(p, p + size) };
    });
  }

  // The weights of a layer as stored in the file (kernel: [kh, kw, in, out]), or null (a copy).
  weights(layerName) {
    this.#live();
    const i = this.#summary.findIndex((l) => l.name === layerName);
    if (i < 0) throw new RangeError(`no layer named "${layerName}" (layers: ${this.#summary.map((l) => l.name).join(', ')})`);
    const w = this.#native.weights(i);
    if (!w) return null;
    const size = w.shape.reduce((a, b) => a * b, 1);
    return { shape: w.shape, data: this.#m.HEAPF32.slice(w.ptr / 4, w.ptr / 4 + size) };
  }

  dispose() {
    if (!this.#native) return;
    release(this.#token);
    this.#native = null;
  }

  #useReference(on) {
    if (!!on !== this.#reference) this.#native.setReference(!!on);  // re-picks kernels: only on change
    this.#reference = !!on;
  }

  #live() {
    if (!this.#native) throw disposedError('Model');
  }

  // Writes the input into the heap buffer; returns the number of images. Typed arrays are read
  // through their true length (trueView), whatever a subclass's getters claim.
  #write(input) {
    const [h, w, c] = this.inputShape.length === 3 ? this.inputShape : [1, 1, this.#inSize];
    const isImage = (x) => x && typeof x === 'object' && x.data && Number.isInteger(x.width) && Number.isInteger(x.height) && !ArrayBuffer.isView(x);
    let items;
    let flat = null;
    if (input instanceof Float32Array) {
      flat = trueView(input, Float32Array);
      if (flat.length === 0 || flat.length % this.#inSize !== 0)
        throw new RangeError(`input has ${flat.length} values, not a multiple of the ${this.#inSize} per image (shape [${this.inputShape}])`);
      items = null;
    } else if (isImage(input)) {
      items = [input];
    } else if (Array.isArray(input)) {
      if (input.length === 0) throw new RangeError('input batch is empty');
      items = input;
    } else {
      throw new TypeError('input must be ImageData, a Float32Array, or an array of those');
    }
    const n = items ? items.length : flat.length / this.#inSize;
    if (n > this.#capacity) {
      this.#native.reserve(n);  // may grow memory: heap views are taken after this
      this.#capacity = n;
    }
    const base = this.#native.inputPtr() / 4;
    const heap = this.#m.HEAPF32;
    if (!items) {
      heap.set(flat, base);
      return n;
    }
    const { range: [lo, hi], gray } = this.pixels;
    const span = hi - lo;
    items.forEach((x, i) => {
      const dst = base + i * this.#inSize;
      if (x instanceof Float32Array) {
        const v = trueView(x, Float32Array);
        if (v.length !== this.#inSize) throw new RangeError(`batch item ${i} has ${v.length} values, expected ${this.#inSize} (shape [${this.inputShape}])`);
        heap.set(v, dst);
        return;
      }
      if (!isImage(x)) throw new TypeError(`batch item ${i} must be ImageData or a Float32Array`);
      if (x.width !== w || x.height !== h)
        throw new RangeError(`image ${i} is ${x.width}x${x.height}, the model expects ${w}x${h}`);
      const d = trueView(checkPixels(x, `image ${i}`).data, Uint8Array);
      if (c !== 1 && c !== 3 && c !== 4) throw new RangeError(`an image cannot feed a model with ${c} input channels`);
      for (let p = 0, q = dst; p < w * h; p++) {
        const r = d[4 * p], g = d[4 * p + 1], b = d[4 * p + 2];
        if (c === 1) heap[q++] = lo + (span * (gray === 'luma' ? 0.299 * r + 0.587 * g + 0.114 * b : (r + g + b) / 3)) / 255;
        else {
          heap[q++] = lo + (span * r) / 255; heap[q++] = lo + (span * g) / 255; heap[q++] = lo + (span * b) / 255;
          if (c === 4) heap[q++] = lo + (span * d[4 * p + 3]) / 255;
        }
      }
    });
    return n;
  }
}

// options: {signal, timeout} for downloads (URL sources), {pixels: {range, gray}} for images.
export async function loadModel(module, source, options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError('loadModel: options must be an object');
  const pixels = pixelOptions(options.pixels);
  const { json, weights, url } = await readModelSource(source, options);
  try {
    return new Model(module, json, weights, pixels);
  } catch (e) {
    if (!url || !(e instanceof Error)) throw e;
    const Type = e instanceof RangeError ? RangeError : e instanceof TypeError ? TypeError : Error;
    throw new Type(`${e.message} (model ${url})`);
  }
}
