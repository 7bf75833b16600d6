// The engine switch (WASM SIMD / WASM plain / plain JavaScript) and the lines that say which
// engine and which core variants run.
import { radioGroup } from './filters-ui.js';

const $ = (id) => document.getElementById(id);

export class EngineUI {
  #hook;
  #filters;
  #pipe;
  #afterChange;
  #group;

  // pipe: () => the frame pipe; afterChange: runs after a switch (re-filters a paused frame).
  constructor({ hook, filters, pipe, afterChange }) {
    this.#hook = hook;
    this.#filters = filters;
    this.#pipe = pipe;
    this.#afterChange = afterChange;
    this.#group = radioGroup($('backend-group'), 'backend', (name) => this.#set(name));
  }

  async #set(name) {
    try {
      this.show(await this.#pipe().call('backend', { name }));
      await this.#afterChange();
    } catch (e) {
      this.#filters.showError(e.message);
    }
  }

  // info: what the frame pipe reports after init or a switch.
  show(info) {
    const hook = this.#hook, where = this.#pipe().mode === 'worker';
    hook.backend = info.backend;
    hook.backendName = info.backendName;
    this.#group.set(info.backend);
    this.#filters.showError(info.unsupported);
    this.#filters.show(info);
    $('footer-engine').textContent = `engine: ${info.backendName}, ${where ? 'in a Web Worker' : 'on the main thread'}`;
    $('engine-note').textContent = `Running ${info.backendName} ${where ? 'in a Web Worker with an OffscreenCanvas' : 'on the main thread'}. The time is the filter alone; the graph keeps the last few seconds.`;
    showVariants(info);
  }
}

// The core variant behind each stage: the registry picks it by kernel shape and instruction set.
export function showVariants(info) {
  const v = info.variants ?? [];
  $('variant-note').textContent = v.length ? `Kernel code: ${v.join(' → ')}` : '';
}
