// Plain-JavaScript 2-D convolution of RGBA pixels: live()'s engine 'js' (the page's "plain
// JavaScript") and the naive peer in the benchmarks. Straightforward on purpose, to show what
// the wasm engines save: no tricks, one loop nest.
//   spec: {width, height, weights, scale = 1, offset = 0, border = 'replicate', borderValue = 0}
// Output pixel = clamp(round(sum(w * p) / scale + offset)), alpha copied from the input.
import { borderIndex } from '../lib/pixels.js';

// Anchor (floor((k-1)/2), as in the core) and 1/scale shared by both loops. Resolving one tap
// up front rejects an unknown border mode even when no tap leaves the image.
function geometry(kw, kh, scale, border) {
  borderIndex(-1, 2, border);
  return { ax: Math.floor((kw - 1) / 2), ay: Math.floor((kh - 1) / 2), inv: 1 / scale };
}

export function convolveNaive(src, dst, imgWidth, imgHeight, spec) {
  if (!(dst instanceof Uint8ClampedArray)) throw new TypeError('dst must be a Uint8ClampedArray');
  const { width: kw, height: kh, weights, scale = 1, offset = 0, border = 'replicate', borderValue = 0 } = spec;
  const { ax, ay, inv } = geometry(kw, kh, scale, border);
  for (let y = 0; y < imgHeight; y++) {
    for (let x = 0; x < imgWidth; x++) {
      let r = 0, g = 0, b = 0;
      for (let ky = 0; ky < kh; ky++) {
        let yy = y + ky - ay;
        if (yy < 0 || yy >= imgHeight) yy = borderIndex(yy, imgHeight, border);
        for (let kx = 0; kx < kw; kx++) {
          const w = weights[ky * kw + kx];
          let xx = x + kx - ax;
          if (xx < 0 || xx >= imgWidth) xx = borderIndex(xx, imgWidth, border);
          if (yy < 0 || xx < 0) {
            r += w * borderValue; g += w * borderValue; b += w * borderValue;
          } else {
            const i = (yy * imgWidth + xx) * 4;
            r += w * src[i]; g += w * src[i + 1]; b += w * src[i + 2];
          }
        }
      }
      const o = (y * imgWidth + x) * 4;
      // dst is a Uint8ClampedArray: the store clamps and rounds ties to even, like the core.
      dst[o] = r * inv + offset;
      dst[o + 1] = g * inv + offset;
      dst[o + 2] = b * inv + offset;
      dst[o + 3] = src[o + 3];
    }
  }
  return dst;
}

// Gradient magnitude the naive way: both kernels in one loop nest, then sqrt (or |gx| + |gy|).
//   spec: {width, height, weightsX, weightsY, scale = 1, offset = 0, norm = 'L2', border = 'replicate', borderValue = 0}
export function gradientMagnitudeNaive(src, dst, imgWidth, imgHeight, spec) {
  if (!(dst instanceof Uint8ClampedArray)) throw new TypeError('dst must be a Uint8ClampedArray');
  const { width: kw, height: kh, weightsX, weightsY, scale = 1, offset = 0, norm = 'L2', border = 'replicate', borderValue = 0 } = spec;
  const { ax, ay, inv } = geometry(kw, kh, scale, border);
  for (let y = 0; y < imgHeight; y++) {
    for (let x = 0; x < imgWidth; x++) {
      const o = (y * imgWidth + x) * 4;
      for (let c = 0; c < 3; c++) {
        let gx = 0, gy = 0;
        for (let ky = 0; ky < kh; ky++) {
          let yy = y + ky - ay;
          if (yy < 0 || yy >= imgHeight) yy = borderIndex(yy, imgHeight, border);
          for (let kx = 0; kx < kw; kx++) {
            let xx = x + kx - ax;
            if (xx < 0 || xx >= imgWidth) xx = borderIndex(xx, imgWidth, border);
            const p = yy < 0 || xx < 0 ? borderValue : src[(yy * imgWidth + xx) * 4 + c];
            gx += weightsX[ky * kw + kx] * p;
            gy += weightsY[ky * kw + kx] * p;
          }
        }
        dst[o + c] = (norm === 'L1' ? Math.abs(gx) + Math.abs(gy) : Math.sqrt(gx * gx + gy * gy)) * inv + offset;
      }
      dst[o + 3] = src[o + 3];
    }
  }
  return dst;
}
