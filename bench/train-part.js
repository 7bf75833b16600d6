// A worker_threads worker of bench/train.js: one part of our data-parallel training (the path
// of spawnTrainer({workers: 2}) on the page: Trainer.fitPart and the shared buffer of
// web/lib/train-parallel.js), on the same data, spec and seed as the other part.
import { parentPort, workerData } from 'node:worker_threads';
import { load } from '../web/lib/convolens.js';

const { model, train, test, options, link } = workerData;
const cl = await load({ threads: false });
// Untimed warm-up, as for the one-thread rows: V8 compiles the hot functions now.
const warm = await cl.createTrainer(model);
await warm.fit({ images: train.images.subarray(0, 256 * 784), labels: train.labels.subarray(0, 256) },
  { epochs: 1, batchSize: 64, learningRate: 0.01 });
warm.dispose();
const t = await cl.createTrainer(model);
parentPort.once('message', () => {
  const t0 = performance.now();
  t.fitPart(train, options, link);
  const ms = performance.now() - t0;
  // Both parts hold the same weights: the first one tests them.
  const accuracy = link.part === 0 ? t.evaluate(test).accuracy : null;
  parentPort.postMessage({ ms, accuracy, hash: t.weightsHash() });
  t.dispose();
});
parentPort.postMessage('ready');
