// The convolens page: starts the frame pipe and wires its parts together: frame sources
// (live-source.js) -> frames through the pipe (live-frames.js) -> the output canvas, the filter
// UI, the engine switch (engine-ui.js), the pixel probe (probe-ui.js) and the explanatory
// sections (slide, share, digits).
//
// Test hook (documented in docs/page.md): window.__convolens
//   { ready, frames, fps, ms, backend, backendName, mode, source, width, height, error, notice,
//     chain, snapshot(rect?) -> {width, height, input, output}, probe(x, y), setProbe(x, y),
//     inspector, memory(), msMedian(), resetTimes(), timedFrames(), digits }
import { createFramePipe } from './framepipe.js';
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

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const hook = (window.__convolens = {
  ready: false, frames: 0, fps: 0, ms: 0, backend: null, backendName: null, mode: null, source: null,
  width: 0, height: 0, error: null, notice: null, chain: null,
});

let pipe = null;  // the frame pipe, once created
const inspector = new Inspector();
const probe = new ProbeUI({ hook, inspector, pipe: () => pipe });
const filters = new FiltersUI(async (chain) => {
  try {
    const info = await pipe.call('chain', { chain });
    filters.showError(info.unsupported);
    showChain(info, chain);
    if (source.paused) await frames.rerun();
    probe.refresh();
  } catch (e) {
    filters.showError(e.message);
  }
});
const frames = new LiveFrames({
  hook, pipe: () => pipe, graph: new FrameGraph($('graph')), probe,
  onError: (e) => {
    hook.error = `${e.name}: ${e.message}`;
    filters.showError(e.message);
  },
});
const source = new LiveSource({ hook, resolution: params.get('res'), onFrame: (el, w, h) => frames.send(el, w, h) });
const engine = new EngineUI({ hook, filters, pipe: () => pipe, afterChange: () => source.paused && frames.rerun() });
wireRecipes(filters);

function showChain(info, chain) {
  filters.show(info);
  showVariants(info);
  hook.chain = chain;
  $('chain-label').textContent = filters.label();
}

$('snapshot').addEventListener('click', async () => {
  const blob = await pipe.call('blob');
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `convolens-${filters.label().replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});

async function main() {
  const backend = ['simd', 'plain', 'js'].includes(params.get('backend')) ? params.get('backend') : 'simd';
  pipe = await createFramePipe($('output'), { backend, mainThread: params.get('worker') === '0' });
  hook.mode = pipe.mode;
  hook.snapshot = (rect) => pipe.call('snapshot', { rect });
  hook.msMedian = () => frames.stats.median();
  hook.resetTimes = () => frames.stats.reset();
  hook.timedFrames = () => frames.stats.count;
  hook.probe = (x, y) => pipe.call('probe', { x, y });
  hook.memory = () => pipe.call('memory');  // live wasm bytes/objects of the engine's module
  hook.setProbe = (x, y) => {
    probe.at = { x, y };
    return probe.refresh().then(() => inspector.last);
  };
  probe.wire();
  engine.show(pipe.info);
  showChain(await pipe.call('chain', { chain: filters.chain }), filters.chain);
  source.use(params.get('source') === 'scene' ? 'scene' : 'camera');
}

main().catch((e) => {
  hook.error = `${e.name}: ${e.message}`;
  showNotice(hook, `convolens could not start: ${e.message}`);
});
initSlide();
renderShare(source.width, source.height);
initDigits({ getFrameCrop: (rect) => pipe?.call('snapshot', { rect }), getFrameSize: () => ({ width: hook.width, height: hook.height }), hook }).catch((e) => {
  $('digit-status').textContent = `The digit reader is not available: ${e.message}`;
});
