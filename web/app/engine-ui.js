// The engine switch (WASM SIMD + threads / WASM SIMD / WASM plain / plain JavaScript) and the
// lines that say which engine, how many threads and which core variants run.
import { radioGroup } from './filters-ui.js';
import { MAX_AUTO_THREADS } from '../lib/load.js';

const $ = (id) => document.getElementById(id);

export class EngineUI {
  #hook;
  #filters;
  #live;
  #group;

  // live: () => the live view (cl.live).
  constructor({ hook, filters, live }) {
    this.#hook = hook;
    this.#filters = filters;
    this.#live = live;
    this.#group = radioGroup($('backend-group'), 'backend', (name) => this.#set(name));
  }

  #threadsOff = '';
  // {ok, cores, reason} of threadSupport(): the button names the thread count load() starts;
  // without threads it is disabled and says why.
  threadSupport({ ok, cores, reason }) {
    const b = $('backend-mt');
    if (ok) {
      b.textContent = `WASM SIMD + threads (${Math.min(cores, MAX_AUTO_THREADS)})`;
      return;
    }
    this.#threadsOff = `Threads are off: ${reason}.`;
    b.disabled = true;
    b.title = this.#threadsOff;
  }

  async #set(name) {
    try {
      this.show(await this.#live().setEngine(name));  // re-filters the last frame when paused
    } catch (e) {
      this.#filters.showError(e.message);
    }
  }

  // info: what the live view reports after start or a switch.
  show(info) {
    const hook = this.#hook, where = this.#live().mode === 'worker';
    hook.backend = info.engine;
    hook.backendName = info.engineName;
    this.#group.set(info.engine);
    this.#filters.showError(info.unsupported);
    this.#filters.show(info);
    $('footer-engine').textContent = `engine: ${info.engineName}, ${where ? 'in a Web Worker' : 'on the main thread'}`;
    $('engine-note').textContent = `Running ${info.engineName} ${where ? 'in a Web Worker with an OffscreenCanvas' : 'on the main thread'}. The time is the filter alone; the graph keeps the last few seconds.${this.#threadsOff ? ' ' + this.#threadsOff : ''}`;
    showVariants(info);
  }
}

// The core variant behind each stage: the registry picks it by kernel shape and instruction set.
export function showVariants(info) {
  const v = info.variants ?? [];
  $('variant-note').textContent = v.length ? `Kernel code: ${v.join(' → ')}` : '';
}
