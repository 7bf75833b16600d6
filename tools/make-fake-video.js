#!/usr/bin/env node
// Writes a small Y4M video (I420) for Chromium's --use-file-for-fake-video-capture: a scene
// with edges, stripes, gradients and a moving square, and a dark hand-drawn "7" on light paper
// in the middle (for the "digit from the camera" box). Generated at test time, never committed.
//   node tools/make-fake-video.js out.y4m [width=640] [height=480] [frames=12]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

// Segments of a "7" in a unit square (x right, y down).
const SEVEN = [[[0.2, 0.18], [0.8, 0.18]], [[0.8, 0.18], [0.42, 0.86]]];

export function makeFakeVideo(file, width = 640, height = 480, frames = 12) {
  if (width % 2 || height % 2) throw new RangeError(`width and height must be even, got ${width}x${height}`);
  const ySize = width * height, cSize = (width / 2) * (height / 2);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  const frameHeader = Buffer.from('FRAME\n');
  const frameBytes = frameHeader.length + ySize + 2 * cSize;
  const out = Buffer.alloc(header.length + frames * frameBytes);
  header.copy(out, 0);
  const rgb = new Uint8Array(ySize * 3);
  const box = Math.round(Math.min(width, height) * 0.4);         // the paper with the digit
  const bx = (width - box) >> 1, by = (height - box) >> 1;
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      let r = (x * 255) / width, g = (y * 255) / height, b = 128 + 100 * Math.sin((x + y) / 23);
      if (y < height * 0.15 && (x >> 3) % 2) r = g = b = 235;            // stripes
      const sx = ((f * 17) % (width - 60)) + 10, sy = height - 70;       // moving square
      if (x >= sx && x < sx + 50 && y >= sy && y < sy + 50) { r = 250; g = 40; b = 40; }
      if (x >= bx && x < bx + box && y >= by && y < by + box) {
        r = g = b = 236;                                                 // paper
        const u = (x - bx) / box, v = (y - by) / box;
        if (SEVEN.some(([p, q]) => distToSegment(u, v, p, q) < 0.06)) r = g = b = 24;  // ink
      }
      rgb[i] = r; rgb[i + 1] = g; rgb[i + 2] = b;
    }
    let o = header.length + f * frameBytes;
    frameHeader.copy(out, o);
    o += frameHeader.length;
    // BT.601 limited range (what Chromium assumes for Y4M): Y, then 2x2-averaged U and V.
    for (let p = 0; p < ySize; p++) out[o + p] = clamp(16 + (219 / 255) * (0.299 * rgb[p * 3] + 0.587 * rgb[p * 3 + 1] + 0.114 * rgb[p * 3 + 2]));
    const uo = o + ySize, vo = uo + cSize;
    for (let y = 0; y < height / 2; y++) for (let x = 0; x < width / 2; x++) {
      let r = 0, g = 0, b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const p = ((2 * y + dy) * width + 2 * x + dx) * 3;
        r += rgb[p] / 4; g += rgb[p + 1] / 4; b += rgb[p + 2] / 4;
      }
      const c = y * (width / 2) + x;
      out[uo + c] = clamp(128 + (224 / 255) * (-0.168736 * r - 0.331264 * g + 0.5 * b));
      out[vo + c] = clamp(128 + (224 / 255) * (0.5 * r - 0.418688 * g - 0.081312 * b));
    }
  }
  writeFileSync(file, out);
  return { file, width, height, frames, digitBox: { x: bx, y: by, size: box, digit: 7 } };
}

function clamp(v) {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

function distToSegment(x, y, [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file = 'fake-camera.y4m', w = 640, h = 480, n = 12] = process.argv.slice(2);
  const r = makeFakeVideo(file, Number(w), Number(h), Number(n));
  console.log(`wrote ${r.file}: ${r.width}x${r.height}, ${r.frames} frames`);
}
