// Misuse, property-based (fast-check): random junk for every argument of every public filter,
// pipeline and load function, on both binaries. Every call either works or throws a
// TypeError/RangeError/Error with a message (never an Embind BindingError, a wasm trap, a raw
// exception or a non-Error); afterwards nothing is left allocated (cl.memory() back to baseline),
// the wasm stack did not leak, and the module still filters correctly.
import fc from 'fast-check';
import { load } from '../web/lib/convolens.js';
import { fcOptions, timeoutFor } from './helpers/fc-config.js';

let simd, plain;
beforeAll(async () => {
  [simd, plain] = await Promise.all([load({ simd: true }), load({ simd: false })]);
});

const detached = () => {
  const a = new Uint8ClampedArray(16);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
};
class LyingArray extends Uint8ClampedArray {
  get length() { return 64; }
  get byteLength() { return 64; }
}

// Values that have broken APIs before: wrong types, NaN, infinities, huge and negative numbers,
// numbers that wrap in 32 bits, odd typed arrays, plus a few plausible ones so calls get deep.
const numberJunk = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, -0, 0.5, 3.7, 2 ** 31, 2 ** 32 + 3, 2 ** 32 + 7, 2 ** 53, 1e308, -1e308, 1e-320, 16384, 16385, 255, 256),
  fc.integer({ min: -5, max: 40 }),
  fc.double());
const junk = fc.letrec((tie) => ({
  value: fc.oneof(
    { weight: 3, arbitrary: numberJunk },
    fc.constantFrom(undefined, null, true, false, '', 'box', 'gaussian', 'sobel-magnitude', 'nope', 'gray', 'wrap', '\u0000', Symbol('s'), 10n, () => 1, [], {}),
    fc.string({ maxLength: 8 }),
    fc.constantFrom('u8', 'clamped', 'f32', 'detached', 'lying', 'big').map((kind) => {
      switch (kind) {
        case 'u8': return new Uint8Array(16);
        case 'clamped': return new Uint8ClampedArray(36);
        case 'f32': return new Float32Array(9).fill(1);
        case 'detached': return detached();
        case 'lying': return new LyingArray(4);
        default: return new Uint8ClampedArray(4 * 64 * 64);
      }
    }),
    fc.array(tie('leaf'), { maxLength: 10 }),
    fc.record({ data: tie('leaf'), width: numberJunk, height: numberJunk, channels: tie('leaf') }, { requiredKeys: [] }),
    fc.record({ kernel: tie('leaf'), width: numberJunk, height: numberJunk, scale: numberJunk, offset: numberJunk,
      border: tie('leaf'), borderValue: numberJunk, mode: tie('leaf') }, { requiredKeys: [] }),
    fc.record({ size: numberJunk, sigma: numberJunk, amount: numberJunk, border: tie('leaf'), borderValue: numberJunk, mode: tie('leaf') }, { requiredKeys: [] }),
  ),
  leaf: fc.oneof(numberJunk, fc.constantFrom(undefined, null, 'rgb', 'gray', 'constant', 'reflect101', 7, 'x', Symbol('t'), {}, [1, 2, 3], new Uint8ClampedArray(4), detached())),
})).value;

// One random call on a fresh filter or pipeline (some disposed first, some from the other binary).
const callArb = fc.record({
  target: fc.constantFrom('filter', 'pipeline', 'disposed-filter', 'disposed-pipeline', 'create-filter', 'create-pipeline'),
  method: fc.constantFrom('apply', 'input', 'run', 'setOptions', 'kernel', 'options', 'variant', 'filters'),
  args: fc.array(junk, { maxLength: 3 }),
  other: fc.boolean(),
});

// By name and brand, not instanceof: Node's own errors (an invalid URL, a missing file) come from
// another realm than Jest's test context.
function isCleanError(e) {
  return Object.prototype.toString.call(e) === '[object Error]' && ['TypeError', 'RangeError', 'Error'].includes(e.name) &&
    typeof e.message === 'string' && e.message.length > 0;
}

const counts = ({ liveBytes, liveBuffers, liveObjects }) => ({ liveBytes, liveBuffers, liveObjects });
const sample = { data: new Uint8ClampedArray([10, 20, 30, 255, 40, 50, 60, 255, 70, 80, 90, 255, 100, 110, 120, 255]), width: 2, height: 2 };

// Everything one call makes is disposed at the end; returns nothing, throws if the call misbehaved.
function runCall(cl, other, { target, method, args, other: fromOther }) {
  const made = [];
  const keep = (x) => (made.push(x), x);
  try {
    let obj;
    switch (target) {
      case 'create-filter': obj = keep(cl.createFilter(...args)); break;
      case 'create-pipeline': obj = keep(cl.createPipeline(args[0])); break;
      case 'filter':
      case 'disposed-filter': obj = keep((fromOther ? other : cl).createFilter('sharpen')); break;
      default: obj = keep(cl.createPipeline([keep((fromOther ? other : cl).createFilter('box')), 'sharpen']));
    }
    if (target.startsWith('disposed')) obj.dispose();
    const member = obj[method];
    const result = typeof member === 'function' ? member.apply(obj, args) : member;
    if (method === 'input' && result) result.fill(1);
    return result;
  } finally {
    for (const x of made) x.dispose();
  }
}

describe.each(['simd', 'plain'])('misuse of the %s module', (variant) => {
  test('random junk for every argument: clean errors, no leak, the module keeps working', () => {
    const cl = variant === 'simd' ? simd : plain;
    const other = variant === 'simd' ? plain : simd;
    const before = counts(cl.memory());
    const check = cl.createFilter('sharpen');
    const want = check.apply(sample).slice();
    const base = counts(cl.memory());
    const otherBase = counts(other.memory());
    fc.assert(fc.property(callArb, (call) => {
      try {
        runCall(cl, other, call);
      } catch (e) {
        if (!isCleanError(e)) throw new Error(`not a clean error: ${e?.name}: ${e?.message}`);
      }
      for (const [now, was] of [[counts(cl.memory()), base], [counts(other.memory()), otherBase]])
        if (JSON.stringify(now) !== JSON.stringify(was)) throw new Error(`leak: ${JSON.stringify(now)}, was ${JSON.stringify(was)}`);
      const got = check.apply(sample);
      if (got.some((v, i) => v !== want[i])) throw new Error('the module no longer filters correctly');
    }), fcOptions(300));
    check.dispose();
    expect(counts(cl.memory())).toEqual(before);
  }, timeoutFor(300, 20));

  test('load() with junk options rejects with an Error or loads; the loaded module is unharmed', async () => {
    const cl = variant === 'simd' ? simd : plain;
    await fc.assert(fc.asyncProperty(fc.record({ simd: junk, wasmPaths: junk, locateFile: junk }, { requiredKeys: [] }), async (options) => {
      let loaded;
      try {
        loaded = await load(options);
      } catch (e) {
        if (!isCleanError(e)) throw new Error(`not a clean error: ${e?.name}: ${e?.message}`);
      }
      if (loaded && typeof loaded.createFilter !== 'function') throw new Error('load() resolved to something that is not convolens');
    }), fcOptions(40));
    const f = cl.createFilter('identity');
    expect(f.apply(sample)).toEqual(sample.data);
    f.dispose();
  }, timeoutFor(40, 200));

  test('DigitClassifier.classify and loadDigitClassifier with junk: clean errors, no leak', async () => {
    const cl = variant === 'simd' ? simd : plain;
    const clf = await cl.loadDigitClassifier();
    const drawing = { data: new Uint8ClampedArray(28 * 28 * 4).fill(255), width: 28, height: 28 };
    clf.classify(drawing);
    const base = counts(cl.memory());
    fc.assert(fc.property(junk, (input) => {
      try {
        clf.classify(input);
      } catch (e) {
        if (!isCleanError(e)) throw new Error(`not a clean error: ${e?.name}: ${e?.message}`);
      }
      if (JSON.stringify(counts(cl.memory())) !== JSON.stringify(base)) throw new Error(`leak: ${JSON.stringify(cl.memory())}`);
    }), fcOptions(200));
    expect(clf.classify(drawing).empty).toBe(true);
    clf.dispose();
    await fc.assert(fc.asyncProperty(junk.filter((u) => u !== undefined && u !== null), async (url) => {
      try {
        (await cl.loadDigitClassifier(url)).dispose();
      } catch (e) {
        if (!isCleanError(e)) throw new Error(`not a clean error: ${e?.name}: ${e?.message}`);
      }
    }), fcOptions(40));
  }, timeoutFor(240, 50));
});
