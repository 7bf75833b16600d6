// The worker helper (spawnWorker, web/lib/worker.js) when its worker fails, with a scripted
// stand-in for the browser's Worker (Node has none): pending calls reject with a clear error,
// later calls reject at once instead of hanging, onexit runs once, and a new helper can be
// spawned. The death of a real worker (noticed through a Web Lock) is tested in Chromium
// (browser/faults.test.js).
import { jest } from '@jest/globals';
import { spawnWorker } from '../web/lib/worker.js';

// Answers 'load' and 'call' like worker-main.js; ops listed in `silent` never answer.
class ScriptedWorker {
  static last = null;
  terminated = false;
  onmessage = null;
  onerror = null;
  constructor(url, options) {
    this.url = String(url);
    this.options = options;
    this.silent = new Set(ScriptedWorker.silent);
    ScriptedWorker.last = this;
  }
  postMessage({ id, op, args }) {
    if (this.terminated || this.silent.has(op) || this.silent.has(args?.[0])) return;
    const result = op === 'load' ? { variant: 'simd', backend: 'scripted' } : args[0] === 'createFilter' ? { handle: 1 } : { liveBytes: 0 };
    queueMicrotask(() => !this.terminated && this.onmessage?.({ data: { id, result } }));
  }
  terminate() { this.terminated = true; }
  fail(message) { this.onerror?.({ message, preventDefault() {} }); }
}

beforeEach(() => {
  globalThis.Worker = ScriptedWorker;
  ScriptedWorker.silent = [];
});
afterEach(() => {
  delete globalThis.Worker;
});

test('a worker that fails mid-call: pending and later calls reject clearly, onexit runs once, a new one works', async () => {
  ScriptedWorker.silent = ['loadModel'];
  const w = await spawnWorker();
  const raw = ScriptedWorker.last;
  expect(raw.url).toMatch(/worker-main\.js$/);
  expect([w.alive, w.variant, w.backend]).toEqual([true, 'simd', 'scripted']);
  const onexit = jest.fn();
  w.onexit = onexit;
  const pending = w.loadModel('/models/mnist/model.json');
  raw.fail('out of memory');
  await expect(pending).rejects.toThrow(new Error('convolens worker failed: out of memory'));
  await expect(w.memory()).rejects.toThrow('convolens worker failed: out of memory');
  expect(w.alive).toBe(false);
  expect(raw.terminated).toBe(true);
  raw.fail('again');
  expect(onexit).toHaveBeenCalledTimes(1);
  expect(onexit.mock.calls[0][0].message).toBe('convolens worker failed: out of memory');

  ScriptedWorker.silent = [];
  const w2 = await spawnWorker();
  expect(ScriptedWorker.last).not.toBe(raw);
  await expect(w2.memory()).resolves.toEqual({ liveBytes: 0 });
  w2.terminate();
});

test('a worker that cannot start rejects spawnWorker with the reason instead of hanging', async () => {
  ScriptedWorker.silent = ['load'];
  const spawning = spawnWorker();
  const raw = ScriptedWorker.last;
  raw.fail('');
  await expect(spawning).rejects.toThrow('convolens worker failed: it could not run');
  expect(raw.terminated).toBe(true);
});

test('terminate(): pending and later calls reject with "terminated", onexit does not run', async () => {
  ScriptedWorker.silent = ['classifyDrawing'];
  const w = await spawnWorker();
  const onexit = jest.fn();
  w.onexit = onexit;
  const pending = w.classifyDrawing({ data: new Uint8ClampedArray(4), width: 1, height: 1 });
  w.terminate();
  await expect(pending).rejects.toThrow(new Error('convolens worker terminated'));
  await expect(w.createFilter('box')).rejects.toThrow('convolens worker terminated');
  expect(w.alive).toBe(false);
  expect(ScriptedWorker.last.terminated).toBe(true);
  expect(onexit).not.toHaveBeenCalled();
});
