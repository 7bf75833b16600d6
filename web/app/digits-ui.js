// "Draw a digit": a drawing canvas classified live by the MNIST network, the 28x28 image it
// sees and the first layer's kernels; "Digit from the camera" (camera-digit.js) reads a box of
// the live view instead. Every new input also goes to the CNN sections that follow (channels,
// the whole network, translation).
import { weightColour } from './heatmap.js';
import { CameraDigit } from './camera-digit.js';
import { ChannelsView } from './channels-ui.js';
import { NetworkView } from './network-ui.js';
import { ShiftView } from './shift-ui.js';

const $ = (id) => document.getElementById(id);

export async function initDigits({ getFrameCrop, getFrameSize, hook }) {
  const status = $('digit-status');
  buildBars();
  const pad = new DrawPad($('draw'));
  // Imported here, not at the top: the library's model code is not on the live view's start path.
  const { loadCnn } = await import('../lib/convolens.js');
  const cl = await loadCnn();  // the CNN module only: the filters run in the live view's worker
  let reader = await cl.loadDigitClassifier();
  const views = [new ChannelsView(hook), new NetworkView(hook), new ShiftView(hook)];
  let lastInput = null;
  const explain = (input28) => {
    lastInput = input28;
    for (const v of views) v.update(reader.model, input28);
  };
  // Section 9 ("Train it yourself") hands over a model it trained: TF.js artifacts.
  addEventListener('convolens:use-model', async ({ detail }) => {
    const next = await cl.loadDigitClassifier(detail);
    reader.dispose();
    reader = next;
    hook.digits.model = 'trained';
    status.textContent = 'Now using the network you trained in section 9. Draw a digit.';
    replaceFirstLayerKernels(reader.model);
    if (lastInput) explain(lastInput);
  });
  status.textContent = 'Draw a digit, 0 to 9, large and centred.';
  hook.digits = { last: null };
  // A TF.js model of the visitor's (model.json and its weight files). Anything else is refused
  // with the library's message, and the network in use stays.
  $('model-upload').addEventListener('change', async (e) => {
    const files = [...e.target.files];
    e.target.value = '';
    if (!files.length) return;
    try {
      const next = await cl.loadDigitClassifier(files);
      reader.dispose();
      reader = next;
      hook.digits.model = 'uploaded';
      status.textContent = `Now using your model (${files.map((f) => f.name).join(', ')}). Draw a digit.`;
      drawFirstLayerKernels(reader.model);
    } catch (err) {
      status.textContent = `Could not use ${files.map((f) => `“${f.name}”`).join(', ')}: ${err.message}. The network in use stays.`;
    }
  });

  // verdict (camera only): {digit: null, why} when the box holds no digit worth claiming.
  const show = (result, verdict = null) => {
    const fromCamera = verdict !== null;
    hook.digits.last = result && { ...result, probabilities: result.probabilities && Array.from(result.probabilities), input28: undefined, fromCamera };
    hook.digits.reads = (hook.digits.reads ?? 0) + 1;
    if (!result || result.empty || verdict?.digit === null) {
      $('digit-guess').textContent = fromCamera ? 'no digit' : '–';
      $('digit-confidence').textContent = fromCamera && result && !result.empty ? '(too unsure to claim one)' : '';
      setBars(result?.probabilities ?? null);
      if (result?.input28) drawInput28(result.input28);
      return;
    }
    $('digit-guess').textContent = String(result.digit);
    $('digit-confidence').textContent = `${(result.confidence * 100).toFixed(0)} % sure${fromCamera ? ' · in the camera box' : ''}`;
    setBars(result.probabilities, result.digit);
    drawInput28(result.input28);
    explain(result.input28);
  };

  const camera = new CameraDigit({
    getFrameCrop, getFrameSize, hook, show,
    classify: (img) => reader.classify(img),
    onStart: () => {
      pad.clear();
      $('draw-hint').hidden = false;
      show(null);
    },
  });
  // Classify at most once per animation frame while drawing; drawing ends the camera reading.
  let queued = false;
  pad.onChange = () => {
    $('draw-hint').hidden = true;
    camera.stop();
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      show(reader.classify(pad.imageData()));
    });
  };
  $('draw-clear').addEventListener('click', () => {
    pad.clear();
    $('draw-hint').hidden = false;
    show({ empty: true });
  });
  replaceFirstLayerKernels(reader.model);
  hook.digits.ready = true;
}

// ---- drawing pad -------------------------------------------------------------------------------
class DrawPad {
  onChange = null;
  #ctx;
  #last = null;
  #id = null;

  constructor(canvas) {
    this.canvas = canvas;
    this.#ctx = canvas.getContext('2d', { willReadFrequently: true });  // read back on every stroke
    this.clear();
    canvas.addEventListener('pointerdown', (e) => {
      if (this.#id !== null) return;
      this.#id = e.pointerId;
      canvas.setPointerCapture(e.pointerId);
      this.#last = this.#point(e);
      this.#dot(this.#last, e.pressure);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (e.pointerId !== this.#id) return;
      for (const ev of e.getCoalescedEvents?.() ?? [e]) {
        const p = this.#point(ev);
        this.#line(this.#last, p, ev.pressure);
        this.#last = p;
      }
      this.onChange?.();
    });
    const end = (e) => {
      if (e.pointerId !== this.#id) return;
      this.#id = null;
      this.onChange?.();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  clear() {
    this.#ctx.fillStyle = '#000';
    this.#ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  imageData() {
    return this.#ctx.getImageData(0, 0, this.canvas.width, this.canvas.height);
  }

  #point(e) {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.canvas.width, ((e.clientY - r.top) / r.height) * this.canvas.height];
  }

  #width(pressure) {
    // Pens report pressure; mouse and touch report 0.5 (or 0): a steady, MNIST-like stroke.
    const w = this.canvas.width / 14;
    return pressure > 0 && pressure !== 0.5 ? w * (0.6 + 0.8 * pressure) : w;
  }

  #dot(p, pressure) {
    this.#ctx.fillStyle = '#fff';
    this.#ctx.beginPath();
    this.#ctx.arc(p[0], p[1], this.#width(pressure) / 2, 0, Math.PI * 2);
    this.#ctx.fill();
  }

  #line(a, b, pressure) {
    const ctx = this.#ctx;
    ctx.strokeStyle = '#fff';
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineWidth = this.#width(pressure);
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  }
}

// ---- probability bars, the 28x28 input, layers -------------------------------------------------
function buildBars() {
  const el = $('probs');
  el.replaceChildren();
  for (let d = 0; d < 10; d++) {
    const label = document.createElement('span');
    label.textContent = String(d);
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.setAttribute('role', 'listitem');
    bar.setAttribute('aria-label', `${d}: 0 %`);
    bar.append(document.createElement('i'));
    const pct = document.createElement('span');
    pct.className = 'pct';
    pct.textContent = '';
    el.append(label, bar, pct);
  }
}

function setBars(probs, top) {
  const el = $('probs');
  for (let d = 0; d < 10; d++) {
    const [label, bar, pct] = [el.children[d * 3], el.children[d * 3 + 1], el.children[d * 3 + 2]];
    const p = probs ? probs[d] : 0;
    bar.firstChild.style.width = `${(p * 100).toFixed(1)}%`;
    bar.setAttribute('aria-label', `${d}: ${(p * 100).toFixed(0)} %`);
    pct.textContent = probs ? `${(p * 100).toFixed(p < 0.1 ? 1 : 0)} %` : '';
    label.className = d === top ? 'top' : '';
    pct.className = d === top ? 'pct top' : 'pct';
  }
}

// input28: Float32Array(784) in 0..1, or ImageData 28x28.
function toImageData28(input28) {
  if (!input28) return null;
  if (input28.data && input28.width) return input28;
  const img = new ImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(Math.min(1, Math.max(0, input28[i])) * 255);
    img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  return img;
}

function drawInput28(input28) {
  const img = toImageData28(input28);
  if (img) $('input28').getContext('2d').putImageData(img, 0, 0);
}

// The learned kernels of the first conv layer, as heat maps (weights [kh, kw, in, out]).
function replaceFirstLayerKernels(model) {
  $('layers').replaceChildren();
  const first = model?.summary?.().find((l) => /conv/i.test(l.className));
  if (!first) return;
  const w = model.weights(first.name);
  if (!w) return;
  const [kh, kw, cin, cout] = w.shape;
  const card = document.createElement('div');
  card.className = 'layer';
  card.innerHTML = `<h3>Learned kernels of layer 1 <span>· ${cout} kernels of ${kw} × ${kh}, blue negative, red positive — compare them with the filters at the top</span></h3>`;
  const maps = document.createElement('div');
  maps.className = 'maps';
  const cell = 16;
  for (let o = 0; o < cout; o++) {
    const cv = document.createElement('canvas');
    cv.width = kw * cell;
    cv.height = kh * cell;
    cv.style.width = `${kw * cell}px`;
    cv.setAttribute('aria-label', `kernel ${o + 1}`);
    const ctx = cv.getContext('2d');
    let maxAbs = 1e-9;
    for (let i = 0; i < kh * kw; i++) maxAbs = Math.max(maxAbs, Math.abs(w.data[i * cin * cout + o]));
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
      ctx.fillStyle = weightColour(w.data[((y * kw + x) * cin) * cout + o], maxAbs);
      ctx.fillRect(x * cell, y * cell, cell, cell);
    }
    maps.append(cv);
  }
  card.append(maps);
  $('layers').prepend(card);
}
