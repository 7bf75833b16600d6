// Data-parallel training across Workers (spawnTrainer({workers: 2})): every worker holds the same
// net, data and seed; for each step each computes the gradients of its part of the batch, writes
// them into one SharedArrayBuffer, waits for the others at a barrier, and applies the same
// combined Adam step (src/train/session.h, part_gradients / apply_parts), so all keep identical
// weights. The page steers a running fit through the buffer's flags (the workers block in
// Atomics.wait and read no messages meanwhile): STOP ends it, PAUSE holds it.

const GEN = 0, ARRIVED = 1, STOP = 2, PAUSE = 3, CONTROL_BYTES = 64;
const STATS = 3;  // per part: images, loss sum, correct

// A buffer for `parts` workers training a net with `gradients` trainable parameters. Two sets of
// slots (by step parity): a worker one step ahead writes the other set while the slowest still
// reads this one (the barrier keeps them at most one step apart).
export function createShared(parts, gradients) {
  const statBytes = 2 * parts * STATS * 8;
  return new SharedArrayBuffer(CONTROL_BYTES + statBytes + 2 * parts * gradients * 4);
}

export function sharedViews(buffer, parts, gradients) {
  const control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
  const stats = new Float64Array(buffer, CONTROL_BYTES, 2 * parts * STATS);
  const grads = new Float32Array(buffer, CONTROL_BYTES + stats.byteLength, 2 * parts * gradients);
  if (grads.byteOffset + grads.byteLength !== buffer.byteLength) throw new RangeError('shared training buffer: wrong size');
  return {
    control,
    // This part's slots of step parity p, and every part's gradients of that parity (contiguous).
    stats: (p, part) => stats.subarray((p * parts + part) * STATS, (p * parts + part + 1) * STATS),
    grads: (p, part) => grads.subarray((p * parts + part) * gradients, (p * parts + part + 1) * gradients),
    allGrads: (p) => grads.subarray(p * parts * gradients, (p + 1) * parts * gradients),
  };
}

// Page side: flags for a running fit (the main thread may notify, never wait).
export function setStop(buffer) {
  const c = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
  Atomics.store(c, STOP, 1);
  Atomics.notify(c, GEN);
  Atomics.notify(c, PAUSE);
}
export function setPaused(buffer, on) {
  const c = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
  Atomics.store(c, PAUSE, on ? 1 : 0);
  if (!on) Atomics.notify(c, PAUSE);
}

export const stopped = (control) => Atomics.load(control, STOP) !== 0;

// Blocks while the page holds the fit; returns the milliseconds spent paused.
export function holdWhilePaused(control) {
  if (!Atomics.load(control, PAUSE)) return 0;
  const t0 = performance.now();
  while (Atomics.load(control, PAUSE) && !stopped(control)) Atomics.wait(control, PAUSE, 1, 200);
  return performance.now() - t0;
}

// Waits until all `parts` workers arrived (a generation barrier); false when stopped meanwhile.
export function barrier(control, parts) {
  const gen = Atomics.load(control, GEN);
  if (Atomics.add(control, ARRIVED, 1) === parts - 1) {
    Atomics.store(control, ARRIVED, 0);
    Atomics.add(control, GEN, 1);
    Atomics.notify(control, GEN);
    return true;
  }
  while (Atomics.load(control, GEN) === gen) {
    if (stopped(control)) return false;
    Atomics.wait(control, GEN, gen, 200);
  }
  return true;
}
