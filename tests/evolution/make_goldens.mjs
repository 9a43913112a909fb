// tests/evolution/make_goldens.mjs GEN_DIR NAME TAG: writes golden saved
// documents of every document class of a generated module.
//
// Golden files are a promise to users: bytes a released module wrote must
// open in every later build. This script is how each set was made; it is run
// ONCE per (format version, schema version) and its output committed under
// tests/evolution/goldens/TAG/. Never rerun it over existing files: add a new
// TAG instead (tests/evolution/README.md).
//
// For each class C it makes three replicas (actors 1, 2, 3), random edits on
// every field (fixed seed: the content is reproducible, but that does not
// matter: the files are the record), syncs them and writes
//   NAME.C.save        replica 1's save()
//   NAME.C.changes     replica 2's changesSince(empty): every change, as sync bytes
//   NAME.C.json        replica 1's toJSON() (what the bytes must read as)
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [genDir, name, tag] = process.argv.slice(2);
const outDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'goldens', tag);
const mod = await import(pathToFileURL(path.resolve(genDir, name + '.js')).href);
await mod.loadFile();

let seed = 20261130;
function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rand() * n);
const pick = (xs) => xs[int(xs.length)];
const WORDS = ['hello', 'Zoë', '👍', 'two words', 'longer text here'];
function value(t) {
  if (Array.isArray(t)) {
    if (t[0] === 'enum') return pick(t[1]);
    if (t[0] === 'option') return rand() < 0.3 ? undefined : value(t[1]);
    if (t[0] === 'list') return [value(t[1])];
    if (t[0] === 'record') return Object.fromEntries(t[1].map(([k, ft]) => [k, value(ft)]));
  }
  switch (t) {
    case 'bool': return rand() < 0.5;
    case 's8': case 's16': case 's32': return int(200) - 100;
    case 'u8': case 'u16': case 'u32': return int(200);
    case 's64': return BigInt(int(2000) - 1000);
    case 'u64': return BigInt(int(2000));
    case 'f32': case 'f64': return int(1000) / 8;
    case 'string': return pick(WORDS) + String(int(100));
    case 'bytes': return Uint8Array.from({ length: 3 }, () => int(256));
  }
  throw new Error('no generator for ' + JSON.stringify(t));
}
const amount = (t) => (t === 's64' || t === 'u64' ? BigInt(1 + int(5)) : 1 + int(5));
function edit(view, depth = 0) {
  const info = pick(view.constructor.FIELDS);
  if (!info) return;
  const f = view[info.member];
  try {
    switch (info.kind) {
      case 'Register': case 'MvRegister': f.set(value(info.value)); break;
      case 'OrSet': { const vs = f.values(); if (vs.length && rand() < 0.3) f.remove(pick(vs)); else f.add(value(info.value)); break; }
      case 'OrMap': { const ks = f.keys(); if (ks.length && rand() < 0.2) f.delete(pick(ks)); else f.set(value(info.key), value(info.value)); break; }
      case 'ObjectMap': { const ks = f.keys(); if (ks.length && rand() < 0.6 && depth < 2) edit(f.get(pick(ks)), depth + 1); else f.set(value(info.key)); break; }
      case 'Counter': if (rand() < 0.7) f.increment(amount(info.value)); else f.decrement(amount(info.value)); break;
      case 'List': { const n = f.length(); if (n && rand() < 0.2) f.delete(int(n), 1); else if (n > 1 && rand() < 0.2) f.move(int(n), int(n)); else f.insert(int(n + 1), value(info.value)); break; }
      case 'ObjectList': { const n = f.length(); if (n && rand() < 0.6 && depth < 2) edit(f.get(int(n)), depth + 1); else f.insert(int(n + 1), {}); break; }
      case 'Text': { const n = f.length(); if (n > 2 && rand() < 0.2) f.delete(int(n - 1), 1); else if (n > 2 && rand() < 0.3) f.mark(0, 1 + int(n - 1), 'bold', 'true'); else f.insert(int(n + 1), pick(WORDS)); break; }
      case 'Nested': if (depth < 2) edit(f, depth + 1); break;
    }
  } catch (e) {
    if (!(e instanceof Error) || e instanceof TypeError) throw e;  // refused by a bound or constraint: fine
  }
}

fs.mkdirSync(outDir, { recursive: true });
const classes = Object.entries(mod).filter(([, c]) => typeof c === 'function' && c.prototype instanceof mod.Document);
for (const [cls, C] of classes) {
  const rs = [new C(1n), new C(2n), new C(3n)];
  for (let round = 0; round < 4; round++) {
    for (const r of rs) for (let k = 0; k < 12; k++) edit(r);
    for (const a of rs) for (const b of rs) if (a !== b) b.apply(a.changesSince(b.version()));
  }
  const base = path.join(outDir, `${name}.${cls}`);
  for (const target of ['save', 'changes', 'json'])
    if (fs.existsSync(`${base}.${target}`)) throw new Error(`${base}.${target} exists: goldens are never rewritten`);
  fs.writeFileSync(`${base}.save`, rs[0].save());
  fs.writeFileSync(`${base}.changes`, rs[1].changesSince(new Uint8Array()));
  fs.writeFileSync(`${base}.json`, JSON.stringify(rs[0].toJSON(), (k, v) => (typeof v === 'bigint' ? v.toString() : v), 1) + '\n');
  console.log(`${base}: ${rs[0].save().length} bytes`);
}
