// Starts a threaded Emscripten module (its pool of Workers) with a bounded wait. Emscripten's
// module promise resolves once every pool Worker has loaded the wasm, and never when one cannot:
// a worker script the bundler did not emit (404), a script blocked by the Content-Security-Policy
// (worker-src), a Worker that cannot receive shared memory. Its own handler then throws from the
// Worker's error event (an uncaught error on the page). Here a pool Worker's error or the time
// limit rejects instead, quietly, and every pool Worker is ended: the caller falls back.

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

// Generous: starting a pool is a script fetch and a wasm instantiation per Worker (well under a
// second on a busy machine); only a Worker that never answers waits this long.
export const POOL_START_TIMEOUT_MS = 20000;

// Why a browser cannot start the pool's Workers from `url`, or '' when it can: a Worker's script
// must come from the page's own origin (a CDN copy of the files cannot provide it).
export function workerScriptProblem(url) {
  const page = globalThis.location;
  if (isNode || !page?.origin || page.origin === 'null') return '';
  const origin = new URL(url, page.href).origin;
  return origin === page.origin ? ''
    : `its pool's worker script ${url} is on another origin than the page (${page.origin}); browsers start Workers only from the page's own origin`;
}

function poolWorkers(module) {
  const p = module.PThread;
  return p ? [...p.unusedWorkers, ...p.runningWorkers] : [];
}

// Until the pool has started, a Worker's errors come here: the glue's own handler (which it sets
// as worker.onerror once the wasm is compiled; in Node its 'error' listener calls worker.onerror)
// is held back, and the event is marked handled so the browser reports nothing. Returns a
// function that hands the Worker back to the glue.
const ignore = () => {};
function watchWorker(worker, script, fail) {
  let glueHandler = null;
  Object.defineProperty(worker, 'onerror', { configurable: true, get: () => ignore, set: (f) => (glueHandler = f) });
  const onError = (e) => {
    e?.preventDefault?.();
    fail(e?.message ? `a pool Worker failed: ${e.message}`
      : `a pool Worker could not load its script ${script} (missing, or blocked by the Content-Security-Policy's worker-src)`);
  };
  if (isNode) worker.on('error', onError);
  else worker.addEventListener('error', onError);
  return () => {
    if (isNode) worker.off('error', onError);
    else worker.removeEventListener('error', onError);
    delete worker.onerror;
    worker.onerror = glueHandler;
  };
}

// factory: the Emscripten module factory; moduleOptions: what it is given (its printErr is held
// back while the pool starts); script: the pool's worker script (named in errors). Resolves to
// the started module; rejects with an Error whose message says what failed (no "convolens:"
// prefix), after ending every pool Worker.
export async function startPool(factory, moduleOptions, script, timeoutMs = POOL_START_TIMEOUT_MS) {
  const printErr = moduleOptions.printErr;
  const held = [];  // what the glue printed while the pool started: part of the failure's message
  let starting = true;
  moduleOptions.printErr = (m) => (starting ? held.push(m) : printErr(m));
  let fail;
  const failed = new Promise((_, reject) => (fail = (why) => reject(new Error(why))));
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`its pool of ${moduleOptions.convolensPoolSize} Worker(s) did not start within ${timeoutMs} ms`)), timeoutMs);
  });
  const release = [];
  try {
    // The factory creates the pool's Workers synchronously; their first events come later.
    const ready = factory(moduleOptions);
    for (const w of poolWorkers(moduleOptions)) release.push(watchWorker(w, script, fail));
    const m = await Promise.race([ready, failed, late]);
    for (const r of release) r();
    return m;
  } catch (e) {
    for (const w of poolWorkers(moduleOptions)) w.terminate();
    if (moduleOptions.PThread) moduleOptions.PThread.unusedWorkers.length = moduleOptions.PThread.runningWorkers.length = 0;
    const detail = held.length ? ` (${held[0]})` : '';
    throw new Error(`${e?.message ?? e}${detail}`);
  } finally {
    starting = false;
    clearTimeout(timer);
  }
}
