// Lifetimes of JS objects that own wasm memory. Every such object calls own() when created and
// release() in dispose(); a FinalizationRegistry frees the native side if the JS object is
// garbage-collected without dispose() (a safety net, not a substitute: GC timing is unknown).
const live = new Set();
let collected = 0;

const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((token) => {
      if (!live.delete(token)) return;
      collected++;
      try {
        token.free();
      } catch {
        // the module may be gone already; nothing left to free
      }
    })
  : null;

// owner: the public JS object; free: releases its native resources. Returns a token for release().
export function own(owner, free) {
  const token = { free };
  live.add(token);
  registry?.register(owner, token, token);
  return token;
}

// Frees now (idempotent). Returns false when it was already released.
export function release(token) {
  if (!token || !live.delete(token)) return false;
  registry?.unregister(token);
  token.free();
  return true;
}

export function lifetimeStats() {
  return { liveObjects: live.size, collectedByGC: collected };
}

// Throws the error every disposed object gives when used again.
export function disposedError(what) {
  return new Error(`convolens: ${what} used after dispose()`);
}
