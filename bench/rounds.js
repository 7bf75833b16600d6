// Interleaved timing for benchmarks whose ratios must hold on a shared, noisy machine: every
// configuration is timed once per round, on the same frame, the order flips every round (so a
// slow spell of the machine hits all of them alike, and none always runs first), and the
// results are medians over the rounds. Ratios are taken per round (paired), then their median
// and range: a noisy round shows in the range instead of silently moving one median.
//
//   const r = interleave({ a: () => f.run(), b: () => g.run() }, { rounds: 11 });
//   r.a.median, r.a.samples;  ratio(r.a, r.b) -> { median, lo, hi }
//
// `before` (optional) runs before a configuration's sample (e.g. setThreads) and is not timed.

const median = (a) => {
  const s = a.slice().sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ms per call of fn over `reps` calls.
function sample(fn, reps) {
  const t = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t) / reps;
}

// configs: {name: fn | {run, before}}. Each is warmed up (V8 tiers the code up on the way), then
// given the number of calls that makes a sample about `sampleMs` long.
export function interleave(configs, { rounds = 11, sampleMs = 25, warmup = 3 } = {}) {
  const entries = Object.entries(configs).map(([name, c]) => {
    const run = typeof c === 'function' ? c : c.run;
    const before = typeof c === 'function' ? null : c.before ?? null;
    return { name, run, before, reps: 1, samples: [] };
  });
  for (const e of entries) {
    e.before?.();
    for (let i = 0; i < warmup; i++) e.run();
    const one = sample(e.run, 1);
    e.reps = Math.max(1, Math.min(200, Math.round(sampleMs / Math.max(one, 0.01))));
  }
  for (let r = 0; r < rounds; r++)
    for (const e of r % 2 ? entries.slice().reverse() : entries) {
      e.before?.();
      e.samples.push(sample(e.run, e.reps));
    }
  const out = {};
  for (const e of entries) {
    const s = e.samples.slice().sort((x, y) => x - y);
    out[e.name] = { median: median(s), min: s[0], max: s[s.length - 1], samples: e.samples, reps: e.reps };
  }
  return out;
}

// a / b per round (paired samples): median and range. a / b > 1: b is faster.
export function ratio(a, b) {
  const q = a.samples.map((x, i) => x / b.samples[i]).sort((x, y) => x - y);
  return { median: median(q), lo: q[0], hi: q[q.length - 1] };
}

// Relative spread of one configuration's samples: (max - min) / median.
export const spread = (r) => (r.max - r.min) / r.median;
