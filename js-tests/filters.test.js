// The filter API (web/lib/filters.js) on both binaries: presets, custom kernels, borders,
// modes, pipelines, bad input, and memory that stays flat frame after frame.
import { load } from '../web/lib/convolens.js';
import { convolveNaive } from '../web/lib/naive.js';
import { randomBytes } from './helpers/reference.js';
// Math through a module constant: in Jest's vm context each global lookup is slow, ~25x in hot loops.
const M = Math;

const BORDERS = ['constant', 'replicate', 'reflect101', 'wrap'];

// Exact reference for gradient magnitude (double precision, same border rules as naive.js).
function gradientReference(src, w, h, kx, ky, scale, l1, border) {
  const idx = (i, n) => {
    if (i >= 0 && i < n) return i;
    if (border === 'replicate') return i < 0 ? 0 : n - 1;
    if (border === 'wrap') return ((i % n) + n) % n;
    const p = 2 * (n - 1);
    if (n === 1) return 0;
    const m = ((i % p) + p) % p;
    return m < n ? m : p - m;
  };
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 4; c++) {
        const o = (y * w + x) * 4 + c;
        if (c === 3) { out[o] = src[o]; continue; }
        let a = 0, b = 0;
        for (let j = 0; j < 3; j++)
          for (let i = 0; i < 3; i++) {
            const p = src[(idx(y + j - 1, h) * w + idx(x + i - 1, w)) * 4 + c];
            a += kx[j * 3 + i] * p; b += ky[j * 3 + i] * p;
          }
        out[o] = (l1 ? M.abs(a) + M.abs(b) : M.hypot(a, b)) / scale;
      }
  return out;
}

function maxDiff(a, b) {
  let m = 0, at = -1;
  for (let i = 0; i < a.length; i++) if (M.abs(a[i] - b[i]) > m) { m = M.abs(a[i] - b[i]); at = i; }
  return { max: m, at };
}

// Fails with the case, the difference and where it is (not a bare `false`).
function expectWithin1(got, want, what) {
  expect(got).toHaveLength(want.length);
  const { max, at } = maxDiff(got, want);
  const where = at < 0 ? {} : { pixel: M.floor(at / 4), channel: at % 4, got: got[at], want: want[at] };
  expect({ case: what, largestDifference: max, ...where }).toEqual({ case: what, largestDifference: expect.toBeWithin1(), ...where });
}

expect.extend({
  toBeWithin1(received) {
    return { pass: received <= 1, message: () => `expected a difference of at most 1, got ${received}` };
  },
});

describe.each(['simd', 'plain'])('filters in the %s module', (variant) => {
  let cl;
  beforeAll(async () => {
    cl = await load({ simd: variant === 'simd' });
  });

  test('presets list names, labels, descriptions and written-out kernels', () => {
    const names = cl.presets.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const need of ['identity', 'box', 'gaussian', 'sharpen', 'unsharp', 'laplacian-4', 'laplacian-8', 'sobel-x',
      'sobel-y', 'sobel-magnitude', 'prewitt-magnitude', 'scharr-magnitude', 'emboss', 'outline', 'motion-blur'])
      expect(names).toContain(need);
    for (const p of cl.presets) {
      expect(typeof p.label).toBe('string');
      expect(p.description.length).toBeGreaterThan(10);
      const k = p.kernel;
      expect(k.weights.length).toBe(k.width * k.height);
      expect(Number.isFinite(k.scale) && k.scale !== 0).toBe(true);
    }
    expect(cl.presets.find((p) => p.name === 'box').params).toEqual({ size: 3 });
    expect(cl.presets.find((p) => p.name === 'gaussian').params).toEqual({ sigma: 1 });
    expect(cl.presets.find((p) => p.name === 'sobel-magnitude').op).toBe('sobel-magnitude');
    expect(Array.from(cl.presets.find((p) => p.name === 'sharpen').kernel.weights)).toEqual([0, -1, 0, -1, 5, -1, 0, -1, 0]);
    expect(cl.maxKernelSize).toBe(31);
  });

  test('every plain-kernel preset is within 1 of the exact double result, on every border', () => {
    const w = 23, h = 9;
    const data = randomBytes(w * h * 4, 77);
    for (const p of cl.presets) {
      if (p.op) continue;
      for (const border of BORDERS) {
        const f = cl.createFilter(p.name, { border, borderValue: 40 });
        const got = f.apply({ data, width: w, height: h });
        const want = convolveNaive(data, new Uint8ClampedArray(w * h * 4), w, h, { ...p.kernel, border, borderValue: 40 });
        expectWithin1(got, want, `${p.name}, ${border}`);
        f.dispose();
      }
    }
  });

  test('gradient magnitude presets match the exact L2 / L1 magnitude', () => {
    const w = 17, h = 6, data = randomBytes(w * h * 4, 5);
    for (const [name, l1] of [['sobel-magnitude', false], ['sobel-magnitude-l1', true], ['scharr-magnitude', false], ['prewitt-magnitude', false]]) {
      const p = cl.presets.find((q) => q.name === name);
      const f = cl.createFilter(name);
      expect(f.kernel.op).toBe(name);
      const want = gradientReference(data, w, h, p.kernel.weights, p.kernelY.weights, p.kernel.scale, l1, 'replicate');
      expectWithin1(f.apply({ data, width: w, height: h }), want, name);
      f.dispose();
    }
  });

  test('custom kernels: arrays and Float32Array, non-square, even, options, output objects', () => {
    const w = 21, h = 5, data = randomBytes(w * h * 4, 9);
    const spec = { kernel: new Float32Array([0.5, -1, 2, 0.25, 1, -0.75]), width: 3, height: 2, scale: 2, offset: 10 };
    for (const border of BORDERS) {
      const f = cl.createFilter({ ...spec, border, borderValue: 200 });
      const out = { data: new Uint8ClampedArray(w * h * 4), width: w, height: h };
      expect(f.apply({ data, width: w, height: h }, out)).toBe(out.data);
      const want = convolveNaive(data, new Uint8ClampedArray(w * h * 4), w, h, { ...spec, weights: spec.kernel, border, borderValue: 200 });
      expectWithin1(out.data, want, `custom 3x2, ${border}`);
      expect(f.kernel).toMatchObject({ width: 3, height: 2, scale: 2, offset: 10 });
      expect(Array.from(f.kernel.weights)).toEqual(Array.from(spec.kernel));
      f.dispose();
    }
    // square kernels may omit width/height; setOptions switches the border in place
    const f = cl.createFilter({ kernel: [1, 2, 1, 2, 4, 2, 1, 2, 1], scale: 16 });
    f.setOptions({ border: 'constant', borderValue: 0 });
    expect(f.options).toEqual({ border: 'constant', borderValue: 0, mode: 'rgb' });
    const got = f.apply({ data: new Uint8ClampedArray(4 * 4).fill(160), width: 2, height: 2 });
    expect(got[0]).toBe(90);  // (4+2+2+1)*160/16 = 90: the zero border pulls the corner down
    f.dispose();
  });

  test('zero-copy frames: input() is a heap view, run() returns the result in place', () => {
    const w = 13, h = 5, data = randomBytes(w * h * 4, 12);
    const f = cl.createFilter('emboss');
    expect(() => f.run()).toThrow('call input(width, height) before run()');
    const want = Array.from(f.apply({ data, width: w, height: h }));
    f.input(w, h).set(data);
    expect(Array.from(f.run())).toEqual(want);
    const pipe = cl.createPipeline(['emboss']);
    pipe.input(w, h).set(data);
    expect(Array.from(pipe.run())).toEqual(want);
    expect(() => f.input(0, 3)).toThrow(RangeError);
    pipe.dispose();
    f.dispose();
  });

  test('results rule: apply() without an output returns a copy the caller owns, like predict()', () => {
    const w = 6, h = 4, a = randomBytes(w * h * 4, 21), b = randomBytes(64 * 4, 22);
    for (const op of [cl.createFilter('sharpen'), cl.createPipeline(['box', 'sharpen'])]) {
      const first = op.apply({ data: a, width: w, height: h });
      const kept = Array.from(first);
      const heap = op.input(w, h);  // the heap view of the zero-copy pair
      expect(first.buffer).not.toBe(heap.buffer);  // not a view of wasm memory
      op.apply({ data: b, width: 64, height: 1 });  // another call, another size
      expect(Array.from(first)).toEqual(kept);  // unchanged by later calls
      op.dispose();
      expect(Array.from(first)).toEqual(kept);  // and by dispose
    }
  });

  test('gray mode convolves luminance, writes it to R=G=B and keeps alpha', () => {
    const w = 9, h = 4, data = randomBytes(w * h * 4, 3);
    const f = cl.createFilter('sharpen', { mode: 'gray' });
    const out = f.apply({ data, width: w, height: h });
    const lum = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      const y = (77 * data[4 * i] + 150 * data[4 * i + 1] + 29 * data[4 * i + 2] + 128) >> 8;
      lum.set([y, y, y, data[4 * i + 3]], 4 * i);
    }
    const want = convolveNaive(lum, new Uint8ClampedArray(w * h * 4), w, h, { ...f.kernel });
    expect(maxDiff(out, want).max).toBeLessThanOrEqual(1);
    for (let i = 0; i < w * h; i++) {
      expect(out[4 * i]).toBe(out[4 * i + 1]);
      expect(out[4 * i + 3]).toBe(data[4 * i + 3]);
    }
    f.dispose();
  });

  test('pipelines equal the filters applied one after another and dispose what they created', () => {
    const base = cl.memory();
    const w = 30, h = 7, data = randomBytes(w * h * 4, 21);
    const sharpen = cl.createFilter('sharpen');
    const pipe = cl.createPipeline([sharpen, 'emboss', ['gaussian', { sigma: 0.8 }], { kernel: [1, 1, 1], width: 3, height: 1, scale: 3 }]);
    const got = Array.from(pipe.apply({ data, width: w, height: h }));
    let img = data;
    for (const f of pipe.filters) img = Uint8ClampedArray.from(f.apply({ data: img, width: w, height: h }));
    expect(got).toEqual(Array.from(img));
    pipe.dispose();
    expect(() => pipe.apply({ data, width: w, height: h })).toThrow('pipeline used after dispose');
    expect(sharpen.apply({ data, width: w, height: h }).length).toBe(w * h * 4);  // not owned: still alive
    const p2 = cl.createPipeline([sharpen]);
    sharpen.dispose();
    expect(() => p2.apply({ data, width: w, height: h })).toThrow(new TypeError('convolens: pipeline filter 0 ("sharpen") was disposed'));
    p2.dispose();
    expect(cl.memory()).toEqual(base);
  });

  test('bad input throws a RangeError/TypeError naming the problem; the module keeps working', () => {
    const base = cl.memory();
    const img = { data: randomBytes(16 * 4, 1), width: 4, height: 4 };
    expect(() => cl.createFilter({ kernel: [], width: 0, height: 0 })).toThrow(new RangeError('kernel size must be 1..31 on each side, got 0x0'));
    expect(() => cl.createFilter({ kernel: new Float32Array(32 * 32), width: 32, height: 32 })).toThrow('kernel size must be 1..31 on each side, got 32x32');
    expect(() => cl.createFilter({ kernel: [1, 2, 3], width: 2, height: 2 })).toThrow(new RangeError('kernel weights: 2x2 needs 4 weights, got 3'));
    expect(() => cl.createFilter({ kernel: [1, NaN, 1], width: 3, height: 1 })).toThrow(new RangeError('kernel weights must be finite numbers, weight 1 is NaN'));
    expect(() => cl.createFilter({ kernel: [1, 1, Infinity], width: 3, height: 1 })).toThrow('weight 2 is Infinity');
    expect(() => cl.createFilter({ kernel: [1], scale: Infinity })).toThrow(new RangeError('kernel scale must be a finite non-zero number, got Infinity'));
    expect(() => cl.createFilter({ kernel: [1], scale: 0 })).toThrow('kernel scale must be a finite non-zero number, got 0');
    expect(() => cl.createFilter({ kernel: [1], offset: NaN })).toThrow('kernel offset must be a finite number, got NaN');
    expect(() => cl.createFilter({ kernel: 'abc' })).toThrow(TypeError);
    expect(() => cl.createFilter({ kernel: [1, 'x', 1], width: 3, height: 1 })).toThrow(new TypeError('kernel weight 1 must be a number, got string'));
    expect(() => cl.createFilter(42)).toThrow(TypeError);
    expect(() => cl.createFilter('blurry')).toThrow(/unknown preset "blurry" \(identity, box, gaussian/);
    expect(() => cl.createFilter('box', { size: 0 })).toThrow(new RangeError('preset "box": size must be an integer 1..31, got 0'));
    expect(() => cl.createFilter('gaussian', { sigma: NaN })).toThrow('sigma must be 0.1..10, got NaN');
    expect(() => cl.createFilter('sharpen', { border: 'mirror' })).toThrow(new RangeError('unknown border mode "mirror" (constant, replicate, reflect101, wrap)'));
    expect(() => cl.createFilter('sharpen', { mode: 'hsv' })).toThrow('unknown mode "hsv" (rgb, gray)');
    expect(() => cl.createFilter('sharpen', { borderValue: 300 })).toThrow('borderValue must be an integer 0..255, got 300');
    const f = cl.createFilter('sharpen');
    expect(() => f.apply({ data: new Uint8ClampedArray(12), width: 2, height: 2 })).toThrow(new RangeError('input.data has 12 bytes, but a 2x2 RGBA image needs 16'));
    expect(() => f.apply({ data: new Uint8ClampedArray(0), width: 0, height: 0 })).toThrow('image size must be positive integers, got 0x0');
    expect(() => f.apply({ data: [1, 2, 3, 4], width: 1, height: 1 })).toThrow(TypeError);
    expect(() => f.apply(img, { data: new Uint8ClampedArray(8) })).toThrow('output has 8 bytes, the result has 64');
    // video/canvas/image inputs are read through an OffscreenCanvas (browsers; Chromium test in browser/)
    expect(() => f.apply({ videoWidth: 0, videoHeight: 0 })).toThrow('input has no pixels yet (0x0)');
    expect(() => f.apply({ videoWidth: 4, videoHeight: 4 })).toThrow(typeof OffscreenCanvas === 'undefined' ? TypeError : Error);
    expect(() => f.setOptions({ border: 'nope' })).toThrow(RangeError);
    expect(f.options.border).toBe('replicate');  // a rejected option leaves the filter as it was
    const want = convolveNaive(img.data, new Uint8ClampedArray(64), 4, 4, { ...f.kernel });
    expect(Array.from(f.apply(img))).toEqual(Array.from(want));
    f.dispose();
    expect(() => f.apply(img)).toThrow(new TypeError('convolens: filter "sharpen" used after dispose()'));
    expect(() => f.kernel).toThrow(TypeError);
    f.dispose();  // twice is fine
    expect(cl.memory()).toEqual(base);
  });

  test('no per-frame allocation: heap, buffers and objects stay flat over 10,000 frames', () => {
    const base = cl.memory();
    const f = cl.createFilter('gaussian', { sigma: 1 });
    const pipe = cl.createPipeline(['sharpen', 'box']);
    const img = { data: randomBytes(8 * 6 * 4, 4), width: 8, height: 6 };
    const out = { data: new Uint8ClampedArray(8 * 6 * 4) };
    f.apply(img, out);
    pipe.apply(img, out);
    const during = cl.memory();
    for (let i = 0; i < 10000; i++) {
      f.apply(img, out);
      pipe.apply(img, out);
    }
    expect(cl.memory()).toEqual(during);
    // a new frame size reallocates once, then stays flat again
    const big = { data: randomBytes(40 * 30 * 4, 2), width: 40, height: 30 };
    f.apply(big);
    const resized = cl.memory();
    for (let i = 0; i < 100; i++) f.apply(big);
    expect(cl.memory()).toEqual(resized);
    f.dispose();
    pipe.dispose();
    expect(cl.memory()).toEqual(base);
  });
});

test('SIMD and plain modules agree bit for bit on every preset', async () => {
  const [a, b] = [await load({ simd: true }), await load({ simd: false })];
  const w = 45, h = 13, img = { data: randomBytes(w * h * 4, 8), width: w, height: h };
  for (const p of a.presets) {
    for (const mode of ['rgb', 'gray']) {
      const fa = a.createFilter(p.name, { mode, border: 'reflect101' }), fb = b.createFilter(p.name, { mode, border: 'reflect101' });
      // The plain module runs the scalar twin of the SIMD module's row (same arithmetic).
      expect([p.name, mode, fa.variant, fb.variant]).toEqual([p.name, mode, expect.stringMatching(/__\w*wasmsimd$/), expect.stringMatching(/__\w*scalar$/)]);
      expect(Array.from(fa.apply(img))).toEqual(Array.from(fb.apply(img)));
      fa.dispose(); fb.dispose();
    }
  }
});
