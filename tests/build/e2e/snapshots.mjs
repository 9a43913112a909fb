// tests/build/e2e/snapshots.mjs GEN_DIR NAME SEEDS: typed snapshots of whole
// documents. Random edits on every field of every object (nested ones
// included), with 64-bit values at the edges of their range; after each
// round: snapshot() equals what the field getters read, walked generically
// through the static FIELDS tables (API member names as keys, bigint exact);
// toJSON() is the same with 64-bit integers as decimal strings and is what
// JSON.stringify(doc) writes; toJSONString() parses to the same values under
// the DOL field names. Then, past 1,024 ops, a save loads frozen
// (runtime-wasm/FORMAT.md, "Snapshot"): the root fields its snapshot holds
// (registers, counters, texts, collections of plain values) read as the saved
// document read them, before and after anything thaws it.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [dir, name, seedList = '1'] = process.argv.slice(2);
const mod = await import(pathToFileURL(path.join(dir, name + '.js')).href);
await mod.loadFile();
const docClasses = Object.values(mod).filter((c) => typeof c === 'function' && c.prototype instanceof mod.Document);

let seed = 1;
const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const EDGES = { s64: [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, -(2n ** 60n) - 3n, 0n, 7n],
                u64: [2n ** 64n - 1n, 2n ** 53n + 1n, 0n, 42n] };
function randomValue(t) {
  if (Array.isArray(t)) {
    if (t[0] === 'enum') return t[1][rand(t[1].length)];
    if (t[0] === 'option') return rand(3) === 0 ? undefined : randomValue(t[1]);
    if (t[0] === 'record') return Object.fromEntries(t[1].map(([k, ft]) => [k, randomValue(ft)]));
    if (t[0] === 'list') return [randomValue(t[1])];
    return undefined;
  }
  switch (t) {
    case 'string': return ['a', 'Zoë', '12345678901234567890', 'x"y'][rand(4)];
    case 'bool': return rand(2) === 0;
    case 's64': case 'u64': return EDGES[t][rand(EDGES[t].length)];
    case 'f32': return [0.5, -2, 3.25][rand(3)];
    case 'f64': return [0.1, 12345678901234568, -1e-7, 2 ** 60][rand(4)];
    case 'bytes': return new Uint8Array([rand(256), 0, 255]);
    case 's8': case 's16': case 's32': return rand(100) - 50;
    default: return rand(100);  // unsigned
  }
}

// One random edit somewhere in `view` (recursing into nested objects).
function edit(view, depth = 0) {
  const fields = view.constructor.FIELDS;
  const f = fields[rand(fields.length)];
  const field = view[f.member];
  try {
    switch (f.kind) {
      case 'Register': case 'MvRegister': field.set(randomValue(f.value)); break;
      case 'OrSet': rand(3) ? field.add(randomValue(f.value)) : field.remove(randomValue(f.value)); break;
      case 'OrMap': rand(3) ? field.set(randomValue(f.key), randomValue(f.value)) : field.delete(randomValue(f.key)); break;
      case 'Counter': {
        const amount = f.value === 's64' || f.value === 'u64' ? BigInt(rand(1000)) : rand(1000);
        rand(2) ? field.increment(amount) : field.decrement(amount);
        break;
      }
      case 'List': field.insert(rand(field.length() + 1), randomValue(f.value)); break;
      case 'Text': field.insert(rand(field.length() + 1), ['hi ', 'Zoë', '🍕'][rand(3)]); break;
      case 'ObjectList':
        if (field.length() === 0 || (rand(2) === 0 && depth < 2)) field.insert(rand(field.length() + 1));
        else edit(field.get(rand(field.length())), depth + 1);
        break;
      case 'ObjectMap': {
        const key = randomValue(f.key);
        if (!field.has(key)) field.set(key);
        else edit(field.get(key), depth + 1);
        break;
      }
      case 'Nested': if (depth < 3) edit(field, depth + 1); break;
    }
  } catch (e) {
    if (!(e instanceof Error) || e instanceof TypeError || e instanceof RangeError) throw e;
    // A refused operation (an immutable set twice, a bound): fine, nothing changed.
  }
}

// What the getters read, in snapshot() form (`plain`: only the fields that
// hold no objects, which a frozen document answers from its snapshot).
const OBJECT_KINDS = ['ObjectMap', 'ObjectList', 'Nested'];
function read(view, plain = false) {
  const out = {};
  for (const f of view.constructor.FIELDS) {
    if (plain && OBJECT_KINDS.includes(f.kind)) continue;
    const field = view[f.member];
    switch (f.kind) {
      case 'Register': out[f.member] = field.get() ?? null; break;
      case 'MvRegister': case 'OrSet': out[f.member] = field.values(); break;
      case 'OrMap': out[f.member] = Object.fromEntries(field.keys().map((k) => [String(k), field.get(k)])); break;
      case 'ObjectMap': out[f.member] = Object.fromEntries(field.keys().map((k) => [String(k), read(field.get(k))])); break;
      case 'Counter': out[f.member] = field.value(); break;
      case 'List': out[f.member] = field.toArray(); break;
      case 'ObjectList': out[f.member] = field.toArray().map((v) => read(v)); break;
      case 'Text': out[f.member] = field.toString(); break;
      case 'Nested': out[f.member] = read(field); break;
    }
  }
  return out;
}
// snapshot() form -> toJSON() form.
const asJSON = (v) => JSON.parse(JSON.stringify(v, (k, x) =>
  (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? [...x] : x)));
// Values without record-key or float-rounding differences: option registers
// of records read undefined fields as null in a snapshot.
const normal = (v) => JSON.parse(JSON.stringify(v, (k, x) =>
  (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? [...x] : x === undefined ? null : x)));

let checks = 0;
for (const s of seedList.split(',').map(Number)) {
  seed = s;
  for (const C of docClasses) {
    const doc = new C(BigInt(s));
    for (let round = 0; round < 40; round++) {
      for (let k = 0; k < 5; k++) edit(doc);
      const snap = doc.snapshot();
      assert.deepEqual(normal(snap), normal(read(doc)), `${C.name} seed ${s} round ${round}: snapshot() = the getters`);
      const json = doc.toJSON();
      assert.deepEqual(json, asJSON(snap), `${C.name}: toJSON() = snapshot() with 64-bit integers as strings`);
      assert.deepEqual(JSON.parse(JSON.stringify(doc)), json, `${C.name}: JSON.stringify(doc) writes toJSON()`);
      const text = JSON.parse(doc.toJSONString());
      assert.deepEqual(Object.keys(text), C.FIELDS.map((f) => f.name), 'toJSONString(): DOL field names');
      checks++;
    }
    for (let k = 0; k < 1500; k++) edit(doc);
    const saved = doc.save();
    const loaded = C.load(saved, 1000n + BigInt(s));
    assert.deepEqual(normal(read(loaded, true)), normal(read(doc, true)), `${C.name} seed ${s}: loaded (frozen) = saved`);
    assert.deepEqual(loaded.save(), saved, `${C.name}: a loaded document saves as the saved bytes`);
    assert.deepEqual(normal(read(loaded)), normal(read(doc)), `${C.name} seed ${s}: loaded = saved, nested objects too`);
    assert.deepEqual(loaded.save(), saved, `${C.name}: and so after it replays`);
    loaded.free();
    doc.free();
  }
}
console.log(`${checks} snapshots checked over ${docClasses.map((c) => c.name).join(', ')}`);
