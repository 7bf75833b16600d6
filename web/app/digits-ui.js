// "Draw a digit": a drawing canvas classified live by the MNIST network, the 28x28 image it
// sees, the feature maps of every conv layer, the first layer's kernels, and a box in the live
// camera view whose content is classified continuously.
import { weightColour } from './heatmap.js';
import { containFit } from './fit.js';

const $ = (id) => document.getElementById(id);
const BOX = 0.4;   // camera box side, as a fraction of the shorter frame side

export async function initDigits({ getFrameCrop, getFrameSize, hook }) {
  const status = $('digit-status');
  buildBars();
  const pad = new DrawPad($('draw'));
  // Imported here, not at the top: the library's model code is not on the live view's start path.
  const { loadCnn } = await import('../lib/convolens.js');
  const cl = await loadCnn();  // the CNN module only: the filters run in the live view's worker
  let reader = await cl.loadDigitClassifier();
  // Section 6 ("Train it yourself") hands over a model it trained: TF.js artifacts.
  addEventListener('convolens:use-model', async ({ detail }) => {
    const next = await cl.loadDigitClassifier(detail);
    reader.dispose();
    reader = next;
    hook.digits.model = 'trained';
    status.textContent = 'Now using the network you trained in section 6. Draw a digit.';
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

  const show = (result, fromCamera = false) => {
    hook.digits.last = { ...result, probabilities: result.probabilities && Array.from(result.probabilities), input28: undefined, fromCamera };
    if (result.empty) {
      $('digit-guess').textContent = '–';
      $('digit-confidence').textContent = '';
      setBars(null);
      return;
    }
    $('digit-guess').textContent = String(result.digit);
    $('digit-confidence').textContent = `${(result.confidence * 100).toFixed(0)} % sure${fromCamera ? ' · in the camera box' : ''}`;
    setBars(result.probabilities, result.digit);
    drawInput28(result.input28);
    drawLayers(reader.model, result.input28);
  };

  // Classify at most once per animation frame while drawing.
  let queued = false;
  pad.onChange = () => {
    $('draw-hint').hidden = true;
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
  drawFirstLayerKernels(reader.model);

  // Digit from the camera: classify the box in the middle of the live view a few times a second.
  const btn = $('camera-digit');
  let timer = 0;
  btn.addEventListener('click', () => {
    const on = btn.getAttribute('aria-pressed') !== 'true';
    btn.setAttribute('aria-pressed', String(on));
    $('digit-box').hidden = !on;
    clearInterval(timer);
    if (!on) return;
    placeBox(getFrameSize());
    timer = setInterval(async () => {
      const size = getFrameSize();
      if (!size.width) return;
      const rect = boxRect(size);
      placeBox(size);
      const crop = await getFrameCrop(rect);
      if (!crop) return;
      // Dark ink on light paper, unlike MNIST: the core detects the polarity from the box's border.
      const r = reader.classify({ data: crop.input, width: rect.width, height: rect.height });
      $('digit-box-label').textContent = r.empty ? '?' : `${r.digit} · ${(r.confidence * 100).toFixed(0)} %`;
      show(r, true);
    }, 250);
  });
}

function boxRect({ width, height }) {
  const s = Math.round(Math.min(width, height) * BOX);
  return { x: (width - s) >> 1, y: (height - s) >> 1, width: s, height: s };
}

// Positions the dashed box over the camera view (object-fit: contain).
function placeBox(size) {
  const box = $('digit-box');
  const frame = $('input-frame').getBoundingClientRect();
  if (!size.width) return;
  const { scale: s, left, top } = containFit(frame.width, frame.height, size.width, size.height);
  const r = boxRect(size);
  Object.assign(box.style, { left: `${left + r.x * s}px`, top: `${top + r.y * s}px`, width: `${r.width * s}px`, height: `${r.height * s}px` });
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

// Feature maps of every conv layer for the current input, each map scaled to its own range.
function drawLayers(model, input28) {
  const host = $('layers');
  if (!model?.activations || !input28) return;
  const input = input28.data ? input28 : input28 instanceof Float32Array ? input28 : new Float32Array(input28);
  const layers = model.activations(input).filter((l) => /conv/i.test(l.className));
  layers.forEach((l, li) => {
    const shape = l.shape.length === 4 ? l.shape.slice(1) : l.shape;
    const [h, w, c] = shape;
    let card = host.querySelector(`[data-layer="${l.name}"]`);
    if (!card) {
      card = document.createElement('div');
      card.className = 'layer';
      card.dataset.layer = l.name;
      const title = document.createElement('h3');
      title.innerHTML = `Layer ${li + 1}: ${l.className} <span>· ${c} feature maps of ${w} × ${h}</span>`;
      const maps = document.createElement('div');
      maps.className = 'maps';
      const size = Math.max(32, Math.min(84, Math.round(w * 3.2)));
      for (let k = 0; k < c; k++) {
        const cv = document.createElement('canvas');
        cv.width = w;
        cv.height = h;
        cv.style.width = cv.style.height = `${size}px`;
        cv.setAttribute('aria-label', `${l.name} map ${k + 1}`);
        maps.append(cv);
      }
      card.append(title, maps);
      host.append(card);
    }
    const canvases = card.querySelectorAll('canvas');
    const img = new ImageData(w, h);
    for (let k = 0; k < c; k++) {
      let lo = Infinity, hi = -Infinity;
      for (let p = 0; p < w * h; p++) {
        const v = l.data[p * c + k];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const s = hi > lo ? 255 / (hi - lo) : 0;
      for (let p = 0; p < w * h; p++) {
        const v = (l.data[p * c + k] - lo) * s;
        img.data[p * 4] = img.data[p * 4 + 1] = img.data[p * 4 + 2] = v;
        img.data[p * 4 + 3] = 255;
      }
      canvases[k].getContext('2d').putImageData(img, 0, 0);
    }
  });
}

// The learned kernels of the first conv layer, as heat maps (weights [kh, kw, in, out]).
function drawFirstLayerKernels(model) {
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
