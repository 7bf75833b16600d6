// The pixel inspector: the input neighbourhood of one output pixel, magnified, with the kernel
// weights over it, and the multiply-adds written out for the real frame and kernel.
import { explainChannel } from './explain.js';
import { weightColour } from './heatmap.js';
import { luma } from '../lib/pixels.js';

const LIGHT_LUMA = 140;  // above this a tap's number is written dark, below it light

const $ = (id) => document.getElementById(id);
const CH = ['R', 'G', 'B'];

export class Inspector {
  channel = 0;
  last = null;   // the last probe shown, and what was computed from it (read by the tests)

  render(probe) {
    if (!probe) return;
    const c = this.channel;
    const { kernel, taps, x, y } = probe;
    if (!kernel) {
      $('magnifier-caption').textContent = `Pixel (${x}, ${y}): this filter is not a single kernel, so there is no weighted sum to show.`;
      $('mac').replaceChildren();
      $('steps').replaceChildren();
      this.last = { probe, result: null };
      return;
    }
    const r = explainChannel(taps, c, kernel);
    this.last = { probe, channel: c, result: r };
    this.#drawMagnifier(probe);

    const outside = taps.filter((t) => t.x !== x + t.dx || t.y !== y + t.dy).length;
    $('magnifier-caption').textContent =
      `Output pixel (${x}, ${y}) · ${kernel.width}×${kernel.height} neighbourhood` +
      (outside ? ` · ${outside} tap${outside > 1 ? 's' : ''} past the edge, filled by the ${probe.border} border` : '') +
      (probe.mode === 'gray' ? ' · gray mode: the luma of each pixel' : '');

    // Σ w·p written out, zero weights skipped (they add nothing).
    const mac = $('mac');
    mac.replaceChildren();
    let first = true;
    taps.forEach((t, i) => {
      const w = kernel.weights[i];
      if (w === 0) return;
      if (!first) mac.append(w < 0 ? ' − ' : ' + ');
      else if (w < 0) mac.append('−');
      first = false;
      mac.append(span('w', num(Math.abs(w))), '×', span('p', String(t.rgb[c])));
    });
    if (first) mac.append('every weight is 0');

    const actual = probe.output[c];
    const rows = [
      ['Sum of weight × pixel', num(r.sum), 'sum'],
      [`÷ scale ${num(kernel.scale)} + offset ${num(kernel.offset)}`, num(r.scaled), 'scaled'],
      ['Round (halves to even)', String(r.rounded), 'rounded'],
      ['Clamp to 0 … 255', String(r.value), 'value'],
    ];
    const steps = $('steps');
    steps.replaceChildren(...rows.map(([k, v, key]) => row(k, v, key)));
    const final = row(`Output ${CH[c]} at (${x}, ${y})`, String(actual), 'actual');
    final.classList.add('final');
    const chip = document.createElement('span');
    chip.className = 'result-chip';
    chip.style.background = `rgb(${probe.output[0]},${probe.output[1]},${probe.output[2]})`;
    final.lastChild.append(chip);
    steps.append(final);
    $('inspector-note').textContent = probe.stages > 1
      ? `The chain has ${probe.stages} filters: this is the first one, applied to the camera frame; the output shown is after all of them.`
      : actual === r.value ? 'The computed value is exactly the pixel the engine wrote.'
      : Math.abs(actual - r.value) === 1
        ? `The engine wrote ${actual}: its fast path rounds the weights or the division once more, and may land one step away from this exact arithmetic.`
        : `The engine wrote ${actual} here.`;
  }

  #drawMagnifier(probe) {
    const cv = $('magnifier');
    const ctx = cv.getContext('2d');
    const { kernel, taps } = probe;
    const n = Math.max(kernel.width, kernel.height);
    const cell = Math.floor(cv.width / n);
    const ox = (cv.width - cell * kernel.width) / 2, oy = (cv.height - cell * kernel.height) / 2;
    const maxAbs = Math.max(...kernel.weights.map(Math.abs), 1e-9);
    ctx.fillStyle = '#14171f';
    ctx.fillRect(0, 0, cv.width, cv.height);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    taps.forEach((t, i) => {
      const cx = ox + (i % kernel.width) * cell, cy = oy + Math.floor(i / kernel.width) * cell;
      const [r, g, b] = t.rgb;
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(cx + 2, cy + 2, cell - 4, cell - 4);
      if (t.x < 0) {  // constant border: hatch it
        ctx.strokeStyle = 'rgba(255,255,255,.35)';
        ctx.beginPath();
        ctx.lineWidth = 2;
        ctx.moveTo(cx + 8, cy + cell - 8);
        ctx.lineTo(cx + cell - 8, cy + 8);
        ctx.stroke();
      }
      // weight badge, coloured like the heat map
      const w = kernel.weights[i];
      const fs = Math.max(18, Math.min(34, cell / 4));
      ctx.font = `600 ${fs}px system-ui, sans-serif`;
      const label = num(w);
      const bw = ctx.measureText(label).width + 16;
      ctx.fillStyle = weightColour(w, maxAbs);
      roundRect(ctx, cx + cell / 2 - bw / 2, cy + cell / 2 - fs * 0.8, bw, fs * 1.6, 6);
      ctx.fillStyle = Math.abs(w) / maxAbs > 0.55 ? '#fff' : '#1b2130';
      ctx.fillText(label, cx + cell / 2, cy + cell / 2 + 1);
      // the channel value in the corner
      ctx.font = `${Math.round(fs * 0.72)}px system-ui, sans-serif`;
      const light = luma(r, g, b) > LIGHT_LUMA;
      ctx.fillStyle = light ? 'rgba(0,0,0,.75)' : 'rgba(255,255,255,.85)';
      ctx.fillText(String(t.rgb[this.channel]), cx + cell / 2, cy + cell - fs * 0.55);
    });
    // the centre: the pixel being computed
    const ax = (kernel.width - 1) >> 1, ay = (kernel.height - 1) >> 1;
    ctx.strokeStyle = '#ffd54a';
    ctx.lineWidth = 5;
    ctx.strokeRect(ox + ax * cell + 2.5, oy + ay * cell + 2.5, cell - 5, cell - 5);
    ctx.lineWidth = 1;
  }
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

function roundRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  ctx.roundRect ? ctx.roundRect(x, y, w, h, r) : ctx.rect(x, y, w, h);
  ctx.fill();
}
