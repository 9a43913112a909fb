// tests/build/e2e/replicas.mjs: end-to-end property test of a generated module.
//
// Usage: node replicas.mjs GEN_DIR NAME [SEED[,SEED...]]
// Each seed runs the whole test again from that seed (printed first).
// Loads GEN_DIR/NAME.js (+ NAME.wasm) and, for every document class it
// exports, runs three replicas (actors 1, 2, 3) that make random concurrent
// edits on every field the class has (found through the generated FIELDS
// tables, recursively into nested objects: list items, map values, nested
// genes), then syncs them pairwise through version()/changesSince()/apply()
// in shuffled orders, with duplicated and out-of-causal-order deliveries.
// Checks: all replicas end identical (toJSON and save bytes -> load ->
// toJSON), save/load round-trips, and corrupted or truncated bytes given to
// load()/apply()/merge() are refused with an Error and change nothing.
// Prints one line per check and `N passed, N failed`; exits 1 on failure.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [genDir, name, seedArg] = process.argv.slice(2);
if (!genDir || !name) {
  console.error('usage: node replicas.mjs GEN_DIR NAME [SEED[,SEED...]]');
  process.exit(2);
}
const seeds = String(seedArg ?? process.env.DOLC_SEED ?? 12345).split(',').map((s) => Number(s) >>> 0);
let seed = 0;
function rand() {  // mulberry32: reproducible from the printed seed
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rand() * n);
const pick = (xs) => xs[int(xs.length)];
function shuffle(xs) {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

const mod = await import(pathToFileURL(path.resolve(genDir, name + '.js')).href);
await mod.loadFile();

let passed = 0, failed = 0;
function check(what, fn) {
  try {
    fn();
    passed++;
    console.log(`ok   ${what}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${what}: ${e && e.stack ? e.stack : e}`);
  }
}

const WORDS = ['a', 'hello', 'Zoë', '👍', 'x y', '', 'longer text here', '🎉🎉'];
function randomValue(t) {
  if (Array.isArray(t)) {
    if (t[0] === 'enum') return pick(t[1]);
    if (t[0] === 'option') return rand() < 0.3 ? undefined : randomValue(t[1]);
    if (t[0] === 'list') return [randomValue(t[1])];
    if (t[0] === 'record') return Object.fromEntries(t[1].map(([k, ft]) => [k, randomValue(ft)]));
  }
  switch (t) {
    case 'bool': return rand() < 0.5;
    case 's8': case 's16': case 's32': return int(200) - 100;
    case 'u8': case 'u16': case 'u32': return int(200);
    case 's64': return BigInt(int(2000) - 1000);
    case 'u64': return BigInt(int(2000));
    case 'f32': return int(64) / 4;
    case 'f64': return int(1000) / 8;
    case 'string': return pick(WORDS) + (rand() < 0.5 ? String(int(100)) : '');
    case 'bytes': return Uint8Array.from({ length: int(4) }, () => int(256));
  }
  throw new Error('no generator for ' + JSON.stringify(t));
}
const smallAmount = (t) => (t === 's64' || t === 'u64' ? BigInt(1 + int(5)) : 1 + int(5));

// One random edit somewhere in `view` (a document or nested object); refused
// operations (bounds, immutable fields, constraints) throw and are counted.
const stats = { ops: 0, refused: 0 };
function randomEdit(view, depth = 0) {
  const methods = view.constructor.METHODS;
  if (methods && methods.length && rand() < 0.1) {  // a gene method on the document
    const m = pick(methods);
    stats.ops++;
    try {
      view[m.member](...m.params.map(randomValue));
    } catch (e) {
      if (!(e instanceof Error) || e instanceof TypeError) throw e;
      stats.refused++;
    }
    return;
  }
  const fields = view.constructor.FIELDS;
  if (!fields.length) return;
  const info = pick(fields);
  const f = view[info.member];
  stats.ops++;
  try {
    switch (info.kind) {
      case 'Register': f.set(randomValue(info.value)); break;
      case 'MvRegister': f.set(randomValue(info.value)); break;
      case 'OrSet': {
        const vs = f.values();
        if (vs.length && rand() < 0.35) f.remove(pick(vs));
        else f.add(randomValue(info.value));
        break;
      }
      case 'OrMap': {
        const ks = f.keys();
        if (ks.length && rand() < 0.3) f.delete(pick(ks));
        else f.set(ks.length && rand() < 0.5 ? pick(ks) : randomValue(info.key), randomValue(info.value));
        break;
      }
      case 'ObjectMap': {
        const ks = f.keys();
        if (ks.length && rand() < 0.2) f.delete(pick(ks));
        else if (ks.length && rand() < 0.6 && depth < 3) randomEdit(f.get(pick(ks)), depth + 1);
        else f.set(randomValue(info.key));
        break;
      }
      case 'Counter':
        if (rand() < 0.6) f.increment(smallAmount(info.value));
        else f.decrement(smallAmount(info.value));
        break;
      case 'List': {
        const n = f.length(), r = rand();
        if (n && r < 0.25) f.delete(int(n), 1 + int(Math.min(2, n)));
        else if (n > 1 && r < 0.4) f.move(int(n), int(n));
        else f.insert(int(n + 1), randomValue(info.value));
        break;
      }
      case 'ObjectList': {
        const n = f.length(), r = rand();
        if (n && r < 0.15) f.delete(int(n), 1);
        else if (n > 1 && r < 0.25) f.move(int(n), int(n));
        else if (n && r < 0.75 && depth < 3) randomEdit(f.get(int(n)), depth + 1);
        else f.insert(int(n + 1), {});
        break;
      }
      case 'Text': {
        const n = f.length(), r = rand();
        if (n && r < 0.25) f.delete(int(n), 1 + int(Math.min(3, n)));
        else if (n > 1 && r < 0.4) { const s = int(n); f.mark(s, s + 1 + int(n - s), pick(['bold', 'italic', 'link']), pick(['true', 'https://x'])); }
        else if (n > 1 && r < 0.45) { const s = int(n); f.unmark(s, s + 1 + int(n - s), 'bold'); }
        else f.insert(int(n + 1), pick(WORDS));
        break;
      }
      case 'Nested': if (depth < 3) randomEdit(f, depth + 1); break;
    }
  } catch (e) {
    if (!(e instanceof Error) || e instanceof TypeError) throw e;
    stats.refused++;
  }
}

const json = (d) => JSON.stringify(d.toJSON());
const hex = (b) => Buffer.from(b).toString('hex');

function syncAll(replicas) {
  // Every pair, both ways, until nothing changes (pending changes resolve).
  for (let round = 0; round < 4; round++)
    for (const a of replicas) for (const b of replicas) if (a !== b) b.apply(a.changesSince(b.version()));
}

function corruptions(bytes) {
  const out = [bytes.slice(0, bytes.length >> 1), bytes.slice(0, Math.max(0, bytes.length - 1)), new Uint8Array([0xff, 0xff, 0xff])];
  for (let k = 0; k < 6 && bytes.length; k++) {
    const c = bytes.slice();
    c[int(c.length)] ^= 1 << int(8);
    out.push(c);
  }
  return out;
}

function assertRefusedUnchanged(doc, op, bytes, what) {
  const before = json(doc), saved = hex(doc.save());
  let threw = false;
  try { doc[op](bytes); } catch (e) { threw = e instanceof Error; }
  const after = json(doc), savedAfter = hex(doc.save());
  if (!threw) {
    // A corruption may still be a valid encoding (a flipped bit inside a
    // string); then it must have been applied consistently, not crash.
    return 'accepted';
  }
  assert.equal(after, before, `${what}: toJSON changed after a refused ${op}`);
  assert.equal(savedAfter, saved, `${what}: save() changed after a refused ${op}`);
  return 'refused';
}

const classes = Object.values(mod).filter((c) => typeof c === 'function' && c.prototype instanceof mod.Document);
if (!classes.length) {
  console.log('FAIL no document classes exported');
  failed++;
}
for (const startSeed of seeds) for (const C of classes) {
  seed = startSeed;
  console.log(`-- seed ${startSeed}, ${C.name}`);
  const label = `${name}.${C.name}`;
  const reps = [new C(1n), new C(2n), new C(3n)];
  const log = [];  // every changes blob produced, for out-of-order redelivery
  for (let round = 0; round < 6; round++) {
    for (let k = 0; k < 25; k++) randomEdit(pick(reps));
    // Partial, shuffled, duplicated exchange.
    const deliveries = [];
    for (const a of reps) for (const b of reps) if (a !== b && rand() < 0.6) deliveries.push([a, b, a.changesSince(b.version())]);
    for (const d of deliveries) log.push(d[2]);
    shuffle(deliveries);
    if (deliveries.length) deliveries.push(deliveries[0]);  // a duplicate
    check(`${label} round ${round}: shuffled/duplicated deliveries apply`, () => {
      for (const [, b, bytes] of deliveries) b.apply(bytes);
    });
    // Stale and out-of-causal-order blobs: apply old logs to a random replica.
    check(`${label} round ${round}: stale and reordered blobs apply`, () => {
      const target = pick(reps);
      for (const bytes of shuffle(log.slice(-6))) target.apply(bytes);
    });
  }
  check(`${label}: three replicas converge (toJSON)`, () => {
    syncAll(reps);
    const [a, b, c] = reps.map(json);
    assert.equal(b, a);
    assert.equal(c, a);
  });
  check(`${label}: versions agree after sync`, () => {
    const v = reps.map((r) => hex(r.version()));
    assert.equal(v[1], v[0]);
    assert.equal(v[2], v[0]);
  });
  check(`${label}: save -> load -> toJSON round-trips on every replica`, () => {
    for (const r of reps) {
      const copy = C.load(r.save(), 9n);
      assert.equal(json(copy), json(r));
      copy.free();
    }
  });
  check(`${label}: merge(save) of a diverged replica converges`, () => {
    const x = C.load(reps[0].save(), 7n), y = C.load(reps[1].save(), 8n);
    for (let k = 0; k < 20; k++) { randomEdit(x); randomEdit(y); }
    x.merge(y.save());
    y.merge(x.save());
    assert.equal(json(x), json(y));
    x.free();
    y.free();
  });
  check(`${label}: corrupted/truncated save bytes given to load and merge are refused, nothing changes`, () => {
    const doc = reps[0];
    let refused = 0;
    for (const bad of corruptions(doc.save())) {
      const fresh = new C(5n);
      if (assertRefusedUnchanged(fresh, '_loadInto', bad, 'load') === 'refused') refused++;
      fresh.free();
      if (assertRefusedUnchanged(doc, 'merge', bad, 'merge') === 'refused') refused++;
    }
    assert.ok(refused > 0, 'no corruption was refused');
  });
  check(`${label}: corrupted/truncated change bytes given to apply are refused, nothing changes`, () => {
    const fresh = new C(6n);
    const all = reps[0].changesSince(fresh.version());
    let refused = 0;
    for (const bad of corruptions(all)) if (assertRefusedUnchanged(fresh, 'apply', bad, 'apply') === 'refused') refused++;
    assert.ok(refused > 0, 'no corruption was refused');
    fresh.apply(all);
    assert.equal(json(fresh), json(reps[0]));
    fresh.free();
  });
  console.log(`     ${label}: ${stats.ops} operations, ${stats.refused} refused by the module`);
  for (const r of reps) r.free();
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
