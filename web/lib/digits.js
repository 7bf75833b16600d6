// Handwritten digits: a drawing (ImageData of any size, either ink polarity, transparent or
// not) -> the MNIST-style 28x28 input (C++ preprocessing on the wasm heap) -> the shipped
// MNIST model (or any TF.js model with a 28x28x1 input and 10 outputs).
//   const clf = await cl.loadDigitClassifier();
//   const r = clf.classify(imageData);  // {digit, probabilities, confidence, input28, ...} | {empty: true, ...}
//   clf.dispose();
import { own, release, disposedError } from './lifetime.js';
import { HeapFrames } from './frames.js';
import { checkPixels } from './pixels.js';
import { formatBytes } from './values.js';
import { readUrl } from './read-url.js';
import { resolveUrl } from './load.js';

// The shipped model, each of its two files by a literal new URL: a bundler copies both (and
// may rename both), so the weights are read from where the bundler put them, not from the name
// that model.json gives them.
export const DEFAULT_DIGIT_MODEL_URL = new URL('../models/mnist/model.json', import.meta.url).href;
const DEFAULT_DIGIT_WEIGHTS_URL = new URL('../models/mnist/weights.bin', import.meta.url).href;

// With load({wasmPaths}) (files copied by hand, e.g. for esbuild) the model is the mnist/ folder
// beside the wasm files.
async function shippedModel(wasmPaths) {
  const [jsonUrl, weightsUrl] = wasmPaths
    ? ['mnist/model.json', 'mnist/weights.bin'].map((f) => resolveUrl(f, { wasmPaths }))
    : [DEFAULT_DIGIT_MODEL_URL, DEFAULT_DIGIT_WEIGHTS_URL];
  const [json, weights] = await Promise.all([readUrl(jsonUrl, 'model.json'), readUrl(weightsUrl, 'weight shard')]);
  return { modelJson: new TextDecoder().decode(json), weights: [weights] };
}
// Drawing buffers (12 bytes per pixel: RGBA + two floats of scratch) are kept between calls up to this
// many pixels (12 MiB, more than a 1280x720 canvas); after a larger drawing they are freed, so a
// long-lived classifier never holds hundreds of MB for one huge drawing.
export const KEEP_DRAWING_PIXELS = 1024 * 1024;
// The core's limit per side of a drawing (limits::kMaxDrawingSide, src/core/limits.h).
export const MAX_DRAWING_SIDE = 8192;

export class DigitClassifier {
  #pre;
  #token;
  #frames;

  // model: a Model from cl.loadModel (owned: dispose() disposes it too).
  constructor(module, model) {
    const shape = model.inputShape ?? [];
    if (shape.join(',') !== '28,28,1' || model.outputShape?.join(',') !== '10') {
      model.dispose();
      throw new RangeError(`a digit model needs input [28,28,1] and 10 outputs, got input [${shape}] and output [${model.outputShape}]`);
    }
    this.model = model;
    const pre = (this.#pre = new module.DigitPreprocessor());
    this.#token = own(this, () => pre.delete());
    this.#frames = new HeapFrames(module, pre);
  }

  // imageData: ImageData or {data: Uint8ClampedArray|Uint8Array (RGBA), width, height}.
  // Returns {digit, probabilities: Float32Array(10), confidence, input28: Float32Array(784),
  // polarity, box, inkPixels} or, when nothing (or too little) is drawn, {empty: true, input28,
  // polarity, box, inkPixels}. Stray marks apart from the digit are left out of box and inkPixels.
  classify(imageData) {
    this.#live();
    const { data, width, height } = checkPixels(imageData, 'classify: imageData', { maxSide: MAX_DRAWING_SIDE });
    // 12 bytes a pixel: the RGBA drawing and two floats of scratch (stray-ink labels included).
    this.#frames.resize([width, height], width * height * 12, `classify: a ${width}x${height} drawing needs ${formatBytes(width * height * 12)}`);
    this.#frames.write(data);
    const info = this.#pre.run();
    const input28 = this.#frames.outputView(Float32Array, 784).slice();
    if (width * height > KEEP_DRAWING_PIXELS) this.#releaseBuffers();
    const meta = { input28, polarity: info.polarity, box: info.box, inkPixels: info.inkPixels };
    if (info.empty) return { empty: true, ...meta };
    const probabilities = this.model.predict(input28);
    let digit = 0;
    for (let i = 1; i < 10; i++) if (probabilities[i] > probabilities[digit]) digit = i;
    return { digit, probabilities, confidence: probabilities[digit], ...meta };
  }

  #releaseBuffers() {
    this.#pre.release();
    this.#frames.forget();
  }

  dispose() {
    if (!this.#pre) return;
    release(this.#token);
    this.#pre = null;
    this.model.dispose();
  }

  #live() {
    if (!this.#pre) throw disposedError('DigitClassifier');
  }
}

// loadModel: (source) => Promise<Model> (cl.loadModel).
// url: a model.json (undefined or null: the shipped model); wasmPaths: load()'s option.
export async function loadDigitClassifier(module, loadModel, url, wasmPaths) {
  const model = await loadModel(url ?? (await shippedModel(wasmPaths)));
  return new DigitClassifier(module, model);
}
