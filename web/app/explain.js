// The maths the pixel inspector shows: how one output channel comes out of the taps around a
// pixel (live.probe() gives them), step by step.

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
