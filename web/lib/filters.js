// Filters and pipelines on RGBA (or 1-channel) frames. The pixels live on the wasm heap in
// buffers each object allocates once per frame size; a frame costs one copy in, one run and
// (with an output) one copy out. All maths is in the C++ core (src/image/).
//   const f = cl.createFilter('gaussian', {sigma: 2, border: 'reflect101'});
//   f.apply(imageData, outImageData);  f.dispose();
import { own, release } from './lifetime.js';
import { PixelReader, checkPixels, checkSize } from './pixels.js';

export const BORDERS = Object.freeze(['constant', 'replicate', 'reflect101', 'wrap']);
export const MODES = Object.freeze(['rgb', 'gray']);
const OPTION_KEYS = new Set(['border', 'borderValue', 'mode']);

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
function imageOf(input, what, reader) {
  if (!input || typeof input !== 'object') throw new TypeError(`${what} must be an ImageData, {data, width, height} or a video/canvas/image`);
  if (reader && !('data' in input)) input = reader.read(input);
  return checkPixels(input, what, { anyChannels: true });
}

function checkNumber(value, what) {
  if (typeof value !== 'number') throw new TypeError(`${what} must be a number, got ${typeof value}`);
  return value;
}

function sizeFrames(native, size, width, height, channels) {
  if (width !== size.width || height !== size.height || channels !== size.channels) {
    native.resize(width, height, channels);  // allocates only when the size changes
    Object.assign(size, { width, height, channels });
  }
}

// Zero-copy frames: a view of the native input buffer to write pixels into.
function inputView(m, native, size, width, height, channels) {
  checkSize(width, height);
  if (channels !== 1 && channels !== 4) throw new RangeError(`channels must be 1 or 4, got ${channels}`);
  sizeFrames(native, size, width, height, channels);
  return new Uint8ClampedArray(m.HEAPU8.buffer, native.inputPtr(), width * height * channels);
}

function runResident(m, native, size) {
  if (!size.width) throw new RangeError('call input(width, height) before run()');
  native.run();
  return new Uint8ClampedArray(m.HEAPU8.buffer, native.outputPtr(), size.width * size.height * size.channels);
}

// Runs a native object (ImageFilter or ImagePipeline) on one frame.
function runFrame(m, native, size, input, output) {
  size.reader ??= new PixelReader();  // one read-back canvas per filter, made on first use
  const img = imageOf(input, 'input', size.reader);
  sizeFrames(native, size, img.width, img.height, img.channels);
  const n = img.data.length;
  // Heap views are taken after any call that may grow memory (growth detaches old views).
  m.HEAPU8.set(img.data, native.inputPtr());
  native.run();
  const ptr = native.outputPtr();
  if (!output) return new Uint8ClampedArray(m.HEAPU8.buffer, ptr, n);
  const out = output.data ?? output;
  if (!(out instanceof Uint8ClampedArray || out instanceof Uint8Array))
    throw new TypeError('output must be an ImageData, {data} or a Uint8ClampedArray');
  if (out.length !== n) throw new RangeError(`output has ${out.length} bytes, the result has ${n}`);
  out.set(m.HEAPU8.subarray(ptr, ptr + n));
  return out;
}

export class Filter {
  #m;
  #native;
  #token;
  #name;
  #op;
  #kernel;
  #size = { width: 0, height: 0, channels: 0 };

  // nameOrSpec: a preset name, or {kernel, width, height, scale, offset, border, borderValue, mode}.
  constructor(m, nameOrSpec, params = {}) {
    this.#m = m;
    const native = new m.ImageFilter();
    this.#native = native;
    this.#token = own(this, () => native.delete());
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
    if (typeof params !== 'object') throw new TypeError('preset parameters must be an object');
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
    if (!kernel || typeof kernel !== 'object' || typeof kernel.length !== 'number')
      throw new TypeError('kernel must be an array or Float32Array of width*height numbers');
    let { width, height } = spec;
    if (width === undefined && height === undefined) {
      const side = Math.round(Math.sqrt(kernel.length));
      if (side * side !== kernel.length) throw new RangeError(`kernel width and height are needed: ${kernel.length} weights are not a square`);
      width = height = side;
    }
    if (!Number.isInteger(width) || !Number.isInteger(height))
      throw new RangeError(`kernel size must be integers, got ${width}x${height}`);
    for (let i = 0; i < kernel.length; i++)
      if (typeof kernel[i] !== 'number') throw new TypeError(`kernel weight ${i} must be a number, got ${typeof kernel[i]}`);
    this.#native.setKernel(kernel instanceof Float32Array ? kernel : Array.from(kernel), width, height,
      checkNumber(scale, 'scale'), checkNumber(offset, 'offset'));
    this.#name = 'custom';
    this.setOptions(spec);
  }

  // {border: 'constant'|'replicate'|'reflect101'|'wrap', borderValue: 0..255, mode: 'rgb'|'gray'}
  setOptions({ border, borderValue, mode } = {}) {
    this.#live();
    const n = this.#native;
    if (borderValue !== undefined && !Number.isInteger(borderValue))
      throw new RangeError(`borderValue must be an integer 0..255, got ${borderValue}`);
    n.setOptions(border ?? n.border(), borderValue ?? n.borderValue(), mode ?? n.mode());
    this.#kernel = undefined;
  }

  // input: ImageData | {data, width, height} | video/canvas/image/ImageBitmap/VideoFrame;
  // output (optional): ImageData | {data} | typed array.
  // Without output, returns a view of the heap valid until the next call on this module.
  apply(input, output) {
    this.#live();
    return runFrame(this.#m, this.#native, this.#size, input, output);
  }

  // Zero-copy use: write the frame into input(width, height) (a heap view, valid until the next
  // call that may allocate wasm memory), then run() returns a view of the result.
  input(width, height, channels = 4) {
    this.#live();
    return inputView(this.#m, this.#native, this.#size, width, height, channels);
  }
  run() {
    this.#live();
    return runResident(this.#m, this.#native, this.#size);
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
}

export class Pipeline {
  #m;
  #native;
  #token;
  #filters = [];
  #owned = [];
  #size = { width: 0, height: 0, channels: 0 };

  // items: Filter | preset name | spec | [name, params]; filters created here are disposed with the pipeline.
  constructor(m, items) {
    if (!Array.isArray(items)) throw new TypeError('createPipeline needs an array of filters, preset names or specs');
    this.#m = m;
    try {
      for (const item of items) {
        if (item instanceof Filter) {
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
      for (const f of this.#filters) native.add(Filter.nativeOf(f));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  get filters() {
    return this.#filters.slice();
  }

  apply(input, output) {
    this.#checkLive();
    return runFrame(this.#m, this.#native, this.#size, input, output);
  }

  input(width, height, channels = 4) {
    this.#checkLive();
    return inputView(this.#m, this.#native, this.#size, width, height, channels);
  }
  run() {
    this.#checkLive();
    return runResident(this.#m, this.#native, this.#size);
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
