// Minimal live filter: camera -> convolens 3x3 sharpen -> canvas.
import { load } from '../lib/convolens.js';

const SHARPEN = [0, -1, 0, -1, 5, -1, 0, -1, 0];
const video = document.getElementById('camera');
const output = document.getElementById('output');
const status = document.getElementById('status');

// Exposed for the browser tests: the last frame in and out, and a frame counter.
const state = (window.__convolens = { frames: 0, input: null, output: null, error: null });

async function main() {
  const cl = await load();
  const filter = cl.conv3x3({ kernel: SHARPEN });
  video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  await video.play();
  const { videoWidth: w, videoHeight: h } = video;
  const grab = new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true });
  output.width = w;
  output.height = h;
  const ctx = output.getContext('2d');
  const out = new ImageData(w, h);
  let last = performance.now();
  const frame = () => {
    grab.drawImage(video, 0, 0, w, h);
    const input = grab.getImageData(0, 0, w, h);
    filter.apply(input, out);
    ctx.putImageData(out, 0, 0);
    state.input = input;
    state.output = out;
    state.frames++;
    const now = performance.now();
    status.textContent = `${w}×${h} · ${cl.backend} · ${(1000 / (now - last)).toFixed(0)} fps`;
    last = now;
    video.requestVideoFrameCallback(frame);
  };
  video.requestVideoFrameCallback(frame);
}

main().catch((e) => {
  state.error = String(e);
  status.textContent = `Could not start: ${e.message}`;
});
