// Training in Web Workers, so the page's main thread never trains.
//   const w = await spawnTrainer({wasmPaths, workers: 2});   // 2: data-parallel on two cores
//   await w.loadMnist({train: 60000, test: 10000});
//   await w.create('mnist');
//   await w.fit({epochs: 1, onProgress: (p) => draw(p.loss, p.kernel)});  // w.pause(), w.resume(), w.stop()
//   const {accuracy, confusion, wrong} = await w.evaluate();
//   const artifacts = await w.save();   // cl.loadModel(artifacts) on the page
//   w.terminate();
// With workers > 1 every worker holds the same net and data and trains its part of each batch
// (web/lib/train-parallel.js); everything else runs on the first.
import { createShared, setPaused, setStop } from './train-parallel.js';

const ERRORS = { RangeError, TypeError, Error };

// One worker: numbered requests, their replies, and its events.
class Channel {
  #worker;
  #pending = new Map();
  #nextId = 1;
  listeners = { progress: null, mnist: null };
  constructor(worker) {
    this.#worker = worker;
    worker.onmessage = ({ data }) => {
      if (data.event) return this.listeners[data.event]?.(data.data);
      const p = this.#pending.get(data.id);
      this.#pending.delete(data.id);
      if (!p) return;
      if (data.error) {
        const E = ERRORS[data.error.name];
        p.reject(E ? new E(data.error.message) : Object.assign(new Error(data.error.message), { name: data.error.name }));
      } else p.resolve(data.result);
    };
    worker.onerror = (e) => this.#fail(`convolens train worker failed: ${e.message}`);
  }
  send(op, ...args) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, op, args });
    });
  }
  terminate() {
    this.#worker.terminate();
    this.#fail('convolens train worker terminated');
  }
  #fail(message) {
    for (const p of this.#pending.values()) p.reject(new Error(message));
    this.#pending.clear();
  }
}

class TrainWorker {
  #channels;
  #shared = null;  // the SharedArrayBuffer of a running data-parallel fit
  constructor(channels) {
    this.#channels = channels;
    this.workers = channels.length;
  }
  get #first() { return this.#channels[0]; }
  #all(op, ...args) { return Promise.all(this.#channels.map((c) => c.send(op, ...args))); }

  _start(options) { return this.#all('load', options).then((r) => r[0]); }
  loadMnist({ onProgress, ...options } = {}) {
    this.#first.listeners.mnist = onProgress || null;
    return this.#all('loadMnist', options).then((r) => r[0]);
  }
  // Every worker builds the same net (same spec and seed, so the same initial weights).
  create(spec) { return this.#all('create', spec).then((r) => r[0]); }
  // Options as Trainer.fit, plus testImages; onProgress also gets {kernel, testAccuracy (about ten
  // times a run, on the first testImages test digits)}. Rejects with an AbortError after stop().
  async fit({ onProgress, signal, ...options } = {}) {
    this.#first.listeners.progress = onProgress || null;
    signal?.addEventListener('abort', () => this.stop());
    if (this.#channels.length === 1) return this.#first.send('fit', options);
    await this.#syncWeights();
    const { parameters } = await this.#first.send('info');
    const parts = this.#channels.length;
    const buffer = (this.#shared = createShared(parts, parameters));
    if (signal?.aborted) setStop(buffer);
    try {
      const results = await Promise.allSettled(this.#channels.map((c, part) => c.send('fitPart', options, { part, parts, buffer })));
      // The first failure that is not the others stopping because of it.
      const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
      if (failed.length) throw failed.find((e) => e.name !== 'AbortError') ?? failed[0];
      return results[0].value;
    } finally {
      this.#shared = null;
    }
  }
  // Every worker takes the first one's weights: after a stopped data-parallel fit one worker may
  // have applied one step more than another.
  async #syncWeights() {
    const { weightData } = await this.#first.send('save');
    await Promise.all(this.#channels.slice(1).map((c) => c.send('setWeights', weightData)));
  }
  async pause() { return this.#shared ? setPaused(this.#shared, true) : this.#first.send('pause'); }
  async resume() { return this.#shared ? setPaused(this.#shared, false) : this.#first.send('resume'); }
  async stop() { return this.#shared ? setStop(this.#shared) : this.#first.send('stop'); }
  // The test set split across the workers (same weights everywhere), the parts merged.
  async evaluate({ wrongMax = 48 } = {}) {
    const parts = this.#channels.length;
    if (parts === 1) return this.#first.send('evaluate', { wrongMax });
    await this.#syncWeights();
    const { test } = await this.#first.send('info');
    const rs = await Promise.all(this.#channels.map((c, k) =>
      c.send('evaluate', { wrongMax, from: Math.floor(test * k / parts), to: Math.floor(test * (k + 1) / parts) })));
    const confusion = rs[0].confusion.map((row, t) => row.map((_, p) => rs.reduce((s, r) => s + r.confusion[t][p], 0)));
    const predictions = new Uint8Array(test);
    let at = 0, right = 0;
    for (const r of rs) {
      predictions.set(r.predictions, at);
      at += r.count;
      right += Math.round(r.accuracy * r.count);
    }
    const wrong = { images: new Uint8Array(0), labels: [], predicted: [], count: 0 };
    const images = [];
    for (const r of rs) {
      const take = Math.min(r.wrong.labels.length, wrongMax - wrong.labels.length);
      images.push(r.wrong.images.subarray(0, take * 784));
      wrong.labels.push(...r.wrong.labels.slice(0, take));
      wrong.predicted.push(...r.wrong.predicted.slice(0, take));
      wrong.count += r.wrong.count;
    }
    wrong.images = new Uint8Array(wrong.labels.length * 784);
    images.reduce((o, im) => (wrong.images.set(im, o), o + im.length), 0);
    return { accuracy: right / test, count: test, confusion, predictions, wrong };
  }
  save() { return this.#first.send('save'); }
  memory() { return this.#first.send('memory'); }
  dispose() { return this.#all('dispose').then(() => undefined); }
  terminate() {
    if (this.#shared) setStop(this.#shared);
    for (const c of this.#channels) c.terminate();
  }
}

// options: as for load() ({simd, wasmPaths}; locateFile cannot cross into a worker), and
// workers (default 1): how many Workers train together. More than one needs SharedArrayBuffer,
// i.e. a cross-origin isolated page; elsewhere one worker trains (`.workers` says how many).
export async function spawnTrainer({ workers = 1, ...options } = {}) {
  if (typeof Worker !== 'function') throw new Error('convolens: Web Workers are not available here');
  if (!Number.isInteger(workers) || workers < 1 || workers > 8)
    throw new RangeError(`spawnTrainer: workers must be an integer 1..8, got ${workers}`);
  const { locateFile, ...transferable } = options;
  if (locateFile) throw new TypeError('spawnTrainer: locateFile cannot cross into a worker; use wasmPaths');
  if (transferable.wasmPaths) transferable.wasmPaths = new URL(transferable.wasmPaths, globalThis.location?.href).href;
  const shared = typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated !== false;
  const n = shared ? workers : 1;
  const w = new TrainWorker(Array.from({ length: n },
    () => new Channel(new Worker(new URL('./train-worker-main.js', import.meta.url), { type: 'module' }))));
  try {
    Object.assign(w, await w._start(transferable));
  } catch (e) {
    w.terminate();
    throw e;
  }
  return w;
}
