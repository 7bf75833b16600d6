// Noticing that a Worker died: ended by the browser (out of memory, a crash), closed by itself, or
// terminated by code that is not ours. No Worker event reports this, so a Web Lock does: the
// worker holds a lock named for it for its whole life (holdLifeLock), the page asks for the same
// lock (watchWorker) and is granted it only once the worker's global scope is gone - within
// milliseconds. Web Locks exist in secure contexts (https, localhost); elsewhere only a worker
// that fails to run (an 'error' event before it answered) is noticed.

let counter = 0;

export function lifeLockName() {
  const unique = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;
  return `convolens-worker-${++counter}-${unique}`;
}

// Worker side: take the lock and keep it until the worker ends. Resolves once it is held, so the
// page asks for it only after that (else the page would be granted it at once).
export function holdLifeLock(name) {
  if (!name || !globalThis.navigator?.locks) return Promise.resolve(false);
  return new Promise((held) => {
    navigator.locks.request(name, () => {
      held(true);
      return new Promise(() => {});  // released only when this worker's global scope ends
    }).catch(() => held(false));
  });
}

// Page side: onDeath(reason) is called once when the worker holding `name` is gone. Returns
// stop(), to call before terminating the worker on purpose.
export function watchWorker(name, onDeath) {
  if (!name || !globalThis.navigator?.locks) return () => {};
  const stopped = new AbortController();
  navigator.locks.request(name, { signal: stopped.signal }, () => {
    if (!stopped.signal.aborted) onDeath('the browser ended it (out of memory, a crash, or it was terminated)');
  }).catch(() => { /* aborted by stop() */ });
  return () => stopped.abort();
}
