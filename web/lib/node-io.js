// Node's file system, used only when a URL or path names a local file in Node. It lives in a
// file of its own, imported nowhere else, because bundlers that build for the browser fail on
// node: modules: package.json's "browser" map swaps this file for node-io-browser.js there
// (webpack, esbuild and Vite honour that map). The node: imports are dynamic so that the page,
// which loads this file unbundled, never evaluates them.

export async function fileUrlToPath(url) {
  const { fileURLToPath } = await import('node:url');
  return fileURLToPath(url);
}

export async function readFileBytes(path, signal) {
  const { readFile } = await import('node:fs/promises');
  return new Uint8Array(await readFile(path, { signal }));
}

// The absolute path of `name` inside the folder of `file`, or null when it would leave it.
export async function pathInFolderOf(file, name) {
  const path = await import('node:path');
  const dir = path.resolve(path.dirname(file));
  const full = path.resolve(dir, name);
  return full.startsWith(dir + path.sep) ? full : null;
}

export async function gunzipBytes(bytes) {
  const { gunzipSync } = await import('node:zlib');
  return new Uint8Array(gunzipSync(bytes));
}

export async function nodeCores() {
  const os = await import('node:os');
  return os.availableParallelism ? os.availableParallelism() : os.cpus().length;
}

// A CommonJS glue file evaluated in the caller's realm rather than through require(): the errors
// the module throws are then this realm's RangeError/TypeError even where this code runs in a
// realm of its own (test runners, vm contexts), as with the ES module builds.
export async function evaluateCommonJs(url) {
  const { readFile } = await import('node:fs/promises');
  const { createRequire } = await import('node:module');
  const { fileURLToPath } = await import('node:url');
  const file = fileURLToPath(url);
  const module = { exports: {} };
  const code = await readFile(file, 'utf8');
  new Function('module', 'exports', 'require', '__filename', '__dirname', code)(
    module, module.exports, createRequire(file), file, file.slice(0, file.lastIndexOf('/')));
  return module.exports;
}

export async function workerThreads() {
  return import('node:worker_threads');
}
