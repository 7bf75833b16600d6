// "The whole network": every layer of the loaded model in order, with its output shape, its
// parameter count (both as the engine reports them) and the shape arithmetic of section 3's
// formula; the feature maps after each activation on one scale per layer; a click on a map
// shows the kernels that made it.
import { drawMap, drawSlice, el, fmt, kernelSlice, maxAbsOf, maxOf, shapeText } from './net-maps.js';

const $ = (id) => document.getElementById(id);
const per = (s) => (s.length === 4 ? s.slice(1) : s);

const WHAT = {
  Conv2D: 'each output map sums a small kernel over every input map',
  BatchNormalization: 'rescales each map: (x − mean) / √(variance + ε) · γ + β; γ and β are learned, mean and variance measured in training (4 numbers per map; the engine folds them into the conv before it)',
  Activation: 'ReLU: max(0, x) — negative responses become 0',
  ReLU: 'ReLU: max(0, x) — negative responses become 0',
  MaxPooling2D: 'keeps the largest value of each 2 × 2 block',
  GlobalAveragePooling2D: 'averages each map to one number: where a feature was no longer matters',
  Dense: 'every input connected to each of the 10 outputs; softmax turns them into probabilities',
  Flatten: 'lays the maps out as one long vector',
};

// Output size by section 3's formula (W − K + 2P) / S + 1, for layers that slide a window.
function arithmetic(layer, inShape, model) {
  const [h] = inShape, out = per(layer.outputShape);
  if (layer.className === 'Conv2D') {
    const k = model.weights(layer.name)?.shape ?? [];
    const K = k[0], cin = k[2], cout = k[3];
    const weights = K * k[1] * cin * cout, biases = layer.params - weights;
    const formula = (h - K) / 1 + 1 === out[0] ? `(${h} − ${K} + 2·0) / 1 + 1 = ${out[0]}` : `${h} → ${out[0]}`;
    return { formula, params: `${K}·${k[1]}·${cin}·${cout}${biases > 0 ? ` + ${biases} biases` : ''} = ${fmt(layer.params)}`, kernel: k };
  }
  if (layer.className === 'MaxPooling2D') {
    const K = Math.round(h / out[0]);
    const formula = Math.floor((h - K) / K) + 1 === out[0] ? `⌊(${h} − ${K} + 2·0) / ${K}⌋ + 1 = ${out[0]}` : `${h} → ${out[0]}`;
    return { formula, params: '0' };
  }
  if (layer.className === 'BatchNormalization') {
    const c = out[out.length - 1];
    return { formula: 'same size', params: `${layer.params / c}·${c} = ${fmt(layer.params)}` };
  }
  if (layer.className === 'GlobalAveragePooling2D') return { formula: `${inShape.slice(0, 2).join(' × ')} → 1 per map`, params: '0' };
  if (layer.className === 'Dense') {
    const n = inShape.reduce((a, b) => a * b, 1), u = out[out.length - 1];
    return { formula: `${n} → ${u}`, params: `${n}·${u} + ${layer.params - n * u} biases = ${fmt(layer.params)}` };
  }
  return { formula: 'same size', params: fmt(layer.params) };
}

const rowOf = (rows, name) => rows.find((r) => r.layer.name === name);

export class NetworkView {
  #model = null;
  #rows = [];     // per layer: {layer, mapsEl, canvases}
  #acts = null;

  constructor(hook) {
    this.hook = hook;
    $('net-layers').addEventListener('click', (e) => {
      const cv = e.target.closest('canvas[data-map]');
      if (cv) this.#showKernels(cv.dataset.layer, Number(cv.dataset.map));
    });
    $('net-layers').addEventListener('keydown', (e) => {
      const cv = e.target.closest('canvas[data-map]');
      if (cv && (e.key === 'Enter' || e.key === ' ')) {
        e.preventDefault();
        this.#showKernels(cv.dataset.layer, Number(cv.dataset.map));
      }
    });
  }

  // Builds the layer list for a model (again when the model changes).
  setModel(model) {
    if (model === this.#model) return;
    this.#model = model;
    const list = $('net-layers');
    list.after($('net-kernels'));  // it sits under the clicked layer: keep it out of the rebuilt list
    list.replaceChildren();
    $('net-kernels').hidden = true;
    this.#rows = [];
    const summary = model.summary();
    let inShape = [...model.inputShape];
    list.append(el('li', { className: 'net-layer input' },
      el('div', { className: 'net-head' }, el('b', { textContent: 'Input' }), el('span', { className: 'net-shape', textContent: shapeText(inShape) }), el('span', { className: 'net-params', textContent: '0 parameters' })),
      el('p', { className: 'net-what muted', textContent: 'your digit, preprocessed to 28 × 28 grey values' })));
    let total = 0;
    const info = [];
    summary.forEach((layer, i) => {
      const out = per(layer.outputShape);
      const a = arithmetic(layer, inShape, model);
      total += layer.params;
      const head = el('div', { className: 'net-head' },
        el('b', { textContent: `${i + 1}. ${layer.className}` }),
        el('span', { className: 'muted', textContent: layer.name }),
        el('span', { className: 'net-shape', textContent: shapeText(out) }),
        el('span', { className: 'net-params', textContent: `${fmt(layer.params)} parameters` }));
      const li = el('li', { className: 'net-layer' }, head,
        el('p', { className: 'net-what muted', textContent: WHAT[layer.className] ?? '' }),
        el('p', { className: 'net-math' }, el('span', { textContent: 'size: ' }), el('code', { textContent: a.formula }),
          el('span', { textContent: ' · parameters: ' }), el('code', { textContent: a.params })));
      li.dataset.layer = layer.name;
      const row = { layer, li, canvases: [] };
      // Feature maps after the activation (ReLU), 2-D layers only.
      if (/Activation|ReLU/.test(layer.className) && out.length === 3) {
        const maps = el('div', { className: 'maps', role: 'group' });
        maps.setAttribute('aria-label', `${layer.name}: ${out[2]} feature maps, select one to see its kernels`);
        const size = Math.max(28, Math.min(64, Math.round(out[1] * 2.4)));
        for (let k = 0; k < out[2]; k++) {
          const cv = el('canvas', { width: out[1], height: out[0], tabIndex: 0 });
          cv.dataset.map = k;
          cv.dataset.layer = layer.name;
          cv.style.width = cv.style.height = `${size}px`;
          cv.setAttribute('role', 'button');
          cv.setAttribute('aria-pressed', 'false');
          cv.setAttribute('aria-label', `${layer.name} map ${k + 1}: show the kernels that made it`);
          maps.append(cv);
          row.canvases.push(cv);
        }
        row.scale = el('span', { className: 'net-scale muted' });
        li.append(el('div', { className: 'net-maps-head muted' }, 'feature maps after ReLU · white = ', row.scale), maps);
      }
      list.append(li);
      this.#rows.push(row);
      info.push({ name: layer.name, className: layer.className, shape: out, params: layer.params, formula: a.formula, paramsText: a.params });
      inShape = out;
    });
    $('net-total').textContent = `${summary.length} layers, ${fmt(total)} parameters in all (as the engine counts them).`;
    this.hook.network = { layers: info, total, updates: 0, kernels: null };
  }

  // New input: every activation layer's maps, each layer on its own shared scale.
  update(model, input28) {
    this.setModel(model);
    this.#acts = model.activations(input28);
    this.#acts.forEach((act, i) => {
      const row = this.#rows[i];
      if (!row?.canvases.length) return;
      const a = { shape: per(act.shape), data: act.data };
      const hi = maxOf(a.data);
      row.scale.textContent = hi.toFixed(2);
      row.canvases.forEach((cv, k) => drawMap(cv, a, k, hi));
    });
    this.hook.network.updates++;
  }

  // The conv layer feeding the activation `name` (conv → batch norm → ReLU) and its kernels
  // for output map `k`: one kh x kw slice per input map, summed into this map.
  #showKernels(name, k) {
    const summary = this.#model.summary();
    const at = summary.findIndex((l) => l.name === name);
    let conv = at;
    while (conv >= 0 && summary[conv].className !== 'Conv2D') conv--;
    if (conv < 0) return;
    const layer = summary[conv];
    const w = this.#model.weights(layer.name);
    const [kh, kw, cin] = w.shape;
    const box = $('net-kernels');
    const grid = el('div', { className: 'maps' });
    // One colour scale for this map's kernels: their largest weight.
    const maxAbs = Math.max(...Array.from({ length: cin }, (_, i) => maxAbsOf(kernelSlice(w, i, k).weights)));
    for (let i = 0; i < cin; i++) {
      const cv = el('canvas');
      drawSlice(cv, kernelSlice(w, i, k), maxAbs, 8);
      cv.setAttribute('aria-label', `kernel for input map ${i + 1}`);
      grid.append(el('figure', { className: 'slice' }, cv, el('figcaption', { textContent: `in ${i + 1}` })));
    }
    $('net-kernels-title').textContent = `Map ${k + 1} of ${name} = ReLU(batch norm(the sum over ${cin} input map${cin > 1 ? 's' : ''}, each convolved with its own ${kh} × ${kw} kernel)) — the ${cin} kernel${cin > 1 ? 's' : ''} of ${layer.name}, output ${k + 1}:`;
    box.querySelector('.net-kernel-grid').replaceWith(Object.assign(grid, { className: 'maps net-kernel-grid' }));
    box.hidden = false;
    for (const c of $('net-layers').querySelectorAll('canvas[aria-pressed="true"]')) c.setAttribute('aria-pressed', 'false');
    $('net-layers').querySelector(`canvas[data-layer="${name}"][data-map="${k}"]`)?.setAttribute('aria-pressed', 'true');
    rowOf(this.#rows, name)?.li.append(box);  // right under the maps that were clicked
    this.hook.network.kernels = { layer: name, conv: layer.name, map: k, kernels: cin, size: [kh, kw] };
  }
}
