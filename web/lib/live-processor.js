// live()'s frame processing, the same code in the worker and on the main thread (fallback):
// frame in -> input buffer -> Engine -> output buffer -> output canvas.
//
// Read-back strategy: a VideoFrame is copied straight into a preallocated RGBA buffer with
// VideoFrame.copyTo({format: 'RGBA'}) - no canvas read-back at all. Other sources (and engines
// without copyTo conversion) are drawn on a private canvas created with willReadFrequently,
// which keeps it on the CPU; the visible output canvas is never read.
import { Engine } from './live-engine.js';
import { borderIndex, luma as lumaOf } from './pixels.js';
import { holdLifeLock } from './worker-watch.js';

export class Processor {
  engine;
  frames = 0;
  #canvas;      // visible output (OffscreenCanvas in the worker, HTMLCanvasElement on the main thread)
  #ctx;
  #input = null;   // ImageData, reused
  #output = null;  // ImageData, reused
  #grab = null;    // private willReadFrequently canvas for non-VideoFrame sources
  #copyTo = true;  // VideoFrame.copyTo with RGBA conversion works here
  #reruns = 0;
  #stageCache = null;

  constructor(canvas, loadOptions) {
    this.engine = new Engine(loadOptions);
    this.#canvas = canvas;
    this.#ctx = canvas.getContext('2d', { alpha: false });
  }

  get width() { return this.#input?.width ?? 0; }
  get height() { return this.#input?.height ?? 0; }

  #resize(w, h) {
    if (this.#input?.width === w && this.#input?.height === h) return;
    this.#input = new ImageData(w, h);
    this.#output = new ImageData(w, h);
    this.#canvas.width = w;
    this.#canvas.height = h;
  }

  // source: VideoFrame (closed here) or any CanvasImageSource; w x h: the processing size.
  async process(source, w, h) {
    const t0 = performance.now();
    this.#resize(w, h);
    const isFrame = typeof VideoFrame !== 'undefined' && source instanceof VideoFrame;
    try {
      if (isFrame && this.#copyTo && source.displayWidth === w && source.displayHeight === h) {
        try {
          await source.copyTo(this.#input.data, { format: 'RGBA' });
        } catch {
          this.#copyTo = false;  // older engine: no conversion in copyTo
          this.#draw(source, w, h);
        }
      } else {
        this.#draw(source, w, h);
      }
    } finally {
      if (isFrame || (typeof ImageBitmap !== 'undefined' && source instanceof ImageBitmap)) source.close();
    }
    const t1 = performance.now();
    this.engine.apply(this.#input, this.#output);
    const t2 = performance.now();
    this.#ctx.putImageData(this.#output, 0, 0);
    this.frames++;
    return { filterMs: t2 - t1, totalMs: performance.now() - t0, width: w, height: h };
  }

  // Re-runs the chain on the last input (paused view, after a filter change).
  rerun() {
    if (!this.#input) return null;
    this.#reruns++;
    const t1 = performance.now();
    this.engine.apply(this.#input, this.#output);
    const ms = performance.now() - t1;
    this.#ctx.putImageData(this.#output, 0, 0);
    return { filterMs: ms, totalMs: ms, width: this.width, height: this.height };
  }

  #draw(source, w, h) {
    if (!this.#grab || this.#grab.canvas.width !== w || this.#grab.canvas.height !== h) {
      const c = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(w, h) : Object.assign(document.createElement('canvas'), { width: w, height: h });
      this.#grab = c.getContext('2d', { willReadFrequently: true });
    }
    this.#grab.drawImage(source, 0, 0, w, h);
    // getImageData allocates; this path only runs where copyTo is unavailable.
    this.#input.data.set(this.#grab.getImageData(0, 0, w, h).data);
  }

  // Copies of the last input and output frame (for tests, snapshots and the digit box).
  snapshot(rect) {
    if (!this.#input) return null;
    const { x = 0, y = 0, width = this.width, height = this.height } = rect ?? {};
    return { width, height, input: crop(this.#input, x, y, width, height), output: crop(this.#output, x, y, width, height) };
  }

  // What the inspector needs for output pixel (x, y) of stage `stage`: that stage's kernel (or
  // the two gradient kernels), its input neighbourhood with the border resolved, and its output
  // pixel. Later stages read the earlier ones' output, recomputed here one stage at a time
  // (never on the frame path; kept until the next frame or chain).
  probe(x, y, stage = 0) {
    if (!this.#input) return null;
    const { width: w, height: h } = this.#input;
    x = Math.min(w - 1, Math.max(0, Math.floor(x)));
    y = Math.min(h - 1, Math.max(0, Math.floor(y)));
    const e = this.engine, chain = e.chain;
    const n = chain?.stages.length ?? 0;
    const s = Math.min(Math.max(0, n - 1), Math.max(0, Math.floor(stage) || 0));
    const outs = n > 1 ? this.#stageOutputs(s) : [];
    const src = s > 0 ? outs[s - 1] : this.#input;
    const dst = s < n - 1 ? outs[s] : this.#output;
    const preset = e.presets.find((p) => p.name === chain?.stages[s]?.preset);
    const gradient = preset?.op
      ? { op: preset.op, norm: preset.op.endsWith('-l1') ? 'L1' : 'L2', kernel: preset.kernel, kernelY: preset.kernelY }
      : null;
    const kernel = gradient ? null : e.kernels[s] ?? null;
    const shape = kernel ?? gradient?.kernel;
    const o = (y * w + x) * 4;
    const px = (img) => Array.from(img.data.subarray(o, o + 4));
    const result = {
      x, y, width: w, height: h, stages: n, stage: s,
      kernel, gradient, border: chain?.border, borderValue: chain?.borderValue ?? 0, mode: chain?.mode,
      taps: shape ? neighbourhood(src.data, w, h, x, y, shape.width, shape.height, chain.border, chain.borderValue) : [],
      input: px(this.#input), output: px(this.#output), stageInput: px(src), stageOutput: px(dst),
    };
    // Gray mode convolves the luma: show the taps as the filter sees them.
    if (chain?.mode === 'gray') for (const t of result.taps) t.rgb = t.rgb.map(() => luma(t.rgb));
    return result;
  }

  // Outputs of stages 0..last for the current frame and chain (cached: one recompute per frame).
  #stageOutputs(last) {
    const key = [this.frames, this.#reruns, this.engine.chain, this.engine.backend];
    const c = this.#stageCache;
    if (!c || c.key.some((v, i) => v !== key[i]) || c.outs.length <= last) {
      this.#stageCache = { key, outs: this.engine.stageOutputs(this.#input, last) };
    }
    return this.#stageCache.outs;
  }

  async snapshotBlob() {
    if (this.#canvas.convertToBlob) return this.#canvas.convertToBlob({ type: 'image/png' });
    return new Promise((ok) => this.#canvas.toBlob(ok, 'image/png'));
  }
}

function crop(img, x, y, w, h) {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let r = 0; r < h; r++) {
    const s = ((y + r) * img.width + x) * 4;
    out.set(img.data.subarray(s, s + w * 4), r * w * 4);
  }
  return out;
}

function luma([r, g, b]) {
  return lumaOf(r, g, b);
}

// The neighbourhood a kernel of kw x kh sees around (x, y), border resolved.
// Returns [{x, y, dx, dy, outside, rgb: [r, g, b] }] in kernel order; x = y = -1 for
// constant-border taps; outside: past the image edge (the border mode gave the value).
export function neighbourhood(data, width, height, x, y, kw, kh, border, borderValue = 0) {
  const ax = (kw - 1) >> 1, ay = (kh - 1) >> 1;
  const taps = [];
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const sx = borderIndex(x + kx - ax, width, border);
      const sy = borderIndex(y + ky - ay, height, border);
      const ix = x + kx - ax, iy = y + ky - ay;
      const outside = ix < 0 || iy < 0 || ix >= width || iy >= height;
      if (sx < 0 || sy < 0) {
        taps.push({ x: -1, y: -1, dx: kx - ax, dy: ky - ay, outside, rgb: [borderValue, borderValue, borderValue] });
      } else {
        const o = (sy * width + sx) * 4;
        taps.push({ x: sx, y: sy, dx: kx - ax, dy: ky - ay, outside, rgb: [data[o], data[o + 1], data[o + 2]] });
      }
    }
  }
  return taps;
}

// The message handlers of the worker (live-worker.js); live() calls the same table directly
// on the main thread when there is no worker.
export function handlers() {
  let processor = null;
  const info = () => {
    const e = processor.engine;
    return { engine: e.backend, engineName: e.backendName, presets: e.presets, kernels: e.kernels, unsupported: e.unsupported, variants: e.variants, memory: e.memory() };
  };
  return {
    async init({ canvas, backend, loadOptions, lifeLock }) {
      await holdLifeLock(lifeLock);  // lets the page notice if this worker dies (worker-watch.js)
      processor = new Processor(canvas, loadOptions);
      await processor.engine.setBackend(backend);
      return info();
    },
    async backend({ name }) {
      await processor.engine.setBackend(name);
      return info();
    },
    chain({ chain }) {
      processor.engine.setChain(chain);
      return info();
    },
    frame: ({ frame, width, height }) => processor.process(frame, width, height),
    rerun: () => processor.rerun(),
    snapshot: ({ rect }) => processor.snapshot(rect),
    probe: ({ x, y, stage }) => processor.probe(x, y, stage),
    blob: () => processor.snapshotBlob(),
    memory: () => processor.engine.memory(),
    stop() {
      processor.engine.dispose();
    },
  };
}
