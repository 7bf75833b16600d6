// Property-test settings: seeded, so a failure reproduces; a small number of runs in `npm test`,
// more with `npm run fuzz:api -- --runs N` (which sets CONVOLENS_FC_RUNS), another seed with
// CONVOLENS_FC_SEED. A failure prints the seed, the path and the shrunk counterexample: keep it
// as a named regression case.
const envRuns = Number(process.env.CONVOLENS_FC_RUNS);
// Set by `npm run fuzz:api`: the long versions of the loops npm test keeps short.
export const longRuns = envRuns > 0;
export const SEED = Number(process.env.CONVOLENS_FC_SEED ?? 20261129);

export function fcOptions(defaultRuns) {
  return { seed: SEED, numRuns: envRuns > 0 ? envRuns : defaultRuns, endOnFailure: false };
}

// A Jest timeout that grows with the number of runs (msPerRun is generous; tests never assert time).
export function timeoutFor(defaultRuns, msPerRun) {
  const runs = envRuns > 0 ? envRuns : defaultRuns;
  return 60000 + runs * msPerRun;
}
