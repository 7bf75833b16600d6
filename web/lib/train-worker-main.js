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
    const m = Math.min(options.testImages ?? 500, data.test.count);
    const test = { images: data.test.images.subarray(0, m * 784), labels: data.test.labels.subarray(0, m) };
    let next = 0;
    try {
      return await trainer.fit(data.train, {
        ...options,
        signal: abort.signal,
        onProgress: (p) => {
          // About ten test accuracy points per run, on a subset: cheap enough to keep training going.
          let testAccuracy;
          if (p.step >= next || p.done) {
            testAccuracy = trainer.evaluate(test).accuracy;
            next = p.step + Math.ceil(p.totalSteps / 10);
          }
          post({ event: 'progress', data: { ...p, testAccuracy, kernel: trainer.firstKernel() } });
        },
      });
    } finally {
      abort = null;
    }
  },
  pause() { trainer?.pause(); },
  resume() { trainer?.resume(); },
  stop() { abort?.abort(); trainer?.resume(); },
  async evaluate({ wrongMax = 48 } = {}) {
    const r = trainer.evaluate(data.test);
    return { accuracy: r.accuracy, confusion: r.confusion, wrong: wrongSample(r, data.test, wrongMax) };
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
