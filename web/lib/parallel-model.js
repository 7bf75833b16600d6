// CNN batches across threads without a threaded CNN module (which does not fit the 150 KB
// budget, docs/threads.md): a Model on the calling thread plus threads - 1 Workers, each running
// the single-thread CNN module with the same model. A batch of at least minBatch images is cut
// into one contiguous slice per thread (the caller computes the first); smaller batches, batch 1
// included, run on the calling thread alone, exactly as Model.predict does. Every slice runs the
// same kernels on the same images, so the outputs are the single-thread bytes.
import { Model, readModelSource, pixelOptions } from './model.js';
import { workerThreads } from './node-io.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
const ERRORS = { RangeError, TypeError, Error };

// Below this many images a batch stays on the calling thread: posting the slices and waiting for
// the Workers costs more than it saves (measured with the shipped MNIST model: 2 threads first
// won at batch 32; the tiny MNIST net does half the work per image; docs/threads.md).
export const MIN_PARALLEL_BATCH = 64;

class ModelWorker {
  #w;
  #pending = new Map();
  #next = 1;
  #dead = null;
  constructor(w) {
    this.#w = w;
    const onMessage = ({ id, result, error }) => {
      const p = this.#pending.get(id);
      this.#pending.delete(id);
      if (isNode && !this.#pending.size) this.#w.unref();
      if (!p) return;
      if (error) p.reject(new (ERRORS[error.name] || Error)(error.message));
      else p.resolve(result);
    };
    const onError = (e) => this.#fail(new Error(`convolens: a CNN worker failed: ${e?.message ?? e}`));
    if (isNode) {
      w.on('message', onMessage);
      w.on('error', onError);
      w.unref();  // idle, it keeps no script alive (one that forgets dispose() still exits)
    } else {
      w.onmessage = (e) => onMessage(e.data);
      w.onerror = onError;
    }
  }
  #fail(e) {
    this.#dead = e;
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }
  send(op, args, transfer = []) {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    if (isNode && !this.#pending.size) this.#w.ref();  // an answer is awaited: Node must wait for it
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#w.postMessage({ id, op, args }, transfer);
    });
  }
  terminate() {
    this.#fail(new Error('convolens: the parallel model was disposed'));
    this.#w.terminate();
  }
}

async function startWorker() {
  const url = new URL('./cnn-worker-main.js', import.meta.url);
  if (isNode) {
    const { Worker } = await workerThreads();
    return new ModelWorker(new Worker(url));
  }
  return new ModelWorker(new Worker(url, { type: 'module' }));
}

export class ParallelModel {
  #local;
  #workers;
  #inSize;
  #outSize;
  constructor(local, workers, minBatch) {
    this.#local = local;
    this.#workers = workers;
    this.#inSize = local.inputShape.reduce((a, b) => a * b, 1);
    this.#outSize = local.outputShape.reduce((a, b) => a * b, 1);
    this.inputShape = local.inputShape;
    this.outputShape = local.outputShape;
    this.pixels = local.pixels;
    this.minBatch = minBatch;
  }
  get threads() {
    return this.#workers ? this.#workers.length + 1 : 1;
  }
  summary() {
    return this.#local.summary();
  }
  // As Model.predict (a Float32Array of N images, ImageData, or an array of those), resolved
  // with a new Float32Array of N * outputSize values.
  async predict(input) {
    if (!this.#workers) throw new Error('ParallelModel was disposed');
    const n = input instanceof Float32Array ? input.length / this.#inSize : Array.isArray(input) ? input.length : 1;
    const k = Math.min(this.threads, n);
    // Small batches, and input that is not plainly well formed, run here: the latter throws the
    // single-thread error, naming the item by its index in the whole batch.
    if (!Number.isInteger(n) || n < this.minBatch || k < 2 || !this.#wellFormed(input)) return this.#local.predict(input);
    const cut = (c) => Math.floor((n * c) / k);
    const slice = (c) => (input instanceof Float32Array ? input.slice(cut(c) * this.#inSize, cut(c + 1) * this.#inSize) : input.slice(cut(c), cut(c + 1)));
    const remote = [];
    for (let c = 1; c < k; c++) {
      const part = slice(c);
      remote.push(this.#workers[c - 1].send('predict', { input: part }, part instanceof Float32Array ? [part.buffer] : []));
    }
    const out = new Float32Array(n * this.#outSize);
    try {
      this.#local.predict(input instanceof Float32Array ? input.subarray(0, cut(1) * this.#inSize) : input.slice(0, cut(1)), { output: out.subarray(0, cut(1) * this.#outSize) });
    } finally {
      // The slices run to the end even when ours failed: the next predict() then finds the workers idle.
      const results = await Promise.allSettled(remote);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;  // eslint-disable-line no-unsafe-finally
      results.forEach((r, i) => out.set(r.value, cut(i + 1) * this.#outSize));
    }
    return out;
  }
  #wellFormed(input) {
    if (input instanceof Float32Array) return true;
    const [h, w] = this.inputShape;
    return input.every((x) => (x instanceof Float32Array ? x.length === this.#inSize
      : x && x.width === w && x.height === h && ArrayBuffer.isView(x.data) && x.data.length === w * h * 4));
  }
  // Ends the Workers and frees the model.
  dispose() {
    if (!this.#workers) return;
    for (const w of this.#workers) w.terminate();
    this.#workers = null;
    this.#local.dispose();
  }
}

// module: the calling thread's CNN module; variant/options: what the Workers load (the same
// binary and wasm location). threads: Workers + 1; minBatch: see MIN_PARALLEL_BATCH.
export async function loadParallelModel(module, variant, wasmOptions, source, { threads = 2, minBatch = MIN_PARALLEL_BATCH, pixels, ...readOptions } = {}) {
  if (!Number.isInteger(threads) || threads < 1 || threads > 16) throw new RangeError(`loadParallelModel: threads must be an integer 1..16, got ${String(threads)}`);
  if (!Number.isInteger(minBatch) || minBatch < 2) throw new RangeError(`loadParallelModel: minBatch must be an integer >= 2, got ${String(minBatch)}`);
  if (threads > 1 && !isNode && typeof Worker !== 'function') throw new Error('convolens: Web Workers are not available here');
  const px = pixelOptions(pixels);
  const { json, weights } = await readModelSource(source, readOptions);
  const local = new Model(module, json, weights, px);
  const workers = [];
  try {
    for (let i = 1; i < threads; i++) workers.push(await startWorker());
    await Promise.all(workers.map((w) => w.send('load', { variant, options: wasmOptions, modelJson: json, weights: weights.slice(), pixels: px })));
  } catch (e) {
    workers.forEach((w) => w.terminate());
    local.dispose();
    throw e;
  }
  return new ParallelModel(local, workers, minBatch);
}
