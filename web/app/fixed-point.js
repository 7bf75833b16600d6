// Weights the engine keeps as fixed-point numbers: some presets (unsharp mask) have weights that
// are whole multiples of 1/65536, and the Gaussian's are whole numbers with the scale 65536.
// Written with four decimals they lose digits ("−0" for −1/65536) and no longer add up, so the
// page shows such weights as the whole number weight × 65536 instead.
export const ONE = 65536;

// 65536 when every weight is k/65536 for a whole k but not all are whole numbers; else 1.
export function displayFactor(weights) {
  const w = Array.from(weights);
  if (w.every(Number.isInteger)) return 1;
  return w.every((v) => Number.isInteger(v * ONE)) ? ONE : 1;
}

// The sentence that explains fixed-point weights where they appear ('' when there are none).
export function fixedPointNote(kernel, factor = displayFactor(kernel.weights)) {
  if (factor === ONE) {
    return `Fixed-point weights: each number here is the weight × ${ONE}, a whole number, so −14 stands for −14 ÷ ${ONE} ≈ −0.0002; the engine sums whole numbers and divides once.`;
  }
  if (kernel.scale === ONE && Array.from(kernel.weights).every(Number.isInteger)) {
    return `Fixed-point weights: whole numbers that the scale ${ONE} divides back into fractions adding up to 1 (${ONE} = 2¹⁶, so the engine sums whole numbers and shifts once).`;
  }
  return '';
}
