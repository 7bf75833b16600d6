// What bundlers put in place of node-io.js for the browser (package.json "browser" map). Never
// called there: the callers check for Node first.
const noFiles = async () => {
  throw new Error('convolens: reading local files needs Node');
};
export const fileUrlToPath = noFiles;
export const readFileBytes = noFiles;
export const pathInFolderOf = noFiles;
export const gunzipBytes = noFiles;
export const nodeCores = noFiles;
export const evaluateCommonJs = noFiles;
export const workerThreads = noFiles;
