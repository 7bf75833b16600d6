// Frames through the frame pipe, one in flight (new ones are dropped while one is busy), and
// what each processed frame updates: the test hook, the speed readout, the graph, the probe.
import { FrameStats } from './frame-stats.js';
import { renderShare } from './share.js';

const $ = (id) => document.getElementById(id);
const READOUT_EVERY = 6;   // frames between redraws of the fps/ms readout and the graph
const PROBE_EVERY = 4;     // frames between refreshes of the inspector on a moving picture

export class LiveFrames {
  stats = new FrameStats();
  #busy = false;
  #hook;
  #pipe;
  #graph;
  #probe;
  #onError;

  // pipe: () => the frame pipe; onError(e): a frame failed.
  constructor({ hook, pipe, graph, probe, onError }) {
    this.#hook = hook;
    this.#pipe = pipe;
    this.#graph = graph;
    this.#probe = probe;
    this.#onError = onError;
  }

  send(el, w, h) {
    if (this.#busy || !w || !h) return;
    this.#busy = true;
    const pipe = this.#pipe();
    // A VideoFrame is a cheap handle that moves to the worker without copying pixels; engines
    // without VideoFrame send an ImageBitmap to the worker (or the element itself on the main thread).
    const hasVideoFrame = typeof VideoFrame === 'function';
    const frame = hasVideoFrame ? new VideoFrame(el, { timestamp: Math.round(performance.now() * 1000) })
      : pipe.transfer ? createImageBitmap(el) : el;
    Promise.resolve(frame)
      .then((f) => pipe.call('frame', { frame: f, width: w, height: h }, pipe.transfer ? [f] : []))
      .then((s) => this.#done(s), this.#onError)
      .finally(() => {
        this.#busy = false;
      });
  }

  // Filters the last frame again (paused view, new chain or engine).
  async rerun() {
    const s = await this.#pipe().call('rerun');
    if (s) {
      this.#graph.push(s.filterMs, this.#hook.backend);
      this.#graph.draw();
    }
  }

  #done(s) {
    const hook = this.#hook, stats = this.stats;
    stats.add(performance.now(), s.filterMs);
    hook.frames++;
    hook.fps = stats.fps;
    hook.ms = stats.ms;
    if (s.width !== hook.width || s.height !== hook.height) renderShare(s.width, s.height);
    hook.width = s.width;
    hook.height = s.height;
    this.#graph.push(s.filterMs, hook.backend);
    if (hook.frames % READOUT_EVERY === 0) {
      $('fps').textContent = stats.fps.toFixed(0);
      $('ms').textContent = stats.ms < 10 ? stats.ms.toFixed(2) : stats.ms.toFixed(1);
      this.#graph.draw();
    }
    if (this.#probe.at && hook.frames % PROBE_EVERY === 0) this.#probe.refresh();
    if (!hook.ready) {
      hook.ready = true;
      this.#probe.centreUnlessSet();
      this.#probe.refresh();
    }
  }
}
