// Diverging colours for weights: blue for negative, white for zero, orange-red for positive.
const NEG = [47, 100, 214], POS = [217, 87, 59];

export function weightColour(v, maxAbs) {
  const t = maxAbs > 0 ? Math.min(1, Math.abs(v) / maxAbs) : 0;
  const c = v < 0 ? NEG : POS;
  return `rgb(${Math.round(255 + (c[0] - 255) * t)},${Math.round(255 + (c[1] - 255) * t)},${Math.round(255 + (c[2] - 255) * t)})`;
}

// Draws a kw x kh kernel as square cells filling the canvas (centred, gaps between cells).
export function drawKernelHeat(canvas, kernel) {
  const ctx = canvas.getContext('2d');
  const { width: kw, height: kh, weights } = kernel;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const maxAbs = Math.max(...weights.map(Math.abs), 1e-9);
  const cell = Math.floor(Math.min(canvas.width / kw, canvas.height / kh));
  const ox = (canvas.width - cell * kw) / 2, oy = (canvas.height - cell * kh) / 2;
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
    ctx.fillStyle = weightColour(weights[y * kw + x], maxAbs);
    ctx.fillRect(ox + x * cell + 1, oy + y * cell + 1, cell - 2, cell - 2);
  }
}
