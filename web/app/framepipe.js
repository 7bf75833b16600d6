// Where frames are processed: in a module Worker that owns the output canvas (OffscreenCanvas),
// or - where the browser lacks that, or with ?worker=0 - on the main thread with the same code.
// Either way the page talks to it through call(type, args): one request/reply API.
import { client } from './protocol.js';
import { handlers } from './processor.js';

export async function createFramePipe(canvas, { backend, mainThread = false }) {
  const canWork = !mainThread && typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined' &&
    typeof canvas.transferControlToOffscreen === 'function';
  if (canWork) {
    let worker;
    try {
      worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
      const call = client(worker);
      const offscreen = canvas.transferControlToOffscreen();
      const info = await call('init', { canvas: offscreen, backend }, [offscreen]);
      return { mode: 'worker', call, info, canvas, transfer: true };
    } catch (e) {
      worker?.terminate();
      // The transferred canvas can't be drawn on any more: replace it with a fresh one.
      const fresh = canvas.cloneNode(false);
      canvas.replaceWith(fresh);
      canvas = fresh;
      console.info(`convolens: worker unavailable (${e.message}); filtering on the main thread`);
    }
  }
  const table = handlers();
  let queue = Promise.resolve();
  const call = (type, args = {}) => (queue = queue.catch(() => {}).then(() => table[type](args)));
  const info = await call('init', { canvas, backend });
  return { mode: 'main thread', call, info, canvas, transfer: false };
}
