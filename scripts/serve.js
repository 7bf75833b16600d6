// Static server for web/: right MIME types for .wasm/.mjs, and the COOP/COEP headers that
// cross-origin isolation (SharedArrayBuffer, wasm threads) needs. Used by npm start and tests.
// Compresses like a production static host: brotli or gzip by Accept-Encoding for text and wasm,
// compressed once per file version (cached by path, size and mtime).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.ico': 'image/x-icon', '.md': 'text/markdown; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8', '.y4m': 'application/octet-stream',
};

// The page's Content-Security-Policy: scripts, styles and workers from this origin only, no
// inline code, no eval; 'wasm-unsafe-eval' lets WebAssembly compile. Uploaded and camera images
// arrive as blob:/data:/mediastream: URLs. The examples (web/examples/) are single-file demos
// with inline scripts, so they are served without it.
export const CSP = [
  "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "worker-src 'self'",
  "connect-src 'self'", "img-src 'self' data: blob:", "media-src 'self' blob: mediastream:",
  "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.md', '.ts', '.bin']);
const compressed = new Map();  // `${encoding}:${file}` -> {version, body}

function encodingFor(req, file) {
  if (!COMPRESSIBLE.has(extname(file))) return null;
  const accept = String(req.headers['accept-encoding'] || '');
  return /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : null;
}

function compress(encoding, file, version, body) {
  const key = `${encoding}:${file}`;
  const hit = compressed.get(key);
  if (hit?.version === version) return hit.body;
  const out = encoding === 'br'
    ? brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : gzipSync(body, { level: 9 });
  compressed.set(key, { version, body: out });
  return out;
}

export function startServer({ root = fileURLToPath(new URL('../web/', import.meta.url)), port = 8080, host = '127.0.0.1', isolate = true, compress: compress_ = true, csp = true, cors = false } = {}) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return send(res, 403, 'forbidden');
    try {
      let info = await stat(file);
      if (info.isDirectory()) info = await stat((file = join(file, 'index.html')));
      let body = await readFile(file);
      const headers = { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-cache' };
      const encoding = compress_ ? encodingFor(req, file) : null;
      if (encoding) {
        body = compress(encoding, file, `${info.size}:${info.mtimeMs}`, body);
        headers['Content-Encoding'] = encoding;
        headers['Vary'] = 'Accept-Encoding';
      }
      // csp: true = the page's policy, a string = that policy, false = none.
      if (csp && !path.startsWith('/examples/')) headers['Content-Security-Policy'] = csp === true ? CSP : csp;
      if (isolate) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
        headers['Cross-Origin-Resource-Policy'] = 'same-origin';
      }
      if (cors) {  // a CDN: any origin may fetch and embed the files
        headers['Access-Control-Allow-Origin'] = '*';
        headers['Cross-Origin-Resource-Policy'] = 'cross-origin';
      }
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      send(res, 404, 'not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok({ server, url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${server.address().port}/` }));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT || 8080);
  const { url } = await startServer({ port, host: process.env.HOST || '0.0.0.0' });
  console.log(`convolens demo: ${url.replace('0.0.0.0', 'localhost')}  (Ctrl+C to stop)`);
}

function send(res, code, text) {
  res.writeHead(code, { 'Content-Type': 'text/plain' });
  res.end(text);
}
