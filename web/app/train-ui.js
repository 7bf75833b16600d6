// Section 6, "Train it yourself": trains a CNN on the real MNIST digits in a worker
// (web/lib/train-worker.js) and draws its progress: loss/accuracy curves, speed and time left,
// the first layer's kernels, the test digits it gets wrong and, at the end, the confusion matrix.
// "Use this model" hands the trained model to section 5; "Download" saves model.json + weights.
// Training runs on two workers where the page is cross-origin isolated (data-parallel, one per
// core), else on one.
// Test hook: window.__train {state, step, loss, kernelDraws, kernelSig, accuracy, seconds (of the
// run, from the click), phases: {workers, data, created, trained} (seconds), tests: [{seconds,
// accuracy, images}], predictions (first 500 test digits)}.
import { spawnTrainer } from '../lib/train-worker.js';
import { TRAIN_PRESETS } from '../lib/train.js';
import { drawKernelHeat } from './heatmap.js';

const $ = (id) => document.getElementById(id);
const hook = (window.__train = { state: 'idle', step: 0, loss: null, kernelDraws: 0, kernelSig: '', accuracy: null });
let worker = null, loaded = 0, artifacts = null, clicked = 0;
const seconds = () => (performance.now() - clicked) / 1000;
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const curve = { loss: [], acc: [], test: [] };

function setState(state, text) {
  hook.state = state;
  if (text !== undefined) $('train-status').textContent = text;
  const running = state === 'training' || state === 'paused';
  $('train-start').disabled = running || state === 'loading';
  $('train-pause').disabled = !running;
  $('train-stop').disabled = !running;
  $('train-pause').setAttribute('aria-pressed', String(state === 'paused'));
  $('train-pause').textContent = state === 'paused' ? 'Resume' : 'Pause';
  $('train-use').disabled = $('train-download').disabled = !artifacts || running;
  for (const id of ['train-preset', 'train-filters', 'train-kernel', 'train-lr', 'train-epochs', 'train-size', 'train-augment'])
    $(id).disabled = running || state === 'loading';
}

// The preset's layer list with the first conv layer's kernel count and size from the controls.
function spec() {
  const layers = TRAIN_PRESETS[$('train-preset').value].map((l) => ({ ...l }));
  const first = layers.find((l) => l.type === 'conv2d');
  first.filters = Math.max(1, Math.min(64, parseInt($('train-filters').value, 10) || 1));
  first.kernel = parseInt($('train-kernel').value, 10);
  return layers;
}

function syncControls() {
  const first = TRAIN_PRESETS[$('train-preset').value].find((l) => l.type === 'conv2d');
  $('train-filters').value = first.filters;
  $('train-kernel').value = String(first.kernel);
}

function drawCurves() {
  const cv = $('train-curves'), ctx = cv.getContext('2d');
  const W = cv.width, H = cv.height, pad = 28;
  ctx.clearRect(0, 0, W, H);
  ctx.strokeStyle = '#e2e0d8';
  ctx.fillStyle = '#5c6577';
  ctx.font = '11px system-ui, sans-serif';
  for (let i = 0; i <= 4; i++) {
    const y = pad / 2 + (H - pad) * i / 4;
    ctx.beginPath(); ctx.moveTo(pad, y); ctx.lineTo(W - 4, y); ctx.stroke();
    ctx.fillText(`${100 - 25 * i}%`, 0, y + 4);
  }
  const total = hook.totalSteps || 1;
  const maxLoss = Math.max(0.5, ...curve.loss.map((p) => p[1]));
  const line = (pts, colour, scale) => {
    if (!pts.length) return;
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    pts.forEach(([s, v], i) => {
      const x = pad + (W - pad - 4) * s / total, y = pad / 2 + (H - pad) * (1 - v / scale);
      if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    });
    ctx.stroke();
    if (pts.length === 1) ctx.fillRect(pad + (W - pad - 4) * pts[0][0] / total - 2, pad / 2 + (H - pad) * (1 - pts[0][1] / scale) - 2, 4, 4);
  };
  line(curve.loss, '#d9573b', maxLoss);
  line(curve.acc, '#2f64d6', 1);
  line(curve.test, '#2e8b57', 1);
  ctx.lineWidth = 1;
}

function drawKernels(k) {
  if (!k) return;
  const [kh, kw, cin, cout] = k.shape;
  const box = $('train-kernels');
  if (box.children.length !== cout) {
    box.replaceChildren(...Array.from({ length: cout }, (_, o) => {
      const c = document.createElement('canvas');
      c.width = c.height = 44;
      c.setAttribute('aria-label', `kernel ${o + 1}`);
      return c;
    }));
  }
  for (let o = 0; o < cout; o++) {
    const weights = [];
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
      let s = 0;
      for (let c = 0; c < cin; c++) s += k.data[((y * kw + x) * cin + c) * cout + o];
      weights.push(s);
    }
    drawKernelHeat(box.children[o], { width: kw, height: kh, weights });
  }
  hook.kernelDraws++;
  hook.kernelSig = Array.from(k.data.subarray(0, 4), (v) => v.toFixed(5)).join(',');
}

function drawWrong({ images, labels, predicted, count }, of) {
  $('train-wrong').replaceChildren(...labels.map((label, i) => {
    const f = document.createElement('figure');
    const c = document.createElement('canvas');
    c.width = c.height = 28;
    const img = new ImageData(28, 28);
    for (let p = 0; p < 784; p++) {
      const v = images[i * 784 + p];
      img.data[p * 4] = img.data[p * 4 + 1] = img.data[p * 4 + 2] = v;
      img.data[p * 4 + 3] = 255;
    }
    c.getContext('2d').putImageData(img, 0, 0);
    const cap = document.createElement('figcaption');
    cap.textContent = `${label}→${predicted[i]}`;
    f.append(c, cap);
    return f;
  }));
  $('train-wrong-cap').textContent = `Test digits it gets wrong: ${count.toLocaleString()} of ${of} (label → its guess)`;
}

function drawConfusion(m) {
  const t = $('train-confusion');
  const head = '<tr><th></th>' + m.map((_, p) => `<th>${p}</th>`).join('') + '</tr>';
  const max = Math.max(...m.flat().filter((_, i) => i % 11 !== 0), 1);
  t.innerHTML = head + m.map((row, r) => `<tr><th>${r}</th>` + row.map((v) => `<td>${v}</td>`).join('') + '</tr>').join('');
  // Colours through the CSSOM: the page's CSP refuses style="" attributes in markup.
  m.forEach((row, r) => row.forEach((v, p) => {
    t.rows[r + 1].cells[p + 1].style.background = p === r ? 'rgba(46,139,87,.18)' : `rgba(217,87,59,${(v / max * 0.6).toFixed(2)})`;
  }));
}

async function start() {
  clicked = performance.now();
  // step/totalSteps start from 0: a run stopped before its first progress must not show the last run's.
  Object.assign(hook, { step: 0, totalSteps: 0, accuracy: null, seconds: null, tests: [], predictions: null, phases: {} });
  artifacts = null;
  curve.loss = []; curve.acc = []; curve.test = [];
  drawCurves();
  setState('loading', 'Starting the trainer…');
  try {
    // ?trainWorkers=1 forces one worker (tools/train-speed.js compares).
    const asked = parseInt(new URLSearchParams(location.search).get('trainWorkers'), 10);
    const workers = asked >= 1 && asked <= 2 ? asked : Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1));
    worker ??= await spawnTrainer({ wasmPaths: new URL('wasm/', location.href).href, workers });
    hook.workers = worker.workers;
    hook.phases.workers = seconds();
    const n = parseInt($('train-size').value, 10);
    // The net (and the trainer module's first compile) while the digits download.
    const created = worker.create(spec());
    created.catch(() => {});  // awaited below; a download failure is the error to report
    if (n > loaded) {
      await worker.loadMnist({ train: n, test: 10000,
        onProgress: (p) => setState('loading', `Downloading the MNIST digits… ${p.loaded} of ${p.total} parts, ${mb(p.bytes)}`) });
      loaded = n;
    }
    hook.phases.data = seconds();
    const info = await created;
    hook.phases.created = seconds();
    drawKernels(info.kernel);
    const epochs = parseInt($('train-epochs').value, 10);
    const cores = worker.workers > 1 ? ` on ${worker.workers} workers` : '';
    setState('training', `Training ${info.parameters.toLocaleString()} parameters on ${n.toLocaleString()} digits${cores}…`);
    await worker.fit({
      epochs, batchSize: 64, learningRate: parseFloat($('train-lr').value), augment: $('train-augment').checked, seed: 1,
      testImages: 500,
      onProgress: (p) => {
        Object.assign(hook, { step: p.step, totalSteps: p.totalSteps, loss: p.loss });
        curve.loss.push([p.step, p.loss]);
        curve.acc.push([p.step, p.accuracy]);
        if (p.testAccuracy !== undefined) {
          curve.test.push([p.step, p.testAccuracy]);
          hook.tests.push({ seconds: seconds(), accuracy: p.testAccuracy, images: p.testImages });
        }
        drawCurves();
        drawKernels(p.kernel);
        $('train-speed').textContent = `epoch ${p.epoch}/${p.epochs} · step ${p.step}/${p.totalSteps} · ${Math.round(p.imagesPerSecond)} images/s${cores} · ${Math.ceil(p.secondsLeft)} s left`;
        if (hook.state === 'training') $('train-status').textContent = `Training… loss ${p.loss.toFixed(3)}, train accuracy ${(100 * p.accuracy).toFixed(1)}%`;
      },
    }).catch((e) => {
      if (e.name !== 'AbortError') throw e;
    });
    hook.phases.trained = seconds();
    setState('evaluating', 'Testing on the test digits…');
    const r = await worker.evaluate({ wrongMax: 24 });
    const count = r.count.toLocaleString();
    Object.assign(hook, { accuracy: r.accuracy, seconds: seconds(), predictions: Array.from(r.predictions.subarray(0, 500)) });
    hook.tests.push({ seconds: hook.seconds, accuracy: r.accuracy, images: r.count });
    drawWrong(r.wrong, count);
    drawConfusion(r.confusion);
    $('train-confusion-cap').textContent = `Confusion matrix on the ${count} test digits (rows: true digit)`;
    artifacts = await worker.save();
    setState('done', `Test accuracy ${(100 * r.accuracy).toFixed(2)}% on the ${count} test digits, ${hook.seconds.toFixed(1)} s after Start. Use this model in section 5, or download it.`);
  } catch (e) {
    setState('error', `Training failed: ${e.message}`);
  }
}

function download() {
  const save = (blob, name) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  save(new Blob([artifacts.json], { type: 'application/json' }), 'model.json');
  save(new Blob([artifacts.weightData], { type: 'application/octet-stream' }), 'weights.bin');
}

$('train-preset').addEventListener('change', syncControls);
$('train-start').addEventListener('click', start);
$('train-pause').addEventListener('click', () => {
  if (hook.state === 'paused') { worker.resume(); setState('training', 'Training…'); }
  else { worker.pause(); setState('paused', 'Paused.'); }
});
$('train-stop').addEventListener('click', () => { worker.stop(); $('train-status').textContent = 'Stopping…'; });
$('train-use').addEventListener('click', () => {
  dispatchEvent(new CustomEvent('convolens:use-model', { detail: artifacts }));
  hook.used = true;
  $('train-status').textContent = 'Section 5 now reads your drawings with this network.';
});
$('train-download').addEventListener('click', download);
// Leaving the page ends training cleanly.
addEventListener('pagehide', () => { worker?.terminate(); worker = null; });
syncControls();
drawCurves();
setState('idle');
