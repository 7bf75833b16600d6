// Training in the browser on our C++ trainer (src/train) compiled to its own wasm module,
// convolens-train-<variant>, fetched on the first createTrainer() only.
//   const t = await cl.createTrainer('tiny');            // or a layer list
//   await t.fit(mnist.train, {epochs: 1, onProgress: (p) => ...});
//   const {accuracy, confusion} = t.evaluate(mnist.test);
//   const model = await t.model(); t.dispose();
// fit() runs the optimizer in small chunks and yields between them, so a worker
// (web/lib/train-worker.js) can report progress and honour pause and abort.
import { own, release, disposedError } from './lifetime.js';
import { barrier, holdWhilePaused, setStop, sharedViews, stopped } from './train-parallel.js';

const PIXELS = 784;
const KIND = { conv2d: 1, batchNorm: 2, relu: 3, maxPool: 4, globalAveragePool: 5, flatten: 6, dense: 7 };

// The layer lists of the presets (the C++ twins are in src/train/spec.cpp).
const conv = (filters, kernel, bias = true) => ({ type: 'conv2d', filters, kernel, bias });
const block = (filters) => [conv(filters, 3, false), { type: 'batchNorm' }, { type: 'relu' }];
export const TRAIN_PRESETS = {
  tiny: [conv(8, 3), { type: 'relu' }, { type: 'maxPool' }, { type: 'flatten' }, { type: 'dense', units: 10 }],
  convnetjs: [conv(8, 5), { type: 'relu' }, { type: 'maxPool' }, conv(16, 5), { type: 'relu' }, { type: 'maxPool' },
    { type: 'flatten' }, { type: 'dense', units: 10 }],
  mnist: [...block(10), ...block(16), { type: 'maxPool' }, ...block(24), ...block(32), { type: 'maxPool' }, ...block(32),
    { type: 'globalAveragePool' }, { type: 'dense', units: 10 }],
};

function layerList(spec) {
  const layers = typeof spec === 'string' ? TRAIN_PRESETS[spec] : Array.isArray(spec) ? spec : spec?.layers;
  if (typeof spec === 'string' && !layers)
    throw new TypeError(`unknown preset "${spec}" (presets: ${Object.keys(TRAIN_PRESETS).join(', ')})`);
  if (!Array.isArray(layers)) throw new TypeError('createTrainer: expected a preset name, a layer list, or {layers}');
  const flat = new Int32Array(layers.length * 4);
  layers.forEach((l, i) => {
    const kind = KIND[l?.type];
    if (!kind) throw new TypeError(`layer ${i}: unknown type "${l?.type}" (types: ${Object.keys(KIND).join(', ')})`);
    const int = (v, what) => {
      if (!Number.isInteger(v)) throw new RangeError(`layer ${i} (${l.type}): ${what} must be an integer, got ${v}`);
      return Math.max(-1, Math.min(v, 2 ** 30));  // out of range values still reach the C++ check as out of range
    };
    if (kind === KIND.conv2d) flat.set([kind, int(l.filters, 'filters'), int(l.kernel, 'kernel'), l.bias === false ? 0 : 1], i * 4);
    else if (kind === KIND.dense) flat.set([kind, int(l.units, 'units'), 0, 1], i * 4);
    else flat.set([kind, 0, 0, 0], i * 4);
  });
  return flat;
}

function checkData(data, what) {
  const { images, labels } = data ?? {};
  if (!(images instanceof Uint8Array) || !(labels instanceof Uint8Array))
    throw new TypeError(`${what}: expected {images: Uint8Array (784 per image), labels: Uint8Array}`);
  if (labels.length === 0 || images.length !== labels.length * PIXELS)
    throw new RangeError(`${what}: ${images.length} pixels for ${labels.length} labels (784 per image expected)`);
  return labels.length;
}

function abortError(signal) {
  return signal.reason instanceof Error ? signal.reason : new DOMException('training aborted', 'AbortError');
}

const tick = () => new Promise((r) => setTimeout(r, 0));

export class Trainer {
  #m;
  #native;
  #token;
  #loadModel;
  #paused = null;  // {promise, resolve} while paused
  #fitting = false;

  constructor(module, spec, loadModel) {
    const flat = layerList(spec);
    const seed = spec?.seed ?? 1;
    if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    this.#m = module;
    this.#native = module.TrainNet.create(flat, seed);
    this.#loadModel = loadModel;
    this.parameters = this.#native.trainableCount();
    const native = this.#native;
    this.#token = own(this, () => native.delete());
  }

  // data: {images: Uint8Array (n x 784, 0..255), labels: Uint8Array (n)}.
  // Resolves with the last progress report; rejects with an AbortError when signal aborts.
  async fit(data, options = {}) {
    const { epochs, batchSize, onProgress, signal, chunkMs = 100 } = this.#begin(data, options);
    const n = data.labels.length;
    this.#fitting = true;
    try {
      const t0 = performance.now();
      let trained = 0, last = null, steps = 1, pausedMs = 0;
      for (;;) {
        if (this.#paused) {
          const p0 = performance.now();
          await this.#paused.promise;
          pausedMs += performance.now() - p0;
        }
        if (signal?.aborted) throw abortError(signal);
        this.#live();  // dispose() during fit ends it
        const c0 = performance.now();
        const r = this.#native.run(steps);
        const ms = performance.now() - c0;
        const done = Math.min(r.step * batchSize, n * epochs) - trained;
        trained += done;
        // Chunks of about chunkMs: short enough for a responsive worker, long enough to be cheap.
        steps = Math.max(1, Math.min(1000, Math.round(steps * chunkMs / Math.max(ms, 1))));
        const elapsed = (performance.now() - t0 - pausedMs) / 1000;
        last = {
          step: r.step, totalSteps: r.totalSteps, epoch: r.epoch + 1, epochs, loss: r.loss, accuracy: r.accuracy,
          imagesPerSecond: trained / Math.max(elapsed, 1e-3),
          secondsLeft: r.done ? 0 : elapsed / r.step * (r.totalSteps - r.step), done: r.done,
        };
        onProgress?.(last);
        if (r.done) return last;
        await tick();
      }
    } finally {
      this.#fitting = false;
    }
  }

  // Checks the options, copies the data in and starts the session; → the options with defaults.
  #begin(data, options) {
    const { epochs = 1, batchSize = 64, learningRate = 0.005, augment = false, seed = 1, signal } = options;
    this.#live();
    if (this.#fitting) throw new Error('fit() is already running on this trainer');
    const n = checkData(data, 'fit');
    for (const [k, v] of Object.entries({ epochs, batchSize }))
      if (!Number.isInteger(v)) throw new RangeError(`${k} must be an integer, got ${v}`);
    if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate <= 0 || learningRate > 1)
      throw new RangeError(`learningRate must be a finite number in (0, 1], got ${learningRate}`);
    if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    if (signal?.aborted) throw abortError(signal);
    const base = this.#native.reserve(n);
    this.#m.HEAPU8.set(data.images, base);
    this.#m.HEAPU8.set(data.labels, base + n * PIXELS);
    this.#native.start(n, epochs, batchSize, learningRate, !!augment, seed, 2000);
    return { ...options, epochs, batchSize };
  }

  // One worker's share of a data-parallel fit (web/lib/train-parallel.js): part `part` of `parts`
  // of every batch, the gradients exchanged through `buffer`. Every worker calls it with the same
  // data and options on a trainer made from the same spec and seed. Blocks the worker until done;
  // the page steers it through the buffer (STOP: rejects with an AbortError; PAUSE).
  // onProgress (about every chunkMs) gets the same reports as fit(), over all parts' images.
  fitPart(data, options, { part, parts, buffer }) {
    const { epochs, batchSize, onProgress, chunkMs = 100 } = this.#begin(data, options);
    const count = this.#native.gradientCount();
    const shared = sharedViews(buffer, parts, count);
    const partsPtr = this.#native.partsBuffer(parts);
    this.#fitting = true;
    try {
      const t0 = performance.now();
      let last = null, pausedMs = 0, trained = 0, seen = 0, loss = 0, right = 0, reported = t0;
      for (let step = 0; ; step++) {
        pausedMs += holdWhilePaused(shared.control);
        if (stopped(shared.control)) throw new DOMException('training aborted', 'AbortError');
        const parity = step & 1;
        const r = this.#native.partGradients(part, parts);
        shared.grads(parity, part).set(new Float32Array(this.#m.HEAPF32.buffer, this.#native.packedGradients(), count));
        shared.stats(parity, part).set([r.images, r.loss * r.images, r.correct]);
        if (!barrier(shared.control, parts)) throw new DOMException('training aborted', 'AbortError');
        new Float32Array(this.#m.HEAPF32.buffer, partsPtr, parts * count).set(shared.allGrads(parity));
        const images = [];
        for (let q = 0; q < parts; q++) {
          const [m, l, c] = shared.stats(parity, q);
          images.push(m);
          seen += m; loss += l; right += c;
        }
        const p = this.#native.applyParts(images);
        trained += images.reduce((a, b) => a + b, 0);
        const now = performance.now();
        if (p.done || now - reported >= chunkMs) {
          reported = now;
          const elapsed = (now - t0 - pausedMs) / 1000;
          last = {
            step: p.step, totalSteps: p.totalSteps, epoch: p.epoch + 1, epochs, loss: loss / seen, accuracy: right / seen,
            imagesPerSecond: trained / Math.max(elapsed, 1e-3),
            secondsLeft: p.done ? 0 : elapsed / p.step * (p.totalSteps - p.step), done: p.done,
          };
          seen = loss = right = 0;
          onProgress?.(last);
        }
        if (p.done) return last;
      }
    } catch (e) {
      setStop(buffer);  // the other workers must not wait for this one at the barrier
      throw e;
    } finally {
      this.#fitting = false;
    }
  }

  // Pauses a running fit() between chunks until resume().
  pause() {
    if (!this.#paused) {
      let resolve;
      const promise = new Promise((r) => (resolve = r));
      this.#paused = { promise, resolve };
    }
  }
  resume() {
    const p = this.#paused;
    this.#paused = null;
    p?.resolve();
  }
  get paused() {
    return !!this.#paused;
  }

  // → {accuracy, confusion: number[10][10] ([true][predicted]), predictions: Uint8Array, wrong: index[]}
  evaluate(data) {
    this.#live();
    const n = checkData(data, 'evaluate');
    const base = this.#native.reserveEval(n);
    this.#m.HEAPU8.set(data.images, base);
    this.#native.predict(n);
    const predictions = this.#m.HEAPU8.slice(base + n * PIXELS, base + n * PIXELS + n);
    const confusion = Array.from({ length: 10 }, () => new Array(10).fill(0));
    const wrong = [];
    let right = 0;
    for (let i = 0; i < n; i++) {
      confusion[data.labels[i]][predictions[i]]++;
      if (predictions[i] === data.labels[i]) right++;
      else wrong.push(i);
    }
    return { accuracy: right / n, confusion, predictions, wrong };
  }

  // TF.js Layers artifacts: tf.loadLayersModel(tf.io.fromMemory(a)) and cl.loadModel(a) load them;
  // json + weightData are the two files of a download (model.json, weights.bin).
  save() {
    this.#live();
    const { modelJson, weights } = this.#native.toTfjs('weights.bin');
    const json = JSON.parse(modelJson);
    // A copy into an ArrayBuffer made by the global constructor: under test runners (Node's vm)
    // a typed array's own buffer may belong to another realm and fail instanceof checks.
    const weightData = new ArrayBuffer(weights.byteLength);
    new Float32Array(weightData).set(weights);
    return {
      modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData,
      format: json.format, generatedBy: json.generatedBy, json: modelJson,
    };
  }

  // A Model (web/lib/model.js) with the current weights, on the CNN module.
  async model() {
    const { json, weightData } = this.save();
    return this.#loadModel({ modelJson: json, weights: [weightData] });
  }

  // The first Conv2D layer's kernel {shape: [kh, kw, in, out], data}, or null.
  firstKernel() {
    this.#live();
    return this.#native.firstKernel();
  }

  // Test hooks: FNV-1a hash of the weights, weights in save order, one batch's gradients.
  weightsHash() { this.#live(); return this.#native.hash(); }
  setWeights(flat) { this.#live(); this.#native.setWeights(flat); }
  gradients(images, labels) { this.#live(); return this.#native.gradients(images, labels); }

  dispose() {
    if (!this.#native) return;
    this.resume();
    release(this.#token);
    this.#native = null;
  }

  #live() {
    if (!this.#native) throw disposedError('Trainer');
  }
}
