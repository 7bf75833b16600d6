// The first slice through every layer: C++ kernel -> Embind -> web/lib module, in Node.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { load } from '../web/lib/convolens.js';
import { conv3x3Reference, randomBytes } from './helpers/reference.js';

const SHARPEN = [0, -1, 0, -1, 5, -1, 0, -1, 0];
const EMBOSS = [-2, -1, 0, -1, 1, 1, 0, 1, 2];
const ODD = [0.1, -0.7, 0.3, 1.9, 0.25, -2.5, 0.5, 0.5, 0.5];

describe.each(['simd', 'plain'])('conv3x3 in the %s module', (variant) => {
  let cl;
  beforeAll(async () => {
    cl = await load({ simd: variant === 'simd' });
  });

  test('loads the requested binary', () => {
    expect(cl.variant).toBe(variant);
    expect(cl.backend).toBe(variant === 'simd' ? 'wasm-simd128' : 'wasm-plain');
  });

  test.each([
    ['sharpen', SHARPEN, 1, 0],
    ['emboss', EMBOSS, 1, 128],
    ['odd weights', ODD, 3, 7.5],
  ])('%s equals the JS reference pixel for pixel over sizes', (_, kernel, scale, offset) => {
    const f = cl.conv3x3({ kernel, scale, offset });
    try {
      for (const [w, h] of [[1, 1], [1, 7], [7, 1], [5, 3], [16, 2], [37, 11], [64, 48]]) {
        const data = randomBytes(w * h * 4, w * 100 + h);
        const got = f.apply({ data, width: w, height: h });
        expect([w, h, Array.from(got)]).toEqual([w, h, Array.from(conv3x3Reference(data, w, h, kernel, scale, offset))]);
      }
    } finally {
      f.dispose();
    }
  });

  test('bad input throws a named error and the module keeps working', () => {
    const f = cl.conv3x3({ kernel: SHARPEN });
    expect(() => f.setKernel([1, 2, 3])).toThrow(new RangeError('a 3x3 kernel needs 9 weights, got 3'));
    expect(() => f.setKernel([1, 1, 1, 1, NaN, 1, 1, 1, 1])).toThrow('kernel weights must be finite');
    expect(() => f.setKernel(SHARPEN, 0)).toThrow('scale must be finite and non-zero');
    expect(() => f.apply({ data: new Uint8ClampedArray(12), width: 2, height: 2 })).toThrow(RangeError);
    expect(() => f.apply({ data: new Uint8ClampedArray(0), width: 0, height: 0 })).toThrow('image size must be positive');
    expect(() => f.apply({ data: [1, 2, 3, 4], width: 1, height: 1 })).toThrow(TypeError);
    const data = randomBytes(16, 3);
    expect(Array.from(f.apply({ data, width: 2, height: 2 }))).toEqual(Array.from(conv3x3Reference(data, 2, 2, SHARPEN)));
    f.dispose();
    expect(() => f.apply({ data, width: 2, height: 2 })).toThrow('used after dispose');
  });

  test('no per-frame allocation: memory returns to baseline', () => {
    const base = cl.memory();
    const f = cl.conv3x3({ kernel: SHARPEN });
    const img = { data: randomBytes(64 * 48 * 4, 9), width: 64, height: 48 };
    f.apply(img);
    const during = cl.memory();
    for (let i = 0; i < 2000; i++) f.apply(img);
    expect(cl.memory()).toEqual(during);
    f.dispose();
    expect(cl.memory()).toEqual(base);
  });
});

test('SIMD and plain modules agree bit for bit', async () => {
  const [a, b] = [await load({ simd: true }), await load({ simd: false })];
  const img = { data: randomBytes(97 * 31 * 4, 5), width: 97, height: 31 };
  const fa = a.conv3x3({ kernel: ODD, scale: 1.5, offset: 64 }), fb = b.conv3x3({ kernel: ODD, scale: 1.5, offset: 64 });
  expect(Array.from(fa.apply(img))).toEqual(Array.from(fb.apply(img)));
  fa.dispose(); fb.dispose();
});

test('the CommonJS factories load in Node and compute the same result', async () => {
  const require = createRequire(import.meta.url);
  for (const variant of ['simd', 'plain']) {
    const base = new URL(`../build/wasm/convolens-${variant}-node`, import.meta.url);
    const factory = require(base.pathname + '.cjs');
    const m = await factory({ wasmBinary: readFileSync(base.pathname + '.wasm') });
    expect(m.backend()).toBe(variant === 'simd' ? 'wasm-simd128' : 'wasm-plain');
    const f = new m.Conv3x3Filter();
    f.setKernel(SHARPEN, 1, 0);
    f.resize(3, 3);
    const data = randomBytes(36, 11);
    m.HEAPU8.set(data, f.inputPtr());
    f.run(true);
    expect(Array.from(m.HEAPU8.subarray(f.outputPtr(), f.outputPtr() + 36))).toEqual(Array.from(conv3x3Reference(data, 3, 3, SHARPEN)));
    f.delete();
  }
});
