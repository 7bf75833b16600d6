// Regression cases for what hostile input found at the filter API (issue #15), on both binaries:
// out-of-memory errors, half-resized objects, Embind errors, wrapped integers, lying typed
// arrays, and the smaller ones. Each test names the call that once went wrong.
import { load } from '../web/lib/convolens.js';
import { instantiate } from '../web/lib/load.js';
import { longRuns } from './helpers/fc-config.js';

const image = (w, h, fill = 100) => ({ data: new Uint8ClampedArray(w * h * 4).fill(fill), width: w, height: h });
const counts = ({ liveBytes, liveBuffers, liveObjects }) => ({ liveBytes, liveBuffers, liveObjects });

describe.each(['simd', 'plain'])('hostile input, %s module', (variant) => {
  let cl;
  beforeAll(async () => {
    cl = await load({ simd: variant === 'simd' });
  });

  // Once: the SIMD build trapped ("null function or function signature mismatch") on the next
  // apply, createFilter threw a raw WebAssembly.Exception and memory() gave undefined counts.
  test('input(16384, 16384, 4) is a RangeError naming the size, refused before allocating; nothing is corrupted', () => {
    const base = counts(cl.memory());
    cl.createFilter('box').dispose();
    const f = cl.createFilter('identity');
    const img = image(64, 64);
    const before = f.apply(img).slice();
    const live = counts(cl.memory());
    expect(() => f.input(16384, 16384, 4)).toThrow(
      /^out of memory: a 16384x16384 RGBA frame \(input and output\) needs 2 GiB, more than the 1\.99\d GiB the wasm heap can ever hold$/);
    expect(counts(cl.memory())).toEqual(live);
    expect(f.apply(img)).toEqual(before);
    const g = cl.createFilter('box');
    expect(g.apply(img)).toEqual(before);  // a flat image stays flat
    g.dispose();
    f.dispose();
    expect(counts(cl.memory())).toEqual(base);
  });

  // Once: a failed resize freed the old input frame, kept the old size, and the next apply of
  // the old size wrote the pixels at heap address 0 (or said "image data is missing"); the
  // failed 1 GiB buffer stayed allocated until dispose().
  test('an allocation that fails for real (two 1 GiB frames) leaves the object exactly as it was', () => {
    const base = counts(cl.memory());
    const big = cl.createFilter('identity');
    const f = cl.createPipeline(['sharpen', 'box']);
    const img = image(40, 30, 7);
    const before = f.apply(img).slice();
    big.input(16384, 8192, 4);  // 2 x 512 MiB: fits
    const live = counts(cl.memory());
    let error;
    try {
      f.input(16384, 8192, 4);  // 2 x 512 MiB more: the 2 GiB heap has no room
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^out of memory: a 16384x8192 RGBA frame \(input and output\) needs 1 GiB; the wasm heap is [\d.]+ GiB now, at most 1\.99\d GiB$/);
    expect(counts(cl.memory())).toEqual(live);  // nothing of the failed size kept
    expect(f.apply(img)).toEqual(before);       // the old size still works
    big.dispose();
    f.dispose();
    expect(counts(cl.memory())).toEqual(base);
  });

  test('a non-string border or mode is a TypeError naming the option, not an Embind BindingError', () => {
    const cases = [
      [() => cl.createFilter('box', { border: 5 }), 'border must be a string (constant, replicate, reflect101, wrap), got 5'],
      [() => cl.createFilter('box', { mode: {} }), 'mode must be a string (rgb, gray), got an object'],
      [() => cl.createFilter({ kernel: [1], border: null }), 'border must be a string (constant, replicate, reflect101, wrap), got null'],
      [() => cl.createFilter({ kernel: [1], mode: 1 }), 'mode must be a string (rgb, gray), got 1'],
      [() => cl.createFilter('sharpen').setOptions({ border: Symbol('x') }), 'border must be a string (constant, replicate, reflect101, wrap), got a symbol'],
      [() => cl.createFilter('sharpen').setOptions(7), 'filter options must be an object, got 7'],
    ];
    for (const [call, message] of cases) expect(call).toThrow(new TypeError(message));
  });

  test('a filter of the other binary in a pipeline is a TypeError "from another convolens instance"', async () => {
    const other = await load({ simd: variant !== 'simd' });
    const f = other.createFilter('sharpen');
    const base = counts(cl.memory());
    expect(() => cl.createPipeline(['box', f])).toThrow(
      new TypeError('pipeline filter 1 ("sharpen") is from another convolens instance (another load() variant or path); create it with this instance\'s createFilter'));
    expect(counts(cl.memory())).toEqual(base);  // the 'box' filter made for the pipeline was freed
    f.dispose();
  });

  test('integers are checked as numbers before Embind converts (and wraps) them', () => {
    const f = cl.createFilter('sharpen');
    expect(() => f.setOptions({ borderValue: 2 ** 32 + 7 })).toThrow(new RangeError('borderValue must be an integer 0..255, got 4294967303'));
    expect(() => f.setOptions({ borderValue: 1e308 })).toThrow(new RangeError('borderValue must be an integer 0..255, got 1e+308'));
    expect(f.options.borderValue).toBe(0);
    expect(() => cl.createFilter({ kernel: [1, 2, 1], width: 2 ** 32 + 3, height: 1 }))
      .toThrow(new RangeError('kernel size must be 1..31 on each side, got 4294967299x1'));
    expect(() => f.input(2 ** 53, 4)).toThrow(new RangeError('image size must be 1..16384 on each side, got 9007199254740992x4'));
    expect(() => f.input(2 ** 32 + 3, 4)).toThrow(new RangeError('image size must be 1..16384 on each side, got 4294967299x4'));
    expect(() => f.apply({ data: new Uint8ClampedArray(4), width: 2 ** 32 + 1, height: 1 })).toThrow(RangeError);
    expect(() => cl.createFilter({ kernel: [1e39] })).toThrow(new RangeError('kernel weight 0 must be within float32 range (±3.4e38), got 1e+39'));
    expect(() => cl.createFilter({ kernel: [1], scale: 1e-50 })).toThrow(new RangeError('kernel scale is too close to 0 for float32 (below 1.4e-45), got 1e-50'));
    expect(() => cl.createFilter({ kernel: [1], offset: -1e300 })).toThrow(new RangeError('kernel offset must be within float32 range (±3.4e38), got -1e+300'));
    f.dispose();
  });

  test('a typed array whose length or byteLength lies is measured by the engine', () => {
    class Lying extends Uint8ClampedArray {
      get length() { return 16; }
      get byteLength() { return 16; }
    }
    const f = cl.createFilter('identity');
    expect(() => f.apply({ data: new Lying(8), width: 2, height: 2 })).toThrow(new RangeError('input.data has 8 bytes, but a 2x2 RGBA image needs 16'));
    expect(() => f.apply(image(2, 2), new Lying(4))).toThrow(new RangeError('output has 4 bytes, the result has 16'));
    const honest = new Lying(16).fill(9);  // a lying subclass of the right size works
    const out = new Lying(16);
    f.apply({ data: honest, width: 2, height: 2 }, out);
    expect(Array.from(Uint8ClampedArray.from(new Uint8ClampedArray(out.buffer)))).toEqual(new Array(16).fill(9));
    const kernel = new (class extends Float32Array { get length() { return 9; } })(1).fill(1);
    expect(() => cl.createFilter({ kernel, width: 3, height: 3 })).toThrow(new RangeError('kernel weights: 3x3 needs 9 weights, got 1'));
    const detached = new Uint8ClampedArray(16);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    expect(() => f.apply({ data: detached, width: 2, height: 2 })).toThrow(new RangeError('input.data has 0 bytes, but a 2x2 RGBA image needs 16'));
    f.dispose();
  });

  test('fractional preset sizes are refused, not rounded', () => {
    expect(() => cl.createFilter('box', { size: 3.7 })).toThrow(new RangeError('preset "box": size must be an integer 1..31, got 3.7'));
    expect(() => cl.createFilter('gaussian', { size: 1.5 })).toThrow(new RangeError('preset "gaussian": size must be an integer 0..31, got 1.5'));
    expect(() => cl.createFilter('motion-blur', { size: 2.5 })).toThrow(RangeError);
    const g = cl.createFilter('gaussian', { sigma: 1.5 });  // sigma stays fractional
    expect(g.kernel.width).toBe(11);
    g.dispose();
  });

  test('an output of 0, "" or NaN is a TypeError, not "no output"', () => {
    const f = cl.createFilter('identity');
    for (const bad of [0, '', NaN, false]) expect(() => f.apply(image(2, 2), bad)).toThrow(TypeError);
    expect(f.apply(image(2, 2), null)).toHaveLength(16);
    expect(f.apply(image(2, 2), undefined)).toHaveLength(16);
    f.dispose();
  });

  // Once: every error thrown from inside wasm leaked 32 bytes of the 1 MiB shadow stack;
  // ~32,000 errors overflowed it into static data. The stack in use is compared exactly, so a few
  // hundred errors show any leak; `npm run fuzz:api` also throws the 40,000 that once overflowed it.
  test('errors do not leak the wasm stack', async () => {
    const m = await instantiate(variant);
    const f = new m.ImageFilter();
    const inUse = m.stackInUse();
    const thrown = (call) => {
      try {
        call();
      } catch (e) {
        return e.name;
      }
      return 'nothing';
    };
    const names = new Set();
    for (let i = 0; i < 200; i++) {
      names.add(thrown(() => f.resize(-1, 1, 4)));
      names.add(thrown(() => f.setOptions('nope', 0, 'rgb')));
      names.add(`binding: ${thrown(() => f.setOptions(1, 0, 'rgb'))}`);  // Embind's own check, translated
    }
    expect([...names]).toEqual(['RangeError', 'binding: TypeError']);
    expect(m.stackInUse()).toBe(inUse);
    f.delete();
    const g = cl.createFilter('sharpen');
    for (let i = 0, n = longRuns ? 40000 : 1000; i < n; i++) {
      try {
        g.setOptions({ border: 'nope' });
      } catch {
        // expected: the test is that they leave the module working (40,000 overflowed the stack once)
      }
    }
    expect(g.apply(image(3, 3, 50))).toEqual(new Uint8ClampedArray(36).fill(50));
    g.dispose();
  });
});

// Shrunk counterexample of the misuse property (api-misuse.test.js): Node's bare "Invalid URL".
test('load() options of the wrong type or an unusable wasmPaths reject with a TypeError naming them', async () => {
  await expect(load({ wasmPaths: 'A: ' })).rejects.toThrow(/^convolens: wasmPaths "A: " does not make a valid URL/);
  await expect(load(null)).rejects.toThrow(new TypeError('convolens: load() options must be an object, got null'));
  await expect(load({ simd: 1 })).rejects.toThrow(new TypeError('convolens: load() option simd must be true, false or undefined, got 1'));
  await expect(load({ wasmPaths: 7 })).rejects.toThrow(TypeError);
  await expect(load({ locateFile: 'x' })).rejects.toThrow(TypeError);
});

describe.each(['simd', 'plain'])('digit classifier, %s module', (variant) => {
  let cl;
  beforeAll(async () => {
    cl = await load({ simd: variant === 'simd' });
  });

  test('loadDigitClassifier(null) loads the shipped model', async () => {
    const clf = await cl.loadDigitClassifier(null);
    expect(clf.model.inputShape).toEqual([28, 28, 1]);
    clf.dispose();
  });

  test('the cached classifier keeps no huge drawing buffers, and releaseDigitClassifier() frees it', async () => {
    // a black "1" on white, the bar 1/25 of the side wide and 1/3 of it tall
    const one = (side) => {
      const img = image(side, side, 255);
      const x0 = Math.round(side / 2), x1 = x0 + Math.max(1, Math.round(side / 25));
      for (let y = Math.round(side / 3); y < Math.round((2 * side) / 3); y++) img.data.fill(0, (y * side + x0) * 4, (y * side + x1) * 4);
      for (let i = 3; i < img.data.length; i += 4) img.data[i] = 255;
      return img;
    };
    await cl.classifyDrawing(one(64));  // loads the cached classifier and runs the model once
    const cached = counts(cl.memory());
    const big = one(2048);
    const r = await cl.classifyDrawing(big);
    expect(r.digit).toBe(1);
    expect(cl.memory().liveBytes).toBeLessThanOrEqual(cached.liveBytes);  // its 32 MiB of buffers went away
    const small = await cl.classifyDrawing(image(640, 480, 255));
    expect(small.empty).toBe(true);
    await cl.releaseDigitClassifier();
    expect(cl.memory().liveObjects).toBe(cached.liveObjects - 2);  // the preprocessor and the model
    await cl.releaseDigitClassifier();  // idempotent
    expect((await cl.classifyDrawing(big)).digit).toBe(r.digit);  // loads again on demand
    await cl.releaseDigitClassifier();
  });

  // 100,000 MNIST images are 78 M input values (313 MB): over the 2^26 a batch may hold. The
  // input array is never read (its zero pages are not even touched), nothing is allocated.
  test('a huge batch is a RangeError naming its size, before allocating; the model keeps working', async () => {
    const model = await cl.loadModel(new URL('../web/models/mnist/model.json', import.meta.url).pathname);
    const one = model.predict(new Float32Array(784));
    const before = counts(cl.memory());
    const message = 'batch of 100000 images is out of range (1 .. 2^26 input values)';
    expect(() => model.predict(new Float32Array(784 * 100000))).toThrow(new RangeError(message));
    expect(() => model.predict(new Array(100000).fill(new Float32Array(784)))).toThrow(new RangeError(message));
    expect(counts(cl.memory())).toEqual(before);
    expect(model.predict(new Float32Array(784))).toEqual(one);
    model.dispose();
  });

  test('classify measures a lying typed array by the engine', async () => {
    class Lying extends Uint8ClampedArray {
      get length() { return 16; }
    }
    const clf = await cl.loadDigitClassifier();
    expect(() => clf.classify({ data: new Lying(8), width: 2, height: 2 })).toThrow(new RangeError('classify: imageData.data has 8 bytes, but a 2x2 RGBA image needs 16'));
    clf.dispose();
  });
});
