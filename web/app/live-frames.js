// What each frame the live view processed updates: the test hook, the speed readout, the
// graph, the probe. Frames themselves move inside the library (cl.live, web/lib/live.js).
import { renderShare } from './share.js';

const $ = (id) => document.getElementById(id);
const READOUT_EVERY = 6;   // frames between redraws of the fps/ms readout and the graph
const PROBE_EVERY = 4;     // frames between refreshes of the inspector on a moving picture

export class LiveFrames {
  #hook;
  #graph;
  #probe;

  constructor({ hook, graph, probe }) {
    this.#hook = hook;
    this.#graph = graph;
    this.#probe = probe;
  }

  // lv: the live view (cl.live); onError(e): a frame failed.
  attach(lv, onError) {
    lv.addEventListener('frame', (e) => (e.detail.rerun ? this.#rerun(e.detail) : this.#done(e.detail, lv.stats)));
    lv.addEventListener('error', (e) => onError(e.error));
  }

  #rerun(s) {
    this.#graph.push(s.filterMs, this.#hook.backend);
    this.#graph.draw();
  }

  #done(s, stats) {
    const hook = this.#hook;
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
      hook.firstFrameMs = performance.now();  // since navigation start (tools/page-load.js)
      this.#probe.centreUnlessSet();
      this.#probe.refresh();
    }
  }
}
