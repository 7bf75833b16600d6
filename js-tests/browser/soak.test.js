// The soak (tools/soak.js, `npm run soak -- --minutes 10`) for 60 seconds: the page with the fake
// camera while filters, kernel sizes, borders, modes, resolutions and engines change every second,
// the inspector moves, digits are drawn and read, models load and are disposed. No console or
// frame error, frames keep coming, the engine's live wasm bytes in the same state stay where they
// were after warm-up, and the page's memory stays within the bound.
import { soak } from '../../tools/soak.js';

test('60 seconds of a restless user: no error, no stall, no leak', async () => {
  const r = await soak({ seconds: 60, sampleEvery: 15, log: () => {} });
  const last = r.samples.at(-1);
  expect(r.failures).toEqual([]);
  expect(r.problems).toEqual([]);
  expect(r.samples.length).toBeGreaterThanOrEqual(2);  // the first and the last at least (fewer in between under load)
  expect(r.tally.actions).toBeGreaterThanOrEqual(20);  // the rotation went round (slower under load)
  expect(last.frames).toBeGreaterThan(r.samples[0].frames);
}, 240000);
