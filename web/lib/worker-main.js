// The worker side of spawnWorker() (worker.js): owns a convolens instance and the objects made
// from it, addressed by numeric handles. Frames arrive as transferred ImageBitmaps/VideoFrames.
import { load } from './core.js';
import { PixelReader } from './pixels.js';
import { holdLifeLock } from './worker-watch.js';

let cl = null;
const objects = new Map();
let nextHandle = 1;
const reader = new PixelReader();
let outCanvas = null;
let outCtx = null;
let outImage = null;

function pixelsOf(x) {
  if (x && typeof x === 'object' && !(x.data instanceof Uint8ClampedArray) && (globalThis.ImageBitmap && x instanceof ImageBitmap || globalThis.VideoFrame && x instanceof VideoFrame)) {
    try {
      return reader.read(x);
    } finally {
      x.close();  // transferred to us: we own it
    }
  }
  return x;
}

// The output canvas and its ImageData are made once per frame size, not per frame.
// fill(imageData) writes the pixels (a filter's apply(input, output)).
function toBitmap(width, height, fill) {
  if (!outCanvas || outCanvas.width !== width || outCanvas.height !== height) {
    outCanvas = new OffscreenCanvas(width, height);
    outCtx = outCanvas.getContext('2d');
    outImage = new ImageData(width, height);
  }
  fill(outImage);
  outCtx.putImageData(outImage, 0, 0);
  return outCanvas.transferToImageBitmap();
}

function wrap(result) {
  if (result && typeof result === 'object' && typeof result.dispose === 'function') {
    const handle = nextHandle++;
    objects.set(handle, result);
    return { handle };
  }
  return result;
}

const ops = {
  async load(options, lifeLock) {
    await holdLifeLock(lifeLock);  // lets the page notice if this worker dies (worker-watch.js)
    cl = await load(options);
    return { variant: cl.variant, backend: cl.backend, threads: cl.threads };
  },
  async call(method, args) {
    if (typeof cl?.[method] !== 'function') throw new TypeError(`convolens has no method ${method}`);
    return wrap(await cl[method](...args.map(pixelsOf)));
  },
  async invoke(handle, method, args) {
    const obj = objects.get(handle);
    if (!obj) throw new Error(`convolens worker: object ${handle} was disposed`);
    if (method === 'dispose') {
      objects.delete(handle);
      obj.dispose();
      return undefined;
    }
    if (method === 'process') {  // filter/pipeline on a frame -> ImageBitmap
      const px = pixelsOf(args[0]);
      return toBitmap(px.width, px.height, (out) => obj.apply(px, out));
    }
    if (typeof obj[method] !== 'function') throw new TypeError(`object ${handle} has no method ${method}`);
    const r = await obj[method](...args.map(pixelsOf));
    // Heap views must not leave the worker: they alias wasm memory. Copy them.
    if (r instanceof Uint8ClampedArray || r instanceof Float32Array) return r.slice();
    return wrap(r);
  },
};

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    const result = await ops[op](...args);
    const transfer = globalThis.ImageBitmap && result instanceof ImageBitmap ? [result] : result?.buffer instanceof ArrayBuffer ? [result.buffer] : [];
    self.postMessage({ id, result }, transfer);
  } catch (e) {
    self.postMessage({ id, error: { name: e.name, message: e.message } });
  }
};
