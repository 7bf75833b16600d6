// The convolens page: wires the live view (sources -> frame pipe -> output), the filter UI,
// the speed readout, the pixel inspector and the explanatory sections.
//
// Test hook (documented in docs/page.md): window.__convolens
//   { ready, frames, fps, ms, backend, backendName, mode, source, width, height, error, notice,
//     chain, snapshot(rect?) -> {width, height, input, output}, probe(x, y), setProbe(x, y),
//     inspector, memory(), msMedian(), resetTimes(), timedFrames(), digits }
import { createFramePipe } from './framepipe.js';
import { FiltersUI, radioGroup } from './filters-ui.js';
import { FrameGraph } from './graph.js';
import { Inspector } from './inspector.js';
import { TestScene } from './scene.js';
import { initSlide } from './slide.js';
import { renderShare } from './share.js';
import { initDigits } from './digits-ui.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const hook = (window.__convolens = {
  ready: false, frames: 0, fps: 0, ms: 0, backend: null, backendName: null, mode: null, source: null,
  width: 0, height: 0, error: null, notice: null, chain: null,
});

const video = $('camera');
const sceneCanvas = $('scene');
const sceneCtx = sceneCanvas.getContext('2d');
const scene = new TestScene();
const graph = new FrameGraph($('graph'));
const inspector = new Inspector();

let pipe = null;
let source = null;       // 'camera' | 'scene' | 'image'
let stream = null;
let image = null;        // decoded upload (ImageBitmap)
let paused = false;
let busy = false;        // a frame is in flight: drop new ones instead of queueing
let generation = 0;      // bumps on source change, ends the old loop
if ([...$('resolution').options].some((o) => o.value === params.get('res'))) $('resolution').value = params.get('res');
let [resW, resH] = $('resolution').value.split('x').map(Number);
let probeAt = null;      // {x, y} in output pixels, or null
let lastFrameAt = 0;
let fpsEma = 0, msEma = 0;
const recent = new Float64Array(64);  // last filter times, for hook.msMedian()
let recentN = 0;

const filters = new FiltersUI(async (chain) => {
  try {
    const info = await pipe.call('chain', { chain });
    filters.showError(info.unsupported);
    filters.show(info);
    showVariants(info);
    hook.chain = chain;
    $('chain-label').textContent = filters.label();
    if (paused) await rerun();
    refreshProbe();
  } catch (e) {
    filters.showError(e.message);
  }
});

// Starting points worth a click: each is a whole chain.
const RECIPES = {
  edges: { stages: [{ preset: 'sobel-magnitude' }], border: 'replicate', borderValue: 0, mode: 'gray' },
  'blur-edges': { stages: [{ preset: 'gaussian', params: { sigma: 2 } }, { preset: 'sobel-magnitude' }], border: 'replicate', borderValue: 0, mode: 'rgb' },
  emboss: { stages: [{ preset: 'emboss' }], border: 'replicate', borderValue: 0, mode: 'gray' },
  motion: { stages: [{ kernel: { width: 7, height: 1, weights: [1, 1, 1, 1, 1, 1, 1], scale: 7, offset: 0 } }], border: 'reflect101', borderValue: 0, mode: 'rgb' },
  reset: { stages: [{ preset: 'sharpen' }], border: 'replicate', borderValue: 0, mode: 'rgb' },
};
for (const b of document.querySelectorAll('#recipes [data-recipe]'))
  b.addEventListener('click', () => filters.setChain(RECIPES[b.dataset.recipe]));

// ---- sources ---------------------------------------------------------------------------------
const sourceGroup = radioGroup($('source-group'), 'source', (v) => {
  if (v === 'image') $('upload').click();
  else useSource(v);
});

async function useSource(kind) {
  generation++;
  source = kind;
  hook.source = kind;
  sourceGroup.set(kind);
  video.hidden = kind !== 'camera';
  sceneCanvas.hidden = kind === 'camera';
  if (kind !== 'camera') stopCamera();
  if (kind === 'camera') {
    if (!(await startCamera())) return useSource('scene');
    notice(null);
    $('source-label').textContent = `${video.videoWidth} × ${video.videoHeight} · ${stream.getVideoTracks()[0]?.label || 'camera'}`;
    setAspect(video.videoWidth, video.videoHeight);
    const gen = generation;
    video.requestVideoFrameCallback(function tick() {
      if (gen !== generation) return;
      if (!paused) sendFrame(video, video.videoWidth, video.videoHeight);
      video.requestVideoFrameCallback(tick);
    });
  } else {
    sceneCanvas.width = resW;
    sceneCanvas.height = resH;
    setAspect(resW, resH);
    $('source-label').textContent = kind === 'scene' ? `${resW} × ${resH} · test scene` : `${resW} × ${resH} · your image`;
    if (kind === 'image') drawImageCover(image);
    const gen = generation;
    const tick = (t) => {
      if (gen !== generation) return;
      if (!paused) {
        if (kind === 'scene') scene.draw(sceneCtx, resW, resH, t);
        sendFrame(sceneCanvas, resW, resH);
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }
}

async function startCamera() {
  if (!navigator.mediaDevices?.getUserMedia) {
    notice('The camera needs a secure page (https or localhost). Showing the built-in test scene instead — you can also drop an image on it.');
    return false;
  }
  try {
    stopCamera();
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: resW }, height: { ideal: resH } }, audio: false });
    video.srcObject = stream;
    await video.play();
    if (!video.videoWidth) await new Promise((ok) => video.addEventListener('loadedmetadata', ok, { once: true }));
    return true;
  } catch (e) {
    const why = e.name === 'NotAllowedError' ? 'Camera permission was denied.'
      : e.name === 'NotFoundError' ? 'No camera was found.'
      : `The camera could not start (${e.name}: ${e.message}).`;
    notice(`${why} Showing the built-in test scene instead — every filter works on it, and you can upload or drop an image.`, true);
    return false;
  }
}

function stopCamera() {
  for (const t of stream?.getTracks() ?? []) t.stop();
  stream = null;
  video.srcObject = null;
}

function notice(text, retry = false) {
  const el = $('notice');
  hook.notice = text;
  el.hidden = !text;
  el.replaceChildren();
  if (!text) return;
  el.append(text);
  if (retry) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = 'Try the camera again';
    b.addEventListener('click', () => useSource('camera'));
    el.append(' ', b);
  }
}

function setAspect(w, h) {
  for (const f of document.querySelectorAll('.frame')) f.style.aspectRatio = `${w} / ${h}`;
}

function drawImageCover(img) {
  if (!img) return;
  const s = Math.max(resW / img.width, resH / img.height);
  const w = img.width * s, h = img.height * s;
  sceneCtx.fillStyle = '#000';
  sceneCtx.fillRect(0, 0, resW, resH);
  sceneCtx.drawImage(img, (resW - w) / 2, (resH - h) / 2, w, h);
}

async function openImage(file) {
  if (!file || !file.type.startsWith('image/')) {
    notice(`“${file?.name ?? 'that'}” is not an image.`);
    return;
  }
  try {
    image?.close?.();
    image = await createImageBitmap(file);
    notice(null);
    useSource('image');
  } catch (e) {
    notice(`Could not read “${file.name}”: ${e.message}`);
  }
}

$('upload').addEventListener('change', (e) => openImage(e.target.files[0]));
const inputFrame = $('input-frame');
for (const el of [inputFrame, $('output-frame')]) {
  el.addEventListener('dragover', (e) => {
    e.preventDefault();
    inputFrame.classList.add('dragging');
  });
  el.addEventListener('dragleave', () => inputFrame.classList.remove('dragging'));
  el.addEventListener('drop', (e) => {
    e.preventDefault();
    inputFrame.classList.remove('dragging');
    openImage(e.dataTransfer.files[0]);
  });
}

$('resolution').addEventListener('change', (e) => {
  [resW, resH] = e.target.value.split('x').map(Number);
  useSource(source);
});

// ---- frames ----------------------------------------------------------------------------------
function sendFrame(el, w, h) {
  if (busy || !w || !h) return;
  busy = true;
  // A VideoFrame is a cheap handle that moves to the worker without copying pixels; engines
  // without VideoFrame send an ImageBitmap to the worker (or the element itself on the main thread).
  const hasVideoFrame = typeof VideoFrame === 'function';
  const frame = hasVideoFrame ? new VideoFrame(el, { timestamp: Math.round(performance.now() * 1000) })
    : pipe.transfer ? createImageBitmap(el) : el;
  Promise.resolve(frame)
    .then((f) => pipe.call('frame', { frame: f, width: w, height: h }, pipe.transfer ? [f] : []))
    .then(onFrame, onFrameError)
    .finally(() => {
      busy = false;
    });
}

function onFrame(stats) {
  const now = performance.now();
  if (lastFrameAt) {
    const fps = 1000 / Math.max(1, now - lastFrameAt);
    fpsEma = fpsEma ? fpsEma * 0.9 + fps * 0.1 : fps;
  }
  lastFrameAt = now;
  msEma = msEma ? msEma * 0.9 + stats.filterMs * 0.1 : stats.filterMs;
  hook.frames++;
  hook.fps = fpsEma;
  hook.ms = msEma;
  if (stats.width !== hook.width || stats.height !== hook.height) renderShare(stats.width, stats.height);
  hook.width = stats.width;
  hook.height = stats.height;
  graph.push(stats.filterMs, hook.backend);
  recent[recentN++ % recent.length] = stats.filterMs;
  if (hook.frames % 6 === 0) {
    $('fps').textContent = fpsEma.toFixed(0);
    $('ms').textContent = msEma < 10 ? msEma.toFixed(2) : msEma.toFixed(1);
    graph.draw();
  }
  if (probeAt && hook.frames % 4 === 0) refreshProbe();
  if (!hook.ready) {
    hook.ready = true;
    // Explain some pixel from the start: the centre, until the reader points elsewhere.
    probeAt ??= { x: stats.width >> 1, y: stats.height >> 1 };
    refreshProbe();
  }
}

function onFrameError(e) {
  hook.error = `${e.name}: ${e.message}`;
  filters.showError(e.message);
}

async function rerun() {
  const stats = await pipe.call('rerun');
  if (stats) {
    graph.push(stats.filterMs, hook.backend);
    graph.draw();
  }
}

$('pause').addEventListener('click', (e) => {
  paused = !paused;
  e.currentTarget.setAttribute('aria-pressed', String(paused));
  e.currentTarget.textContent = paused ? 'Resume' : 'Pause';
  if (source === 'camera') paused ? video.pause() : video.play();
});

$('snapshot').addEventListener('click', async () => {
  const blob = await pipe.call('blob');
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `convolens-${filters.label().replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});

// ---- engine ----------------------------------------------------------------------------------
const backendGroup = radioGroup($('backend-group'), 'backend', (name) => setBackend(name));

async function setBackend(name) {
  try {
    const info = await pipe.call('backend', { name });
    applyInfo(info);
    if (paused) await rerun();
  } catch (e) {
    filters.showError(e.message);
  }
}

function applyInfo(info) {
  hook.backend = info.backend;
  hook.backendName = info.backendName;
  backendGroup.set(info.backend);
  filters.showError(info.unsupported);
  filters.show(info);
  $('footer-engine').textContent = `engine: ${info.backendName}, ${pipe.mode === 'worker' ? 'in a Web Worker' : 'on the main thread'}`;
  $('engine-note').textContent = `Running ${info.backendName} ${pipe.mode === 'worker' ? 'in a Web Worker with an OffscreenCanvas' : 'on the main thread'}. The time is the filter alone; the graph keeps the last few seconds.`;
  showVariants(info);
}

// The core variant behind each stage: the registry picks it by kernel shape and instruction set.
function showVariants(info) {
  const v = info.variants ?? [];
  $('variant-note').textContent = v.length ? `Kernel code: ${v.join(' → ')}` : '';
}

// ---- inspector -------------------------------------------------------------------------------
const output = () => $('output');

function pixelAt(e) {
  const r = output().getBoundingClientRect();
  const w = hook.width, h = hook.height;
  // object-fit: contain - find the drawn image inside the element box
  const s = Math.min(r.width / w, r.height / h);
  const ox = (r.width - w * s) / 2, oy = (r.height - h * s) / 2;
  const x = Math.floor((e.clientX - r.left - ox) / s), y = Math.floor((e.clientY - r.top - oy) / s);
  return x >= 0 && y >= 0 && x < w && y < h ? { x, y } : null;
}

async function refreshProbe() {
  if (!probeAt || !pipe) return;
  const probe = await pipe.call('probe', probeAt);
  inspector.render(probe);
  hook.inspector = inspector.last;
  markProbe(probe);
}

function markProbe(probe) {
  const mark = $('probe-mark');
  if (!probe?.kernel) return void (mark.hidden = true);
  const r = output().getBoundingClientRect();
  const s = Math.min(r.width / probe.width, r.height / probe.height);
  const ox = (r.width - probe.width * s) / 2, oy = (r.height - probe.height * s) / 2;
  // The kernel's footprint, at least 14 px so it stays visible on small previews.
  const cx = ox + (probe.x + 0.5) * s, cy = oy + (probe.y + 0.5) * s;
  const w = Math.max(14, probe.kernel.width * s + 4), h = Math.max(14, probe.kernel.height * s + 4);
  mark.hidden = false;
  Object.assign(mark.style, { left: `${cx - w / 2}px`, top: `${cy - h / 2}px`, width: `${w}px`, height: `${h}px` });
}

function wireInspector() {
  const cv = output();
  cv.addEventListener('pointermove', (e) => {
    const p = pixelAt(e);
    if (p) {
      probeAt = p;
      refreshProbe();
    }
  });
  cv.addEventListener('pointerdown', (e) => {
    const p = pixelAt(e);
    if (p) {
      probeAt = p;
      refreshProbe();
    }
  });
  cv.addEventListener('keydown', (e) => {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (!d) return;
    e.preventDefault();
    const step = e.shiftKey ? 10 : 1;
    probeAt ??= { x: hook.width >> 1, y: hook.height >> 1 };
    probeAt = { x: Math.min(hook.width - 1, Math.max(0, probeAt.x + d[0] * step)), y: Math.min(hook.height - 1, Math.max(0, probeAt.y + d[1] * step)) };
    refreshProbe();
  });
  cv.addEventListener('focus', () => {
    probeAt ??= { x: hook.width >> 1, y: hook.height >> 1 };
    refreshProbe();
  });
}
radioGroup($('channel-group'), 'channel', (c) => {
  inspector.channel = Number(c);
  refreshProbe();
});

// ---- start -----------------------------------------------------------------------------------
async function main() {
  const backend = ['simd', 'plain', 'js'].includes(params.get('backend')) ? params.get('backend') : 'simd';
  pipe = await createFramePipe($('output'), { backend, mainThread: params.get('worker') === '0' });
  hook.mode = pipe.mode;
  hook.snapshot = (rect) => pipe.call('snapshot', { rect });
  // Median filter time over the last (up to) 64 frames since the last reset.
  hook.msMedian = () => Array.from(recent.subarray(0, Math.min(recentN, recent.length))).sort((a, b) => a - b)[Math.min(recentN, recent.length) >> 1];
  hook.resetTimes = () => { recentN = 0; };
  hook.timedFrames = () => recentN;
  hook.probe = (x, y) => pipe.call('probe', { x, y });
  hook.memory = () => pipe.call('memory');  // live wasm bytes/objects of the engine's module
  hook.setProbe = (x, y) => { probeAt = { x, y }; return refreshProbe().then(() => inspector.last); };
  wireInspector();
  applyInfo(pipe.info);
  const info = await pipe.call('chain', { chain: filters.chain });
  filters.show(info);
  showVariants(info);
  hook.chain = filters.chain;
  $('chain-label').textContent = filters.label();
  useSource(params.get('source') === 'scene' ? 'scene' : 'camera');
}

main().catch((e) => {
  hook.error = `${e.name}: ${e.message}`;
  notice(`convolens could not start: ${e.message}`);
});
initSlide();
renderShare(resW, resH);
initDigits({ getFrameCrop: (rect) => pipe?.call('snapshot', { rect }), getFrameSize: () => ({ width: hook.width, height: hook.height }), hook }).catch((e) => {
  $('digit-status').textContent = `The digit reader is not available: ${e.message}`;
});
