// One worker of a ParallelModel (parallel-model.js): the single-thread SIMD (or plain) CNN module
// and one model, predicting the slices of a batch it is sent. Runs as a Web Worker (browsers)
// and as a worker_threads Worker (Node).
import { instantiate } from './load.js';
import { loadModel } from './model.js';
import { workerThreads } from './node-io.js';

const isWeb = typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope;
// No top-level await: bundlers build this file as a classic worker chunk, where it cannot parse.
const portReady = isWeb ? Promise.resolve(globalThis) : workerThreads().then((m) => m.parentPort);

let model = null;

const ops = {
  async load({ variant, options, modelJson, weights, pixels }) {
    const m = await instantiate(variant, options, 'nn');
    model = await loadModel(m, { modelJson, weights: [weights] }, { pixels });
  },
  predict({ input }) {
    return model.predict(input);
  },
};

portReady.then((port) => {
  const on = (fn) => (isWeb ? (globalThis.onmessage = (e) => fn(e.data)) : port.on('message', fn));
  on(async ({ id, op, args }) => {
    try {
      const result = await ops[op](args);
      port.postMessage({ id, result }, result?.buffer ? [result.buffer] : []);
    } catch (e) {
      port.postMessage({ id, error: { name: e?.name, message: e?.message ?? String(e) } });
    }
  });
});
