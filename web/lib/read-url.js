// Bytes of a URL or file path: fetch() in browsers, the file system in Node for file: URLs and
// plain paths (Node's fetch cannot read files). Errors name what was read and where.
import { fileUrlToPath, readFileBytes } from './node-io.js';

export const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

export const hasScheme = (url) => /^[a-z][a-z0-9+.-]*:/i.test(url);
export const isFilePath = (url) => isNode && (url.startsWith('file:') || !hasScheme(url));

// what: e.g. 'model.json', 'wasm file'; type: the Content-Type the response must start with, if any;
// ctx: {signal, reason} of a cancellable load — once aborted, the error says why (ctx.reason).
export async function readUrl(url, what, { type, ctx } = {}) {
  const checkAborted = (where) => {
    if (ctx?.reason) throw new Error(`convolens: loading ${what} ${where} failed: ${ctx.reason}`);
  };
  checkAborted(url);
  if (isFilePath(url)) {
    const path = url.startsWith('file:') ? await fileUrlToPath(url) : url;
    try {
      return await readFileBytes(path, ctx?.signal);
    } catch (e) {
      checkAborted(path);
      throw new Error(`convolens: cannot read ${what} ${path}: ${e.code || e.message}`);
    }
  }
  try {
    const r = await fetch(url, { signal: ctx?.signal });
    if (!r.ok) throw new Error(`convolens: ${what} ${url} answered HTTP ${r.status}`);
    const served = r.headers.get('content-type') || '';
    if (type && !served.startsWith(type))
      throw new Error(`convolens: ${what} ${url} is served as "${served || 'no type'}", expected "${type}"`);
    return new Uint8Array(await r.arrayBuffer());
  } catch (e) {
    checkAborted(url);
    if (e.message?.startsWith('convolens:')) throw e;
    throw new Error(`convolens: cannot fetch ${what} ${url}: ${e.cause?.message || e.message}`);
  }
}
