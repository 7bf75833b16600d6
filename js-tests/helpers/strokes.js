// Digits drawn like a person with a mouse or finger: round-brush polylines for 0-9 in a unit
// box, two styles each, rendered anti-aliased in three inks. Shared by the stroke tests.
// Math through a module constant: in Jest's vm context each global lookup is slow, ~25x in hot loops.
const M = Math;

// Polylines in a unit box (x right, y down).
export const arc = (cx, cy, rx, ry, a0, a1, n = 16) => Array.from({ length: n + 1 }, (_, i) => { const a = (a0 + (a1 - a0) * i / n) * M.PI / 180; return [cx + rx * M.sin(a), cy - ry * M.cos(a)]; });
export const D = {
  0: [[arc(0.5, 0.5, 0.3, 0.45, 0, 360)], [arc(0.5, 0.5, 0.35, 0.42, 10, 375)]],
  1: [[[[0.5, 0.05], [0.5, 0.95]]], [[[0.35, 0.2], [0.55, 0.05], [0.55, 0.95]]]],
  2: [[[...arc(0.5, 0.3, 0.3, 0.25, -70, 120), [0.2, 0.95], [0.85, 0.95]]], [[...arc(0.5, 0.3, 0.28, 0.25, -90, 135), [0.15, 0.92], [0.9, 0.92]]]],
  3: [[[...arc(0.5, 0.28, 0.28, 0.23, -80, 180)], [...arc(0.5, 0.72, 0.3, 0.23, 0, 260)]], [[[0.2, 0.08], [0.8, 0.08], [0.45, 0.45], ...arc(0.5, 0.7, 0.3, 0.25, 30, 250)]]],
  4: [[[[0.65, 0.95], [0.65, 0.05], [0.12, 0.68], [0.88, 0.68]]], [[[0.25, 0.05], [0.2, 0.55], [0.85, 0.55]], [[0.7, 0.1], [0.7, 0.95]]]],
  5: [[[[0.8, 0.05], [0.3, 0.05], [0.25, 0.45], ...arc(0.5, 0.68, 0.3, 0.27, -60, 230)]], [[[0.3, 0.07], [0.25, 0.45], ...arc(0.5, 0.68, 0.3, 0.27, -50, 220)], [[0.3, 0.07], [0.8, 0.07]]]],
  6: [[[[0.7, 0.05], ...arc(0.5, 0.7, 0.28, 0.25, 250, 250 - 360)]], [[[0.65, 0.05], [0.3, 0.5], ...arc(0.5, 0.72, 0.25, 0.23, 260, -90)]]],
  7: [[[[0.15, 0.05], [0.85, 0.05], [0.4, 0.95]]], [[[0.15, 0.1], [0.85, 0.05], [0.5, 0.95]], [[0.35, 0.5], [0.75, 0.5]]]],
  8: [[[...arc(0.5, 0.27, 0.23, 0.22, 180, 540)], [...arc(0.5, 0.72, 0.28, 0.23, 0, 360)]], [[...arc(0.5, 0.27, 0.22, 0.22, 0, 360), ...arc(0.5, 0.72, 0.27, 0.23, 0, 360)]]],
  9: [[[...arc(0.5, 0.3, 0.27, 0.25, 90, 450), [0.77, 0.95]]], [[...arc(0.48, 0.28, 0.25, 0.23, 100, 460), [0.55, 0.95]]]],
};
export function render(strokes, { W = 280, H = 280, box = 200, x = 40, y = 40, aspect = 0.7, brush = 16, ink = 'dark' }) {
  const bw = box * aspect, bh = box, r = brush / 2;
  const cover = new Float32Array(W * H);  // brush coverage 0..1, anti-aliased over one pixel
  for (const s of strokes) for (let i = 0; i + 1 < s.length; i++) {
    const ax = x + s[i][0] * bw, ay = y + s[i][1] * bh, bx = x + s[i + 1][0] * bw, by = y + s[i + 1][1] * bh;
    const vx = bx - ax, vy = by - ay, l = vx * vx + vy * vy;
    const x0 = M.max(0, M.floor(M.min(ax, bx) - r - 1)), x1 = M.min(W - 1, M.ceil(M.max(ax, bx) + r + 1));
    const y0 = M.max(0, M.floor(M.min(ay, by) - r - 1)), y1 = M.min(H - 1, M.ceil(M.max(ay, by) + r + 1));
    for (let py = y0; py <= y1; py++) for (let px = x0; px <= x1; px++) {
      const t = l ? M.max(0, M.min(1, ((px + 0.5 - ax) * vx + (py + 0.5 - ay) * vy) / l)) : 0;
      const dx = px + 0.5 - ax - t * vx, dy = py + 0.5 - ay - t * vy;
      const a = M.max(0, M.min(1, r - M.sqrt(dx * dx + dy * dy) + 0.5));
      if (a > cover[py * W + px]) cover[py * W + px] = a;
    }
  }
  const rgba = new Uint8ClampedArray(W * H * 4);
  for (let p = 0; p < W * H; p++) {
    const a = cover[p], i = 4 * p;
    if (ink === 'dark') { rgba[i] = rgba[i + 1] = rgba[i + 2] = M.round(255 * (1 - a)); rgba[i + 3] = 255; }
    else if (ink === 'light') { rgba[i] = rgba[i + 1] = rgba[i + 2] = M.round(255 * a); rgba[i + 3] = 255; }
    else { rgba[i] = rgba[i + 1] = rgba[i + 2] = 30; rgba[i + 3] = M.round(255 * a); }
  }
  return { data: rgba, width: W, height: H };
}
