// convolens: convolution filters and CNN inference in WebAssembly SIMD.
//   const cl = await load();            // picks SIMD + threads, SIMD or plain (cl.backend, cl.threads)
//   const f = cl.createFilter('sharpen');
//   f.apply(imageData, outImageData);
// The public entry: the instance (core.js) plus live video and the worker helpers.
import { load as loadCore, provideLive } from './core.js';
import { live } from './live.js';

export { hasSimd, threadSupport, loadCnn, loadMnist, TRAIN_PRESETS } from './core.js';
export { live };
export { ENGINES, toChain } from './live.js';
export { spawnTrainer } from './train-worker.js';

// Hands live() to the instance on each call rather than at import: no module-level side effect
// that a bundler (sideEffects: false) could drop.
export function load(options) {
  provideLive(live);
  return loadCore(options);
}
