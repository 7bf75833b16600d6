// Filters and pipelines on RGBA (or 1-channel) frames. The pixels live on the wasm heap in
// buffers each object allocates once per frame size; a frame costs one copy in, one run and
// (with an output) one copy out. All maths is in the C++ core (src/image/).
//   const f = cl.createFilter('gaussian', {sigma: 2, border: 'reflect101'});
//   f.apply(imageData, outImageData);  f.dispose();
import { own, release } from './lifetime.js';
import { HeapFrames, explainOutOfMemory } from './frames.js';
import { PixelReader, checkPixels, checkSize } from './pixels.js';
import { bytesOf, copyInto, describe, float32, formatBytes, intIn, typedLength } from './values.js';

export const BORDERS = Object.freeze(['constant', 'replicate', 'reflect101', 'wrap']);
export const MODES = Object.freeze(['rgb', 'gray']);
const OPTION_KEYS = new Set(['border', 'borderValue', 'mode']);
export const MAX_FRAME_SIDE = 16384;  // the core's limit per side (limits::kMaxFrameSide, src/core/limits.h)

const catalogs = new WeakMap();

// The preset list of a module, built once: [{name, label, description, kernel, params?, op?}].
export function presetCatalog(m) {
  if (!catalogs.has(m)) {
    const list = m.presetCatalog();
    for (const p of list) Object.freeze(p);
    catalogs.set(m, Object.freeze(list));
  }
  return catalogs.get(m);
}

// {data, width, height[, channels]} -> checked {data, width, height, channels}.
// Videos, canvases, images, ImageBitmaps and VideoFrames are read through `reader`.
// Sizes come from the engine's own typed-array length, never from an overridable getter.
function imageOf(input, what, reader) {
  if (!input || typeof input !== 'object') throw new TypeError(`${what} must be an ImageData, {data, width, height} or a video/canvas/image, got ${describe(input)}`);
  if (reader && !('data' in input)) input = reader.read(input);
  return checkPixels(input, what, { anyChannels: true, maxSide: MAX_FRAME_SIDE });
}

function checkNumber(value, what) {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number, got ${describe(value)}`);
  return value;
}

function checkOptions(options, what) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') throw new TypeError(`${what} must be an object, got ${describe(options)}`);
  return options;
}

// A border/mode name must be a string (the core names an unknown one): never anything Embind
// would have to convert.
function optionName(value, list, what) {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string (${list.join(', ')}), got ${describe(value)}`);
  return value;
}

const frameName = (width, height, channels) => `a ${width}x${height} ${channels === 4 ? 'RGBA' : 'gray'} frame`;

// A native ImageFilter or ImagePipeline on frames: apply() (input copied in, result copied out),
// or the zero-copy pair input() / run() (heap views).
class FrameRunner {
  #m;
  #native;
  #frames;
  #reader = null;  // one read-back canvas per filter, made on first use

  constructor(m, native) {
    this.#m = m;
    this.#native = native;
    this.#frames = new HeapFrames(m, native);
  }

  // Input and output frames for a size: refused before allocating when they can never fit.
  #size(width, height, channels) {
    const bytes = 2 * width * height * channels;
    this.#frames.resize([width, height, channels], bytes, `${frameName(width, height, channels)} (input and output) needs ${formatBytes(bytes)}`);
  }

  #length() {
    const [w, h, c] = this.#frames.dims;
    return w * h * c;
  }

  // native.run(); scratch and pipeline frames are allocated on the first run of a size.
  #run() {
    try {
      this.#native.run();
    } catch (e) {
      throw explainOutOfMemory(this.#m, e, `no room for the scratch and pipeline frames of ${frameName(...this.#frames.dims)}`);
    }
  }

  apply(input, output) {
    this.#reader ??= new PixelReader();
    const img = imageOf(input, 'input', this.#reader);
    this.#size(img.width, img.height, img.channels);
    const n = img.width * img.height * img.channels;
    // The output is checked before any work, so a wrong one changes nothing. Only undefined and
    // null mean "no output" (0, '' or NaN are mistakes).
    let out = null;
    if (output !== undefined && output !== null) {
      out = typeof output === 'object' && !ArrayBuffer.isView(output) ? output.data : output;
      const outBytes = bytesOf(out);
      if (outBytes < 0) throw new TypeError(`output must be an ImageData, {data} or a Uint8ClampedArray, got ${describe(output)}`);
      if (outBytes !== n) throw new RangeError(`output has ${outBytes} bytes, the result has ${n}`);
    }
    this.#frames.write(img.data);
    this.#run();
    const result = this.#frames.outputView(Uint8ClampedArray, n);
    if (!out) return result.slice();
    copyInto(out, result);
    return out;
  }

  input(width, height, channels) {
    checkSize(width, height, '', MAX_FRAME_SIDE);
    if (channels !== 1 && channels !== 4) throw new RangeError(`channels must be 1 or 4, got ${describe(channels)}`);
    this.#size(width, height, channels);
    return this.#frames.inputView(Uint8ClampedArray, this.#length());
  }

  run() {
    if (!this.#frames.dims) throw new RangeError('call input(width, height) before run()');
    this.#run();
    return this.#frames.outputView(Uint8ClampedArray, this.#length());
  }
}

// What Filter and Pipeline share: apply, input and run on their frames, each after the object's
// own liveness check.
const runners = new WeakMap();  // Filter | Pipeline -> {runner, check}
function runnerOf(op) {
  const { runner, check } = runners.get(op);
  check();
  return runner;
}
class FrameOp {
  // input: ImageData | {data, width, height} | video/canvas/image/ImageBitmap/VideoFrame;
  // output (optional): ImageData | {data} | typed array. Returns `output` filled, or without one
  // a new Uint8ClampedArray the caller owns (the library's one rule for results).
  apply(input, output) {
    return runnerOf(this).apply(input, output);
  }
  // Zero-copy use: write the frame into input(width, height) (a heap view, valid until the next
  // call that may allocate wasm memory), then run() returns a view of the result, valid until
  // the next call on this module.
  input(width, height, channels = 4) {
    return runnerOf(this).input(width, height, channels);
  }
  run() {
    return runnerOf(this).run();
  }
}

// The weights of a custom kernel as a fresh Float32Array: a typed array is read with the
// engine's own length, an array (or array-like) once, element by element, each checked.
const MAX_WEIGHTS = 1 << 20;  // far above 31x31; only bounds the work done before the core refuses
function kernelWeights(kernel) {
  const typed = typedLength(kernel);
  if (typed > MAX_WEIGHTS) throw new RangeError(`kernel has ${typed} weights, at most 31x31 are allowed`);
  if (typed >= 0) {
    const w = new Float64Array(kernel);  // the engine copies by its true length
    w.forEach((v, i) => float32(v, `kernel weight ${i}`));
    return new Float32Array(w);
  }
  if (!kernel || typeof kernel !== 'object' || typeof kernel.length !== 'number')
    throw new TypeError(`kernel must be an array or Float32Array of width*height numbers, got ${describe(kernel)}`);
  const n = kernel.length;
  if (!Number.isInteger(n) || n < 0 || n > MAX_WEIGHTS) throw new RangeError(`kernel length must be a count of weights, got ${describe(n)}`);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = kernel[i];
    if (typeof v !== 'number') throw new TypeError(`kernel weight ${i} must be a number, got ${typeof v}`);
    w[i] = float32(v, `kernel weight ${i}`);
  }
  return w;
}

export class Filter extends FrameOp {
  #m;
  #native;
  #token;
  #name;
  #op;
  #kernel;

  // nameOrSpec: a preset name, or {kernel, width, height, scale, offset, border, borderValue, mode}.
  constructor(m, nameOrSpec, params = {}) {
    super();
    this.#m = m;
    const native = new m.ImageFilter();
    this.#native = native;
    this.#token = own(this, () => native.delete());
    runners.set(this, { runner: new FrameRunner(m, native), check: () => this.#live() });
    try {
      if (typeof nameOrSpec === 'string') this.#preset(nameOrSpec, params ?? {});
      else if (nameOrSpec && typeof nameOrSpec === 'object') this.#custom(nameOrSpec);
      else throw new TypeError('createFilter needs a preset name or a {kernel, width, height} spec');
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  #preset(name, params) {
    params = checkOptions(params, `preset "${name}" parameters`);
    const keys = [], values = [];
    for (const [k, v] of Object.entries(params)) {
      if (OPTION_KEYS.has(k)) continue;
      keys.push(k);
      values.push(checkNumber(v, `preset "${name}" parameter ${k}`));
    }
    this.#native.setPreset(name, keys, values);
    this.#name = name;
    this.#op = presetCatalog(this.#m).find((p) => p.name === name)?.op;
    this.setOptions(params);
  }

  #custom(spec) {
    const { kernel, scale = 1, offset = 0 } = spec;
    const weights = kernelWeights(kernel);
    let { width, height } = spec;
    if (width === undefined && height === undefined) {
      const side = Math.round(Math.sqrt(weights.length));
      if (side * side !== weights.length) throw new RangeError(`kernel width and height are needed: ${weights.length} weights are not a square`);
      width = height = side;
    }
    // Checked as numbers here: Embind would wrap 2**32+3 to 3 silently. (0 and 32 reach the core,
    // which names them.)
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0 || width > 1024 || height > 1024)
      throw new RangeError(`kernel size must be 1..${this.#m.maxKernelSize} on each side, got ${describe(width)}x${describe(height)}`);
    this.#native.setKernel(weights, width, height, float32(scale, 'kernel scale', { divisor: true }), float32(offset, 'kernel offset'));
    this.#name = 'custom';
    this.setOptions(spec);
  }

  // {border: 'constant'|'replicate'|'reflect101'|'wrap', borderValue: 0..255, mode: 'rgb'|'gray'}
  setOptions(options) {
    this.#live();
    const { border, borderValue, mode } = checkOptions(options, 'filter options');
    const n = this.#native;
    if (border !== undefined) optionName(border, BORDERS, 'border');
    if (mode !== undefined) optionName(mode, MODES, 'mode');
    if (borderValue !== undefined) intIn(borderValue, 0, 255, 'borderValue');
    n.setOptions(border ?? n.border(), borderValue ?? n.borderValue(), mode ?? n.mode());
    this.#kernel = undefined;
  }

  get name() {
    return this.#name;
  }
  get options() {
    this.#live();
    return { border: this.#native.border(), borderValue: this.#native.borderValue(), mode: this.#native.mode() };
  }
  // {width, height, weights: Float32Array, scale, offset[, op, norm]}: for gradient operators the x kernel.
  get kernel() {
    this.#live();
    if (!this.#kernel) {
      const k = this.#native.kernel();
      if (this.#op) k.op = this.#op;
      this.#kernel = Object.freeze(k);
    }
    return this.#kernel;
  }
  // Which core variant runs this filter (e.g. 'conv3x3_i16__wasmsimd'): for benchmarks and curiosity.
  get variant() {
    this.#live();
    return this.#native.variant();
  }

  dispose() {
    if (!this.#native) return;
    release(this.#token);
    this.#native = null;
  }

  #live() {
    if (!this.#native) throw new TypeError(`convolens: filter "${this.#name ?? '?'}" used after dispose()`);
  }

  static nativeOf(f) {
    f.#live();
    return f.#native;
  }
  static moduleOf(f) {
    return f.#m;
  }
}

export class Pipeline extends FrameOp {
  #m;
  #native;
  #token;
  #filters = [];
  #owned = [];

  // items: Filter | preset name | spec | [name, params]; filters created here are disposed with the pipeline.
  constructor(m, items) {
    super();
    if (!Array.isArray(items)) throw new TypeError('createPipeline needs an array of filters, preset names or specs');
    this.#m = m;
    try {
      for (const [i, item] of items.entries()) {
        if (item instanceof Filter) {
          if (Filter.moduleOf(item) !== m)
            throw new TypeError(`pipeline filter ${i} ("${item.name}") is from another convolens instance (another load() variant or path); create it with this instance's createFilter`);
          this.#filters.push(item);
        } else {
          const f = Array.isArray(item) ? new Filter(m, item[0], item[1]) : new Filter(m, item);
          this.#owned.push(f);
          this.#filters.push(f);
        }
      }
      const native = new m.ImagePipeline();
      this.#native = native;
      this.#token = own(this, () => native.delete());
      runners.set(this, { runner: new FrameRunner(m, native), check: () => this.#checkLive() });
      for (const f of this.#filters) native.add(Filter.nativeOf(f));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  get filters() {
    return this.#filters.slice();
  }

  #checkLive() {
    if (!this.#native) throw new TypeError('convolens: pipeline used after dispose()');
    this.#filters.forEach((f, i) => {
      try {
        Filter.nativeOf(f);
      } catch {
        throw new TypeError(`convolens: pipeline filter ${i} ("${f.name}") was disposed`);
      }
    });
  }

  dispose() {
    for (const f of this.#owned) f.dispose();
    this.#owned = [];
    if (this.#native) release(this.#token);
    this.#native = null;
  }
}
