// Runs convolens in a Web Worker so the page's main thread stays free.
//   const w = await spawnWorker({simd, wasmPaths});
//   const pipe = await w.createPipeline(['gaussian', 'sobel']);
//   const bitmap = await pipe.process(videoFrameOrImageBitmap);   // input is transferred
//   const model = await w.loadModel(url); const y = await model.predict(float32Array);
//   w.terminate();
// If the worker dies (the browser ends it: out of memory, a crash), every pending and later call
// rejects with an Error saying so, w.alive turns false and w.onexit(error) runs; spawn a new one.
// Frames travel as transferable ImageBitmaps / VideoFrames; results come back as ImageBitmaps
// (process) or copies (apply, predict, ...).

import { lifeLockName, watchWorker } from './worker-watch.js';

const ERRORS = { RangeError, TypeError, Error };

class RemoteObject {
  #worker;
  #handle;
  constructor(worker, handle) {
    this.#worker = worker;
    this.#handle = handle;
  }
  // Filter/pipeline on a frame; the frame is transferred (unusable afterwards). → ImageBitmap
  process(frame) {
    return this.#worker._send('invoke', [this.#handle, 'process', [frame]], [frame]);
  }
  apply(pixels) { return this.#call('apply', pixels); }
  predict(input) { return this.#call('predict', input); }
  activations(input) { return this.#call('activations', input); }
  summary() { return this.#call('summary'); }
  classify(pixels) { return this.#call('classify', pixels); }
  dispose() { return this.#call('dispose'); }
  #call(method, ...args) {
    return this.#worker._send('invoke', [this.#handle, method, args]);
  }
}

class ConvolensWorker {
  #worker;
  #pending = new Map();
  #nextId = 1;
  #dead = null;          // the Error every call gets once the worker is gone
  #unwatch = () => {};
  onexit = null;         // (error) => ...: the worker died or failed
  constructor(worker) {
    this.#worker = worker;
    worker.onmessage = ({ data: { id, result, error } }) => {
      const p = this.#pending.get(id);
      this.#pending.delete(id);
      if (!p) return;
      if (error) p.reject(new (ERRORS[error.name] || Error)(error.message));
      else p.resolve(result && typeof result === 'object' && 'handle' in result ? new RemoteObject(this, result.handle) : result);
    };
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.#end(new Error(`convolens worker failed: ${e.message || 'it could not run'}`), true);
    };
  }
  get alive() { return !this.#dead; }
  _watch(lock) {
    this.#unwatch = watchWorker(lock, (reason) => this.#end(new Error(`convolens worker died: ${reason}; spawn a new one`), true));
  }
  #end(error, report) {
    if (this.#dead) return;
    this.#dead = error;
    this.#unwatch();
    this.#worker.terminate();
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
    if (report) this.onexit?.(error);
  }
  _send(op, args, transfer = []) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      if (this.#dead) return reject(this.#dead);
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, op, args }, transfer.filter((t) => t && typeof t === 'object' && typeof t.close === 'function'));
    });
  }
  createFilter(...args) { return this._send('call', ['createFilter', args]); }
  createPipeline(...args) { return this._send('call', ['createPipeline', args]); }
  loadModel(...args) { return this._send('call', ['loadModel', args]); }
  loadDigitClassifier(...args) { return this._send('call', ['loadDigitClassifier', args]); }
  classifyDrawing(pixels) { return this._send('call', ['classifyDrawing', [pixels]]); }
  memory() { return this._send('call', ['memory', []]); }
  terminate() {
    this.#end(new Error('convolens worker terminated'), false);
  }
}

// options: as for load() ({simd, threads, threadsFallback, threadsTimeout, wasmPaths}; functions such as
// locateFile and warn cannot be transferred: use wasmPaths). The worker runs the SIMD + threads
// filter module where the page is cross-origin isolated; w.threads says how many threads run,
// and terminate() ends them with the worker.
export async function spawnWorker(options = {}) {
  if (typeof Worker !== 'function') throw new Error('convolens: Web Workers are not available here');
  const { locateFile, warn, ...transferable } = options;
  if (locateFile) throw new TypeError('spawnWorker: locateFile cannot cross into a worker; use wasmPaths');
  if (warn) throw new TypeError('spawnWorker: warn cannot cross into a worker; the worker warns on its console');
  if (transferable.wasmPaths) transferable.wasmPaths = new URL(transferable.wasmPaths, globalThis.location?.href).href;
  const w = new ConvolensWorker(new Worker(new URL('./worker-main.js', import.meta.url), { type: 'module' }));
  const lock = lifeLockName();
  try {
    const info = await w._send('load', [transferable, lock]);
    w._watch(lock);  // the worker holds the lock once 'load' answered
    Object.assign(w, info);
  } catch (e) {
    w.terminate();
    throw e;
  }
  return w;
}
