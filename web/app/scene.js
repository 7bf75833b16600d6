// The built-in test scene, drawn in code (no download): sharp edges, fine stripes, gradients,
// text and a moving ball, so every filter has something to show even without a camera.
export class TestScene {
  #bg = null;
  #w = 0;
  #h = 0;

  draw(ctx, w, h, t) {
    if (!this.#bg || this.#w !== w || this.#h !== h) this.#paintBackground(w, h);
    ctx.drawImage(this.#bg, 0, 0);
    const s = h / 480;
    const x = w * (0.5 + 0.36 * Math.sin(t / 1700));
    const y = h * (0.62 + 0.12 * Math.sin(t / 900));
    const g = ctx.createRadialGradient(x - 14 * s, y - 14 * s, 4 * s, x, y, 46 * s);
    g.addColorStop(0, '#fff6d0');
    g.addColorStop(1, '#e2892b');
    ctx.fillStyle = g;
    ctx.beginPath();
    ctx.arc(x, y, 46 * s, 0, Math.PI * 2);
    ctx.fill();
  }

  #paintBackground(w, h) {
    const c = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(w, h) : Object.assign(document.createElement('canvas'), { width: w, height: h });
    const ctx = c.getContext('2d');
    const s = h / 480;
    // sky to ground
    const sky = ctx.createLinearGradient(0, 0, 0, h);
    sky.addColorStop(0, '#9cc3ef');
    sky.addColorStop(0.55, '#e9f1f8');
    sky.addColorStop(0.56, '#7fa86a');
    sky.addColorStop(1, '#3e6b3a');
    ctx.fillStyle = sky;
    ctx.fillRect(0, 0, w, h);
    // hills
    ctx.fillStyle = '#5e8a55';
    ctx.beginPath();
    ctx.moveTo(0, h * 0.6);
    for (let x = 0; x <= w; x += 8) ctx.lineTo(x, h * 0.56 - 40 * s * Math.sin(x / w * 5.2) ** 2);
    ctx.lineTo(w, h);
    ctx.lineTo(0, h);
    ctx.fill();
    // checkerboard (hard edges)
    const q = Math.round(20 * s);
    for (let j = 0; j < 5; j++) for (let i = 0; i < 5; i++) {
      ctx.fillStyle = (i + j) % 2 ? '#111' : '#f4f4f4';
      ctx.fillRect(w * 0.06 + i * q, h * 0.08 + j * q, q, q);
    }
    // fine stripes of growing frequency (what blur removes first)
    for (let i = 0, x = w * 0.32; x < w * 0.62; i++) {
      const bw = Math.max(1, Math.round((7 - i * 0.35) * s));
      ctx.fillStyle = i % 2 ? '#fafafa' : '#222';
      ctx.fillRect(x, h * 0.08, bw, 100 * s);
      x += bw;
    }
    // colour wheel
    const cx = w * 0.82, cy = h * 0.24, r = 62 * s;
    for (let a = 0; a < 360; a += 4) {
      ctx.fillStyle = `hsl(${a} 85% 55%)`;
      ctx.beginPath();
      ctx.moveTo(cx, cy);
      ctx.arc(cx, cy, r, (a * Math.PI) / 180, ((a + 5) * Math.PI) / 180);
      ctx.fill();
    }
    // text
    ctx.fillStyle = '#1b2130';
    ctx.font = `700 ${Math.round(54 * s)}px system-ui, sans-serif`;
    ctx.fillText('convolens', w * 0.06, h * 0.92);
    ctx.font = `${Math.round(18 * s)}px system-ui, sans-serif`;
    ctx.fillText('test scene · no camera needed', w * 0.06 + 2, h * 0.8);
    this.#bg = c;
    this.#w = w;
    this.#h = h;
  }
}
