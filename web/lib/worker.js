// Runs convolens in a Web Worker so the page's main thread stays free.
//   const w = await spawnWorker({simd, wasmPaths});
//   const pipe = await w.createPipeline(['gaussian', 'sobel']);
//   const bitmap = await pipe.process(videoFrameOrImageBitmap);   // input is transferred
//   const model = await w.loadModel(url); const y = await model.predict(float32Array);
//   w.terminate();
// Frames travel as transferable ImageBitmaps / VideoFrames; results come back as ImageBitmaps
// (process) or copies (apply, predict, ...).

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
      for (const p of this.#pending.values()) p.reject(new Error(`convolens worker failed: ${e.message}`));
      this.#pending.clear();
    };
  }
  _send(op, args, transfer = []) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
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
    this.#worker.terminate();
    for (const p of this.#pending.values()) p.reject(new Error('convolens worker terminated'));
    this.#pending.clear();
  }
}

// options: as for load() ({simd, threads, threadsFallback, wasmPaths}; functions such as
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
  const info = await w._send('load', [transferable]);
  Object.assign(w, info);
  return w;
}
