// live()'s filter engine: one chain of filter stages run by one of the engines
//   'simd'  the WebAssembly SIMD binary      'plain' the WebAssembly binary without SIMD
//   'js'    plain JavaScript (naive.js), so the speed difference is visible
//   '<variant>-<feature>...' any other load() variant, e.g. 'simd-mt' = load({simd: true, threads: true}).
// A chain is plain data (it crosses postMessage to the worker):
//   { stages: [{preset, params?} | {kernel: {width, height, weights, scale, offset}}],
//     border: 'constant'|'replicate'|'reflect101'|'wrap', borderValue, mode: 'rgb'|'gray' }
// Buffers are allocated on resize or chain change only, never per frame.
import { load } from './core.js';
import { convolveNaive } from './naive.js';
import { grayInPlace } from './pixels.js';
import { engineOptions } from './live-engines.js';

export { engineOptions };

export function presetsOf(cl) {
  return cl?.presets ?? [];
}

export class Engine {
  #modules = new Map();   // engine name -> loaded Convolens
  #backend = 'simd';
  #cl = null;             // module used by the current backend (also resolves presets for 'js')
  #chain = null;
  #stages = [];           // wasm filters of the current chain (wasm backends)
  #pipeline = null;
  #kernels = [];          // resolved kernel of every stage (for 'js' and the inspector)
  #tmp = [null, null];    // ping-pong buffers for chains in plain JS
  #jsSpecs = [];          // naive.js specs of the chain's kernels (plain JS)
  #resolveError = null;

  get backend() { return this.#backend; }
  get backendName() {
    if (this.#backend === 'js') return 'plain JavaScript';
    return this.#cl?.threads > 1 ? `${this.#cl.backend} (${this.#cl.threads} threads)` : this.#cl?.backend;
  }
  get presets() { return presetsOf(this.#cl); }
  get kernels() { return this.#kernels; }
  get chain() { return this.#chain; }
  get unsupported() { return this.#resolveError; }
  // Which core variant runs each stage (e.g. 'conv3x3_i16__wasmsimd'), or the JS function.
  get variants() { return this.#backend === 'js' ? this.#jsSpecs.map(() => 'convolveNaive') : this.#stages.map((f) => f.variant); }
  memory() { return this.#cl?.memory(); }

  async #module(name) {
    if (!this.#modules.has(name)) this.#modules.set(name, await load({ ...this.#loadOptions, ...engineOptions(name) }));
    return this.#modules.get(name);
  }

  #loadOptions;
  // loadOptions: what load() gets besides the engine's own flags (wasmPaths, ...).
  constructor(loadOptions = {}) {
    this.#loadOptions = loadOptions;
  }

  async setBackend(name) {
    const options = engineOptions(name);
    // Plain JS still needs a module to look up preset kernels: the one already loaded, else the
    // plain one, which every engine runs.
    const cl = options ? await this.#module(name) : (this.#cl ?? await this.#module('plain'));
    this.#backend = name;
    this.#cl = cl;
    if (this.#chain) this.setChain(this.#chain);
    // A threaded module no engine uses any more is ended: its idle pool Workers wait blocked
    // (Atomics.wait), hold their memory and answer nothing (performance.measureUserAgentSpecificMemory
    // then waits for its 60 s timeout). Switching back starts a new pool.
    for (const [n, m] of this.#modules) {
      if (m !== cl && m.threads > 1) {
        m.dispose();
        this.#modules.delete(n);
      }
    }
  }

  setChain(chain) {
    if (!this.#cl) throw new Error('setBackend() first');
    const previous = this.#chain;
    this.#disposeStages();
    this.#chain = normaliseChain(chain);
    try {
      this.#build();
    } catch (e) {
      // Keep running the previous chain; the caller shows the message.
      this.#disposeStages();
      if (previous && previous !== chain) {
        this.#chain = previous;
        try { this.#build(); } catch { this.#disposeStages(); }
      }
      throw e;
    }
  }

  #build() {
    const { stages, border, borderValue, mode } = this.#chain;
    this.#resolveError = null;
    this.#kernels = stages.map((s) => this.#kernelOf(s));
    if (this.#backend === 'js') {
      this.#jsSpecs = this.#kernels.filter(Boolean).map((k) => ({ ...k, border, borderValue }));
      const missing = stages.findIndex((s, i) => !this.#kernels[i]);
      const label = this.presets.find((p) => p.name === stages[missing]?.preset)?.label;
      if (missing >= 0) this.#resolveError = `${label ?? stages[missing].preset} is not a single kernel (it combines two), so plain JavaScript skips it.`;
      return;
    }
    const cl = this.#cl;
    for (const s of stages) {
      const k = s.kernel;
      const f = s.preset
        ? cl.createFilter(s.preset, s.params)
        : cl.createFilter({ kernel: k.weights, width: k.width, height: k.height, scale: k.scale, offset: k.offset, border, borderValue, mode });
      this.#stages.push(f);
      if (s.preset) f.setOptions({ border, borderValue, mode });
    }
    if (this.#stages.length > 1) this.#pipeline = cl.createPipeline(this.#stages);
    this.#kernels = this.#kernels.map((k, i) => k || singleKernel(this.#stages[i].kernel));
  }

  #kernelOf(stage) {
    if (stage.kernel) return stage.kernel;
    const p = this.presets.find((q) => q.name === stage.preset);
    if (!p) throw new RangeError(`unknown preset "${stage.preset}"`);
    if (p.op) return null;  // gradient magnitude: two kernels and a norm, not one weighted sum
    if (p.kernel && !stage.params) return p.kernel;
    // Parametrised presets: ask the library for the kernel these params give.
    const f = this.#cl.createFilter(stage.preset, stage.params);
    try { return singleKernel(f.kernel); } finally { f.dispose(); }
  }

  // input, output: ImageData of the same size. Returns output.
  apply(input, output) {
    if (this.#backend === 'js') return this.#applyJs(input, output);
    if (this.#pipeline) {
      this.#pipeline.apply(input, output);
    } else if (this.#stages.length === 1) {
      this.#stages[0].apply(input, output);
    } else {
      output.data.set(input.data);  // an empty chain
    }
    return output;
  }

  // The output of each stage 0..last on its own, each reading the previous one's (the pixel
  // inspector's step-through; the frame path runs the pipeline). Fresh buffers: not per frame.
  stageOutputs(input, last) {
    const { width, height } = input;
    const outs = [];
    let src = input;
    if (this.#backend === 'js' && this.#chain.mode === 'gray') {
      src = { data: new Uint8ClampedArray(input.data), width, height };
      grayInPlace(src.data);
    }
    const { border, borderValue } = this.#chain;
    for (let i = 0; i <= last && i < this.#chain.stages.length; i++) {
      const dst = { data: new Uint8ClampedArray(input.data.length), width, height };
      if (this.#backend !== 'js') this.#stages[i].apply(src, dst);
      else if (this.#kernels[i]) convolveNaive(src.data, dst.data, width, height, { ...this.#kernels[i], border, borderValue });
      else dst.data.set(src.data);  // plain JS skips gradient stages
      outs.push(dst);
      src = dst;
    }
    return outs;
  }

  #applyJs(input, output) {
    const { width: w, height: h } = input;
    let src = input;
    if (this.#chain.mode === 'gray') {
      src = this.#scratch(1, w, h);
      src.data.set(input.data);
      grayInPlace(src.data);
    }
    const specs = this.#jsSpecs;
    if (!specs.length) output.data.set(src.data);
    for (let i = 0; i < specs.length; i++) {
      const dst = i === specs.length - 1 ? output : this.#scratch(i & 1 ? 1 : 0, w, h);
      convolveNaive(src.data, dst.data, w, h, specs[i]);
      src = dst;
    }
    return output;
  }

  #scratch(i, w, h) {
    const t = this.#tmp[i];
    if (t && t.width === w && t.height === h) return t;
    return (this.#tmp[i] = { data: new Uint8ClampedArray(w * h * 4), width: w, height: h });
  }

  #disposeStages() {
    this.#pipeline?.dispose?.();
    this.#pipeline = null;
    for (const f of this.#stages) f.dispose();
    this.#stages = [];
  }

  dispose() {
    this.#disposeStages();
    this.#tmp = [null, null];
  }
}

function singleKernel(k) {
  return k && !k.op ? k : null;
}

function normaliseChain(chain) {
  return {
    stages: (chain?.stages ?? []).map((s) => (s.kernel ? { kernel: { scale: 1, offset: 0, ...s.kernel } } : { preset: s.preset, params: s.params })),
    border: chain?.border ?? 'replicate',
    borderValue: chain?.borderValue ?? 0,
    mode: chain?.mode ?? 'rgb',
  };
}
