// tests/evolution/make_goldens.mjs GEN_DIR NAME TAG [forks]: writes golden
// saved documents of every document class of a generated module.
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
//   NAME.C.json        replica 1's toJSONString() (what the bytes must read as; DOL field names)
//   NAME.C.version     replica 1's version() (chain digests: the same bytes
//                      from any replica with that history, in any build)
// With `forks`, replicas 2 and 3 share actor 2 (two devices with one actor
// id), so the histories fork and the saves carry a forks section
// (runtime-wasm/FORMAT.md, "Change identity"). With `snapshot`, the
// replicas edit for 60 rounds instead of 4, so that the histories pass the
// 1,024 ops from which a save carries a snapshot and its texts kept once
// (FORMAT.md, "Snapshot"). With `rows`, each replica makes two edits, so
// that the sync bytes (format 4) are in rows (FORMAT.md, "Rows").
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { editor, random } from './random_edits.mjs';

const [genDir, name, tag, mode] = process.argv.slice(2);
const outDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'goldens', tag);
const mod = await import(pathToFileURL(path.resolve(genDir, name + '.js')).href);
await mod.loadFile();

const { edit } = editor(random(20261130));

fs.mkdirSync(outDir, { recursive: true });
const classes = Object.entries(mod).filter(([, c]) => typeof c === 'function' && c.prototype instanceof mod.Document);
for (const [cls, C] of classes) {
  const rs = [new C(1n), new C(2n), new C(mode === 'forks' ? 2n : 3n)];
  // `rows`: one round of two edits each, so that replica 2's changes are few
  // enough (<= 16) for changesSince to lay them out in rows (FORMAT.md "Rows").
  for (let round = 0; round < (mode === 'snapshot' ? 60 : mode === 'rows' ? 1 : 4); round++) {
    for (const r of rs) for (let k = 0; k < (mode === 'rows' ? 2 : 12); k++) edit(r);
    for (const a of rs) for (const b of rs) if (a !== b) b.apply(a.changesSince(b.version()));
  }
  const base = path.join(outDir, `${name}.${cls}`);
  for (const target of ['save', 'changes', 'json', 'version'])
    if (fs.existsSync(`${base}.${target}`)) throw new Error(`${base}.${target} exists: goldens are never rewritten`);
  fs.writeFileSync(`${base}.save`, rs[0].save());
  fs.writeFileSync(`${base}.changes`, rs[1].changesSince(new Uint8Array()));
  fs.writeFileSync(`${base}.version`, rs[0].version());
  fs.writeFileSync(`${base}.json`, JSON.stringify(JSON.parse(rs[0].toJSONString()), null, 1) + '\n');
  console.log(`${base}: ${rs[0].save().length} bytes`);
}
