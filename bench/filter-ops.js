// The filter operations every filter benchmark times (bench/filters.js, bench/compare-builds.js).

// A 7x7 centre-surround kernel (integer weights, offset 128): not separable, not a box.
export const CUSTOM7 = [
  0, 0, -1, -1, -1, 0, 0,
  0, -1, -3, -3, -3, -1, 0,
  -1, -3, 0, 7, 0, -3, -1,
  -1, -3, 7, 24, 7, -3, -1,
  -1, -3, 0, 7, 0, -3, -1,
  0, -1, -3, -3, -3, -1, 0,
  0, 0, -1, -1, -1, 0, 0,
];

export const OPS = [
  { op: 'sharpen3x3', preset: ['sharpen'] },
  { op: 'gaussian5x5', preset: ['gaussian', { sigma: 1, size: 5 }] },
  { op: 'box15x15', preset: ['box', { size: 15 }] },
  { op: 'sobel_magnitude', preset: ['sobel-magnitude'] },
  { op: 'custom7x7', spec: { kernel: CUSTOM7, width: 7, height: 7, scale: 1, offset: 128 } },
];
