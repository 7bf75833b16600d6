// Helpers for the page tests: read the last input/output frame pair through the page's test
// hook (window.__convolens), and compute what the C++ engine gives for it in Node.
import { Engine } from '../../web/lib/live-engine.js';
import { ARTIFACTS } from './chromium.js';

export { ARTIFACTS };

// Waits until the page has produced `n` more frames (or reports an error).
export async function waitFrames(page, n = 5, timeout = 20000) {
  const start = await page.evaluate(() => window.__convolens.frames);
  await page.waitForFunction(([s, k]) => window.__convolens.frames >= s + k || window.__convolens.error, [start, n], { timeout });
  const error = await page.evaluate(() => window.__convolens.error);
  if (error) throw new Error(`page error: ${error}`);
}

// The last frame the page processed: the input it read and the output it wrote, as one pair.
export async function lastFrame(page) {
  const r = await page.evaluate(async () => {
    const s = await window.__convolens.snapshot();
    const b64 = (a) => { let t = ''; for (let i = 0; i < a.length; i += 8192) t += String.fromCharCode(...a.subarray(i, i + 8192)); return btoa(t); };
    return { width: s.width, height: s.height, input: b64(s.input), output: b64(s.output), chain: window.__convolens.chain };
  });
  return {
    width: r.width, height: r.height, chain: r.chain,
    input: new Uint8ClampedArray(Buffer.from(r.input, 'base64')),
    output: new Uint8ClampedArray(Buffer.from(r.output, 'base64')),
  };
}

// The chain applied by the engine in Node (plain wasm binary: the C++ core without SIMD).
let engine = null;
export async function reference(frame, chain = frame.chain) {
  if (!engine) {
    engine = new Engine();
    await engine.setBackend('plain');
  }
  engine.setChain(chain);
  const out = { data: new Uint8ClampedArray(frame.input.length), width: frame.width, height: frame.height };
  engine.apply({ data: frame.input, width: frame.width, height: frame.height }, out);
  return out.data;
}

// Where two RGBA frames differ first, as a readable message (or null when identical).
export function firstDifference(got, want, width) {
  let count = 0, first = -1;
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) { count++; if (first < 0) first = i; }
  if (!count) return null;
  const p = first >> 2;
  return `${count} bytes differ; first at pixel (${p % width}, ${Math.floor(p / width)}) channel ${first & 3}: got ${got[first]}, want ${want[first]}`;
}

// Selects a preset for the active filter through the page's <select>, then waits until
// the page runs it and a few frames went through.
export async function choosePreset(page, name) {
  await page.selectOption('#preset', name);
  await page.waitForFunction((n) => window.__convolens.chain?.stages.some((s) => s.preset === n), name);
  await waitFrames(page, 3);
}

// Screenshot of one element (a section of the page) into js-tests/artifacts/.
export async function shoot(page, selector, name) {
  await page.locator(selector).screenshot({ path: `${ARTIFACTS}${name}.png` });
}
