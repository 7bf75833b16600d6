// CNN inference: load a TF.js Layers model (model.json + weight shards) into the wasm engine
// and run it. Images go into one heap buffer that is reused call after call.
//   const model = await cl.loadModel('models/mnist/model.json');
//   const probs = model.predict(imageData);        // Float32Array
//   model.dispose();

import { own, release, disposedError } from './lifetime.js';
import { isNode, readUrl } from './read-url.js';
import { checkPixels } from './pixels.js';

function resolve(base, rel) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(base)) return new URL(rel, base).href;
  if (!isNode && globalThis.location?.href) return new URL(rel, new URL(base, globalThis.location.href)).href;
  const dir = base.includes('/') ? base.slice(0, base.lastIndexOf('/') + 1) : '';  // plain file path (Node)
  return dir + rel;
}

function bytesOf(x, what) {
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  throw new TypeError(`${what} must be an ArrayBuffer or a typed array`);
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

function manifestPaths(json) {
  const m = json?.weightsManifest;
  if (!Array.isArray(m)) return [];
  return m.flatMap((g) => (Array.isArray(g?.paths) ? g.paths : []));
}

const isFile = (f) => typeof f?.name === 'string' && typeof f?.arrayBuffer === 'function';

// Normalises every accepted source to {json: string, weights: Uint8Array}.
export async function readModelSource(source) {
  if (typeof source === 'string' || source instanceof URL) {
    const url = String(source);
    const text = new TextDecoder().decode(await readUrl(url, 'model.json'));
    const json = parseJson(text, `model.json at ${url}`);
    const shards = await Promise.all(manifestPaths(json).map((p) => readUrl(resolve(url, p), 'weight shard')));
    return { json: text, weights: concat(shards) };
  }
  const files = source && typeof source === 'object' && typeof source.length === 'number' ? Array.from(source) : null;
  if (files && files.length && files.every(isFile)) {
    const jsonFile = files.find((f) => f.name.endsWith('.json'));
    if (!jsonFile) throw new TypeError('the files must include a model.json');
    const text = await jsonFile.text();
    const json = parseJson(text, jsonFile.name);
    const byName = new Map(files.map((f) => [f.name, f]));
    const shards = await Promise.all(manifestPaths(json).map(async (p) => {
      const f = byName.get(p.split('/').pop());
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

export class Model {
  #m;
  #native;
  #inSize;
  #outSize;
  #capacity = 0;
  #summary;
  #token;
  #reference = false;

  constructor(module, json, weights) {
    this.#m = module;
    this.#native = module.NnModel.load(json, weights);
    this.#inSize = this.#native.inputSize();
    this.#outSize = this.#native.outputSize();
    this.inputShape = this.#native.inputShape();    // e.g. [28, 28, 1]
    this.outputShape = this.#native.outputShape();
    this.#summary = this.#native.summary();
    const native = this.#native;
    this.#token = own(this, () => native.delete());  // FinalizationRegistry safety net + live count
  }

  // [{name, className, outputShape, params}]
  summary() {
    this.#live();
    return this.#summary.map((l) => ({ ...l, outputShape: [...l.outputShape] }));
  }

  // input: ImageData / {data, width, height} (RGBA, scaled to 0..1 and reduced to the model's
  // channels: 1 = grayscale), a Float32Array of N*H*W*C values, or an array of those (a batch).
  // Returns a Float32Array of N * outputSize values.
  predict(input, { reference = false } = {}) {
    this.#live();
    const n = this.#write(input);
    this.#useReference(reference);
    this.#native.predict(n);
    const p = this.#native.outputPtr() / 4;
    return this.#m.HEAPF32.slice(p, p + n * this.#outSize);
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

  // The weights of a layer as stored in the file (kernel: [kh, kw, in, out]), or null.
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

  // Writes the input into the heap buffer; returns the number of images.
  #write(input) {
    const [h, w, c] = this.inputShape.length === 3 ? this.inputShape : [1, 1, this.#inSize];
    const isImage = (x) => x && typeof x === 'object' && x.data && Number.isInteger(x.width) && Number.isInteger(x.height) && !ArrayBuffer.isView(x);
    let items;
    if (input instanceof Float32Array) {
      if (input.length === 0 || input.length % this.#inSize !== 0)
        throw new RangeError(`input has ${input.length} values, not a multiple of the ${this.#inSize} per image (shape [${this.inputShape}])`);
      items = null;
    } else if (isImage(input)) {
      items = [input];
    } else if (Array.isArray(input)) {
      if (input.length === 0) throw new RangeError('input batch is empty');
      items = input;
    } else {
      throw new TypeError('input must be ImageData, a Float32Array, or an array of those');
    }
    const n = items ? items.length : input.length / this.#inSize;
    if (n > this.#capacity) {
      this.#native.reserve(n);  // may grow memory: heap views are taken after this
      this.#capacity = n;
    }
    const base = this.#native.inputPtr() / 4;
    const heap = this.#m.HEAPF32;
    if (!items) {
      heap.set(input, base);
      return n;
    }
    items.forEach((x, i) => {
      const dst = base + i * this.#inSize;
      if (x instanceof Float32Array) {
        if (x.length !== this.#inSize) throw new RangeError(`batch item ${i} has ${x.length} values, expected ${this.#inSize} (shape [${this.inputShape}])`);
        heap.set(x, dst);
        return;
      }
      if (!isImage(x)) throw new TypeError(`batch item ${i} must be ImageData or a Float32Array`);
      if (x.width !== w || x.height !== h)
        throw new RangeError(`image ${i} is ${x.width}x${x.height}, the model expects ${w}x${h}`);
      const { data: d } = checkPixels(x, `image ${i}`);
      if (c !== 1 && c !== 3 && c !== 4) throw new RangeError(`an image cannot feed a model with ${c} input channels`);
      for (let p = 0, q = dst; p < w * h; p++) {
        const r = d[4 * p], g = d[4 * p + 1], b = d[4 * p + 2];
        if (c === 1) heap[q++] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
        else {
          heap[q++] = r / 255; heap[q++] = g / 255; heap[q++] = b / 255;
          if (c === 4) heap[q++] = d[4 * p + 3] / 255;
        }
      }
    });
    return n;
  }
}

export async function loadModel(module, source) {
  const { json, weights } = await readModelSource(source);
  return new Model(module, json, weights);
}
