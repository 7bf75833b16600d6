// The engines live() runs, by name. A wasm engine's name maps onto load()'s options:
// 'simd' -> {simd: true, threads: false}, 'plain' -> {simd: false, threads: false},
// 'simd-mt' -> {simd: true, threads: true} (a feature not named is off, so 'simd' stays the
// single-thread module where load() alone would pick threads);
// 'js' is plain JavaScript (naive.js).

export const ENGINES = [
  { name: 'simd-mt', label: 'WASM SIMD + threads' },
  { name: 'simd', label: 'WASM SIMD' },
  { name: 'plain', label: 'WASM plain' },
  { name: 'js', label: 'plain JavaScript' },
];

// load() options of an engine name, generically: the first word picks the binary, each further
// word a load() feature flag ('mt' -> threads), so a variant load() gains needs no change here.
const FEATURES = { mt: 'threads' };

export function engineOptions(name) {
  if (name === 'js') return null;
  const [binary, ...features] = String(name).split('-');
  if (binary !== 'simd' && binary !== 'plain') throw new RangeError(`unknown engine "${name}" (simd, plain, js or simd-<feature>)`);
  const options = { simd: binary === 'simd' };
  for (const f of features)
    if (!FEATURES[f]) throw new RangeError(`unknown engine "${name}": no feature "${f}" (${Object.keys(FEATURES).join(', ')})`);
  for (const [f, option] of Object.entries(FEATURES)) options[option] = features.includes(f);
  return options;
}


