// "Convolution over channels": one output value of the first conv layer that reads several
// maps (layer 2 of the shipped net reads 10), written out as the sum over the input maps of a
// 3x3 kernel slice times the 3x3 patch under it, on the user's digit. Every number is read
// from the loaded model: its weights and the activations the engine computed.
import { drawMap, drawSlice, el, fmt, kernelSlice, maxAbsOf, maxOf, shapeText } from './net-maps.js';

const $ = (id) => document.getElementById(id);
const per = (s) => (s.length === 4 ? s.slice(1) : s);

export class ChannelsView {
  #model = null;
  #conv = -1;      // index of the conv layer shown
  #acts = null;
  #pos = null;     // {x, y} in the output map, or null = the strongest position

  constructor(hook) {
    this.hook = hook;
    $('ch-map').addEventListener('change', () => {
      this.#pos = null;
      this.#render();
    });
    const out = $('ch-out');
    out.addEventListener('click', (e) => {
      const r = out.getBoundingClientRect();
      this.#pos = { x: Math.floor(((e.clientX - r.left) / r.width) * out.width), y: Math.floor(((e.clientY - r.top) / r.height) * out.height) };
      this.#render();
    });
    out.addEventListener('keydown', (e) => {
      const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
      if (!d || !this.#acts) return;
      e.preventDefault();
      const p = this.#pos ?? this.hook.channels?.position ?? { x: 0, y: 0 };
      this.#pos = { x: Math.max(0, Math.min(out.width - 1, p.x + d[0])), y: Math.max(0, Math.min(out.height - 1, p.y + d[1])) };
      this.#render();
    });
  }

  setModel(model) {
    if (model === this.#model) return;
    this.#model = model;
    this.#acts = null;
    const summary = model.summary();
    // The first convolution whose input has more than one map.
    this.#conv = summary.findIndex((l, i) => l.className === 'Conv2D' && i > 0 && per(summary[i - 1].outputShape).at(-1) > 1);
    $('ch-body').hidden = this.#conv < 0;
    $('ch-none').hidden = this.#conv >= 0;
    if (this.#conv < 0) return;
    const cout = per(summary[this.#conv].outputShape).at(-1);
    $('ch-map').replaceChildren(...Array.from({ length: cout }, (_, k) => el('option', { value: k, textContent: `map ${k + 1}` })));
  }

  update(model, input28) {
    this.setModel(model);
    if (this.#conv < 0) return;
    this.#acts = model.activations(input28);
    this.#render();
  }

  // The engine stores conv output after the batch normalisation folded into it: an affine map
  // a·Σ + b per output map. Fitted over every position of map k (least squares) with its largest
  // deviation, so the page can show it is one scale and shift; null when the map is flat.
  #batchNorm(w, input, output, k) {
    const [kh, kw, cin, cout] = w.shape, [, iw] = input.shape, [oh, ow] = output.shape;
    let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    const xs = new Float64Array(oh * ow);
    for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) for (let i = 0; i < cin; i++)
        s += w.data[((dy * kw + dx) * cin + i) * cout + k] * input.data[((y + dy) * iw + x + dx) * cin + i];
      const v = output.data[(y * ow + x) * cout + k];
      xs[n++] = s;
      sx += s; sy += v; sxx += s * s; sxy += s * v;
    }
    const d = n * sxx - sx * sx;
    if (!(d > 1e-12)) return null;
    const a = (n * sxy - sx * sy) / d, b = (sy - a * sx) / n;
    let dev = 0;
    for (let p = 0; p < n; p++) dev = Math.max(dev, Math.abs(a * xs[p] + b - output.data[p * cout + k]));
    return { a, b, dev };
  }

  #render() {
    if (!this.#acts) return;
    const summary = this.#model.summary();
    const layer = summary[this.#conv];
    const w = this.#model.weights(layer.name);
    const [kh, kw, cin, cout] = w.shape;
    const input = { shape: per(this.#acts[this.#conv - 1].shape), data: this.#acts[this.#conv - 1].data };
    const output = { shape: per(this.#acts[this.#conv].shape), data: this.#acts[this.#conv].data };
    const [, iw] = input.shape, [oh, ow] = output.shape;
    const k = Number($('ch-map').value) || 0;
    // Default position: where this output map responds most.
    let pos = this.#pos;
    if (!pos) {
      let best = -Infinity;
      for (let p = 0; p < oh * ow; p++) if (output.data[p * cout + k] > best) best = output.data[p * cout + k], pos = { x: p % ow, y: Math.floor(p / ow) };
    }
    // The partial sum of each input map: its kernel slice times the patch under it.
    const parts = [];
    for (let i = 0; i < cin; i++) {
      let s = 0;
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++)
        s += w.data[((y * kw + x) * cin + i) * cout + k] * input.data[((pos.y + y) * iw + pos.x + x) * cin + i];
      parts.push(s);
    }
    const sum = parts.reduce((a, b) => a + b, 0);
    const engine = output.data[(pos.y * ow + pos.x) * cout + k];
    const weights = kh * kw * cin * cout, biases = layer.params - weights;
    const bn = this.#batchNorm(w, input, output, k);

    // Input maps with the window, each with its kernel slice and partial sum.
    // Slices on one colour scale: the largest weight of this output's kernel.
    const hiIn = maxOf(input.data), maxAbs = Math.max(...Array.from({ length: cin }, (_, i) => maxAbsOf(kernelSlice(w, i, k).weights)));
    const cells = parts.map((s, i) => {
      const map = el('canvas');
      drawMap(map, input, i, hiIn);
      const wrap = el('div', { className: 'ch-window-wrap' }, map);
      const win = el('span', { className: 'ch-window' });
      Object.assign(win.style, { left: `${(pos.x / iw) * 100}%`, top: `${(pos.y / input.shape[0]) * 100}%`, width: `${(kw / iw) * 100}%`, height: `${(kh / input.shape[0]) * 100}%` });
      wrap.append(win);
      const slice = el('canvas');
      drawSlice(slice, kernelSlice(w, i, k), maxAbs, 10);
      return el('figure', { className: 'ch-cell' }, wrap, slice, el('figcaption', { textContent: `${s >= 0 ? '+' : '−'}${Math.abs(s).toFixed(3)}` }));
    });
    $('ch-inputs').replaceChildren(...cells);
    const out = $('ch-out');
    drawMap(out, output.shape.length === 3 ? output : input, k, maxOf(output.data));
    const mark = $('ch-mark');
    Object.assign(mark.style, { left: `${(pos.x / ow) * 100}%`, top: `${(pos.y / oh) * 100}%`, width: `${100 / ow}%`, height: `${100 / oh}%` });
    out.setAttribute('aria-label', `${layer.name} map ${k + 1}, position (${pos.x}, ${pos.y}); arrow keys move it`);

    $('ch-sum').textContent = `${parts.map((s) => s.toFixed(3)).join(' + ').replace(/\+ -/g, '− ')} = ${sum.toFixed(3)}`;
    const after = bn ? ` The engine folds the batch normalisation that follows (and any bias) into this layer: one scale and shift per map, here × ${bn.a.toFixed(3)} ${bn.b < 0 ? '−' : '+'} ${Math.abs(bn.b).toFixed(3)} at every position (largest deviation over the ${oh * ow} positions: ${bn.dev.toExponential(1)}), so it stores ${(bn.a * sum + bn.b).toFixed(3)}.` : '';
    $('ch-result').textContent = `Output ${k + 1} of ${layer.name} at (${pos.x}, ${pos.y}): the sum over ${cin} input maps is ${sum.toFixed(3)}.${after} The engine's value: ${engine.toFixed(3)}.`;
    $('ch-params').textContent = `One output map needs a ${kh} × ${kw} × ${cin} kernel: ${fmt(kh * kw * cin)} weights${biases > 0 ? ' and 1 bias' : ''}. ` +
      `${layer.name} makes ${cout} maps: ${kh} × ${kw} × ${cin} × ${cout}${biases > 0 ? ` + ${biases} biases` : ''} = ${fmt(layer.params)} parameters, ` +
      `as the engine counts them. Input ${shapeText(input.shape)} → output ${shapeText(output.shape)}.` +
      (biases > 0 ? '' : ' (No bias here: the batch normalisation that follows brings the shift.)');
    this.hook.channels = { layer: layer.name, inputMaps: cin, outputMaps: cout, kernel: [kh, kw, cin], map: k, position: pos, parts, sum, engine, params: layer.params, weights, biases, scale: bn?.a ?? 1, shift: bn?.b ?? 0, deviation: bn?.dev ?? 0 };
  }
}
