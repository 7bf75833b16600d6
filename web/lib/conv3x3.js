// Conv3x3: a 3x3 RGBA filter whose frame buffers live on the wasm heap, reused every frame.
import { own, release, disposedError } from './lifetime.js';

export class Conv3x3 {
  #m;
  #native;
  #token;
  #width = 0;
  #height = 0;

  constructor(module, { kernel, scale = 1, offset = 0 }) {
    this.#m = module;
    const native = (this.#native = new module.Conv3x3Filter());
    this.#token = own(this, () => native.delete());
    try {
      this.setKernel(kernel, scale, offset);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  setKernel(kernel, scale = 1, offset = 0) {
    this.#live();
    if (!kernel || typeof kernel.length !== 'number') throw new TypeError('kernel must be an array of 9 numbers');
    this.#native.setKernel(Array.from(kernel), scale, offset);
  }

  // input: ImageData | {data, width, height}; output (optional): same shape, receives the result.
  // Without an output, returns a view of the heap that is valid until the next call.
  apply(input, output, { simd = true } = {}) {
    this.#live();
    const { data, width, height } = input ?? {};
    if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array))
      throw new TypeError('input.data must be a Uint8ClampedArray or Uint8Array of RGBA pixels');
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
      throw new RangeError(`image size must be positive integers, got ${width}x${height}`);
    if (data.length !== width * height * 4)
      throw new RangeError(`data has ${data.length} bytes, ${width}x${height} RGBA needs ${width * height * 4}`);
    if (width !== this.#width || height !== this.#height) {
      this.#native.resize(width, height);
      this.#width = width;
      this.#height = height;
    }
    // Views are taken after any call that may grow memory (growth detaches old views).
    const n = width * height * 4;
    this.#m.HEAPU8.set(data, this.#native.inputPtr());
    this.#native.run(simd);
    const out = this.#m.HEAPU8.subarray(this.#native.outputPtr(), this.#native.outputPtr() + n);
    if (!output) return new Uint8ClampedArray(out.buffer, out.byteOffset, n);
    if (output.data?.length !== n) throw new RangeError('output must have the same size as the input');
    output.data.set(out);
    return output.data;
  }

  dispose() {
    release(this.#token);
    this.#native = null;
  }

  #live() {
    if (!this.#native) throw disposedError('Conv3x3');
  }
}
