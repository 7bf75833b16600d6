// A worker_threads worker of bench/train.js: one part of our data-parallel training (the path
// of spawnTrainer({workers: 2}) on the page: Trainer.fitPart and the shared buffer of
// web/lib/train-parallel.js), on the same data, spec and seed as the other part.
import { parentPort, workerData } from 'node:worker_threads';
import { load } from '../web/lib/convolens.js';

const { model, train, test, options, link } = workerData;
const cl = await load({ threads: false });
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
