// bench/module_size/func_sizes.mjs MODULE.wasm [N]: the N largest functions
// of a module that kept its name section (wasm-opt -g), by the bytes of
// their bodies in the code section, with the share of all code; then the
// same bytes grouped by a rough origin (runtime, libc++, generated). Used by
// module_size.sh --functions; sizes are raw bytes, not gzip.
import { readFileSync } from 'node:fs';

const [file, nArg] = process.argv.slice(2);
const bytes = readFileSync(file);
let at = 8;
const u32 = () => {
  let v = 0, shift = 0, b;
  do { b = bytes[at++]; v |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
  return v >>> 0;
};
let imported = 0;
const bodies = [];
const names = new Map();
while (at < bytes.length) {
  const id = bytes[at++];
  const size = u32();
  const end = at + size;
  if (id === 2) {  // imports: functions among them take the first indexes
    for (let n = u32(); n > 0; --n) {
      for (let k = 0; k < 2; ++k) { const len = u32(); at += len; }  // module and field names
      const kind = bytes[at++];
      if (kind === 0) { u32(); ++imported; }
      else if (kind === 1) { at++; const f = bytes[at++]; u32(); if (f & 1) u32(); }
      else if (kind === 2) { const f = bytes[at++]; u32(); if (f & 1) u32(); }
      else if (kind === 3) { at += 2; }
    }
  } else if (id === 10) {
    for (let n = u32(), i = 0; i < n; ++i) { const len = u32(); bodies.push(len); at += len; }
  } else if (id === 0) {
    const nameLen = u32();
    const name = bytes.subarray(at, at + nameLen).toString();
    at += nameLen;
    if (name === 'name') {
      while (at < end) {
        const sub = bytes[at++]; const subSize = u32(); const subEnd = at + subSize;
        if (sub === 1) for (let n = u32(); n > 0; --n) { const idx = u32(); const l = u32(); names.set(idx, bytes.subarray(at, at + l).toString()); at += l; }
        at = subEnd;
      }
    }
  }
  at = end;
}
const total = bodies.reduce((a, b) => a + b, 0);
const funcs = bodies.map((size, i) => ({ size, name: names.get(i + imported) ?? `func${i + imported}` }));
funcs.sort((a, b) => b.size - a.size || (a.name < b.name ? -1 : 1));
console.log(`${funcs.length} functions, ${total} bytes of code`);
for (const f of funcs.slice(0, Number(nArg ?? 40)))
  console.log(`${String(f.size).padStart(7)} ${(100 * f.size / total).toFixed(1).padStart(5)}%  ${f.name.slice(0, 150)}`);
const origin = (n) => /^dolc\$forward|^dolc_gen::.*::(Gen|Doc_|Api)|^_?gen_|^[a-z_]+_(get|set|new)/.test(n) ? 'generated'
  : /std::__2::/.test(n) && !/dolc/.test(n.split('<')[0]) ? 'libc++' : /dolc/.test(n) ? 'dolc (runtime and generated)' : 'other (libc, malloc, unnamed)';
const groups = new Map();
for (const f of funcs) groups.set(origin(f.name), (groups.get(origin(f.name)) ?? 0) + f.size);
for (const [g, s] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`${String(s).padStart(7)} ${(100 * s / total).toFixed(1).padStart(5)}%  ${g}`);
