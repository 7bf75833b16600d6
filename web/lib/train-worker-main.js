// The worker side of spawnTrainer() (train-worker.js): loads convolens and MNIST, owns one
// trainer, trains in chunks and posts progress (with the first layer's kernels) after each.
import { load } from './core.js';

let cl = null, data = null, trainer = null, abort = null;

const post = (msg, transfer) => self.postMessage(msg, transfer || []);

function wrongSample(r, test, max) {
  const idx = r.wrong.slice(0, max);
  const images = new Uint8Array(idx.length * 784);
  idx.forEach((i, k) => images.set(test.images.subarray(i * 784, i * 784 + 784), k * 784));
  return { images, labels: idx.map((i) => test.labels[i]), predicted: idx.map((i) => r.predictions[i]), count: r.wrong.length };
}

// Progress posts for the page: each carries the first layer's kernel, and about ten of them a
// test accuracy on the first options.testImages test digits (cheap enough to keep training going).
function reporter(options) {
  const m = Math.min(options.testImages ?? 500, data.test.count);
  const test = { images: data.test.images.subarray(0, m * 784), labels: data.test.labels.subarray(0, m) };
  let next = 0;
  return (p) => {
    let testAccuracy;
    if (p.step >= next || p.done) {
      testAccuracy = trainer.evaluate(test).accuracy;
      next = p.step + Math.ceil(p.totalSteps / 10);
    }
    post({ event: 'progress', data: { ...p, testAccuracy, testImages: m, kernel: trainer.firstKernel() } });
  };
}

const ops = {
  async load(options) {
    cl = await load({ ...options, threads: false });  // it trains, it does not filter: no idle pool of blocked Workers
    return { variant: cl.variant };
  },
  async loadMnist(options) {
    data = await cl.loadMnist({ ...options, onProgress: (p) => post({ event: 'mnist', data: p }) });
    return { train: data.train.count, test: data.test.count };
  },
  async create(spec) {
    trainer?.dispose();
    trainer = await cl.createTrainer(spec);
    return { parameters: trainer.parameters, kernel: trainer.firstKernel() };
  },
  async fit(options) {
    if (!trainer || !data) throw new Error('fit: create() and loadMnist() first');
    abort = new AbortController();
    try {
      return await trainer.fit(data.train, { ...options, signal: abort.signal, onProgress: reporter(options) });
    } finally {
      abort = null;
    }
  },
  // One part of a data-parallel fit (spawnTrainer({workers})): only part 0 reports progress.
  fitPart(options, link) {
    if (!trainer || !data) throw new Error('fit: create() and loadMnist() first');
    return trainer.fitPart(data.train, { ...options, onProgress: link.part === 0 ? reporter(options) : undefined }, link);
  },
  info() {
    return { parameters: trainer?.parameters ?? 0, test: data?.test.count ?? 0 };
  },
  pause() { trainer?.pause(); },
  resume() { trainer?.resume(); },
  stop() { abort?.abort(); trainer?.resume(); },
  // The test digits [from, to) (default all); wrong: a sample of at most wrongMax misread ones.
  async evaluate({ wrongMax = 48, from = 0, to = data.test.count } = {}) {
    const test = { images: data.test.images.subarray(from * 784, to * 784), labels: data.test.labels.subarray(from, to) };
    const r = trainer.evaluate(test);
    return { accuracy: r.accuracy, count: to - from, confusion: r.confusion, predictions: r.predictions,
      wrong: wrongSample(r, test, wrongMax) };
  },
  setWeights(weightData) {
    trainer.setWeights(new Float32Array(weightData));
  },
  save() {
    return trainer.save();
  },
  memory() {
    return cl.memory();
  },
  dispose() {
    trainer?.dispose();
    trainer = null;
  },
};

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    const result = await ops[op](...(args || []));
    post({ id, result });
  } catch (e) {
    post({ id, error: { name: e?.name || 'Error', message: e?.message || String(e) } });
  }
};
