// The filter chain list and the kernel editor. Owns the chain (plain data) and calls
// onChange(chain) whenever it changes; the engine's answer (resolved kernels, errors) comes
// back through show(info).
import { drawKernelHeat } from './heatmap.js';
import { displayFactor, fixedPointNote } from './fixed-point.js';

const $ = (id) => document.getElementById(id);
const MAX_K = 31;  // the engine's largest kernel side
const CUSTOM_TEXT = 'Your own kernel. Each output pixel is the sum of weight × input pixel, divided by the scale, plus the offset.';
const DEFAULT_STAGE = 'box';  // "+ Add a filter": a plain blur

export class FiltersUI {
  chain = { stages: [{ preset: 'sharpen' }], border: 'replicate', borderValue: 0, mode: 'rgb' };
  active = 0;
  presets = [];
  kernels = [];
  #onChange;
  #timer = 0;
  #modeGroup;
  #factor = 1;   // the editor shows weight × factor (fixed-point weights as whole numbers)

  constructor(onChange) {
    this.#onChange = onChange;
    for (const id of ['kernel-w', 'kernel-h-size'])
      for (let n = 1; n <= MAX_K; n++) $(id).append(new Option(String(n), String(n)));
    $('add-stage').addEventListener('click', () => {
      this.chain.stages.push({ preset: this.presets.some((p) => p.name === DEFAULT_STAGE) ? DEFAULT_STAGE : this.presets[0].name });
      this.active = this.chain.stages.length - 1;
      this.#changed();
    });
    $('preset').addEventListener('change', (e) => {
      const v = e.target.value;
      if (v === '__custom') this.chain.stages[this.active] = { kernel: this.#currentKernel() };
      else this.chain.stages[this.active] = { preset: v };
      this.#changed();
    });
    $('border').addEventListener('change', (e) => {
      this.chain.border = e.target.value;
      $('border-value-field').hidden = e.target.value !== 'constant';
      this.#changed();
    });
    $('border-value').addEventListener('input', (e) => {
      const v = Number(e.target.value);
      if (Number.isFinite(v)) {
        this.chain.borderValue = Math.min(255, Math.max(0, Math.round(v)));
        this.#changed(150);
      }
    });
    this.#modeGroup = radioGroup($('mode-group'), 'mode', (v) => {
      this.chain.mode = v;
      this.#changed();
    });
    $('kernel-w').addEventListener('change', () => this.#resizeKernel());
    $('kernel-h-size').addEventListener('change', () => this.#resizeKernel());
    $('kernel-grid').addEventListener('input', () => this.#editKernel());
    $('kernel-scale').addEventListener('input', () => this.#editKernel());
    $('kernel-offset').addEventListener('input', () => this.#editKernel());
    $('normalise').addEventListener('click', () => this.#normalise());
  }

  // Engine feedback after a chain change.
  show(info) {
    if (info.presets) this.presets = info.presets;
    this.kernels = info.kernels ?? [];
    this.#renderChain();
    // A custom kernel being typed is already on screen: re-rendering would eat a lone "-".
    const stage = this.chain.stages[this.active];
    if (!stage.kernel || $('kernel-grid').children.length !== stage.kernel.weights.length) this.#renderEditor();
  }

  showError(message) {
    $('kernel-error').hidden = !message;
    $('kernel-error').textContent = message ?? '';
  }

  label() {
    return this.stageNames().join(' → ') || 'no filter';
  }

  stageNames() {
    return this.chain.stages.map((s) => this.#stageName(s));
  }

  // Replaces the whole chain (the "Try" buttons).
  setChain(chain) {
    this.chain = structuredClone(chain);
    this.active = 0;
    $('border').value = this.chain.border;
    $('border-value-field').hidden = this.chain.border !== 'constant';
    this.#modeGroup.set(this.chain.mode);
    this.#changed();
    this.#renderEditor();
  }

  #stageName(s) {
    if (s.kernel) return `Custom ${s.kernel.width}×${s.kernel.height}`;
    return this.presets.find((p) => p.name === s.preset)?.label ?? s.preset;
  }

  #changed(delay = 0) {
    clearTimeout(this.#timer);
    this.#renderChain();
    const fire = () => this.#onChange(structuredClone(this.chain));
    if (delay) this.#timer = setTimeout(fire, delay);
    else fire();
  }

  #renderChain() {
    const list = $('chain');
    list.replaceChildren();
    this.chain.stages.forEach((s, i) => {
      const li = document.createElement('li');
      li.className = i === this.active ? 'active' : '';
      const pick = button(this.#stageName(s), 'pick', () => {
        this.active = i;
        this.#renderChain();
        this.#renderEditor();
      });
      pick.setAttribute('aria-current', i === this.active ? 'true' : 'false');
      pick.setAttribute('aria-label', `Filter ${i + 1}: ${this.#stageName(s)}${i === this.active ? ' (editing)' : ''}`);
      li.append(pick);
      if (this.chain.stages.length > 1) {
        const rm = button('×', 'remove', () => {
          this.chain.stages.splice(i, 1);
          this.active = Math.min(this.active, this.chain.stages.length - 1);
          this.#changed();
        });
        rm.setAttribute('aria-label', `Remove filter ${i + 1}`);
        li.append(rm);
      }
      list.append(li);
    });
  }

  #renderEditor() {
    const stage = this.chain.stages[this.active];
    const kernel = stage.kernel ?? this.kernels[this.active] ?? null;
    const sel = $('preset');
    if (sel.options.length !== this.presets.length + 1) {
      sel.replaceChildren(...this.presets.map((p) => new Option(p.label ?? p.name, p.name)), new Option('Custom kernel', '__custom'));
    }
    sel.value = stage.kernel ? '__custom' : stage.preset;
    const preset = this.presets.find((p) => p.name === stage.preset);
    $('kernel-of').textContent = `· filter ${this.active + 1} of ${this.chain.stages.length}`;
    $('preset-description').textContent = stage.kernel ? CUSTOM_TEXT : preset?.description ?? '';
    $('kernel-note').textContent = '';
    this.#renderParams(stage, preset);
    const editable = !!kernel;
    for (const id of ['kernel-w', 'kernel-h-size', 'kernel-scale', 'kernel-offset', 'normalise']) $(id).disabled = !editable;
    if (!kernel) {
      // Gradient operators: two kernels (x and y) and a norm, shown read-only.
      const grid = $('kernel-grid');
      const heat = $('kernel-heat');
      if (preset?.op && preset.kernel && preset.kernelY) {
        grid.style.gridTemplateColumns = 'auto auto';
        grid.replaceChildren(readOnlyKernel('gx', preset.kernel), readOnlyKernel('gy', preset.kernelY));
        drawKernelHeat(heat, preset.kernel);
        $('kernel-scale').value = fmt(preset.kernel.scale ?? 1);
        $('kernel-offset').value = fmt(preset.kernel.offset ?? 0);
        $('kernel-w').value = String(preset.kernel.width);
        $('kernel-h-size').value = String(preset.kernel.height);
      } else {
        grid.replaceChildren();
        heat.getContext('2d').clearRect(0, 0, heat.width, heat.height);
      }
      return;
    }
    $('kernel-w').value = String(kernel.width);
    $('kernel-h-size').value = String(kernel.height);
    $('kernel-scale').value = fmt(kernel.scale ?? 1);
    $('kernel-offset').value = fmt(kernel.offset ?? 0);
    const grid = $('kernel-grid');
    const focused = document.activeElement?.dataset?.i;
    const factor = (this.#factor = displayFactor(kernel.weights));
    const texts = Array.from(kernel.weights, (w) => fmt(w * factor));
    $('kernel-note').textContent = fixedPointNote(kernel, factor);
    // Every box as wide as the longest number, so no digit is cut off.
    grid.style.setProperty('--chars', String(Math.max(2, ...texts.map((t) => t.length))));
    grid.style.gridTemplateColumns = `repeat(${kernel.width}, auto)`;
    grid.replaceChildren(...texts.map((text, i) => {
      const input = document.createElement('input');
      input.type = 'number';
      input.step = 'any';
      input.value = text;
      input.dataset.i = String(i);
      input.setAttribute('aria-label', `Weight row ${Math.floor(i / kernel.width) + 1}, column ${(i % kernel.width) + 1}`);
      return input;
    }));
    if (focused !== undefined) grid.querySelector(`[data-i="${focused}"]`)?.focus();
    drawKernelHeat($('kernel-heat'), kernel);
  }

  // Sliders for a preset's parameters (size, sigma, amount…), as the engine describes them.
  #renderParams(stage, preset) {
    const host = $('preset-params');
    const ranges = stage.preset ? preset?.paramRanges ?? {} : {};
    const names = Object.keys(ranges);
    if (host.dataset.for === `${this.active}:${stage.preset}` && host.children.length === names.length * 3) return;
    host.dataset.for = `${this.active}:${stage.preset}`;
    host.replaceChildren();
    for (const name of names) {
      const r = ranges[name];
      const id = `param-${name}`;
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = name;
      const input = document.createElement('input');
      // Optional params (a Gaussian's size) are derived from the others at 0: shown as "auto".
      // An odd-only size stepping by 2 starts at -1 so the stops are auto, 1, 3, 5…
      const oddAuto = r.optional && r.step === 2;
      Object.assign(input, { type: 'range', id, min: oddAuto ? -1 : r.min, max: r.max, step: r.step || 'any' });
      const current = stage.params?.[name] ?? preset.params?.[name] ?? 0;
      input.value = String(oddAuto && current === 0 ? -1 : current);
      const value = () => Math.max(0, Number(input.value));
      const out = document.createElement('output');
      out.htmlFor = id;
      const show = () => (out.textContent = r.optional && value() === 0 ? 'auto' : String(value()));
      show();
      input.addEventListener('input', () => {
        show();
        const s = this.chain.stages[this.active];
        s.params = { ...(s.params ?? {}), [name]: value() };
        this.#changed(60);
      });
      host.append(label, input, out);
    }
  }

  #currentKernel() {
    const stage = this.chain.stages[this.active];
    const k = stage.kernel ?? this.kernels[this.active];
    return k ? { width: k.width, height: k.height, weights: [...k.weights], scale: k.scale ?? 1, offset: k.offset ?? 0 } : identity(3, 3);
  }

  #editKernel() {
    const k = this.#currentKernel();
    const inputs = $('kernel-grid').querySelectorAll('input');
    inputs.forEach((el, i) => {
      const v = Number(el.value);
      if (el.value !== '' && Number.isFinite(v)) k.weights[i] = v / this.#factor;
    });
    const scale = Number($('kernel-scale').value), offset = Number($('kernel-offset').value);
    if ($('kernel-scale').value !== '' && Number.isFinite(scale)) k.scale = scale;
    if ($('kernel-offset').value !== '' && Number.isFinite(offset)) k.offset = offset;
    this.chain.stages[this.active] = { kernel: k };
    $('preset').value = '__custom';
    $('preset-description').textContent = CUSTOM_TEXT;
    this.#renderParams(this.chain.stages[this.active], null);
    drawKernelHeat($('kernel-heat'), k);
    this.#changed(120);
  }

  #resizeKernel() {
    const old = this.#currentKernel();
    const w = Number($('kernel-w').value), h = Number($('kernel-h-size').value);
    const k = { width: w, height: h, weights: new Array(w * h).fill(0), scale: old.scale, offset: old.offset };
    // Keep the centred overlap of the old weights.
    const ox = ((w - 1) >> 1) - ((old.width - 1) >> 1), oy = ((h - 1) >> 1) - ((old.height - 1) >> 1);
    for (let y = 0; y < old.height; y++) for (let x = 0; x < old.width; x++) {
      const nx = x + ox, ny = y + oy;
      if (nx >= 0 && ny >= 0 && nx < w && ny < h) k.weights[ny * w + nx] = old.weights[y * old.width + x];
    }
    if (k.weights.every((v) => v === 0)) k.weights[((h - 1) >> 1) * w + ((w - 1) >> 1)] = 1;
    this.chain.stages[this.active] = { kernel: k };
    this.#changed();
    this.#renderEditor();
  }

  // Scale = sum of weights, so flat areas keep their brightness. Zero-sum kernels (edges)
  // are scaled by their positive part and centred on grey instead.
  #normalise() {
    const k = this.#currentKernel();
    const sum = k.weights.reduce((a, b) => a + b, 0);
    if (Math.abs(sum) > 1e-9) {
      k.scale = +sum.toFixed(6);
      k.offset = 0;
    } else {
      k.scale = k.weights.reduce((a, b) => a + Math.max(0, b), 0) || 1;
      k.offset = 128;
    }
    this.chain.stages[this.active] = { kernel: k };
    this.#changed();
    this.#renderEditor();
  }
}

function readOnlyKernel(name, k) {
  const box = document.createElement('figure');
  box.className = 'ro-kernel';
  const cells = document.createElement('div');
  cells.style.gridTemplateColumns = `repeat(${k.width}, auto)`;
  for (const w of k.weights) {
    const c = document.createElement('span');
    c.textContent = fmt(w);
    cells.append(c);
  }
  const cap = document.createElement('figcaption');
  cap.textContent = name;
  box.append(cells, cap);
  return box;
}

function identity(w, h) {
  const weights = new Array(w * h).fill(0);
  weights[((h - 1) >> 1) * w + ((w - 1) >> 1)] = 1;
  return { width: w, height: h, weights, scale: 1, offset: 0 };
}

function fmt(v) {
  return String(+Number(v).toFixed(4));
}

function button(text, cls, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = cls;
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

// ARIA radio group of buttons: click or arrow keys select; calls onSelect(value of data-<key>).
export function radioGroup(group, key, onSelect) {
  const buttons = [...group.querySelectorAll('[role="radio"]')];
  const select = (b, focus) => {
    for (const o of buttons) {
      o.setAttribute('aria-checked', String(o === b));
      o.tabIndex = o === b ? 0 : -1;
    }
    if (focus) b.focus();
    onSelect(b.dataset[key]);
  };
  for (const b of buttons) {
    b.tabIndex = b.getAttribute('aria-checked') === 'true' ? 0 : -1;
    b.addEventListener('click', () => select(b, false));
    b.addEventListener('keydown', (e) => {
      const i = buttons.indexOf(b);
      const d = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
      if (!d) return;
      e.preventDefault();
      select(buttons[(i + d + buttons.length) % buttons.length], true);
    });
  }
  return {
    set(value) {
      for (const o of buttons) {
        o.setAttribute('aria-checked', String(o.dataset[key] === value));
        o.tabIndex = o.dataset[key] === value ? 0 : -1;
      }
    },
  };
}
