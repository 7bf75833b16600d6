// The real MNIST digits for the trainer: cl.loadMnist({train, test, url, onProgress}) reads the
// compact copy the build writes into web/data/ (scripts/write-mnist.js): chunks of 10,000
// images, each gzip'ed [n x 784 u8 pixels][n u8 labels]. Only the chunks needed are fetched.
import { isNode, readUrl } from './read-url.js';
import { gunzipBytes } from './node-io.js';

const CHUNK = 10000, PIXELS = 784;
const SIZES = { train: 60000, test: 10000 };

async function gunzip(bytes) {
  if (isNode) return gunzipBytes(bytes);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function defaultUrl() {
  return new URL('../data/', import.meta.url).href;
}

function count(v, split) {
  if (v === undefined) return split === 'train' ? 10000 : 10000;
  if (!Number.isInteger(v) || v < 0 || v > SIZES[split])
    throw new RangeError(`loadMnist: ${split} must be an integer 0..${SIZES[split]}, got ${v}`);
  return v;
}

// → {train: {images: Uint8Array(n*784), labels: Uint8Array(n), count}, test: {...}}
export async function loadMnist({ train, test, url, onProgress } = {}) {
  const want = { train: count(train, 'train'), test: count(test, 'test') };
  let base = url ?? defaultUrl();
  if (!base.endsWith('/')) base += '/';
  const jobs = [];
  for (const split of ['train', 'test'])
    for (let c = 0; c * CHUNK < want[split]; c++) jobs.push({ split, c });
  let done = 0, bytes = 0;
  onProgress?.({ loaded: 0, total: jobs.length, bytes });
  const chunks = await Promise.all(jobs.map(async (j) => {
    const gz = await readUrl(`${base}mnist-${j.split}-${j.c}.u8.gz`, 'MNIST chunk');
    bytes += gz.length;
    const raw = await gunzip(gz);
    if (raw.length !== CHUNK * (PIXELS + 1)) throw new Error(`convolens: MNIST chunk ${j.split}-${j.c} has ${raw.length} bytes, expected ${CHUNK * (PIXELS + 1)}`);
    onProgress?.({ loaded: ++done, total: jobs.length, bytes });
    return { ...j, raw };
  }));
  const out = {};
  for (const split of ['train', 'test']) {
    const n = want[split];
    const images = new Uint8Array(n * PIXELS), labels = new Uint8Array(n);
    for (const { c, raw } of chunks.filter((x) => x.split === split)) {
      const m = Math.min(CHUNK, n - c * CHUNK);
      images.set(raw.subarray(0, m * PIXELS), c * CHUNK * PIXELS);
      labels.set(raw.subarray(CHUNK * PIXELS, CHUNK * PIXELS + m), c * CHUNK);
    }
    out[split] = { images, labels, count: n };
  }
  return out;
}
