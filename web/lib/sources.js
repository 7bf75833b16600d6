// Turns whatever a caller holds into RGBA pixels {data, width, height}:
// ImageData, {data, width, height}, a Uint8ClampedArray/Uint8Array plus width and height,
// or a drawable (HTMLVideoElement, HTMLImageElement, ImageBitmap, VideoFrame, canvas).
// Drawables are read through one reusable canvas per reader, created with willReadFrequently
// so the browser keeps it on the CPU and getImageData does not stall on a GPU read-back.

// Width and height of anything drawImage() accepts (duck-typed, so it works across realms).
function drawableSize(s) {
  if (s.videoWidth !== undefined) return [s.videoWidth, s.videoHeight];          // HTMLVideoElement
  if (s.displayWidth !== undefined) return [s.displayWidth, s.displayHeight];    // VideoFrame
  if (s.naturalWidth !== undefined) return [s.naturalWidth, s.naturalHeight];    // HTMLImageElement
  if (typeof s.getContext === 'function' || (typeof ImageBitmap !== 'undefined' && s instanceof ImageBitmap)) return [s.width, s.height];
  return null;
}

export class PixelReader {
  #canvas = null;
  #ctx = null;

  read(input, width, height) {
    if (input instanceof Uint8ClampedArray || input instanceof Uint8Array) {
      return { data: input, width, height };
    }
    if (input && (input.data instanceof Uint8ClampedArray || input.data instanceof Uint8Array)) return input;
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

// Validates pixels and returns [data, width, height]; the message names what is wrong.
export function checkPixels({ data, width, height }, what = 'input') {
  if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array))
    throw new TypeError(`${what}.data must be a Uint8ClampedArray or Uint8Array of RGBA pixels`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new RangeError(`${what} size must be positive integers, got ${width}x${height}`);
  if (data.length !== width * height * 4)
    throw new RangeError(`${what}.data has ${data.length} bytes, but ${width}x${height} RGBA needs ${width * height * 4}`);
  return [data, width, height];
}
