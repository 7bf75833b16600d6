// A small live graph of ms per frame, one colour per engine, so switching engines shows as a step.
export const BACKEND_COLOURS = { 'simd-mt': '#1a9c74', simd: '#2f64d6', plain: '#8e5bd0', js: '#d9573b' };

export class FrameGraph {
  #ctx;
  #ms;        // ring buffer of samples (preallocated)
  #who;       // backend per sample
  #n = 0;
  #head = 0;

  constructor(canvas, capacity = 160) {
    this.canvas = canvas;
    this.#ctx = canvas.getContext('2d');
    this.#ms = new Float32Array(capacity);
    this.#who = new Array(capacity).fill('');
  }

  push(ms, backend) {
    this.#ms[this.#head] = ms;
    this.#who[this.#head] = backend;
    this.#head = (this.#head + 1) % this.#ms.length;
    this.#n = Math.min(this.#n + 1, this.#ms.length);
  }

  draw() {
    const { width: W, height: H } = this.canvas;
    const ctx = this.#ctx;
    ctx.clearRect(0, 0, W, H);
    if (!this.#n) return;
    const cap = this.#ms.length;
    let max = 1;
    for (let i = 0; i < this.#n; i++) max = Math.max(max, this.#ms[(this.#head - 1 - i + cap) % cap]);
    const top = niceCeil(max * 1.15);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#8a92a3';
    ctx.strokeStyle = '#e2e0d8';
    ctx.lineWidth = 1;
    for (const f of [0.5, 1]) {
      const y = Math.round(H - (H - 6) * f) + 0.5;
      ctx.beginPath();
      ctx.moveTo(0, y);
      ctx.lineTo(W, y);
      ctx.stroke();
      ctx.fillText(`${+(top * f).toFixed(1)} ms`, 4, y + 12);
    }
    const dx = W / (cap - 1);
    ctx.lineWidth = 2;
    let px = NaN, py = NaN;
    for (let i = this.#n - 1; i >= 0; i--) {
      const k = (this.#head - 1 - i + cap) % cap;
      const x = W - i * dx, y = H - (H - 6) * (this.#ms[k] / top);
      if (px === px) {
        ctx.strokeStyle = BACKEND_COLOURS[this.#who[k]] ?? '#555';
        ctx.beginPath();
        ctx.moveTo(px, py);
        ctx.lineTo(x, y);
        ctx.stroke();
      }
      px = x;
      py = y;
    }
  }
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
