import { load } from './web/lib/convolens.js';
for (const simd of [true, false]) {
  const cl = await load({ simd });
  const m = await cl.loadModel('web/models/mnist/model.json');
  m.predict(new Float32Array(784));
  const base = cl.memory();
  for (const n of [80000, 40000]) {
    const x = new Float32Array(784 * n);
    const t = performance.now();
    try { m.predict(x); console.log('ok', n, cl.memory().heapBytes); } catch (e) { console.log(simd, n, e.constructor.name, e.message, (performance.now() - t).toFixed(0), 'ms'); }
  }
  console.log(m.predict(new Float32Array(784)).length, cl.memory().liveBytes - base.liveBytes, cl.memory().heapBytes);
  m.dispose();
}
