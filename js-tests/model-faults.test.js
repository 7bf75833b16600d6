// Model download faults against a real local HTTP server (node:http, started here): a 404, a
// truncated shard, shards that do not add up to the manifest, a server that never answers
// (timeout and AbortSignal), weight paths that leave the model's folder. Each error names the
// URL, and nothing half-loaded stays alive (cl.memory() back to its baseline).
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from '../web/lib/convolens.js';
import { useTempDirs } from './helpers/temp-dirs.js';

// Dense 4 -> 3: 12 kernel + 3 bias floats = 60 bytes of weights.
function modelJson(paths = ['w.bin']) {
  return {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [
      { class_name: 'Dense', config: { name: 'd', units: 3, batch_input_shape: [null, 4] } }] } },
    weightsManifest: [{ paths, weights: [{ name: 'd/kernel', shape: [4, 3], dtype: 'float32' }, { name: 'd/bias', shape: [3], dtype: 'float32' }] }],
  };
}
const WEIGHTS = Buffer.from(new Float32Array(Array.from({ length: 15 }, (_, i) => i / 10)).buffer);

let server, base, cl, baseline;
const sockets = new Set();
const tempDir = useTempDirs();
const pending = [];  // responses that never get an answer (closed in afterAll)

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = (body, type = 'application/octet-stream') => {
      res.writeHead(200, { 'content-type': type, 'content-length': body.length });
      res.end(body);
    };
    const json = (j) => send(Buffer.from(JSON.stringify(j)), 'application/json');
    switch (req.url) {
      case '/ok/model.json': case '/404/model.json': case '/short/model.json': case '/cut/model.json': case '/hang/model.json':
        return json(modelJson());
      case '/ok/w.bin': return send(WEIGHTS);
      case '/short/w.bin': return send(WEIGHTS.subarray(0, 40));  // complete answer, but 20 bytes short
      case '/cut/w.bin':  // promises 60 bytes, sends 40, then the connection dies
        res.writeHead(200, { 'content-length': WEIGHTS.length });
        res.write(WEIGHTS.subarray(0, 40), () => setImmediate(() => res.socket?.destroy()));
        return;
      case '/split/model.json': return json(modelJson(['a.bin', 'b.bin']));
      case '/split/a.bin': return send(WEIGHTS.subarray(0, 24));
      case '/split/b.bin': return send(WEIGHTS.subarray(24, 52));  // 8 bytes missing
      case '/hang/w.bin': case '/silent/model.json': pending.push(res); return;  // never answers
      case '/other-origin/model.json': return json(modelJson(['http://example.invalid/w.bin']));
      case '/dotdot/model.json': return json(modelJson(['%2e%2e/ok/w.bin']));
      default: res.writeHead(404); res.end('not found');
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  cl = await load();
  (await cl.loadModel(`${base}/ok/model.json`)).dispose();  // the CNN engine is loaded: the baseline is its own
  baseline = cl.memory();
});

afterAll(async () => {
  for (const res of pending) res.destroy();
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const memoryBack = () => {
  const m = cl.memory();
  expect([m.liveBytes, m.liveBuffers, m.liveObjects]).toEqual([baseline.liveBytes, baseline.liveBuffers, baseline.liveObjects]);
};

test('a good model loads over HTTP', async () => {
  const m = await cl.loadModel(`${base}/ok/model.json`);
  expect(Array.from(m.predict(new Float32Array([1, 0, 0, 0])), (v) => +v.toFixed(5))).toEqual([1.2, 1.4, 1.6]);
  m.dispose();
  memoryBack();
});

test('404s name the URL: model.json and a weight shard', async () => {
  await expect(cl.loadModel(`${base}/missing/model.json`)).rejects.toThrow(`model.json ${base}/missing/model.json answered HTTP 404`);
  await expect(cl.loadModel(`${base}/404/model.json`)).rejects.toThrow(`weight shard ${base}/404/w.bin answered HTTP 404`);
  memoryBack();
});

test('a truncated weights.bin: short answer, or the connection dies mid-body', async () => {
  const short = cl.loadModel(`${base}/short/model.json`);
  await expect(short).rejects.toThrow(RangeError);
  await expect(cl.loadModel(`${base}/short/model.json`)).rejects.toThrow(
    `the weight shards of ${base}/short/model.json do not add up: ${base}/short/w.bin hold 40 bytes, the manifest entries of weightsManifest[0] describe 60 (truncated?)`);
  await expect(cl.loadModel(`${base}/cut/model.json`)).rejects.toThrow(`cannot fetch weight shard ${base}/cut/w.bin`);
  memoryBack();
});

test('shards that do not add up to the manifest name every shard', async () => {
  await expect(cl.loadModel(`${base}/split/model.json`)).rejects.toThrow(
    `${base}/split/a.bin, ${base}/split/b.bin hold 52 bytes, the manifest entries of weightsManifest[0] describe 60`);
  memoryBack();
});

test('a server that never answers: the timeout and an AbortSignal end the load', async () => {
  await expect(cl.loadModel(`${base}/silent/model.json`, { timeout: 100 })).rejects.toThrow(
    `loading model.json ${base}/silent/model.json failed: no complete answer within 100 ms (options.timeout)`);
  // The shard must be what times out: on a loaded machine model.json itself may take longer than
  // a short timeout, so the timeout grows until model.json arrives within it.
  let shardTimeout = null;
  for (let ms = 100; ms <= 12800 && !shardTimeout; ms *= 4) {
    const e = await cl.loadModel(`${base}/hang/model.json`, { timeout: ms }).then(() => null, (err) => err);
    expect(e?.message).toMatch(/failed: no complete answer within \d+ ms \(options\.timeout\)$/);
    if (!e.message.includes('loading model.json')) shardTimeout = e;
  }
  expect(shardTimeout?.message).toMatch(`weight shard ${base}/hang/w.bin failed: no complete answer`);
  const ctl = new AbortController();
  const loading = cl.loadModel(`${base}/hang/model.json`, { signal: ctl.signal, timeout: 0 });
  // Abort once the server holds the shard request (polled, not timed).
  const held = pending.length + 1;
  while (pending.length < held) await new Promise((r) => setImmediate(r));
  ctl.abort();
  await expect(loading).rejects.toThrow(`loading weight shard ${base}/hang/w.bin failed: aborted by the signal`);
  await expect(cl.loadModel(`${base}/ok/model.json`, { signal: ctl.signal })).rejects.toThrow('aborted by the signal');
  await expect(cl.loadModel(`${base}/ok/model.json`, { signal: 'stop' })).rejects.toThrow(TypeError);
  await expect(cl.loadModel(`${base}/ok/model.json`, { timeout: -1 })).rejects.toThrow(RangeError);
  memoryBack();
});

test('weight paths may not leave the model folder: another origin, %2e%2e', async () => {
  await expect(cl.loadModel(`${base}/other-origin/model.json`)).rejects.toThrow(
    `weight path "http://example.invalid/w.bin" in ${base}/other-origin/model.json is on another origin`);
  await expect(cl.loadModel(`${base}/dotdot/model.json`)).rejects.toThrow("leaves the model's folder");
  memoryBack();
});

test('Node: weight paths that escape the folder are refused before anything is read', async () => {
  const dir = tempDir('convolens-paths-');
  mkdirSync(join(dir, 'm'));
  mkdirSync(join(dir, 'm', 'shards'));
  writeFileSync(join(dir, 'm', 'shards', 'w.bin'), WEIGHTS);
  writeFileSync(join(dir, 'secret.bin'), WEIGHTS);
  for (const p of ['../../etc/hostname', '../secret.bin', '/etc/hostname', 'shards/../../secret.bin', 'file:///etc/hostname', 'shards\\..\\..\\secret.bin']) {
    writeFileSync(join(dir, 'm', 'model.json'), JSON.stringify(modelJson([p])));
    const err = await cl.loadModel(join(dir, 'm', 'model.json')).then(() => null, (e) => e);
    expect([p, err?.name, err?.message]).toEqual([p, 'TypeError', expect.stringContaining(`weight path ${JSON.stringify(p)} in`)]);
    expect(err.message).not.toMatch(/bytes/);  // reveals nothing about the file
  }
  writeFileSync(join(dir, 'm', 'model.json'), JSON.stringify(modelJson(['shards/w.bin'])));
  (await cl.loadModel(join(dir, 'm', 'model.json'))).dispose();
  memoryBack();
});

test('errors of the model itself name the model URL', async () => {
  await expect(cl.loadModel(`${base}/missing/w.bin`)).rejects.toThrow('answered HTTP 404');
  const dir = tempDir('convolens-bad-');
  const j = modelJson();
  j.modelTopology.config.layers[0].config.units = 4;
  writeFileSync(join(dir, 'model.json'), JSON.stringify(j));
  writeFileSync(join(dir, 'w.bin'), WEIGHTS);
  await expect(cl.loadModel(join(dir, 'model.json'))).rejects.toThrow(`weight 'd/kernel' has shape [4,3], expected [4,4] (model ${join(dir, 'model.json')})`);
  memoryBack();
});
