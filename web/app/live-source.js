// Where the live view's frames come from: the camera, the built-in test scene, or an uploaded
// (or dropped) image drawn over the scene canvas; the resolution picker; pause.
//
// One state machine for all of them: every request (a click, a resolution change, the start,
// a failed camera) takes a new token, and only the holder of the latest token may change what
// is shown. A camera that is still starting when the reader picks something else is stopped
// the moment it arrives, and its failure (an AbortError from being stopped) is not reported.
// The previous source stays on screen, input and output alike, until the new one is ready.
import { radioGroup } from './filters-ui.js';
import { TestScene } from './scene.js';
import { showNotice } from './notice.js';

const MAX_IMAGE_SIDE = 2048;  // larger uploads are scaled down once, on arrival

const $ = (id) => document.getElementById(id);

export class LiveSource {
  kind = null;          // the source asked for last: 'camera' | 'scene' | 'image'
  width = 0;            // the chosen resolution (the camera's actual size may differ)
  height = 0;
  #live;
  #hook;
  #video = $('camera');
  #canvas = $('scene');
  #ctx = this.#canvas.getContext('2d');
  #scene = new TestScene();
  #stream = null;       // the running (or starting) camera stream
  #image = null;        // decoded upload (ImageBitmap)
  #token = 0;           // bumps on every request; a start holding an older one is stale
  #group;

  // live: () => the live view (cl.live), null until it exists; start() runs the first source.
  constructor({ hook, live, resolution }) {
    this.#hook = hook;
    this.#live = live;
    const picker = $('resolution');
    if ([...picker.options].some((o) => o.value === resolution)) picker.value = resolution;
    [this.width, this.height] = picker.value.split('x').map(Number);
    picker.addEventListener('change', (e) => {
      [this.width, this.height] = e.target.value.split('x').map(Number);
      if (this.kind) this.use(this.kind);
    });
    this.#group = radioGroup($('source-group'), 'source', (v) => {
      if (v !== 'image') return this.use(v);
      // The picker may be cancelled: the current source stays selected until a file arrives.
      this.#group.set(this.kind);
      $('upload').value = '';
      $('upload').click();
    });
    this.#wireUpload();
    $('pause').addEventListener('click', (e) => {
      const lv = this.#live();
      if (!lv) return;
      const paused = !lv.paused;
      paused ? lv.pause() : lv.resume();
      e.currentTarget.setAttribute('aria-pressed', String(paused));
      e.currentTarget.textContent = paused ? 'Resume' : 'Pause';
      if (this.kind === 'camera' && this.#stream) paused ? this.#video.pause() : this.#video.play().catch(() => {});
    });
  }

  // The first source, once the live view exists: whatever the reader chose meanwhile, else `kind`.
  start(kind) {
    return this.use(this.kind ?? kind);
  }

  async use(kind) {
    const token = ++this.#token;
    this.kind = kind;
    this.#hook.source = kind;
    this.#group.set(kind);
    this.#stopCamera();
    if (!this.#live()) return;  // start() applies it
    if (kind === 'camera') {
      $('source-label').textContent = 'starting the camera…';
      return this.#startCamera(token);
    }
    const { width, height } = this;
    this.#canvas.width = width;
    this.#canvas.height = height;
    this.#show('canvas', width, height, `${width} × ${height} · ${kind === 'scene' ? 'test scene' : 'your image'}`);
    this.#fpsNote(null);
    if (kind === 'image') this.#drawImageCover();
    const draw = kind === 'scene' ? (t) => this.#scene.draw(this.#ctx, width, height, t) : null;
    await this.#live().setSource(this.#canvas, { draw });
  }

  async #startCamera(token) {
    const video = this.#video;
    const stale = () => token !== this.#token;
    if (!navigator.mediaDevices?.getUserMedia) {
      return this.#fallBack('The camera needs a secure page (https or localhost). Showing the built-in test scene instead — you can also drop an image on it.', false);
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: this.width }, height: { ideal: this.height } }, audio: false });
      if (stale()) return stopTracks(stream);
      this.#stream = stream;
      video.srcObject = stream;
      await video.play();
      if (!video.videoWidth) await new Promise((ok) => {
        video.addEventListener('loadedmetadata', ok, { once: true });
        video.addEventListener('emptied', ok, { once: true });  // stopped meanwhile
      });
    } catch (e) {
      if (stale()) return;  // stopped by a newer request: not a failure worth a word
      this.#stopCamera();
      const why = e.name === 'NotAllowedError' ? 'Camera permission was denied.'
        : e.name === 'NotFoundError' ? 'No camera was found.'
        : `The camera could not start (${e.name}: ${e.message}).`;
      return this.#fallBack(`${why} Showing the built-in test scene instead — every filter works on it, and you can upload or drop an image.`, true);
    }
    if (stale()) return;
    const track = stream.getVideoTracks()[0];
    this.#notice(null);
    this.#show('camera', video.videoWidth, video.videoHeight, `${video.videoWidth} × ${video.videoHeight} · ${track?.label || 'camera'}`);
    this.#fpsNote(track?.getSettings?.().frameRate);
    await this.#live().setSource(video);
    this.#watchCamera(token);
  }

  // The camera went away mid-stream (unplugged, permission revoked, taken by the system): say so
  // and fall back to the test scene; the notice's button or the Camera choice starts it again.
  #watchCamera(token) {
    const track = this.#stream?.getVideoTracks()[0];
    if (!track) return;
    const revoked = 'Camera permission was revoked.';
    let permission = null, done = false;
    const lost = (why) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      if (permission) permission.onchange = null;
      if (token !== this.#token) return;
      this.#fallBack(`${why} Showing the built-in test scene instead; the camera can be started again.`, true);
    };
    // Revoking the permission ends the track too, before the permission's change event arrives
    // (Chromium): the permission's state at that moment tells the two apart.
    const ended = (why) => {
      clearInterval(poll);
      cameraDenied().then((denied) => lost(denied ? revoked : why));
    };
    track.addEventListener('ended', () => ended('The camera stopped (unplugged, or taken by another program).'), { once: true });
    // A track stopped by script ends without an 'ended' event; its state still says so.
    const poll = setInterval(() => {
      if (token !== this.#token) clearInterval(poll);
      else if (track.readyState === 'ended') ended('The camera stopped.');
    }, 250);
    navigator.permissions?.query({ name: 'camera' }).then((status) => {
      if (token !== this.#token) return;
      permission = status;
      status.onchange = () => status.state === 'denied' && lost(revoked);
    }, () => { /* no permission query for cameras here */ });
  }

  #fallBack(text, retry) {
    this.#notice(text, retry);
    return this.use('scene');
  }

  // Input element, aspect and label change together, when the source is ready.
  #show(which, w, h, label) {
    this.#video.hidden = which !== 'camera';
    this.#canvas.hidden = which === 'camera';
    setAspect(w, h);
    $('source-label').textContent = label;
  }

  // The fps can't exceed the camera's frame rate: say so beside the readout.
  #fpsNote(rate) {
    const fps = Number.isFinite(rate) ? Math.round(rate) : null;
    this.#hook.cameraFps = fps;
    $('fps-note').textContent = fps
      ? `The camera delivers at most ${fps} fps, so the fps stops there whatever the engine; the ms per frame is what the engine costs.`
      : 'A picture is filtered once per screen refresh; the ms per frame is what the engine costs.';
  }

  #notice(text, retry = false) {
    showNotice(this.#hook, text, retry ? () => this.use('camera') : null);
  }

  #stopCamera() {
    stopTracks(this.#stream);
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

// Whether the camera permission is 'denied' now (false where it cannot be asked).
function cameraDenied() {
  const asked = navigator.permissions?.query({ name: 'camera' });
  return asked ? asked.then((s) => s.state === 'denied', () => false) : Promise.resolve(false);
}

function stopTracks(stream) {
  for (const t of stream?.getTracks() ?? []) t.stop();
}

function setAspect(w, h) {
  for (const f of document.querySelectorAll('.frame')) f.style.aspectRatio = `${w} / ${h}`;
}
