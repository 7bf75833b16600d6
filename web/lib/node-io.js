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
