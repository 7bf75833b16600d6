// The live view's processing worker died and the library started another (cl.live's 'restart'
// event): say so above the live view, and onRestart() (e.g. to wire the new output canvas); the
// test hook counts restarts.
import { showNotice } from './notice.js';

export function reportWorkerRestarts(lv, hook, onRestart = () => {}) {
  hook.workerRestarts = 0;
  lv.addEventListener('restart', (e) => {
    hook.workerRestarts = e.detail.restarts;
    showNotice(hook, `The processing worker stopped (${e.detail.reason}). A new one took over; the filters go on.`);
    onRestart();
  });
}
