// tests/evolution/mixed_versions.mjs SEEDS GEN_DIR_V1 GEN_DIR_V2 GEN_DIR_V3 NAME:
// replicas of three releases of one schema edit the same documents and sync.
//
// For every document class of NAME, five replicas (two on release 1, two on
// release 2, one on release 3) make random concurrent edits on every field
// their release has; blobs of changesSince() travel between any two of them
// in shuffled order, some twice, some before their causes; replicas restart
// (save, load) in the middle. After a full exchange:
//  * replicas of one release hold identical documents;
//  * replicas of different releases agree on every field both releases know
//    (matched by the fields' stable ids, which survive renames);
//  * no blob was refused: a blob is refused only when it is malformed;
//  * a release-2 change that travelled through release-1 replicas (and their
//    saves) arrives intact at release 3.
// Prints one line per check; exits 1 on failure.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

import { check, finish } from './harness.mjs';

import { editor, random } from './random_edits.mjs';

const [seedArg, dir1, dir2, dir3, name] = process.argv.slice(2);
if (!name) {
  console.error('usage: node mixed_versions.mjs SEED[,SEED...] GEN_DIR_V1 GEN_DIR_V2 GEN_DIR_V3 NAME');
  process.exit(2);
}
const modules = [];
for (const dir of [dir1, dir2, dir3]) {
  const m = await import(pathToFileURL(path.resolve(dir, name + '.js')).href);
  await m.loadFile();
  modules.push(m);
}


const plain = (v) => JSON.parse(JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? x.toString() : x)));

// A document's values keyed by field id (recursively), so that releases that
// renamed or reordered fields compare.
function byId(json, fields) {
  const out = {};
  for (const f of fields) {
    let v = json[f.name];
    const nested = f.view ? f.view().FIELDS : null;
    if (nested && v && typeof v === 'object') {
      if (Array.isArray(v)) v = v.map((x) => byId(x, nested));
      else if (f.kind === 'ObjectMap') v = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, byId(x, nested)]));
      else v = byId(v, nested);
    }
    out[f.id] = v;
  }
  return out;
}
// The part of `a` whose ids `b` also has (recursively).
function common(a, b) {
  if (Array.isArray(a) && Array.isArray(b)) return a.map((x, i) => common(x, b[i]));
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return a;
  const out = {};
  for (const k of Object.keys(a).sort()) if (k in b) out[k] = common(a[k], b[k]);
  return out;
}

const seeds = seedArg.split(',').map((s) => Number(s) >>> 0);
const classNames = Object.keys(modules[0]).filter((k) => typeof modules[0][k] === 'function' &&
  modules[0][k].prototype instanceof modules[0].Document);
for (const seed of seeds) for (const cls of classNames) {
  const rand = random(seed);
  const { edit, int, pick } = editor(rand);
  const releases = [0, 0, 1, 1, 2];
  const replicas = releases.map((r, i) => ({ release: r, doc: new modules[r][cls](BigInt(i + 1)) }));
  const sent = [];
  let refused = 0;
  for (let step = 0; step < 400; step++) {
    const r = pick(replicas);
    const what = rand();
    if (what < 0.55) {
      edit(r.doc);
    } else if (what < 0.75) {
      sent.push(r.doc.changesSince(pick(replicas).doc.version()));
    } else if (what < 0.95 && sent.length) {
      try { r.doc.apply(pick(sent)); } catch (e) { refused++; console.log(`refused: ${e.message}`); }
    } else {
      r.doc = modules[r.release][cls].load(r.doc.save(), r.doc.actor);
    }
  }
  // Release-2 edits that only release-1 replicas pass on (with a restart in
  // between) reach a release-3 replica intact.
  const writer = new modules[1][cls](11n), relay1 = new modules[0][cls](12n), relay2 = new modules[0][cls](13n);
  const reader = new modules[2][cls](14n);
  for (let k = 0; k < 30; k++) edit(writer);
  try {
    relay1.apply(writer.changesSince(relay1.version()));
    const restarted = modules[0][cls].load(relay1.save(), 12n);
    relay2.apply(restarted.changesSince(relay2.version()));
    reader.apply(relay2.changesSince(reader.version()));
  } catch (e) { refused++; console.log(`refused: ${e.message}`); }
  check(`seed ${seed} ${cls}: release-2 changes relayed by release-1 replicas reach release 3 intact`, () => {
    const wrote = byId(plain(writer.toJSON()), writer.constructor.FIELDS);
    const read = byId(plain(reader.toJSON()), reader.constructor.FIELDS);
    assert.deepEqual(common(read, wrote), common(wrote, read));
    assert.deepEqual(reader.version(), writer.version());
  });
  // Everything to everyone.
  for (let round = 0; round < 3; round++)
    for (const a of replicas) for (const b of replicas)
      if (a !== b) {
        try { b.doc.apply(a.doc.changesSince(b.doc.version())); } catch (e) { refused++; console.log(`refused: ${e.message}`); }
      }
  check(`seed ${seed} ${cls}: no blob refused`, () => assert.equal(refused, 0));
  const views = replicas.map((r) => byId(plain(r.doc.toJSON()), r.doc.constructor.FIELDS));
  check(`seed ${seed} ${cls}: replicas of one release are identical`, () => {
    assert.deepEqual(views[1], views[0]);
    assert.deepEqual(views[3], views[2]);
    assert.deepEqual(replicas[3].doc.migrationConflicts(), replicas[2].doc.migrationConflicts());
  });
  check(`seed ${seed} ${cls}: releases agree on every field both know`, () => {
    for (const [a, b] of [[0, 2], [2, 4], [0, 4]]) assert.deepEqual(common(views[a], views[b]), common(views[b], views[a]));
  });
  check(`seed ${seed} ${cls}: saves of every release load to the same values`, () => {
    for (const r of replicas) {
      const again = modules[r.release][cls].load(r.doc.save(), 99n);
      assert.deepEqual(plain(again.toJSON()), plain(r.doc.toJSON()));
    }
  });
  void int;
}

finish();
