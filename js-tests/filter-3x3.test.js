// 3x3 kernels through the public filter API (createFilter, and the raw ImageFilter binding of
// the CommonJS builds), checked against an independent JS reference in both binaries.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { load } from '../web/lib/convolens.js';
import { conv3x3Reference, randomBytes } from './helpers/reference.js';

const SHARPEN = [0, -1, 0, -1, 5, -1, 0, -1, 0];
const EMBOSS = [-2, -1, 0, -1, 1, 1, 0, 1, 2];
const ODD = [0.1, -0.7, 0.3, 1.9, 0.25, -2.5, 0.5, 0.5, 0.5];
const SIZES = [[1, 1], [1, 7], [7, 1], [5, 3], [16, 2], [37, 11], [64, 48]];

const spec3x3 = (kernel, scale = 1, offset = 0) => ({ kernel, width: 3, height: 3, scale, offset, border: 'replicate' });

// Where got and want differ by more than `tolerance`: [x, y, channel, got, want], or null.
function firstMiss(got, want, width, tolerance = 0) {
  for (let i = 0; i < got.length; i++)
    if (Math.abs(got[i] - want[i]) > tolerance) return [(i >> 2) % width, Math.floor((i >> 2) / width), i & 3, got[i], want[i]];
  return null;
}

describe.each(['simd', 'plain'])('3x3 kernels in the %s module', (variant) => {
  let cl;
  beforeAll(async () => {
    cl = await load({ simd: variant === 'simd' });
  });

  // Integer kernels take the exact integer path: the bytes equal the f32 reference.
  test.each([
    ['sharpen', SHARPEN, 1, 0],
    ['emboss', EMBOSS, 1, 128],
  ])('%s equals the JS reference byte for byte over sizes', (_, kernel, scale, offset) => {
    const f = cl.createFilter(spec3x3(kernel, scale, offset));
    try {
      for (const [w, h] of SIZES) {
        const data = randomBytes(w * h * 4, w * 100 + h);
        expect([w, h, firstMiss(f.apply({ data, width: w, height: h }), conv3x3Reference(data, w, h, kernel, scale, offset), w)]).toEqual([w, h, null]);
      }
    } finally {
      f.dispose();
    }
  });

  // Float weights: every variant is within 1 of the definition (docs/filters.md).
  test('odd float weights with scale and offset stay within 1 of the reference over sizes', () => {
    const f = cl.createFilter(spec3x3(ODD, 3, 7.5));
    try {
      for (const [w, h] of SIZES) {
        const data = randomBytes(w * h * 4, w * 100 + h);
        expect([w, h, firstMiss(f.apply({ data, width: w, height: h }), conv3x3Reference(data, w, h, ODD, 3, 7.5), w, 1)]).toEqual([w, h, null]);
      }
    } finally {
      f.dispose();
    }
  });

  test('bad 3x3 kernels and frames throw named errors and the module keeps working', () => {
    expect(() => cl.createFilter({ kernel: [1, 2, 3], width: 3, height: 3 })).toThrow(RangeError);
    expect(() => cl.createFilter(spec3x3([1, 1, 1, 1, NaN, 1, 1, 1, 1]))).toThrow(/finite/);
    expect(() => cl.createFilter(spec3x3(SHARPEN, 0))).toThrow(/scale/);
    const f = cl.createFilter(spec3x3(SHARPEN));
    expect(() => f.apply({ data: new Uint8ClampedArray(12), width: 2, height: 2 })).toThrow(RangeError);
    expect(() => f.apply({ data: [1, 2, 3, 4], width: 1, height: 1 })).toThrow(TypeError);
    const data = randomBytes(16, 3);
    expect(Array.from(f.apply({ data, width: 2, height: 2 }))).toEqual(Array.from(conv3x3Reference(data, 2, 2, SHARPEN)));
    f.dispose();
    expect(() => f.apply({ data, width: 2, height: 2 })).toThrow('used after dispose');
  });
});

test('SIMD and plain modules agree bit for bit on a 3x3 float kernel', async () => {
  const [a, b] = [await load({ simd: true }), await load({ simd: false })];
  const img = { data: randomBytes(97 * 31 * 4, 5), width: 97, height: 31 };
  const fa = a.createFilter(spec3x3(ODD, 1.5, 64)), fb = b.createFilter(spec3x3(ODD, 1.5, 64));
  expect(firstMiss(fa.apply(img), fb.apply(img), img.width)).toBeNull();
  fa.dispose();
  fb.dispose();
});

test('the CommonJS factories load in Node and filter through the raw binding', async () => {
  const require = createRequire(import.meta.url);
  for (const variant of ['simd', 'plain']) {
    const base = new URL(`../build/wasm/convolens-${variant}-node`, import.meta.url);
    const factory = require(base.pathname + '.cjs');
    const m = await factory({ wasmBinary: readFileSync(base.pathname + '.wasm') });
    expect(m.backend()).toBe(variant === 'simd' ? 'wasm-simd128' : 'wasm-plain');
    const f = new m.ImageFilter();
    f.setKernel(SHARPEN, 3, 3, 1, 0);
    f.resize(3, 3, 4);
    const data = randomBytes(36, 11);
    m.HEAPU8.set(data, f.inputPtr());
    f.run();
    expect(Array.from(m.HEAPU8.subarray(f.outputPtr(), f.outputPtr() + 36))).toEqual(Array.from(conv3x3Reference(data, 3, 3, SHARPEN)));
    f.delete();
  }
});
