// The pixel inspector: the input neighbourhood of one output pixel, magnified, with the kernel
// weights over it, and the arithmetic written out for the real frame and kernel — for a single
// kernel, for a gradient magnitude (gx, gy and the norm) and, in a chain, for any one stage.
import { explainChannel, explainGradient } from './explain.js';
import { weightColour } from './heatmap.js';
import { displayFactor, fixedPointNote } from './fixed-point.js';
import { luma } from '../lib/pixels.js';

const LIGHT_LUMA = 140;   // above this a tap's number is written dark, below it light
const MAX_TERMS = 49;     // longer sums (kernels above 7×7) are summarised
const HEAD = 12, TAIL = 6;
const MIN_LABEL_CELL = 34;  // px on the magnifier canvas: smaller cells show colour only

const $ = (id) => document.getElementById(id);
const CH = ['R', 'G', 'B'];

export class Inspector {
  channel = 0;
  last = null;   // the last probe shown, and what was computed from it (read by the tests)

  constructor() {
    $('say-sum').addEventListener('click', () => {
      // Announced on demand only: the steps change several times a second while live.
      $('say-live').textContent = '';
      requestAnimationFrame(() => ($('say-live').textContent = this.#spoken()));
    });
  }

  render(probe) {
    if (!probe) return;
    const c = this.channel;
    const { kernel, gradient, taps, x, y } = probe;
    const shape = kernel ?? gradient?.kernel;
    if (!shape) {
      $('magnifier-caption').textContent = `Pixel (${x}, ${y}): this filter has no kernel to show.`;
      for (const id of ['mac', 'steps']) $(id).replaceChildren();
      $('inspector-note').textContent = '';
      clearMagnifier();
      this.last = { probe, channel: c, result: null };
      return;
    }
    const factor = kernel ? displayFactor(kernel.weights) : 1;
    const r = kernel ? explainChannel(taps, c, kernel, factor) : explainGradient(taps, c, gradient);
    this.last = { probe, channel: c, result: r, factor };
    this.#drawMagnifier(probe, factor);

    const outside = taps.filter((t) => t.outside).length;
    $('magnifier-caption').textContent =
      `Output pixel (${x}, ${y}) · ${shape.width}×${shape.height} neighbourhood` +
      (gradient ? ' · two kernels: gx (top) and gy (bottom)' : '') +
      (outside ? ` · ${outside} tap${outside > 1 ? 's' : ''} past the edge, filled by the ${borderName(probe)} border` : '') +
      (probe.mode === 'gray' ? ' · gray mode: the luma of each pixel' : '') +
      (probe.stages > 1 ? ` · step ${probe.stage + 1}'s input` : '');

    const mac = $('mac');
    mac.replaceChildren();
    let rounded = false;
    if (gradient) {
      mac.append(line('gx = ', sumTerms(taps, gradient.kernel.weights, c, 1)), line('gy = ', sumTerms(taps, gradient.kernelY.weights, c, 1)));
    } else {
      const t = sumTerms(taps, kernel.weights, c, factor);
      rounded = t.rounded;
      mac.append(...t.nodes);
    }

    const actual = probe.stageOutput[c];
    const s = (k) => kernel?.[k] ?? gradient.kernel[k];
    const rows = gradient ? [
      ['gx = Σ x-weight × pixel', num(r.gx), 'gx'],
      ['gy = Σ y-weight × pixel', num(r.gy), 'gy'],
      [gradient.norm === 'L1' ? '|gx| + |gy|' : '√(gx² + gy²)', num(r.magnitude), 'magnitude'],
    ] : [[factor > 1 ? `Sum of (weight × ${factor}) × pixel` : 'Sum of weight × pixel', num(r.whole), 'sum']];
    rows.push(
      [factor > 1 ? `÷ ${factor} ÷ scale ${num(s('scale'))} + offset ${num(s('offset'))}` : `÷ scale ${num(s('scale'))} + offset ${num(s('offset'))}`, num(r.scaled), 'scaled'],
      ['Round (halves to even)', String(r.rounded), 'rounded'],
      ['Clamp to 0 … 255', String(r.value), 'value'],
    );
    const steps = $('steps');
    steps.replaceChildren(...rows.map(([k, v, key]) => row(k, v, key)));
    const what = probe.stages > 1 && probe.stage < probe.stages - 1 ? `Step ${probe.stage + 1}'s output` : 'Output';
    const final = row(`${what} ${CH[c]} at (${x}, ${y})`, String(actual), 'actual');
    final.classList.add('final');
    const chip = document.createElement('span');
    chip.className = 'result-chip';
    chip.style.background = `rgb(${probe.stageOutput[0]},${probe.stageOutput[1]},${probe.stageOutput[2]})`;
    final.lastChild.append(chip);
    steps.append(final);

    const notes = [];
    if (probe.stages > 1) notes.push(probe.stage === 0
      ? `Step 1 of ${probe.stages} reads the input frame; its output is step 2's input. The picture above shows the output after all ${probe.stages} steps.`
      : `Step ${probe.stage + 1} of ${probe.stages} reads step ${probe.stage}'s output, not the camera frame${probe.stage === probe.stages - 1 ? '; its output is the picture above' : ''}.`);
    if (gradient) notes.push('Edges as two kernels: gx responds to left–right change, gy to up–down change, and the edge strength combines them.');
    if (kernel) notes.push(fixedPointNote(kernel, factor));
    if (rounded) notes.push('The weights are written rounded to 4 decimals; the sum uses the exact weights.');
    notes.push(actual === r.value ? 'The computed value is exactly the pixel the engine wrote.'
      : Math.abs(actual - r.value) === 1
        ? `The engine wrote ${actual}: its fast path rounds the weights or the division once more, and may land one step away from this exact arithmetic.`
        : `The engine wrote ${actual} here.`);
    $('inspector-note').textContent = notes.filter(Boolean).join(' ');
  }

  #spoken() {
    const l = this.last;
    if (!l?.result) return 'No pixel explained yet.';
    const { probe, result: r, channel } = l;
    const head = `${CH[channel]} at (${probe.x}, ${probe.y})`;
    return r.gx !== undefined
      ? `${head}: gx = ${r.gx}, gy = ${r.gy}, edge strength ${num(r.magnitude)}, output = ${probe.stageOutput[channel]}.`
      : `${head}: sum = ${num(r.whole)}, after scale and offset ${num(r.scaled)}, output = ${probe.stageOutput[channel]}.`;
  }

  #drawMagnifier(probe, factor) {
    const cv = $('magnifier');
    const ctx = cv.getContext('2d');
    const { taps, gradient } = probe;
    const kernel = probe.kernel ?? gradient.kernel;
    const n = Math.max(kernel.width, kernel.height);
    const cell = Math.floor(cv.width / n);
    const ox = (cv.width - cell * kernel.width) / 2, oy = (cv.height - cell * kernel.height) / 2;
    const maxAbs = Math.max(...Array.from(kernel.weights, Math.abs), ...(gradient ? Array.from(gradient.kernelY.weights, Math.abs) : []), 1e-9);
    const labels = cell >= MIN_LABEL_CELL;
    const gap = labels ? 2 : 1;
    ctx.fillStyle = '#14171f';
    ctx.fillRect(0, 0, cv.width, cv.height);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    taps.forEach((t, i) => {
      const cx = ox + (i % kernel.width) * cell, cy = oy + Math.floor(i / kernel.width) * cell;
      const [r, g, b] = t.rgb;
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(cx + gap, cy + gap, cell - 2 * gap, cell - 2 * gap);
      if (t.outside) {  // past the edge: the border mode made this value up
        ctx.strokeStyle = luma(r, g, b) > LIGHT_LUMA ? 'rgba(0,0,0,.45)' : 'rgba(255,255,255,.45)';
        ctx.beginPath();
        ctx.lineWidth = 2;
        ctx.moveTo(cx + cell * 0.1, cy + cell * 0.9);
        ctx.lineTo(cx + cell * 0.9, cy + cell * 0.1);
        ctx.stroke();
      }
      if (!labels) return;
      const fs = Math.max(14, Math.min(gradient ? 26 : 34, cell / (gradient ? 6 : 4)));
      const badges = gradient ? [[gradient.kernel.weights[i], 0.26], [gradient.kernelY.weights[i], 0.54]] : [[kernel.weights[i] * factor, 0.5]];
      for (const [w, at] of badges) badge(ctx, num(w), w / (factor || 1), maxAbs, cx + cell / 2, cy + cell * at, fs);
      // the channel value in the corner
      ctx.font = `${Math.round(fs * 0.72)}px system-ui, sans-serif`;
      ctx.fillStyle = luma(r, g, b) > LIGHT_LUMA ? 'rgba(0,0,0,.75)' : 'rgba(255,255,255,.85)';
      ctx.fillText(String(t.rgb[this.channel]), cx + cell / 2, cy + cell - fs * 0.55);
    });
    // the centre: the pixel being computed
    const ax = (kernel.width - 1) >> 1, ay = (kernel.height - 1) >> 1;
    ctx.strokeStyle = '#ffd54a';
    ctx.lineWidth = labels ? 5 : 2;
    ctx.strokeRect(ox + ax * cell + 1, oy + ay * cell + 1, cell - 2, cell - 2);
    ctx.lineWidth = 1;
  }
}

// "w×p + w×p − …" for one channel, zero weights skipped (they add nothing); sums longer than
// MAX_TERMS keep their first and last terms and say how many are left out.
function sumTerms(taps, weights, c, factor) {
  const terms = [];
  let rounded = false;
  taps.forEach((t, i) => {
    const w = weights[i] * factor;
    if (w === 0) return;
    const text = num(Math.abs(w));
    if (Number(text.replace('−', '-')) !== Math.abs(w)) rounded = true;
    terms.push([w < 0, text, String(t.rgb[c])]);
  });
  const nodes = [];
  if (!terms.length) return { nodes: ['every weight is 0'], rounded };
  const shown = terms.length > MAX_TERMS ? [...terms.slice(0, HEAD), null, ...terms.slice(-TAIL)] : terms;
  shown.forEach((t, i) => {
    if (!t) return void nodes.push(span('more', ` … ${terms.length - HEAD - TAIL} more terms … `));
    const [neg, w, p] = t;
    if (i > 0) nodes.push(neg ? ' − ' : ' + ');
    else if (neg) nodes.push('−');
    nodes.push(span('w', w), '×', span('p', p));
  });
  return { nodes, rounded };
}

function line(head, { nodes }) {
  const el = document.createElement('span');
  el.className = 'line';
  el.append(head, ...nodes);
  return el;
}

function badge(ctx, label, w, maxAbs, x, y, fs) {
  ctx.font = `600 ${fs}px system-ui, sans-serif`;
  const bw = ctx.measureText(label).width + 16;
  ctx.fillStyle = weightColour(w, maxAbs);
  ctx.beginPath();
  ctx.roundRect ? ctx.roundRect(x - bw / 2, y - fs * 0.8, bw, fs * 1.6, 6) : ctx.rect(x - bw / 2, y - fs * 0.8, bw, fs * 1.6);
  ctx.fill();
  ctx.fillStyle = Math.abs(w) / maxAbs > 0.55 ? '#fff' : '#1b2130';
  ctx.fillText(label, x, y + 1);
}

function clearMagnifier() {
  const cv = $('magnifier');
  const ctx = cv.getContext('2d');
  ctx.fillStyle = '#14171f';
  ctx.fillRect(0, 0, cv.width, cv.height);
}

function borderName(p) {
  return p.border === 'constant' ? `constant ${p.borderValue}` : p.border;
}

function row(k, v, key) {
  const li = document.createElement('li');
  li.dataset.key = key;
  const a = document.createElement('span');
  a.className = 'k';
  a.textContent = k;
  const b = document.createElement('span');
  b.className = 'v';
  b.textContent = v;
  li.append(a, b);
  return li;
}

function span(cls, text) {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  return s;
}

function num(v) {
  return String(+Number(v).toFixed(4)).replace('-', '−');
}
