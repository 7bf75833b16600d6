// "Digit from the camera": the box in the middle of the live view is classified a few times a
// second. What the box holds is shown next to the prediction, and a reading is only claimed when
// it is one: no frame, no ink, a box full of texture or an unsure network all say "no digit".
import { containFit } from './fit.js';

const $ = (id) => document.getElementById(id);
const BOX = 0.4;             // camera box side, as a fraction of the shorter frame side
export const MIN_CONFIDENCE = 0.8;
export const MAX_INK_SHARE = 0.35;  // more "ink" than this is a scene or a shadow, not a pen stroke

// What to say about one reading of the box: {digit} or {digit: null, why}.
export function verdict(r, area) {
  if (!r) return { digit: null, why: 'no camera image' };
  if (r.empty) return { digit: null, why: 'no ink in the box' };
  if (r.inkPixels > MAX_INK_SHARE * area) return { digit: null, why: 'the box is full of texture: hold a digit on plain paper' };
  if (r.confidence < MIN_CONFIDENCE) return { digit: null, why: `unsure (best guess ${r.digit} at ${(r.confidence * 100).toFixed(0)} %)` };
  return { digit: r.digit, why: '' };
}

export function boxRect({ width, height }) {
  const s = Math.round(Math.min(width, height) * BOX);
  return { x: (width - s) >> 1, y: (height - s) >> 1, width: s, height: s };
}

// Positions the dashed box over the camera view (object-fit: contain), clamped to the frame.
function placeBox(size) {
  const box = $('digit-box');
  const frame = $('input-frame').getBoundingClientRect();
  if (!size.width || !frame.width) return;
  const { scale: s, left, top } = containFit(frame.width, frame.height, size.width, size.height);
  const r = boxRect(size);
  const w = Math.min(r.width * s, frame.width), h = Math.min(r.height * s, frame.height);
  const x = Math.max(0, Math.min(frame.width - w, left + r.x * s)), y = Math.max(0, Math.min(frame.height - h, top + r.y * s));
  Object.assign(box.style, { left: `${x}px`, top: `${y}px`, width: `${w}px`, height: `${h}px` });
}

export class CameraDigit {
  #timer = 0;
  #busy = false;

  // classify(pixels) -> reader result; show(result, verdict) updates the prediction; onStart()
  // clears the drawing pad.
  constructor({ getFrameCrop, getFrameSize, classify, show, onStart, hook }) {
    Object.assign(this, { getFrameCrop, getFrameSize, classify, show, onStart, hook });
    this.btn = $('camera-digit');
    this.btn.addEventListener('click', () => (this.on ? this.stop() : this.start()));
    new ResizeObserver(() => this.on && placeBox(this.getFrameSize())).observe($('input-frame'));
  }

  get on() {
    return this.btn.getAttribute('aria-pressed') === 'true';
  }

  start() {
    this.btn.setAttribute('aria-pressed', 'true');
    this.onStart();
    $('digit-box').hidden = false;
    $('camera-crop-fig').hidden = false;
    $('camera-status').hidden = false;
    $('camera-status').textContent = 'Hold a digit, dark on white paper, in the dashed box of the live view (section 1).';
    this.hook.camera = { on: true, reads: 0, verdict: null };
    clearInterval(this.#timer);
    this.#timer = setInterval(() => this.#read(), 250);
    this.#read();
  }

  stop() {
    if (!this.on) return;
    this.btn.setAttribute('aria-pressed', 'false');
    clearInterval(this.#timer);
    $('digit-box').hidden = true;
    $('camera-crop-fig').hidden = true;
    $('camera-status').hidden = true;
    if (this.hook.camera) this.hook.camera.on = false;
  }

  async #read() {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const size = this.getFrameSize();
      const rect = size.width ? boxRect(size) : null;
      if (rect) placeBox(size);
      const crop = rect ? await this.getFrameCrop(rect).catch(() => null) : null;
      if (!this.on) return;
      let r = null;
      if (crop) {
        const img = new ImageData(new Uint8ClampedArray(crop.input), rect.width, rect.height);
        const cv = $('camera-crop');
        cv.width = rect.width;
        cv.height = rect.height;
        cv.getContext('2d').putImageData(img, 0, 0);
        // Dark ink on light paper, unlike MNIST: the core detects the polarity from the box's border.
        r = this.classify(img);
      }
      const v = verdict(r, rect ? rect.width * rect.height : 1);
      $('digit-box-label').textContent = v.digit === null ? 'no digit' : `${v.digit} · ${(r.confidence * 100).toFixed(0)} %`;
      $('camera-status').textContent = v.digit === null ? `No digit: ${v.why}.` : `The camera box reads ${v.digit}.`;
      this.show(r, v);
      const box = $('digit-box').getBoundingClientRect();
      Object.assign(this.hook.camera, {
        reads: this.hook.camera.reads + 1, verdict: v, crop: rect, inkPixels: r?.inkPixels ?? null,
        box: { left: box.left + scrollX, top: box.top + scrollY, width: box.width, height: box.height },
      });
    } finally {
      this.#busy = false;
    }
  }
}
