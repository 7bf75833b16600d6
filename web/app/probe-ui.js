// The probe: which output pixel the inspector explains. Pointer, keyboard and focus move it;
// a mark over the output view shows the kernel's footprint there.
import { radioGroup } from './filters-ui.js';
import { containFit } from './fit.js';
import { luma } from '../lib/pixels.js';

const $ = (id) => document.getElementById(id);
const output = () => $('output');   // looked up each time: the live view may replace the canvas
const MIN_MARK = 14;                // px: the mark stays visible on small previews
const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
const SHIFT_STEP = 10;              // pixels per arrow key press with Shift

// A probe or snapshot in flight when the processing worker dies is rejected; the page already
// says so (worker-ui.js) and a new worker takes over: not an error of its own.
const RESTARTED = Symbol('restarted');
const afterRestart = (e) => {
  if (e?.workerDied) return RESTARTED;
  throw e;
};

export class ProbeUI {
  at = null;      // {x, y} in output pixels, or null
  stage = 0;      // which step of a chain the inspector explains
  #hook;
  #inspector;
  #live;
  #stageNames;
  #stageKey = '';
  #stageGroup = null;

  // live: () => the live view (null until it exists); stageNames: () => the chain's filter names.
  constructor({ hook, inspector, live, stageNames }) {
    this.#hook = hook;
    this.#inspector = inspector;
    this.#live = live;
    this.#stageNames = stageNames;
    radioGroup($('channel-group'), 'channel', (c) => {
      inspector.channel = Number(c);
      this.refresh();
    });
    $('jump').addEventListener('click', () => this.jump());
  }

  async refresh() {
    if (!this.at || !this.#live()) return;
    const probe = await this.#live().probe(this.at.x, this.at.y, { stage: this.stage }).catch(afterRestart);
    if (probe === RESTARTED) return;  // the next frame of the new worker refreshes it
    if (probe) this.stage = probe.stage;
    this.#renderStages(probe);
    this.#inspector.render(probe);
    this.#hook.inspector = this.#inspector.last;
    markProbe(probe);
  }

  // The pixel with the largest local contrast in the last input frame (a flat centre shows
  // nothing worth explaining).
  async jump() {
    const snap = await this.#live()?.snapshot().catch(afterRestart);
    if (!snap || snap === RESTARTED) return;
    this.at = mostContrast(snap.input, snap.width, snap.height);
    this.#hook.jump = { ...this.at };
    return this.refresh();
  }

  // A chain gets one button per step; the reader walks through them.
  #renderStages(probe) {
    const group = $('stage-group');
    const names = this.#stageNames();
    const n = probe?.stages ?? 0;
    group.hidden = n < 2;
    const key = `${n}:${names.join('|')}`;
    if (n < 2) return;
    // Rebuilt only when the chain changes, so keyboard focus survives stepping through it.
    if (key === this.#stageKey) return this.#stageGroup.set(String(probe.stage));
    this.#stageKey = key;
    group.replaceChildren(...names.slice(0, n).map((name, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.setAttribute('role', 'radio');
      b.dataset.stage = String(i);
      b.setAttribute('aria-checked', String(i === probe.stage));
      b.textContent = `Step ${i + 1}: ${name}`;
      return b;
    }));
    this.#stageGroup = radioGroup(group, 'stage', (v) => {
      this.stage = Number(v);
      this.refresh();
    });
  }

  // Explain some pixel from the start: the centre, until the reader points elsewhere.
  centreUnlessSet() {
    this.at ??= { x: this.#hook.width >> 1, y: this.#hook.height >> 1 };
  }

  wire() {
    const cv = output();
    const pointAt = (e) => {
      const p = pixelAt(e, this.#hook.width, this.#hook.height);
      if (p) {
        this.at = p;
        this.refresh();
      }
    };
    cv.addEventListener('pointermove', pointAt);
    cv.addEventListener('pointerdown', pointAt);
    cv.addEventListener('keydown', (e) => {
      const d = ARROWS[e.key];
      if (!d) return;
      e.preventDefault();
      const step = e.shiftKey ? SHIFT_STEP : 1;
      const { width, height } = this.#hook;
      this.centreUnlessSet();
      this.at = { x: Math.min(width - 1, Math.max(0, this.at.x + d[0] * step)), y: Math.min(height - 1, Math.max(0, this.at.y + d[1] * step)) };
      this.refresh();
    });
    cv.addEventListener('focus', () => {
      this.centreUnlessSet();
      this.refresh();
    });
  }
}

// {x, y} of the first pixel whose 3×3 luma neighbourhood has the largest max − min.
export function mostContrast(rgba, w, h) {
  const y8 = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) y8[i] = luma(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]);
  let best = -1, at = { x: w >> 1, y: h >> 1 };
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) {
    let lo = 255, hi = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const v = y8[(y + dy) * w + x + dx];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi - lo > best) {
      best = hi - lo;
      at = { x, y };
    }
  }
  return at;
}

// The output pixel under the pointer, or null outside the drawn image.
function pixelAt(e, w, h) {
  const r = output().getBoundingClientRect();
  const { scale, left, top } = containFit(r.width, r.height, w, h);
  const x = Math.floor((e.clientX - r.left - left) / scale), y = Math.floor((e.clientY - r.top - top) / scale);
  return x >= 0 && y >= 0 && x < w && y < h ? { x, y } : null;
}

function markProbe(probe) {
  const mark = $('probe-mark');
  const k = probe?.kernel ?? probe?.gradient?.kernel;
  if (!k) return void (mark.hidden = true);
  const r = output().getBoundingClientRect();
  const { scale, left, top } = containFit(r.width, r.height, probe.width, probe.height);
  const cx = left + (probe.x + 0.5) * scale, cy = top + (probe.y + 0.5) * scale;
  const w = Math.max(MIN_MARK, k.width * scale + 4), h = Math.max(MIN_MARK, k.height * scale + 4);
  mark.hidden = false;
  Object.assign(mark.style, { left: `${cx - w / 2}px`, top: `${cy - h / 2}px`, width: `${w}px`, height: `${h}px` });
}
