// The maths the pixel inspector shows: how one output channel comes out of the taps around a
// pixel (live.probe() gives them), step by step, computed the way the core computes it.

// Round half to even (what the core does after scale and offset).
export function roundHalfEven(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// One output channel of a single kernel. factor: the weights are shown × factor (fixed point),
// so the sum is shown as whole = Σ (weight × factor) × pixel, exact.
export function explainChannel(taps, c, kernel, factor = 1) {
  let sum = 0, whole = 0;
  for (let i = 0; i < taps.length; i++) {
    sum += kernel.weights[i] * taps[i].rgb[c];
    whole += Math.round(kernel.weights[i] * factor) * taps[i].rgb[c];
  }
  const scaled = sum / kernel.scale + kernel.offset;
  const rounded = roundHalfEven(scaled);
  return { sum, whole: factor === 1 ? sum : whole, scaled, rounded, value: clamp(rounded) };
}

// One output channel of a gradient magnitude: gx and gy are exact integer sums; the norm is
// taken in f32 as the core does (sqrt of f32(gx² + gy²), or |gx| + |gy|), then scale, offset,
// rounding and clamping.
export function explainGradient(taps, c, { norm, kernel, kernelY }) {
  let gx = 0, gy = 0;
  for (let i = 0; i < taps.length; i++) {
    gx += kernel.weights[i] * taps[i].rgb[c];
    gy += kernelY.weights[i] * taps[i].rgb[c];
  }
  const f = Math.fround;
  const magnitude = norm === 'L1' ? f(Math.abs(gx) + Math.abs(gy)) : f(Math.sqrt(f(gx * gx + gy * gy)));
  const scaled = f(f(magnitude * f(1 / kernel.scale)) + kernel.offset);
  const rounded = roundHalfEven(scaled);
  return { gx, gy, magnitude, sum: magnitude, scaled, rounded, value: clamp(rounded) };
}

function clamp(v) {
  return Math.min(255, Math.max(0, v));
}
