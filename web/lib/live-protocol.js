// A tiny request/reply protocol over postMessage: {id, type, ...args} -> {id, result | error}.
// The same handler table also runs on the main thread when there is no worker (see FramePipe).

export function serve(port, handlers) {
  let queue = Promise.resolve();
  port.onmessage = (e) => {
    const { id, type, ...args } = e.data;
    // One message at a time, in arrival order (frames, chain changes and snapshots interleave).
    queue = queue.then(async () => {
      try {
        const result = await handlers[type](args);
        port.postMessage({ id, result });
      } catch (err) {
        if (args.frame?.close) try { args.frame.close(); } catch { /* already closed */ }
        port.postMessage({ id, error: { name: err?.name ?? 'Error', message: err?.message ?? String(err) } });
      }
    });
  };
}

export function client(port) {
  let next = 1;
  const pending = new Map();
  port.onmessage = (e) => {
    const { id, result, error } = e.data;
    const p = pending.get(id);
    pending.delete(id);
    if (!p) return;
    if (error) p.reject(Object.assign(new (globalThis[error.name] ?? Error)(error.message), { remote: true }));
    else p.resolve(result);
  };
  let dead = null;
  const call = (type, args = {}, transfer = []) =>
    new Promise((resolve, reject) => {
      if (dead) return reject(dead);
      const id = next++;
      pending.set(id, { resolve, reject });
      port.postMessage({ id, type, ...args }, transfer);
    });
  // The other side is gone: reject what waits for it, and every later call, with `error`.
  call.fail = (error) => {
    dead = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  return call;
}
