// Temporary folders for a test file, all removed after its last test (passed or failed), so
// test runs leave nothing behind in the system's temp folder. Call at the file's top level.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function useTempDirs() {
  const made = [];
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  // prefix: e.g. 'convolens-nn-' -> /tmp/convolens-nn-XXXXXX
  return (prefix) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
