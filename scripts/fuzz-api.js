#!/usr/bin/env node
// npm run fuzz:api -- [--runs N] [--seed S]: the property-based API tests (js-tests/api-properties
// and api-misuse, both binaries) with N runs per property instead of npm test's few hundred, and
// the long versions of the loops npm test keeps short (api-hostile).
// A failure prints the seed, the path and the shrunk counterexample; keep it as a named case in
// js-tests/api-hostile.test.js.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const runs = Number(option('runs', 10000));
const seed = option('seed', process.env.CONVOLENS_FC_SEED ?? '20261129');
if (!Number.isInteger(runs) || runs <= 0) {
  console.error(`fuzz:api: --runs must be a positive integer, got ${option('runs')}`);
  process.exit(2);
}
console.log(`fuzz:api: ${runs} runs per property, seed ${seed}`);
const r = spawnSync('npx', ['jest', '--selectProjects', 'node', '--testPathPatterns', 'api-(properties|misuse|hostile)'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    CONVOLENS_FC_RUNS: String(runs),
    CONVOLENS_FC_SEED: String(seed),
    NODE_OPTIONS: '--experimental-vm-modules --disable-warning=ExperimentalWarning',
  },
});
process.exit(r.status ?? 1);
