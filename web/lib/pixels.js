// Pixels as the library and the page take them: any image source read into RGBA, the checks on
// {data, width, height}, the core's luminance and the core's border rule. One definition each,
// so JS and C++ (src/image/filter_spec.h, src/image/image.h) cannot drift apart.

const isBytes = (x) => x instanceof Uint8ClampedArray || x instanceof Uint8Array;

// Width and height of anything drawImage() accepts (duck-typed, so it works across realms).
function drawableSize(s) {
  if (s.videoWidth !== undefined) return [s.videoWidth, s.videoHeight];          // HTMLVideoElement
  if (s.displayWidth !== undefined) return [s.displayWidth, s.displayHeight];    // VideoFrame
  if (s.naturalWidth !== undefined) return [s.naturalWidth, s.naturalHeight];    // HTMLImageElement
  if (typeof s.getContext === 'function' || (typeof ImageBitmap !== 'undefined' && s instanceof ImageBitmap)) return [s.width, s.height];
  return null;
}

// Turns whatever a caller holds into RGBA pixels {data, width, height}: ImageData,
// {data, width, height}, a Uint8ClampedArray/Uint8Array plus width and height, or a drawable
// (HTMLVideoElement, HTMLImageElement, ImageBitmap, VideoFrame, canvas). Drawables are read
// through one reusable canvas per reader, created with willReadFrequently so the browser keeps
// it on the CPU and getImageData does not stall on a GPU read-back.
export class PixelReader {
  #canvas = null;
  #ctx = null;

  read(input, width, height) {
    if (isBytes(input)) return { data: input, width, height };
    if (input && isBytes(input.data)) return input;
    const size = input ? drawableSize(input) : null;
    if (!size) {
      throw new TypeError('input must be ImageData, {data, width, height}, a Uint8ClampedArray with width and height, ' +
        'or a video, image, ImageBitmap, VideoFrame or canvas');
    }
    const [w, h] = size;
    if (!w || !h) throw new RangeError(`input has no pixels yet (${w}x${h}); wait until the video has a frame`);
    if (typeof OffscreenCanvas !== 'function' && typeof document === 'undefined')
      throw new TypeError('reading a video, canvas or image needs OffscreenCanvas or a DOM; pass ImageData instead');
    if (!this.#ctx || this.#canvas.width !== w || this.#canvas.height !== h) {
      this.#canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(w, h) : Object.assign(document.createElement('canvas'), { width: w, height: h });
      this.#ctx = this.#canvas.getContext('2d', { willReadFrequently: true });
    }
    this.#ctx.drawImage(input, 0, 0, w, h);
    return this.#ctx.getImageData(0, 0, w, h);
  }
}

// Throws unless width and height are positive integers; `prefix` starts the message.
export function checkSize(width, height, prefix = '') {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new RangeError(`${prefix}image size must be positive integers, got ${width}x${height}`);
}

// Checks {data, width, height[, channels]} and returns {data, width, height, channels}; the
// message names `what` and the problem. RGBA only, unless anyChannels: then 1 or 4 channels
// (taken from `channels`, else guessed from the byte count).
export function checkPixels(img, what = 'input', { anyChannels = false } = {}) {
  const { data, width, height } = img ?? {};
  if (!isBytes(data))
    throw new TypeError(`${what}.data must be a Uint8ClampedArray or Uint8Array of RGBA pixels`);
  checkSize(width, height, `${what}: `);
  const channels = anyChannels ? img.channels ?? (data.length === width * height ? 1 : 4) : 4;
  if (channels !== 1 && channels !== 4) throw new RangeError(`${what}.channels must be 1 or 4, got ${channels}`);
  if (data.length !== width * height * channels)
    throw new RangeError(`${what}.data has ${data.length} bytes, but a ${width}x${height} ${channels === 4 ? 'RGBA' : 'gray'} image needs ${width * height * channels}`);
  return { data, width, height, channels };
}

// The core's luminance (integer BT.601 weights, as in gray mode and the digit preprocessing).
export function luma(r, g, b) {
  return (77 * r + 150 * g + 29 * b + 128) >> 8;
}

// Gray mode in place: R = G = B = luma, alpha kept.
export function grayInPlace(d) {
  for (let i = 0; i < d.length; i += 4) d[i] = d[i + 1] = d[i + 2] = luma(d[i], d[i + 1], d[i + 2]);
}

// Where tap i of a row (or column) of n pixels reads from; -1 means "the constant value".
export function borderIndex(i, n, border) {
  if (i >= 0 && i < n) return i;
  switch (border) {
    case 'constant': return -1;
    case 'replicate': return i < 0 ? 0 : n - 1;
    case 'reflect101': {
      if (n === 1) return 0;
      const p = 2 * (n - 1);
      const m = ((i % p) + p) % p;
      return m < n ? m : p - m;
    }
    case 'wrap': return ((i % n) + n) % n;
    default: throw new RangeError(`unknown border mode "${border}"`);
  }
}
