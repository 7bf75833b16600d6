// Where the live view's frames come from: the camera, the built-in test scene, or an uploaded
// (or dropped) image drawn over the scene canvas; the resolution picker; pause. The chosen
// element becomes the live view's source (live.setSource).
import { radioGroup } from './filters-ui.js';
import { TestScene } from './scene.js';
import { showNotice } from './notice.js';

const MAX_IMAGE_SIDE = 2048;  // larger uploads are scaled down once, on arrival

const $ = (id) => document.getElementById(id);

export class LiveSource {
  kind = null;          // 'camera' | 'scene' | 'image'
  width = 0;            // the chosen resolution (the camera's actual size may differ)
  height = 0;
  #live;
  #hook;
  #video = $('camera');
  #canvas = $('scene');
  #ctx = this.#canvas.getContext('2d');
  #scene = new TestScene();
  #stream = null;
  #image = null;        // decoded upload (ImageBitmap)
  #generation = 0;      // bumps on every switch, so a late camera start does not win
  #group;

  // live: () => the live view (cl.live), once started.
  constructor({ hook, live, resolution }) {
    this.#hook = hook;
    this.#live = live;
    const picker = $('resolution');
    if ([...picker.options].some((o) => o.value === resolution)) picker.value = resolution;
    [this.width, this.height] = picker.value.split('x').map(Number);
    picker.addEventListener('change', (e) => {
      [this.width, this.height] = e.target.value.split('x').map(Number);
      this.use(this.kind);
    });
    this.#group = radioGroup($('source-group'), 'source', (v) => {
      if (v === 'image') $('upload').click();
      else this.use(v);
    });
    this.#wireUpload();
    $('pause').addEventListener('click', (e) => {
      const lv = this.#live();
      if (!lv) return;
      const paused = !lv.paused;
      paused ? lv.pause() : lv.resume();
      e.currentTarget.setAttribute('aria-pressed', String(paused));
      e.currentTarget.textContent = paused ? 'Resume' : 'Pause';
      if (this.kind === 'camera') paused ? this.#video.pause() : this.#video.play();
    });
  }

  async use(kind) {
    this.#generation++;
    this.kind = kind;
    this.#hook.source = kind;
    this.#group.set(kind);
    const video = this.#video;
    video.hidden = kind !== 'camera';
    this.#canvas.hidden = kind === 'camera';
    if (kind !== 'camera') this.#stopCamera();
    const gen = this.#generation;
    if (kind === 'camera') {
      if (!(await this.#startCamera())) return this.use('scene');
      if (gen !== this.#generation) return;
      this.#notice(null);
      $('source-label').textContent = `${video.videoWidth} × ${video.videoHeight} · ${this.#stream.getVideoTracks()[0]?.label || 'camera'}`;
      setAspect(video.videoWidth, video.videoHeight);
      await this.#live().setSource(video);
    } else {
      const { width, height } = this;
      this.#canvas.width = width;
      this.#canvas.height = height;
      setAspect(width, height);
      $('source-label').textContent = `${width} × ${height} · ${kind === 'scene' ? 'test scene' : 'your image'}`;
      if (kind === 'image') this.#drawImageCover();
      const draw = kind === 'scene' ? (t) => this.#scene.draw(this.#ctx, width, height, t) : null;
      await this.#live().setSource(this.#canvas, { draw });
    }
  }

  #notice(text, retry = false) {
    showNotice(this.#hook, text, retry ? () => this.use('camera') : null);
  }

  async #startCamera() {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.#notice('The camera needs a secure page (https or localhost). Showing the built-in test scene instead — you can also drop an image on it.');
      return false;
    }
    const video = this.#video;
    try {
      this.#stopCamera();
      this.#stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: this.width }, height: { ideal: this.height } }, audio: false });
      video.srcObject = this.#stream;
      await video.play();
      if (!video.videoWidth) await new Promise((ok) => video.addEventListener('loadedmetadata', ok, { once: true }));
      return true;
    } catch (e) {
      const why = e.name === 'NotAllowedError' ? 'Camera permission was denied.'
        : e.name === 'NotFoundError' ? 'No camera was found.'
        : `The camera could not start (${e.name}: ${e.message}).`;
      this.#notice(`${why} Showing the built-in test scene instead — every filter works on it, and you can upload or drop an image.`, true);
      return false;
    }
  }

  #stopCamera() {
    for (const t of this.#stream?.getTracks() ?? []) t.stop();
    this.#stream = null;
    this.#video.srcObject = null;
  }

  // The upload fills the frame (object-fit: cover) on a black background.
  #drawImageCover() {
    const img = this.#image;
    if (!img) return;
    const { width, height } = this;
    const s = Math.max(width / img.width, height / img.height);
    const w = img.width * s, h = img.height * s;
    this.#ctx.fillStyle = '#000';
    this.#ctx.fillRect(0, 0, width, height);
    this.#ctx.drawImage(img, (width - w) / 2, (height - h) / 2, w, h);
  }

  async #openImage(file) {
    if (!file || !file.type.startsWith('image/')) {
      this.#notice(`“${file?.name ?? 'that'}” is not an image.`);
      return;
    }
    let note = null;
    try {
      let img = await createImageBitmap(file);
      // A huge upload is kept only at a size the frame can use: one decoded 8000 x 8000 image
      // holds 256 MB, and every frame would redraw all of it.
      const scale = MAX_IMAGE_SIDE / Math.max(img.width, img.height);
      if (scale < 1) {
        const big = img;
        img = await createImageBitmap(big, { resizeWidth: Math.max(1, Math.round(big.width * scale)), resizeHeight: Math.max(1, Math.round(big.height * scale)), resizeQuality: 'medium' });
        note = `“${file.name}” is ${big.width} × ${big.height} pixels; it is shown scaled down to ${img.width} × ${img.height}.`;
        big.close();
      }
      this.#image?.close?.();
      this.#image = img;
      this.#notice(note);
      this.use('image');
    } catch (e) {
      this.#notice(`Could not read “${file.name}” as an image (${e.message || 'unknown error'}). The previous source goes on.`);
    }
  }

  #wireUpload() {
    $('upload').addEventListener('change', (e) => this.#openImage(e.target.files[0]));
    const inputFrame = $('input-frame');
    for (const el of [inputFrame, $('output-frame')]) {
      el.addEventListener('dragover', (e) => {
        e.preventDefault();
        inputFrame.classList.add('dragging');
      });
      el.addEventListener('dragleave', () => inputFrame.classList.remove('dragging'));
      el.addEventListener('drop', (e) => {
        e.preventDefault();
        inputFrame.classList.remove('dragging');
        this.#openImage(e.dataTransfer.files[0]);
      });
    }
  }
}

function setAspect(w, h) {
  for (const f of document.querySelectorAll('.frame')) f.style.aspectRatio = `${w} / ${h}`;
}
