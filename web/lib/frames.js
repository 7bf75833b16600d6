// The heap frames of a native object (ImageFilter, ImagePipeline, DigitPreprocessor): buffers on
// the wasm heap that JS writes at inputPtr() and reads at outputPtr(). One helper sizes them (only
// when the size changes; a size the heap can never hold is refused before allocating; an
// out-of-memory error names the size), writes the input and reads the result. The C++ side is
// resize_together() in src/core/buffer.h: a failed resize leaves the old frames valid.
//
// Views of the heap go stale when memory grows (growth detaches them): every view is taken after
// the last call that may allocate.
import { formatBytes } from './values.js';

// The core's out-of-memory error (std::bad_alloc) with the size that did not fit; any other
// error unchanged.
export function explainOutOfMemory(m, e, what) {
  if (!(e instanceof RangeError) || e.message !== 'out of memory') return e;
  return new RangeError(`out of memory: ${what}; the wasm heap is ${formatBytes(m.HEAPU8.length)} now, at most ${formatBytes(m.heapLimit())}`);
}

export class HeapFrames {
  #m;
  #native;
  #dims = null;

  constructor(m, native) {
    this.#m = m;
    this.#native = native;
  }

  // The size last given to resize(), or null.
  get dims() {
    return this.#dims;
  }

  // native.resize(...dims) when dims differ from the last ones; `bytes` is what the frames take
  // in all, `what` names them in an error ("a 640x480 RGBA frame (input and output) needs 2 MB").
  // A failure leaves the frames (and dims) as they were.
  resize(dims, bytes, what) {
    if (this.#dims && dims.every((d, i) => d === this.#dims[i])) return;
    const limit = this.#m.heapLimit();
    if (bytes > limit) throw new RangeError(`out of memory: ${what}, more than the ${formatBytes(limit)} the wasm heap can ever hold`);
    try {
      this.#native.resize(...dims);
    } catch (e) {
      throw explainOutOfMemory(this.#m, e, what);
    }
    this.#dims = dims;
  }

  // After the native object released its frames.
  forget() {
    this.#dims = null;
  }

  write(data) {
    this.#m.HEAPU8.set(data, this.#native.inputPtr());
  }

  // Views of the frames: valid until the next call that may allocate wasm memory.
  inputView(Type, length) {
    return new Type(this.#m.HEAPU8.buffer, this.#native.inputPtr(), length);
  }
  outputView(Type, length) {
    return new Type(this.#m.HEAPU8.buffer, this.#native.outputPtr(), length);
  }
}
