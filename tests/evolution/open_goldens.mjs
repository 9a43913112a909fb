// tests/evolution/open_goldens.mjs GEN_DIR NAME GOLDEN_DIR...: every golden
// save and change blob of NAME opens in the module built from today's schema
// and reads the right values.
//
// Golden sets (tests/evolution/goldens/TAG/) were written once by released
// modules and are never rewritten (README.md there). Each NAME.CLASS.save /
// .changes comes with NAME.CLASS.json, what the writing module's toJSON()
// showed. Today's schema may have evolved since: tests/evolution/expect.json
// says, per example and per golden set, how the old JSON reads now (fields
// renamed, fields added with their defaults, unset registers that became
// text read as empty text). The check is that load(save),
// apply(changes) and merge(save) all give exactly that, that save() of the
// result loads again to the same values, and that a tampered copy (its
// schema header pointing at another gene) is refused without changing the
// document.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

import { check, fail, finish } from './harness.mjs';

const [genDir, name, ...goldenDirs] = process.argv.slice(2);
if (!genDir || !name || !goldenDirs.length) {
  console.error('usage: node open_goldens.mjs GEN_DIR NAME GOLDEN_DIR...');
  process.exit(2);
}
const here = path.dirname(new URL(import.meta.url).pathname);
const expectations = JSON.parse(fs.readFileSync(path.join(here, 'expect.json'), 'utf8'));
const mod = await import(pathToFileURL(path.resolve(genDir, name + '.js')).href);
const wasmExports = await mod.loadFile();


// The old JSON as today's schema reads it: renamed keys, added fields (with
// their defaults) in every object that has their marker key.
function translate(value, rules) {
  if (Array.isArray(value)) return value.map((v) => translate(v, rules));
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) out[rules.rename?.[k] ?? k] = translate(v, rules);
  for (const add of rules.add ?? [])
    if (add.when in value) {
      for (const [k, v] of Object.entries(add.fields ?? {})) if (!(k in out)) out[k] = v;
      // A register that became text: unset reads as empty text.
      for (const [k, v] of Object.entries(add.null_reads_as ?? {})) if (out[k] === null) out[k] = v;
    }
  return out;
}
// Key order differs between versions; compare as sorted JSON.
const canonical = (v) =>
  JSON.stringify(v, (k, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((y) => [y, x[y]])) : typeof x === 'bigint' ? x.toString() : x);
// The goldens' .json files hold the module's JSON text (DOL field names), as
// toJSONString() writes it (toJSON() is the typed snapshot with API names).
const json = (doc) => JSON.parse(canonical(JSON.parse(doc.toJSONString())));

const classes = Object.entries(mod).filter(([, c]) => typeof c === 'function' && c.prototype instanceof mod.Document);
// A version vector's actors and seqs (FORMAT.md, `DV`): format 2 follows
// each with an 8-byte chain digest, format 3 with a 16-byte one.
function versionSeqs(v) {
  const chain = v[2] === 2 ? 8 : v[2] === 3 ? 16 : 0;
  let at = 3;
  const varint = () => {
    let x = 0n, shift = 0n, b;
    do { b = v[at++]; x |= BigInt(b & 0x7f) << shift; shift += 7n; } while (b & 0x80);
    return x;
  };
  const out = [];
  for (let n = varint(); n > 0n; n--) {
    out.push([varint(), varint()]);
    at += chain;
  }
  return out;
}

for (const dir of goldenDirs) {
  const tag = path.basename(dir);
  const rules = expectations[name]?.[tag];
  if (!rules) {
    fail(`${tag}: no expectations for ${name} in expect.json`);
    continue;
  }
  for (const [cls, C] of classes) {
    const base = path.join(dir, `${name}.${cls}`);
    if (!fs.existsSync(`${base}.save`)) continue;
    const saved = new Uint8Array(fs.readFileSync(`${base}.save`));
    const changes = new Uint8Array(fs.readFileSync(`${base}.changes`));
    const expected = JSON.parse(canonical(translate(JSON.parse(fs.readFileSync(`${base}.json`, 'utf8')), rules)));
    check(`${tag} ${cls}: load(save) reads the right values`, () => {
      const doc = C.load(saved, 7n);
      assert.deepEqual(json(doc), expected);
      assert.deepEqual(json(C.load(doc.save(), 8n)), expected, 'after save() and load() again');
    });
    check(`${tag} ${cls}: apply(changes) and merge(save) read the same`, () => {
      const a = new C(9n);
      a.apply(changes);
      assert.deepEqual(json(a), expected);
      const m = new C(10n);
      m.merge(saved);
      assert.deepEqual(json(m), expected);
    });
    check(`${tag} ${cls}: no migration conflicts`, () => {
      assert.deepEqual(C.load(saved, 7n).migrationConflicts(), []);
    });
    // Sets from version vectors of format 2 on also hold the writer's
    // version(). A peer's stored version keeps meaning the same history:
    // the same actors and seqs as version() of the loaded save, and, its
    // chain digests (and forks digest) compared as they were written, no
    // change to send to it. (version() itself is written in today's format:
    // format 3 carries SHA-256 chain digests where format 2 had FNV-1a ones,
    // FORMAT.md "Change identity".)
    if (fs.existsSync(`${base}.version`)) {
      const version = new Uint8Array(fs.readFileSync(`${base}.version`));
      check(`${tag} ${cls}: the writer's stored version() still names the loaded save's history`, () => {
        const doc = C.load(saved, 7n);
        assert.deepEqual(versionSeqs(doc.version()), versionSeqs(version));
        const fresh = new C(11n);  // what doc would send to a peer at that version: nothing
        fresh.apply(doc.changesSince(version));
        assert.deepEqual(fresh.version(), new C(12n).version());
        const peer = C.load(saved, 8n);
        peer.apply(doc.changesSince(version));
        assert.deepEqual(peer.version(), doc.version());
        const a = new C(9n);
        a.apply(changes);
        assert.deepEqual(a.version(), doc.version());
      });
    }
  }
}

// Bytes of another document class are refused with both names, and leave the document as it was.
if (classes.length > 1) {
  const [[n1, A], [n2, B]] = classes;
  check(`a ${n1} save given to ${n2}.load/merge/apply is refused, naming both, and changes nothing`, () => {
    const a = new A(1n);
    const b = new B(2n);
    const before = canonical(b.toJSON()), bytes = b.save();
    assert.throws(() => b.merge(a.save()), (e) => /refused: these bytes hold a `[^`]+` document; this module opens `[^`]+`/.test(e.message));
    assert.throws(() => b.apply(a.changesSince(new Uint8Array())), /refused/);
    assert.throws(() => B.load(a.save(), 3n), /refused/);
    assert.equal(canonical(b.toJSON()), before);
    assert.deepEqual(b.save(), bytes);
  });
}

// Refused loads free their document at once: wasm memory stays flat over
// many of them (it grew by ~1.4 KB per refusal until garbage collection).
if (classes.length > 0) {
  const [, C] = classes[0];
  check('20,000 refused Class.load() calls leave wasm memory flat', () => {
    const junk = new Uint8Array([0x44, 0x53, 2, 1, 2, 3, 4, 5, 6]);
    for (let i = 0; i < 200; i++) assert.throws(() => C.load(junk, 1n));  // warm up: the allocator's classes
    const before = wasmExports.memory.buffer.byteLength;
    for (let i = 0; i < 20000; i++) assert.throws(() => C.load(junk, 1n), /refused/);
    assert.ok(wasmExports.memory.buffer.byteLength - before < 1 << 20,
              `wasm memory grew by ${wasmExports.memory.buffer.byteLength - before} bytes`);
  });
}

finish();
