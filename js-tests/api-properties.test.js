// Property-based tests of the filter API (fast-check), both binaries at once: random image
// sizes, kernels, borders, modes, presets and pipelines against the double-precision definition
// of docs/filters.md (every output within 1 of the exactly rounded value), and SIMD == plain byte
// for byte. Seeded and bounded (helpers/fc-config.js); `npm run fuzz:api -- --runs N` runs longer.
import fc from 'fast-check';
import { load } from '../web/lib/convolens.js';
import { randomBytes } from './helpers/reference.js';
import { filterReference, largestDifference } from './helpers/filter-reference.js';
import { fcOptions, timeoutFor } from './helpers/fc-config.js';

const BORDERS = ['constant', 'replicate', 'reflect101', 'wrap'];
const BOUND = 1;  // docs/filters.md: every variant is within 1 of the exact definition
const WORK = 600000;  // image pixels x kernel taps per case, so a run takes milliseconds

let simd, plain;
beforeAll(async () => {
  [simd, plain] = await Promise.all([load({ simd: true }), load({ simd: false })]);
});

// Image sizes 1x1 .. 300x200, shrunk when the kernel is large so the JS reference stays quick.
const imageArb = (taps) => fc.record({
  width: fc.integer({ min: 1, max: 300 }),
  height: fc.integer({ min: 1, max: 200 }),
  channels: fc.constantFrom(1, 4),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
}).map((im) => {
  let { width, height } = im;
  while (width * height * taps > WORK && (width > 1 || height > 1)) {
    if (width >= height) width = Math.max(1, width >> 1);
    else height = Math.max(1, height >> 1);
  }
  return { ...im, width, height };
});

const makeImage = ({ width, height, channels, seed }) => ({ data: randomBytes(width * height * channels, seed), width, height, channels });

const optionsArb = fc.record({
  border: fc.constantFrom(...BORDERS),
  borderValue: fc.integer({ min: 0, max: 255 }),
  mode: fc.constantFrom('rgb', 'gray'),
});

// Kernels 1x1 .. 31x31: small integer weights or float weights, scales of either sign (0 is a
// misuse, tested below), offsets.
const kernelArb = fc.record({ width: fc.integer({ min: 1, max: 31 }), height: fc.integer({ min: 1, max: 31 }) })
  .chain(({ width, height }) => {
    const n = width * height;
    return fc.record({
      width: fc.constant(width),
      height: fc.constant(height),
      kernel: fc.oneof(
        fc.array(fc.integer({ min: -8, max: 8 }), { minLength: n, maxLength: n }),
        fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: n, maxLength: n })),
      scale: fc.oneof(
        fc.constant(1),
        fc.integer({ min: -400, max: 400 }).filter((s) => s !== 0),
        fc.double({ min: 0.01, max: 200, noNaN: true }).chain((s) => fc.constantFrom(s, -s))),
      offset: fc.oneof(fc.constant(0), fc.constant(128), fc.double({ min: -300, max: 300, noNaN: true })),
    });
  });

// The reference spec of a filter as it is now (preset or custom): its kernel read back from it.
function specOf(f) {
  const k = f.kernel;
  const spec = { ...f.options, width: k.width, height: k.height, weights: k.weights, scale: k.scale, offset: k.offset };
  if (k.norm) {
    // gradient presets: square kernels, the y kernel is the transpose of the x kernel
    const t = new Float32Array(k.width * k.height);
    for (let j = 0; j < k.height; j++) for (let i = 0; i < k.width; i++) t[i * k.height + j] = k.weights[j * k.width + i];
    Object.assign(spec, { gradient: k.norm, weightsY: t });
  }
  return spec;
}

// Runs one filter description on both modules; checks SIMD == plain and both against the reference.
function checkFilter(make, image) {
  const img = makeImage(image);
  const fs = make(simd), fp = make(plain);
  try {
    const a = fs.apply(img).slice();
    const b = fp.apply(img).slice();
    const diff = largestDifference(a, b, image.channels, image.width);
    if (diff.max !== 0) throw new Error(`SIMD and plain differ: ${JSON.stringify(diff)}`);
    const want = filterReference(img.data, image.width, image.height, image.channels, specOf(fs));
    const d = largestDifference(a, want, image.channels, image.width);
    if (d.max > BOUND) throw new Error(`${fs.variant}: off by ${d.max} from the exact value: ${JSON.stringify(d)}`);
  } finally {
    fs.dispose();
    fp.dispose();
  }
}

const presetArb = () => fc.constantFrom(...simd.presets.map((p) => p.name)).chain((name) => {
  const ranges = simd.presets.find((p) => p.name === name).paramRanges ?? {};
  const params = {};
  for (const [key, r] of Object.entries(ranges)) {
    if (r.step >= 1) {
      // whole numbers; gaussian size must be odd (0 = derived from sigma)
      const arb = fc.integer({ min: Math.ceil(r.min), max: Math.floor(r.max) }).map((v) => (r.step === 2 && v % 2 === 0 ? v + (v < r.max ? 1 : -1) : v));
      params[key] = fc.option(arb, { nil: undefined });
    } else {
      params[key] = fc.option(fc.double({ min: r.min, max: r.max, noNaN: true }), { nil: undefined });
    }
  }
  return fc.record({ name: fc.constant(name), params: fc.record(params) });
}).map(({ name, params }) => ({ name, params: Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== 0)) }));

function tapsOf({ name, params }) {
  const probe = simd.createFilter(name, params);
  const { width, height } = probe.kernel;
  probe.dispose();
  return width * height;
}

describe('filters: random cases against the exact definition, SIMD == plain', () => {
  test('custom kernels, sizes, borders, modes', () => {
    const caseArb = kernelArb.chain((k) => fc.tuple(fc.constant(k), imageArb(k.width * k.height)));
    fc.assert(fc.property(caseArb, optionsArb, ([k, image], options) => {
      checkFilter((cl) => cl.createFilter({ ...k, ...options }), image);
    }), fcOptions(60));
  }, timeoutFor(60, 500));

  test('presets with random parameters', () => {
    const caseArb = presetArb().chain((p) => fc.tuple(fc.constant(p), imageArb(tapsOf(p))));
    fc.assert(fc.property(caseArb, optionsArb, ([{ name, params }, image], options) => {
      checkFilter((cl) => cl.createFilter(name, { ...params, ...options }), image);
    }), fcOptions(60));
  }, timeoutFor(60, 500));

  test('pipelines of 1-4 stages equal their stages applied one after another, on both modules', () => {
    const stageArb = fc.oneof(
      presetArb().map(({ name, params }) => ({ name, params })),
      kernelArb.filter((k) => k.width * k.height <= 49).map((k) => ({ spec: k })));
    fc.assert(fc.property(fc.array(fc.tuple(stageArb, optionsArb), { minLength: 1, maxLength: 4 }), imageArb(4 * 49), (stages, image) => {
      const img = makeImage(image);
      const results = [simd, plain].map((cl) => {
        const filters = stages.map(([s, o]) => (s.spec ? cl.createFilter({ ...s.spec, ...o }) : cl.createFilter(s.name, { ...s.params, ...o })));
        const pipe = cl.createPipeline(filters);
        try {
          const out = pipe.apply(img).slice();
          let step = img;
          for (const f of filters) step = { ...step, data: f.apply(step).slice() };
          const diff = largestDifference(out, step.data, image.channels, image.width);
          if (diff.max !== 0) throw new Error(`${cl.variant}: pipeline != stages one by one: ${JSON.stringify(diff)}`);
          return out;
        } finally {
          pipe.dispose();
          filters.forEach((f) => f.dispose());
        }
      });
      const diff = largestDifference(results[0], results[1], image.channels, image.width);
      if (diff.max !== 0) throw new Error(`SIMD and plain pipelines differ: ${JSON.stringify(diff)}`);
    }), fcOptions(30));
  }, timeoutFor(30, 800));
});
