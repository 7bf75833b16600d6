// The probe: which output pixel the inspector explains. Pointer, keyboard and focus move it;
// a mark over the output view shows the kernel's footprint there.
import { radioGroup } from './filters-ui.js';
import { containFit } from './fit.js';

const $ = (id) => document.getElementById(id);
const output = () => $('output');   // looked up each time: the live view may replace the canvas
const MIN_MARK = 14;                // px: the mark stays visible on small previews
const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
const SHIFT_STEP = 10;              // pixels per arrow key press with Shift

export class ProbeUI {
  at = null;      // {x, y} in output pixels, or null
  #hook;
  #inspector;
  #live;

  // live: () => the live view (null until it exists).
  constructor({ hook, inspector, live }) {
    this.#hook = hook;
    this.#inspector = inspector;
    this.#live = live;
    radioGroup($('channel-group'), 'channel', (c) => {
      inspector.channel = Number(c);
      this.refresh();
    });
  }

  async refresh() {
    if (!this.at || !this.#live()) return;
    const probe = await this.#live().probe(this.at.x, this.at.y);
    this.#inspector.render(probe);
    this.#hook.inspector = this.#inspector.last;
    markProbe(probe);
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

// The output pixel under the pointer, or null outside the drawn image.
function pixelAt(e, w, h) {
  const r = output().getBoundingClientRect();
  const { scale, left, top } = containFit(r.width, r.height, w, h);
  const x = Math.floor((e.clientX - r.left - left) / scale), y = Math.floor((e.clientY - r.top - top) / scale);
  return x >= 0 && y >= 0 && x < w && y < h ? { x, y } : null;
}

function markProbe(probe) {
  const mark = $('probe-mark');
  if (!probe?.kernel) return void (mark.hidden = true);
  const r = output().getBoundingClientRect();
  const { scale, left, top } = containFit(r.width, r.height, probe.width, probe.height);
  const cx = left + (probe.x + 0.5) * scale, cy = top + (probe.y + 0.5) * scale;
  const w = Math.max(MIN_MARK, probe.kernel.width * scale + 4), h = Math.max(MIN_MARK, probe.kernel.height * scale + 4);
  mark.hidden = false;
  Object.assign(mark.style, { left: `${cx - w / 2}px`, top: `${cy - h / 2}px`, width: `${w}px`, height: `${h}px` });
}
