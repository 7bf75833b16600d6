// What is in a .wasm: bytes per section, and the largest function bodies by name (link the module
// again with --profiling-funcs to get the names; docs/toolchain.md "Size").
//   node tools/wasm-sizes.js module.wasm [top=40] [other.wasm: per-name difference instead]
import { readFileSync } from 'node:fs';

function parse(file) {
  const b = readFileSync(file);
  let p = 8;
  const leb = () => {
    let r = 0, s = 0, x;
    do {
      x = b[p++];
      r += (x & 0x7f) * 2 ** s;
      s += 7;
    } while (x & 0x80);
    return r;
  };
  const sections = {}, bodies = [], names = new Map();
  let imported = 0;
  while (p < b.length) {
    const id = b[p++], size = leb(), end = p + size;
    let name = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag'][id] ?? `id${id}`;
    if (id === 0) {
      const n = leb();
      name = `custom:${b.toString('utf8', p, p + n)}`;
      p += n;
      if (name === 'custom:name') {
        while (p < end) {
          const sub = b[p++], len = leb(), subEnd = p + len;
          if (sub === 1) for (let i = leb(); i > 0; i--) {
            const idx = leb(), l = leb();
            names.set(idx, b.toString('utf8', p, p + l));
            p += l;
          }
          p = subEnd;
        }
      }
    } else if (id === 2) {
      for (let i = leb(); i > 0; i--) {
        for (let k = 0; k < 2; k++) {  // module, field
          const n = leb();
          p += n;
        }
        const kind = b[p++];
        if (kind === 0) { leb(); imported++; } else if (kind === 1) { p++; const f = leb(); leb(); if (f & 1) leb(); } else if (kind === 2) { const f = leb(); leb(); if (f & 1) leb(); } else if (kind === 3) { p += 2; } else if (kind === 4) { p++; leb(); }
      }
    } else if (id === 10) {
      for (let i = 0, n = leb(); i < n; i++) {
        const len = leb();
        bodies.push({ index: imported + i, bytes: len });
        p += len;
      }
    }
    sections[name] = (sections[name] ?? 0) + size;
    p = end;
  }
  for (const f of bodies) f.name = names.get(f.index) ?? `func${f.index}`;
  return { total: b.length, sections, bodies };
}

const [file, topArg, other] = process.argv.slice(2);
const top = Number(topArg ?? 40);
const a = parse(file);
console.log(`${file}: ${a.total} bytes`);
for (const [s, n] of Object.entries(a.sections)) console.log(`  ${s.padEnd(24)} ${String(n).padStart(8)}`);
if (other) {
  const b = parse(other), sum = (m, f) => m.set(f.name, (m.get(f.name) ?? 0) + f.bytes);
  const ma = a.bodies.reduce(sum, new Map()), mb = b.bodies.reduce(sum, new Map());
  const diff = [...new Set([...ma.keys(), ...mb.keys()])].map((n) => [n, (ma.get(n) ?? 0) - (mb.get(n) ?? 0)]).filter(([, d]) => d);
  diff.sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]));
  console.log(`functions, ${file} minus ${other} (${b.total} bytes):`);
  for (const [n, d] of diff.slice(0, top)) console.log(`  ${String(d).padStart(7)}  ${n}`);
} else {
  console.log(`largest of ${a.bodies.length} functions:`);
  for (const f of [...a.bodies].sort((x, y) => y.bytes - x.bytes).slice(0, top)) console.log(`  ${String(f.bytes).padStart(7)}  ${f.name}`);
}
