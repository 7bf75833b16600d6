// Training in a Web Worker, so the page's main thread never trains.
//   const w = await spawnTrainer({wasmPaths});
//   await w.loadMnist({train: 60000, test: 10000});
//   await w.create('mnist');
//   await w.fit({epochs: 1, onProgress: (p) => draw(p.loss, p.kernel)});  // w.pause(), w.resume(), w.stop()
//   const {accuracy, confusion, wrong} = await w.evaluate();
//   const artifacts = await w.save();   // cl.loadModel(artifacts) on the page
//   w.terminate();
const ERRORS = { RangeError, TypeError, Error };

class TrainWorker {
  #worker;
  #pending = new Map();
  #nextId = 1;
  #listeners = { progress: null, mnist: null };
  constructor(worker) {
    this.#worker = worker;
    worker.onmessage = ({ data }) => {
      if (data.event) return this.#listeners[data.event]?.(data.data);
      const p = this.#pending.get(data.id);
      this.#pending.delete(data.id);
      if (!p) return;
      if (data.error) {
        const E = ERRORS[data.error.name];
        p.reject(E ? new E(data.error.message) : Object.assign(new Error(data.error.message), { name: data.error.name }));
      } else p.resolve(data.result);
    };
    worker.onerror = (e) => {
      for (const p of this.#pending.values()) p.reject(new Error(`convolens train worker failed: ${e.message}`));
      this.#pending.clear();
    };
  }
  _send(op, ...args) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, op, args });
    });
  }
  loadMnist({ onProgress, ...options } = {}) {
    this.#listeners.mnist = onProgress || null;
    return this._send('loadMnist', options);
  }
  create(spec) { return this._send('create', spec); }
  // Options as Trainer.fit; onProgress also gets {kernel, testAccuracy (at epoch ends)}.
  // Rejects with an AbortError after stop().
  fit({ onProgress, signal, ...options } = {}) {
    this.#listeners.progress = onProgress || null;
    signal?.addEventListener('abort', () => this.stop());
    return this._send('fit', options);
  }
  pause() { return this._send('pause'); }
  resume() { return this._send('resume'); }
  stop() { return this._send('stop'); }
  evaluate(options) { return this._send('evaluate', options); }
  save() { return this._send('save'); }
  memory() { return this._send('memory'); }
  dispose() { return this._send('dispose'); }
  terminate() {
    this.#worker.terminate();
    for (const p of this.#pending.values()) p.reject(new Error('convolens train worker terminated'));
    this.#pending.clear();
  }
}

// options: as for load() ({simd, wasmPaths}; locateFile cannot cross into a worker).
export async function spawnTrainer(options = {}) {
  if (typeof Worker !== 'function') throw new Error('convolens: Web Workers are not available here');
  const { locateFile, ...transferable } = options;
  if (locateFile) throw new TypeError('spawnTrainer: locateFile cannot cross into a worker; use wasmPaths');
  if (transferable.wasmPaths) transferable.wasmPaths = new URL(transferable.wasmPaths, globalThis.location?.href).href;
  const w = new TrainWorker(new Worker(new URL('./train-worker-main.js', import.meta.url), { type: 'module' }));
  Object.assign(w, await w._send('load', transferable));
  return w;
}
