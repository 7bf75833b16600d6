// The sliding-kernel animation: a K x K kernel visits a small W x W input with stride S and
// zero padding P, filling in the output one cell per step; the formula shows the output size.
const $ = (id) => document.getElementById(id);
const KERNELS = {
  1: [2],
  2: [1, -1, 1, -1],
  3: [1, 0, -1, 2, 0, -2, 1, 0, -1],
  5: [0, 0, 1, 0, 0, 0, 1, 2, 1, 0, 1, 2, -16, 2, 1, 0, 1, 2, 1, 0, 0, 0, 1, 0, 0],
};

export function initSlide() {
  const cv = $('slide-canvas');
  if (!cv) return;
  const ctx = cv.getContext('2d');
  // Two layouts: side by side (720 x 300) or, on narrow screens, output below (360 x 560).
  // Drawn at twice the CSS size so the numbers stay crisp on high-density screens.
  let CW = 0, CH = 0, narrow = null;
  const fit = () => {
    const was = narrow;
    narrow = cv.parentElement.clientWidth < 560;
    [CW, CH] = narrow ? [360, 560] : [720, 300];
    if (narrow !== was) {
      cv.width = CW * 2;
      cv.height = CH * 2;
      ctx.setTransform(2, 0, 0, 2, 0, 0);
    }
  };
  fit();
  new ResizeObserver(() => { fit(); draw(); }).observe(cv.parentElement);
  const st = { W: 7, K: 3, S: 1, P: 0, step: 0, playing: !matchMedia('(prefers-reduced-motion: reduce)').matches, input: [] };
  let timer = 0;

  const read = () => {
    st.W = Number($('slide-w').value);
    st.K = Number($('slide-k').value);
    st.S = Number($('slide-s').value);
    st.P = Number($('slide-p').value);
    st.step = 0;
    // Deterministic small numbers so the sums can be checked by eye.
    let s = 7;
    st.input = Array.from({ length: st.W * st.W }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) % 10);
    formula();
    draw();
  };
  const outSize = () => Math.floor((st.W - st.K + 2 * st.P) / st.S) + 1;

  function formula() {
    const { W, K, S, P } = st;
    const exact = (W - K + 2 * P) / S + 1;
    const o = outSize();
    const el = $('slide-formula');
    el.innerHTML = o < 1
      ? `Output size <code>(W − K + 2P) / S + 1</code> = (${W} − ${K} + 2·${P}) / ${S} + 1 &lt; 1: the kernel does not fit. Add padding.`
      : `Output size <code>(W − K + 2P) / S + 1</code> = (${W} − ${K} + 2·${P}) / ${S} + 1 = <b>${Number.isInteger(exact) ? exact : `⌊${exact.toFixed(2)}⌋ = ${o}`}</b>` +
        (Number.isInteger(exact) ? '' : ' — the last positions do not fit and are dropped') + `, so the output is ${o} × ${o}.`;
  }

  function value(ox, oy) {
    const { W, K, S, P, input } = st;
    const w = KERNELS[K];
    let sum = 0;
    for (let ky = 0; ky < K; ky++) for (let kx = 0; kx < K; kx++) {
      const x = ox * S + kx - P, y = oy * S + ky - P;
      if (x >= 0 && y >= 0 && x < W && y < W) sum += w[ky * K + kx] * input[y * W + x];
    }
    return sum;
  }

  function draw() {
    const { W, K, S, P, input } = st;
    const o = outSize();
    const n = W + 2 * P;
    const cw = CW, ch = CH;
    const cell = Math.min(32, Math.floor((narrow ? 200 : 230) / n));
    const kc = narrow ? 22 : 28;
    const oc = o > 0 ? Math.min(38, Math.floor(230 / o)) : 0;
    // Where the three pictures go: input, kernel, output (centred).
    let ix, iy, kx0, ky0, ox0, oy0, ax, ay, arrow;
    if (narrow) {
      ix = (cw - (n * cell + 20 + K * kc)) / 2;
      iy = 36;
      kx0 = ix + n * cell + 20;
      ky0 = iy + (n * cell - K * kc) / 2;
      ox0 = (cw - o * oc) / 2;
      oy0 = iy + n * cell + 64;
      [ax, ay, arrow] = [cw / 2, iy + n * cell + 26, '↓'];
    } else {
      const total = n * cell + 48 + K * kc + 48 + o * oc;
      ix = Math.max(8, (cw - total) / 2);
      iy = (ch - 40 - n * cell) / 2 + 16;
      kx0 = ix + n * cell + 48;
      ky0 = (ch - 40) / 2 - (K * kc) / 2 + 16;
      ox0 = kx0 + K * kc + 48;
      oy0 = (ch - 40 - o * oc) / 2 + 16;
      [ax, ay, arrow] = [kx0 + K * kc + 24, (ch - 40) / 2 + 16, '→'];
    }
    ctx.clearRect(0, 0, cw, ch);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    label(P ? 'input, zero-padded' : 'input', ix + (n * cell) / 2, iy - 16);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      const pad = x < P || y < P || x >= P + W || y >= P + W;
      ctx.fillStyle = pad ? '#f3f2ed' : '#ffffff';
      ctx.fillRect(ix + x * cell, iy + y * cell, cell - 1, cell - 1);
      ctx.strokeStyle = pad ? '#d8d6cc' : '#c9c6bb';
      ctx.setLineDash(pad ? [3, 3] : []);
      ctx.strokeRect(ix + x * cell + 0.5, iy + y * cell + 0.5, cell - 2, cell - 2);
      ctx.setLineDash([]);
      ctx.fillStyle = pad ? '#a0a6b3' : '#1b2130';
      ctx.font = `${Math.round(cell * 0.5)}px system-ui, sans-serif`;
      ctx.fillText(pad ? '0' : String(input[(y - P) * W + (x - P)]), ix + x * cell + cell / 2, iy + y * cell + cell / 2);
    }
    if (o < 1) return;
    const cells = o * o;
    const k = st.step % cells;
    const ox = k % o, oy = Math.floor(k / o);
    // kernel window on the input
    ctx.fillStyle = 'rgba(47,100,214,.16)';
    ctx.fillRect(ix + ox * S * cell, iy + oy * S * cell, K * cell - 1, K * cell - 1);
    ctx.strokeStyle = '#2f64d6';
    ctx.lineWidth = 2;
    ctx.strokeRect(ix + ox * S * cell, iy + oy * S * cell, K * cell - 1, K * cell - 1);
    ctx.lineWidth = 1;
    // kernel weights
    label('kernel', kx0 + (K * kc) / 2, ky0 - 16);
    KERNELS[K].forEach((w, i) => {
      const x = kx0 + (i % K) * kc, y = ky0 + Math.floor(i / K) * kc;
      ctx.fillStyle = w > 0 ? '#fbe3dc' : w < 0 ? '#dfe7f8' : '#fff';
      ctx.fillRect(x, y, kc - 1, kc - 1);
      ctx.strokeStyle = '#2f64d6';
      ctx.strokeRect(x + 0.5, y + 0.5, kc - 2, kc - 2);
      ctx.fillStyle = '#1b2130';
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillText(String(w), x + kc / 2, y + kc / 2);
    });
    ctx.fillStyle = '#5c6577';
    ctx.font = '20px system-ui, sans-serif';
    ctx.fillText(arrow, ax, ay);
    // output grid
    label(`output ${o} × ${o}`, ox0 + (o * oc) / 2, oy0 - 16);
    for (let i = 0; i < cells; i++) {
      const x = ox0 + (i % o) * oc, y = oy0 + Math.floor(i / o) * oc;
      const done = i <= k;
      ctx.fillStyle = i === k ? '#2f64d6' : done ? '#e6edfb' : '#fff';
      ctx.fillRect(x, y, oc - 1, oc - 1);
      ctx.strokeStyle = '#c9c6bb';
      ctx.strokeRect(x + 0.5, y + 0.5, oc - 2, oc - 2);
      if (done) {
        ctx.fillStyle = i === k ? '#fff' : '#1b2130';
        ctx.font = `${Math.round(oc * 0.36)}px system-ui, sans-serif`;
        ctx.fillText(String(value(i % o, Math.floor(i / o))), x + oc / 2, y + oc / 2);
      }
    }
    ctx.fillStyle = '#2b3242';
    ctx.font = `${narrow ? 11 : 14}px ui-monospace, Menlo, Consolas, monospace`;
    ctx.fillText(sumText(ox, oy, narrow ? 4 : 9), cw / 2, ch - 14);
  }

  // "1×6 + 0×0 − 1×3 … = −1" for the current position (zero padding shows as 0).
  function sumText(ox, oy, maxTerms) {
    const { W, K, S, P, input } = st;
    const w = KERNELS[K];
    const parts = [];
    for (let ky = 0; ky < K; ky++) for (let kx = 0; kx < K; kx++) {
      const x = ox * S + kx - P, y = oy * S + ky - P;
      const p = x >= 0 && y >= 0 && x < W && y < W ? input[y * W + x] : 0;
      parts.push(`${parts.length ? (w[ky * K + kx] < 0 ? ' − ' : ' + ') : w[ky * K + kx] < 0 ? '−' : ''}${Math.abs(w[ky * K + kx])}×${p}`);
    }
    const text = parts.length > maxTerms ? parts.slice(0, maxTerms).join('') + ' + …' : parts.join('');
    return `output (${ox}, ${oy}) = ${text} = ${value(ox, oy)}`.replace(/-/g, '−');
  }

  function label(text, x, y) {
    ctx.fillStyle = '#5c6577';
    ctx.font = '13px system-ui, sans-serif';
    ctx.fillText(text, x, y);
  }

  const play = $('slide-play');
  const schedule = () => {
    clearInterval(timer);
    if (st.playing) timer = setInterval(() => { st.step++; draw(); }, 700);
    play.setAttribute('aria-pressed', String(st.playing));
    play.textContent = st.playing ? 'Pause' : 'Play';
  };
  play.addEventListener('click', () => { st.playing = !st.playing; schedule(); });
  $('slide-step').addEventListener('click', () => { st.playing = false; schedule(); st.step++; draw(); });
  for (const id of ['slide-w', 'slide-k', 'slide-s', 'slide-p']) $(id).addEventListener('change', read);
  read();
  schedule();
}
