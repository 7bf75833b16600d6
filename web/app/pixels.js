// Small pixel helpers shared by the worker, the inspector and the tests.

// Luma with integer BT.601 weights; replaces R, G and B, keeps alpha.
export function grayInPlace(d) {
  for (let i = 0; i < d.length; i += 4) {
    const y = (77 * d[i] + 150 * d[i + 1] + 29 * d[i + 2] + 128) >> 8;
    d[i] = d[i + 1] = d[i + 2] = y;
  }
}

// Where a tap outside the image reads from, per border mode; -1 means "the constant value".
export function borderIndex(i, n, border) {
  if (i >= 0 && i < n) return i;
  switch (border) {
    case 'constant': return -1;
    case 'replicate': return i < 0 ? 0 : n - 1;
    case 'reflect101': {
      if (n === 1) return 0;
      const p = 2 * (n - 1);
      const m = ((i % p) + p) % p;
      return m < n ? m : p - m;
    }
    case 'wrap': return ((i % n) + n) % n;
    default: throw new RangeError(`unknown border mode "${border}"`);
  }
}

// The neighbourhood a kernel of kw x kh sees around (x, y), border resolved.
// Returns [{x, y, dx, dy, rgb: [r, g, b] }] in kernel order; x = y = -1 for constant-border taps.
export function neighbourhood(data, width, height, x, y, kw, kh, border, borderValue = 0) {
  const ax = (kw - 1) >> 1, ay = (kh - 1) >> 1;
  const taps = [];
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const sx = borderIndex(x + kx - ax, width, border);
      const sy = borderIndex(y + ky - ay, height, border);
      if (sx < 0 || sy < 0) {
        taps.push({ x: -1, y: -1, dx: kx - ax, dy: ky - ay, rgb: [borderValue, borderValue, borderValue] });
      } else {
        const o = (sy * width + sx) * 4;
        taps.push({ x: sx, y: sy, dx: kx - ax, dy: ky - ay, rgb: [data[o], data[o + 1], data[o + 2]] });
      }
    }
  }
  return taps;
}

// Round half to even (what the core does after scale and offset).
export function roundHalfEven(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// One output channel, computed the way the inspector explains it.
export function explainChannel(taps, c, kernel) {
  let sum = 0;
  for (let i = 0; i < taps.length; i++) sum += kernel.weights[i] * taps[i].rgb[c];
  const scaled = sum / kernel.scale + kernel.offset;
  const rounded = roundHalfEven(scaled);
  return { sum, scaled, rounded, value: Math.min(255, Math.max(0, rounded)) };
}
