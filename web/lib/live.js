// Live video through a filter chain onto a canvas, in one call:
//   const lv = await live(videoOrStreamOrCanvas, canvas, ['gaussian', 'sobel-magnitude']);
//   lv.setChain([...]); lv.setEngine('plain'); lv.pause(); lv.resume(); lv.stop();
//   lv.stats.fps, lv.stats.ms; await lv.snapshot(); await lv.probe(x, y);
//   lv.addEventListener('error', (e) => show(e.error));
//   lv.addEventListener('restart', (e) => say(e.detail.reason));   // the worker died; a new one runs
//
// How frames move: the source's frames (requestVideoFrameCallback for video, requestAnimationFrame
// for canvases and images) become VideoFrames - cheap handles transferred to a module Worker that
// owns the output canvas (OffscreenCanvas) and copies each frame with VideoFrame.copyTo into an
// RGBA buffer allocated once, runs the engine, and draws the result. At most one frame is in
// flight: frames arriving meanwhile are dropped, never queued. Without Worker + OffscreenCanvas
// (or with {worker: false}) the same processing runs on the main thread; without VideoFrame an
// ImageBitmap travels instead.
import { client } from './live-protocol.js';
import { ENGINES, engineOptions } from './live-engines.js';
import { FrameStats } from './live-stats.js';
import { hasSimd } from './load.js';  // hasSimd: no wasm fetched
import { lifeLockName, watchWorker } from './worker-watch.js';

// The engines by name (setEngine also accepts any other load() variant, e.g. 'simd-mt').
export { ENGINES, engineOptions };

// A chain as live() takes it: ['sharpen', {preset, params}, {kernel}] or
// {stages, border, borderValue, mode}; returned as the plain data the engine takes.
export function toChain(chain) {
  if (Array.isArray(chain)) chain = { stages: chain };
  if (!chain || !Array.isArray(chain.stages)) throw new TypeError('chain must be an array of filters or {stages: [...]}');
  return { ...chain, stages: chain.stages.map((s) => (typeof s === 'string' ? { preset: s } : s)) };
}

// Width and height of a frame source now (0 until a video has its first frame).
function sizeOf(el) {
  if (el.videoWidth !== undefined) return [el.videoWidth, el.videoHeight];
  if (el.naturalWidth !== undefined) return [el.naturalWidth, el.naturalHeight];
  return [el.width ?? 0, el.height ?? 0];
}

async function videoFor(stream) {
  const video = Object.assign(document.createElement('video'), { muted: true, playsInline: true, srcObject: stream });
  await video.play();
  if (!video.videoWidth) await new Promise((ok) => video.addEventListener('loadedmetadata', ok, { once: true }));
  return video;
}

class Live extends EventTarget {
  stats = new FrameStats();
  paused = false;
  width = 0;              // processing size of the last frame
  height = 0;
  mode;                   // 'worker' | 'main thread'
  canvas;                 // the output canvas (replaced if a worker failed after taking it)
  info = null;            // the engine's report: {engine, engineName, presets, kernels, unsupported, variants}
  restarts = 0;           // processing workers that died and were replaced
  #call;
  #worker = null;
  #unwatch = () => {};
  #loadOptions = {};
  #chain = null;          // the chain last accepted (a new worker gets it)
  #reviving = null;
  #transfer;
  #source = null;
  #draw = null;
  #ownVideo = null;       // the <video> made for a MediaStream source
  #generation = 0;        // bumps on every source change and on stop, ending the old loop
  #busy = false;
  #stopped = false;

  constructor({ call, worker, canvas, mode, lock, loadOptions }) {
    super();
    this.#call = call;
    this.#worker = worker;
    this.canvas = canvas;
    this.mode = mode;
    this.#transfer = !!worker;
    this.#loadOptions = loadOptions;
    this.#watch(lock);
  }

  #watch(lock) {
    this.#unwatch = watchWorker(lock, (reason) => this.#revive(reason));
  }

  // The processing worker died: what waited on it fails, a new worker starts on a fresh canvas
  // (the old one was handed to the dead worker) with the same engine and chain, and frames go on.
  // Frames arriving meanwhile are dropped. A 'restart' event says what happened.
  #revive(reason) {
    if (this.#stopped || this.#reviving) return this.#reviving;
    const error = Object.assign(new Error(`convolens: the processing worker stopped: ${reason}`), { workerDied: true });
    this.#call.fail?.(error);
    this.#busy = true;
    this.#reviving = (async () => {
      this.#worker?.terminate();
      const fresh = this.canvas.cloneNode(false);
      this.canvas.replaceWith(fresh);
      this.canvas = fresh;
      try {
        const w = await startWorker(fresh, this.info?.engine ?? 'simd', this.#loadOptions);
        if (this.#stopped) return void w.worker.terminate();
        this.#call = w.call;
        this.#worker = w.worker;
        this.#watch(w.lock);
        if (this.#chain) this.#report(await this.#call('chain', { chain: this.#chain }));
        this.restarts++;
        this.#busy = false;
        this.dispatchEvent(Object.assign(new Event('restart'), { detail: { reason, restarts: this.restarts } }));
        if (this.paused) await this.rerun().catch(() => {});
      } catch (e) {
        this.#fail(e);  // no new worker: frames stay stopped (#busy), the error says why
      } finally {
        this.#reviving = null;
      }
    })();
    return this.#reviving;
  }

  // For tests and fault drills: ends the processing worker as the browser would.
  killWorker() {
    this.#worker?.terminate();
  }

  get engine() { return this.info?.engine; }
  get source() { return this.#ownVideo ?? this.#source; }

  // Any <video>, MediaStream, canvas, OffscreenCanvas, <img> or ImageBitmap. options.draw(time):
  // called on every animation frame before a canvas source is read (to animate it).
  async setSource(source, { draw = null } = {}) {
    const gen = ++this.#generation;
    this.#ownVideo?.pause();
    this.#ownVideo = null;
    this.#source = source;
    this.#draw = draw;
    if (typeof MediaStream !== 'undefined' && source instanceof MediaStream) {
      const video = await videoFor(source);
      if (gen !== this.#generation) return void video.pause();
      this.#ownVideo = video;
    }
    const el = this.source;
    if (!el || typeof el !== 'object') throw new TypeError('live: the source must be a video, MediaStream, canvas, image or ImageBitmap');
    const isVideo = el.videoWidth !== undefined;
    if (isVideo && typeof el.requestVideoFrameCallback === 'function') {
      const tick = () => {
        if (gen !== this.#generation) return;
        if (!this.paused) this.#send(el);
        el.requestVideoFrameCallback(tick);
      };
      el.requestVideoFrameCallback(tick);
    } else {
      const tick = (t) => {
        if (gen !== this.#generation) return;
        if (!this.paused) {
          this.#draw?.(t);
          this.#send(el);
        }
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }
  }

  #send(el) {
    const [w, h] = sizeOf(el);
    if (!w || !h) return;
    if (this.#busy) return void this.stats.dropped++;
    this.#busy = true;
    let frame;
    try {
      // A VideoFrame moves to the worker without copying pixels; engines without VideoFrame send
      // an ImageBitmap to the worker (or the element itself on the main thread).
      frame = typeof VideoFrame === 'function' ? new VideoFrame(el, { timestamp: Math.round(performance.now() * 1000) })
        : this.#transfer ? createImageBitmap(el) : el;
    } catch (e) {
      this.#busy = false;
      return void this.#fail(e);
    }
    Promise.resolve(frame)
      .then((f) => this.#call('frame', { frame: f, width: w, height: h }, this.#transfer ? [f] : []))
      .then((s) => this.#done(s), (e) => this.#fail(e))
      .finally(() => (this.#busy = false));
  }

  #done(s) {
    if (this.#stopped) return;
    this.stats.add(performance.now(), s.filterMs, s.totalMs);
    this.width = s.width;
    this.height = s.height;
    this.dispatchEvent(Object.assign(new Event('frame'), { detail: s }));
  }

  #fail(error) {
    if (this.#stopped || error?.workerDied) return;  // a dead worker is reported by 'restart'
    this.dispatchEvent(Object.assign(new Event('error'), { error }));
  }

  #report(info) {
    this.info = info;
    this.dispatchEvent(Object.assign(new Event('info'), { detail: info }));
    return info;
  }

  // Filters the last frame again (paused, or after a change); null before the first frame.
  async rerun() {
    const s = await this.#call('rerun');
    if (s) this.dispatchEvent(Object.assign(new Event('frame'), { detail: { ...s, rerun: true } }));
    return s;
  }

  // A new chain (see toChain). On error the previous chain keeps running and this rejects.
  async setChain(chain) {
    const normalised = toChain(chain);
    const info = this.#report(await this.#call('chain', { chain: normalised }));
    this.#chain = normalised;
    if (this.paused) await this.rerun();
    return info;
  }

  // 'simd' | 'plain' | 'js' | any load() variant ('simd-mt', ...).
  async setEngine(name) {
    engineOptions(name);  // an unknown name throws here, before any message
    const info = this.#report(await this.#call('backend', { name }));
    if (this.paused) await this.rerun();
    return info;
  }

  pause() { this.paused = true; }
  resume() { this.paused = false; }

  // Copies of the last input frame and its output ({width, height, input, output}; rect crops).
  snapshot(rect) { return this.#call('snapshot', { rect }); }
  // What the pixel inspector needs for output pixel (x, y) of one stage (default the first): its
  // kernel (or gradient kernels), border, mode, the stage's input taps under the kernel (border
  // resolved), the stage's input and output pixel, and the chain's final pixel.
  probe(x, y, { stage = 0 } = {}) { return this.#call('probe', { x, y, stage }); }
  // The output canvas as a PNG Blob.
  toBlob() { return this.#call('blob'); }
  // Live wasm bytes/buffers of the engine's module (leak checks).
  memory() { return this.#call('memory'); }

  async stop() {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#generation++;
    this.#ownVideo?.pause();
    this.#ownVideo = null;
    this.#unwatch();
    try { await this.#call('stop'); } catch { /* already gone */ }
    this.#worker?.terminate();
  }
}

// source: video / MediaStream / canvas / image / ImageBitmap; canvas: the output
// <canvas>; chain: see toChain. options: {engine ('simd' where supported, else 'plain'),
// worker: true, draw(time), wasmPaths}.
export async function live(source, canvas, chain = [], options = {}) {
  const { engine = hasSimd() ? 'simd' : 'plain', worker = true, draw, ...loadOptions } = options;
  if (!canvas || typeof canvas.getContext !== 'function') throw new TypeError('live: the output must be a <canvas>');
  engineOptions(engine);
  const normalised = toChain(chain);
  if (loadOptions.locateFile && worker) throw new TypeError('live: locateFile cannot cross into the worker; use wasmPaths or {worker: false}');
  if (loadOptions.wasmPaths) loadOptions.wasmPaths = new URL(loadOptions.wasmPaths, globalThis.location?.href).href;
  const lv = await start(canvas, engine, loadOptions, worker);
  try {
    lv.info = await lv.setChain(normalised);
    if (source) await lv.setSource(source, { draw });
  } catch (e) {
    await lv.stop();
    throw e;
  }
  return lv;
}

async function start(canvas, backend, loadOptions, useWorker) {
  const canWork = useWorker && typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined' &&
    typeof canvas.transferControlToOffscreen === 'function';
  if (canWork) {
    try {
      const { call, worker, info, lock } = await startWorker(canvas, backend, loadOptions);
      const lv = new Live({ call, worker, canvas, mode: 'worker', lock, loadOptions });
      lv.info = info;
      return lv;
    } catch (e) {
      if (e.remote) throw e;  // the engine failed, not the worker: the main thread would fail too
      // The transferred canvas can't be drawn on any more: replace it with a fresh one.
      const fresh = canvas.cloneNode(false);
      canvas.replaceWith(fresh);
      canvas = fresh;
    }
  }
  // Loaded only here: with a worker, the main thread never fetches the engine's code.
  const { handlers } = await import('./live-processor.js');
  const table = handlers();
  let queue = Promise.resolve();
  const call = (type, args = {}) => (queue = queue.catch(() => {}).then(() => table[type](args)));
  const lv = new Live({ call, worker: null, canvas, mode: 'main thread', loadOptions });
  lv.info = await call('init', { canvas, backend, loadOptions });
  return lv;
}

// A processing worker that owns `canvas` (transferred) and runs engine `backend`. It holds a
// life lock (worker-watch.js) so that its death is noticed.
async function startWorker(canvas, backend, loadOptions) {
  const worker = new Worker(new URL('./live-worker.js', import.meta.url), { type: 'module' });
  try {
    const call = client(worker);
    const offscreen = canvas.transferControlToOffscreen();
    const lock = lifeLockName();
    // A worker that cannot load (no module workers, CSP) only says so by an error event.
    const failed = new Promise((_, fail) => worker.addEventListener('error', (e) => fail(new Error(e.message || 'the worker did not start')), { once: true }));
    const info = await Promise.race([call('init', { canvas: offscreen, backend, loadOptions, lifeLock: lock }, [offscreen]), failed]);
    return { call, worker, info, lock };
  } catch (e) {
    worker.terminate();
    throw e;
  }
}
