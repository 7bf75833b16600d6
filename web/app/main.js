// The convolens page: starts the live view (cl.live from the library: worker, read-back, engine)
// and wires the UI around it: frame sources (live-source.js), what each frame updates
// (live-frames.js), the filter UI, the engine switch (engine-ui.js), the pixel probe
// (probe-ui.js) and the explanatory sections (slide, share, digits).
//
// Test hook (documented in docs/page.md): window.__convolens
//   { ready, frames, fps, ms, backend, backendName, mode, source, width, height, error, notice,
//     chain, snapshot(rect?) -> {width, height, input, output}, probe(x, y), setProbe(x, y),
//     inspector, memory(), msMedian(), resetTimes(), timedFrames(), digits, live, workerRestarts }
import { live } from '../lib/live.js';
import { threadSupport } from '../lib/load.js';
import { FiltersUI } from './filters-ui.js';
import { FrameGraph } from './graph.js';
import { Inspector } from './inspector.js';
import { initSlide } from './slide.js';
import { renderShare } from './share.js';
import { initDigits } from './digits-ui.js';
import { wireRecipes } from './recipes.js';
import { LiveSource } from './live-source.js';
import { LiveFrames } from './live-frames.js';
import { ProbeUI } from './probe-ui.js';
import { EngineUI, showVariants } from './engine-ui.js';
import { showNotice } from './notice.js';
import { reportWorkerRestarts } from './worker-ui.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const hook = (window.__convolens = {
  ready: false, frames: 0, fps: 0, ms: 0, backend: null, backendName: null, mode: null, source: null,
  width: 0, height: 0, error: null, notice: null, chain: null,
});

let lv = null;  // the live view, once started
const inspector = new Inspector();
const probe = new ProbeUI({ hook, inspector, live: () => lv, stageNames: () => filters.stageNames() });
const filters = new FiltersUI(async (chain) => {
  try {
    const info = await lv.setChain(chain);  // re-filters the last frame when paused
    filters.showError(info.unsupported);
    showChain(info, chain);
    probe.refresh();
  } catch (e) {
    filters.showError(e.message);
  }
});
const frames = new LiveFrames({ hook, graph: new FrameGraph($('graph')), probe });
const source = new LiveSource({ hook, resolution: params.get('res'), live: () => lv });
const engine = new EngineUI({ hook, filters, live: () => lv });
wireRecipes(filters);

function showChain(info, chain) {
  filters.show(info);
  showVariants(info);
  hook.chain = chain;
  $('chain-label').textContent = filters.label();
}

$('snapshot').addEventListener('click', async () => {
  const blob = await lv.toBlob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `convolens-${filters.label().replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});

async function main() {
  // SIMD + threads is the default where it can run (a cross-origin-isolated page, > 1 core), as
  // in load(); elsewhere single-thread SIMD, and the threads button is disabled and says why.
  const threads = await threadSupport();
  engine.threadSupport(threads);
  const asked = params.get('backend');
  const backend = ['simd-mt', 'simd', 'plain', 'js'].includes(asked) && (asked !== 'simd-mt' || threads.ok)
    ? asked : threads.ok ? 'simd-mt' : 'simd';
  lv = await live(null, $('output'), filters.chain, { engine: backend, worker: params.get('worker') !== '0' });
  frames.attach(lv, (e) => {
    hook.error = `${e.name}: ${e.message}`;
    filters.showError(e.message);
  });
  reportWorkerRestarts(lv, hook, () => probe.wire());  // the new worker draws on a new canvas
  hook.mode = lv.mode;
  hook.live = lv;
  hook.snapshot = (rect) => lv.snapshot(rect);
  hook.msMedian = () => lv.stats.median();
  hook.resetTimes = () => lv.stats.reset();
  hook.timedFrames = () => lv.stats.count;
  hook.probe = (x, y) => lv.probe(x, y);
  hook.memory = () => lv.memory();  // live wasm bytes/objects of the engine's module
  hook.setProbe = (x, y) => {
    probe.at = { x, y };
    return probe.refresh().then(() => inspector.last);
  };
  probe.wire();
  engine.show(lv.info);
  showChain(lv.info, filters.chain);
  lv.addEventListener('frame', startDigits, { once: true });
  source.start(params.get('source') === 'scene' ? 'scene' : 'camera');
}

main().catch((e) => {
  startDigits();
  hook.error = `${e.name}: ${e.message}`;
  showNotice(hook, `convolens could not start: ${e.message}`);
});
initSlide();
renderShare(source.width, source.height);
// The digit reader (its own CNN module) loads after the first frame, so it does not compete
// with the live view's start; without a first frame (start failed) it loads anyway.
function startDigits() {
  initDigits({ getFrameCrop: (rect) => lv?.snapshot(rect), getFrameSize: () => ({ width: hook.width, height: hook.height }), hook }).catch((e) => {
    $('digit-status').textContent = `The digit reader is not available: ${e.message}`;
  });
}
