// The machine's two-thread capacity, timed beside a benchmark's own rows, in the same rounds:
// - alu: a fixed integer loop (xorshift, no memory traffic);
// - copy: copying a 1920x1080 RGBA frame's bytes (8.3 MB, beyond the per-core caches).
// Each runs once on the calling thread, and split in two halves, one on the calling thread and
// one on a worker_threads Worker woken through Atomics (the shape of the thread pool's fork/join).
// On a quiet 2-core machine the split takes half the time. This VM has spells in which one vCPU
// runs 1.5-1.8x slower, or memory bandwidth stops scaling (copies measured at 1.4x over two
// threads); then no code gets 2x, and a row's thread speed-up is read against these.
//
//   const cap = capacity();
//   interleave({ ..., 'alu 1t': cap.alu.one, 'alu 2t': cap.alu.two, 'copy 1t': ..., 'copy 2t': ... });
//   cap.close();
import { Worker } from 'node:worker_threads';

function spin(n) {
  let s = 1;
  for (let i = 0; i < n; i++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; }
  return s;
}

const SPIN = 2e6;  // iterations of the alu job (about 4 ms here)
const BYTES = 1920 * 1080 * 4;

export function capacity() {
  const words = new Int32Array(new SharedArrayBuffer(12));  // [0] job generation, [1] halves done, [2] job: 0 alu, 1 copy
  const mem = new SharedArrayBuffer(2 * BYTES);
  const src = new Uint8Array(mem, 0, BYTES), dst = new Uint8Array(mem, BYTES, BYTES);
  // The worker runs spin's own source, and the second half of each job.
  const worker = new Worker(`${spin}
const { words: w, mem } = require('node:worker_threads').workerData;
const words = new Int32Array(w), B = ${BYTES};
const src = new Uint8Array(mem, 0, B), dst = new Uint8Array(mem, B, B);
for (let gen = 0; ; ) {
  Atomics.wait(words, 0, gen);
  gen = Atomics.load(words, 0);
  if (gen < 0) break;
  if (Atomics.load(words, 2) === 0) spin(${SPIN / 2});
  else dst.set(src.subarray(B / 2), B / 2);
  Atomics.add(words, 1, 1);
}`, { eval: true, workerData: { words: words.buffer, mem } });
  worker.unref();
  let sink = 0;
  const split = (job, mine) => () => {
    Atomics.store(words, 2, job);
    Atomics.store(words, 1, 0);
    Atomics.add(words, 0, 1);
    Atomics.notify(words, 0);
    mine();
    while (Atomics.load(words, 1) < 1);  // the worker's half
  };
  return {
    alu: { one: () => { sink ^= spin(SPIN); }, two: split(0, () => { sink ^= spin(SPIN / 2); }) },
    copy: { one: () => dst.set(src), two: split(1, () => dst.set(src.subarray(0, BYTES / 2))) },
    close: () => {
      Atomics.store(words, 0, -1);
      Atomics.notify(words, 0);
      return sink;
    },
  };
}
