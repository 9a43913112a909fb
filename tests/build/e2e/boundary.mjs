// tests/build/e2e/boundary.mjs GEN_DIR: adversarial cases at the module's
// boundary, on the module built from tests/build/e2e/boundary.dol (issue 14):
//  * bounds that remote and concurrent operations cross (max_length, counter
//    bounds) are merged, never refused, and listed by violations() on every
//    replica, with the path, in nested objects, list elements and map values;
//  * each invariant is judged on its own: one a merge broke does not switch
//    gene methods off, and does not hide one that an operation would break;
//  * a counter out of its range (after a merge) accepts every operation that
//    moves it toward the range, under overflow_strategy "error" and "saturate";
//  * every integer parameter is range-checked in the glue (RangeError or
//    TypeError naming the parameter and the range; nothing changes);
//  * one blob cannot create objects out of proportion to its size (refused
//    with a clear error, the document unchanged), and prints the figures;
//  * refused load()/apply()/merge() on instances free what they allocated:
//    20,000 refusals keep wasm memory flat.
// Prints one line per check and `N passed, N failed`; exits 1 on failure.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [dir] = process.argv.slice(2);
const mod = await import(pathToFileURL(path.join(dir, 'boundary.js')).href);
const wasm = await mod.loadFile();
const { Sheet } = mod;
let passed = 0, failed = 0;
function check(what, fn) {
  try { fn(); passed++; console.log('ok  ', what); } catch (e) { failed++; console.log('FAIL', what, e); }
}
const json = (d) => JSON.stringify(d.toJSON());
const hex = (b) => Buffer.from(b).toString('hex');
// Two replicas that share a starting state, then edit concurrently.
function pair(setup) {
  const a = new Sheet(1n);
  a.name.set('s');
  if (setup) setup(a);
  const b = Sheet.load(a.save(), 2n);
  return [a, b];
}
function sync(a, b) {
  b.apply(a.changesSince(b.version()));
  a.apply(b.changesSince(a.version()));
  assert.equal(json(a), json(b));
}

// ---- 1. bounds crossed by remote operations are reported ----------------------

check('a local insert past max_length is refused', () => {
  const a = new Sheet(1n);
  a.title.insert(0, 'abcd');
  assert.throws(() => a.title.insert(0, 'xy'), /max_length 5/);
  assert.equal(a.title.toString(), 'abcd');
});
check('a remote insert past max_length merges and is reported on both replicas', () => {
  const [a, b] = pair((d) => d.title.insert(0, 'ab'));
  a.title.insert(2, 'cd');
  b.title.insert(0, 'xy');
  assert.deepEqual(a.violations(), []);
  sync(a, b);
  assert.equal(a.title.length(), 6);
  assert.deepEqual(a.violations(), ['sheet.title length <= 5']);
  assert.deepEqual(b.violations(), a.violations());
  a.title.delete(0, 1);  // back within the limit: no longer listed
  assert.deepEqual(a.violations(), []);
});
check('a nested counter pushed past its bound by concurrent increments is reported', () => {
  const [a, b] = pair();
  a.meta.edits.increment(3);
  b.meta.edits.increment(2);
  sync(a, b);
  assert.equal(a.meta.edits.value(), 5n);
  assert.deepEqual(a.violations(), ['sheet.meta.edits <= 3']);
  assert.deepEqual(b.violations(), a.violations());
});
check('bounds in list elements and map values are reported with their path', () => {
  const [a, b] = pair((d) => {
    d.cells.push({});
    d.cells.push({});
    d.byKey.set('k', {});
  });
  a.cells.get(1).hits.increment(6);
  b.cells.get(1).hits.increment(6);
  a.cells.get(0).label.insert(0, 'abc');
  b.cells.get(0).label.insert(0, 'de');
  a.byKey.get('k').hits.increment(8);
  b.byKey.get('k').hits.increment(8);
  sync(a, b);
  const expected = [
    'sheet.cells[0].label length <= 4',
    'sheet.cells[1].hits <= 10',
    'sheet.by_key["k"].hits <= 10',
  ];
  assert.deepEqual(a.violations(), expected);
  assert.deepEqual(b.violations(), expected);
});

// ---- 2. each invariant on its own ----------------------------------------------

check('a broken invariant does not switch gene methods off', () => {
  const d = new Sheet(1n);  // `sheet.named` is broken from the start (no name)
  assert.deepEqual(d.violations(), ['sheet.named']);
  assert.equal(d.spend(2), -2n);  // was refused: "it would break invariant `sheet.named`"
  assert.equal(d.setLimit(50), 50n);
  d.limit.set(60n);  // plain operations pass too
  assert.equal(d.limit.get(), 60n);
});
check('an invariant an operation breaks is refused even while another is broken', () => {
  const d = new Sheet(1n);
  const before = hex(d.save());
  assert.throws(() => d.limit.set(200n), /sheet\.capped/);
  assert.throws(() => d.setLimit(200), /sheet\.capped/);
  assert.equal(hex(d.save()), before);
  d.name.set('n');
  assert.throws(() => d.name.set(''), /sheet\.named/);
  assert.throws(() => d.rename(''), /sheet\.named/);
  assert.equal(d.name.get(), 'n');
});
check('a method is refused only by the invariant its effect breaks (merge broke another)', () => {
  const [a, b] = pair();
  a.limit.set(90n);
  b.name.set('b');
  sync(a, b);
  const c = new Sheet(3n);
  c.merge(a.save());
  // A merge that breaks `sheet.capped`: both limits were fine locally; lww picks one.
  const d = Sheet.load(a.save(), 4n);
  d.limit.set(100n);
  assert.deepEqual(d.violations(), []);
  assert.equal(d.spend(1), -1n);
});

// ---- 3. toward the range ---------------------------------------------------------

check('overflow "error": an out-of-range balance accepts operations toward the range', () => {
  const [a, b] = pair();
  a.spend(8);
  b.spend(8);
  sync(a, b);
  assert.equal(a.balance.value(), -16n);
  assert.deepEqual(a.violations(), ['sheet.balance >= -10']);
  assert.throws(() => a.balance.decrement(1), /range/);  // away from it
  assert.throws(() => a.spend(1), /range/);
  a.balance.increment(2);  // toward it, still out of range: accepted (was refused)
  assert.equal(a.balance.value(), -14n);
  assert.equal(a.spend(-1), -13n);  // a method moving it toward the range too
  assert.throws(() => a.balance.increment(30), /range/);  // past the other bound
  a.balance.increment(5);  // into the range
  assert.equal(a.balance.value(), -8n);
  assert.deepEqual(a.violations(), []);
});
check('overflow "saturate": past the bound, an increment leaves it, a decrement moves it back', () => {
  const [a, b] = pair();
  a.meta.edits.increment(3);
  b.meta.edits.increment(3);
  sync(a, b);
  assert.equal(a.meta.edits.value(), 6n);
  a.meta.edits.increment(1);  // saturated: stays (clamping would have decremented it)
  assert.equal(a.meta.edits.value(), 6n);
  a.meta.edits.decrement(2);
  assert.equal(a.meta.edits.value(), 4n);
  a.meta.edits.decrement(3);
  assert.equal(a.meta.edits.value(), 1n);
});

// ---- 4. integer parameters are range-checked -------------------------------------

check('positions past u32 are refused, naming the parameter and range', () => {
  const d = new Sheet(1n);
  d.title.insert(0, 'ab');
  const before = hex(d.save());
  assert.throws(() => d.title.insert(2 ** 32 + 1, 'X'), (e) => e instanceof RangeError &&
    /parameter `pos`/.test(e.message) && /\[0, 4294967295\]/.test(e.message));
  assert.throws(() => d.title.insert(-1, 'X'), RangeError);
  assert.throws(() => d.title.insert(1.5, 'X'), TypeError);
  assert.throws(() => d.title.insert(NaN, 'X'), TypeError);
  assert.throws(() => d.title.insert('1', 'X'), TypeError);
  assert.throws(() => d.title.insert(2n ** 32n, 'X'), RangeError);
  assert.throws(() => d.title.delete(0, 2 ** 32 + 1), /parameter `count`/);
  assert.throws(() => d.cells.insert(2 ** 32, {}), RangeError);
  assert.throws(() => d.cells.get(-1), RangeError);
  assert.equal(hex(d.save()), before);
  d.title.insert(1n, 'X');  // a bigint within range is fine
  assert.equal(d.title.toString(), 'aXb');
});
check('counter amounts past 64 bits are refused (2n**64n + 5n used to add 5)', () => {
  const d = new Sheet(1n);
  assert.throws(() => d.balance.increment(2n ** 64n + 5n), (e) => e instanceof RangeError &&
    /parameter `amount`/.test(e.message));
  assert.throws(() => d.balance.increment(2n ** 63n), RangeError);
  assert.throws(() => d.balance.decrement(-(2n ** 63n) - 1n), RangeError);
  assert.throws(() => d.balance.increment(2 ** 64), RangeError);
  assert.throws(() => d.balance.increment(0.5), TypeError);
  assert.throws(() => d.balance.increment(NaN), TypeError);
  assert.equal(d.balance.value(), 0n);
  // In range for the parameter, but a decrement by -2^63 has no negation.
  assert.throws(() => d.balance.decrement(-(2n ** 63n)), /amount out of range/);
  d.balance.increment(3n);
  assert.equal(d.balance.value(), 3n);
});
check('narrow integer fields and method parameters are range-checked', () => {
  const d = new Sheet(1n);
  d.small.set(255);
  assert.throws(() => d.small.set(256), /parameter `value`.*\[0, 255\]/);
  assert.throws(() => d.small.set(-1), RangeError);
  assert.equal(d.small.get(), 255);
  assert.throws(() => d.spend(2n ** 63n), /parameter `amount`/);
  assert.throws(() => d.cells.push({ score: 2 ** 31 }), RangeError);
});

// ---- 5. amplification cap --------------------------------------------------------

// A blob that creates many nested objects: `count` empty cells pushed in one
// change (each cell holds a list, a text, a set and a map of its own).
function cellsBlob(count) {
  const d = new Sheet(7n);
  for (let i = 0; i < count; i++) d.cells.insert(i, undefined);
  const blob = d.changesSince(new Uint8Array());
  d.free();
  return blob;
}
check('figures: bytes of wasm memory per input byte for honest pushes of nested objects', () => {
  for (const n of [1000, 5000]) {
    const blob = cellsBlob(n);
    const d = new Sheet(1n);
    const mem0 = wasm.memory.buffer.byteLength;
    const t0 = performance.now();
    d.apply(blob);
    const ms = performance.now() - t0;
    assert.equal(d.cells.length(), n);
    console.log(`     ${n} cells: blob ${blob.length} bytes, apply ${ms.toFixed(1)} ms, wasm memory +${
      wasm.memory.buffer.byteLength - mem0} bytes (${((wasm.memory.buffer.byteLength - mem0) / blob.length).toFixed(0)} per input byte, memory only grows)`);
    d.free();
  }
});

// A hostile blob, written by hand in the row format (2; FORMAT.md): one list
// insert of `count` empty values into `cells`, each of which would become a
// nested cell, from about one byte per value. The schema header (gene,
// version, layout hash) is copied from an honest blob of this module.
function hostileInsertBlob(count) {
  const honest = new Sheet(8n).changesSince(new Uint8Array());
  let at = 3;
  const varintAt = () => { let v = 0, s = 0, b; do { b = honest[at++]; v += (b & 0x7f) * 2 ** s; s += 7; } while (b & 0x80); return v; };
  const gene = varintAt();
  at += gene;
  const version = varintAt();
  at += version;
  at += 4;  // layout hash
  const body = [...honest.subarray(3, at)];
  const varint = (v) => { while (v >= 0x80) { body.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); } body.push(v); };
  const str = (s) => { const b = Buffer.from(s); varint(b.length); body.push(...b); };
  varint(1); str('cells');           // the key table
  varint(1);                         // one change
  varint(9); varint(1); varint(0);   // actor 9, seq 1, no dependencies
  varint(1);                         // one op
  varint(1);                         // lamport 1
  varint(0);                         // the root object
  varint(0);                         // key 0: cells
  body.push(9);                      // ListInsert
  const payload = [1, 9, 0, 0, 0, 0]; // id (1, 9), no origins
  let n = count;
  while (n >= 0x80) { payload.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
  payload.push(n);
  for (let i = 0; i < count; i++) payload.push(0);  // empty values
  varint(payload.length);
  for (const b of payload) body.push(b);
  let h = 2166136261;
  for (const b of body) h = Math.imul(h ^ b, 16777619) >>> 0;
  return new Uint8Array([0x44, 0x43, 2, ...body, h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff, h >>> 24]);
}
check('a crafted insert of one nested object applies (what honest writers send, one object per op)', () => {
  const d = new Sheet(1n);
  d.apply(hostileInsertBlob(1));
  assert.equal(d.cells.length(), 1);
  d.cells.get(0).hits.increment(1);
});
check('amplification cap: one insert creating 200,000 nested objects from ~200 KB is refused, unchanged', () => {
  const blob = hostileInsertBlob(200000);
  const d = new Sheet(1n);
  d.name.set('n');
  const before = hex(d.save());
  const mem0 = wasm.memory.buffer.byteLength;
  const t0 = performance.now();
  assert.throws(() => d.apply(blob), /refused: an operation creates nested objects out of proportion/);
  const ms = performance.now() - t0;
  const grew = wasm.memory.buffer.byteLength - mem0;
  console.log(`     hostile insert: blob ${blob.length} bytes, refused in ${ms.toFixed(1)} ms, wasm memory +${grew} bytes`);
  assert.equal(hex(d.save()), before);
  assert.equal(d.cells.length(), 0);
  assert.ok(grew < 64 * blob.length + (8 << 20), `wasm memory grew by ${grew} bytes`);
  assert.throws(() => d.merge(blob), /refused/);  // a change blob is not a save
  const e = new Sheet(2n);
  e.cells.push({});
  assert.throws(() => e.apply(blob), /out of proportion/);
  assert.equal(e.cells.length(), 1);
});

// ---- 6. refusals free what they allocated ------------------------------------------

function flat(what, fn) {
  check(`20,000 refused ${what} leave wasm memory flat`, () => {
    for (let i = 0; i < 200; i++) assert.throws(fn);  // warm up the allocator's classes
    const before = wasm.memory.buffer.byteLength;
    for (let i = 0; i < 20000; i++) assert.throws(fn, /refused/);
    const grew = wasm.memory.buffer.byteLength - before;
    assert.ok(grew < 1 << 20, `wasm memory grew by ${grew} bytes`);
  });
}
{
  const d = new Sheet(1n);
  d.name.set('x');
  d.cells.push({});
  d.title.insert(0, 'abc');
  const saved = d.save();
  const changes = d.changesSince(new Uint8Array());
  const bad = (b, at) => { const c = new Uint8Array(b); c[at] ^= 0x5a; return c; };
  const target = new Sheet(2n);
  target.name.set('y');
  const state = json(target);
  flat("instance load() (the path that replaces a document's state)", () => target._loadInto(bad(saved, saved.length - 3)));
  flat('apply()', () => target.apply(bad(changes, changes.length - 3)));
  flat('merge()', () => target.merge(bad(saved, saved.length - 3)));
  flat('static Sheet.load()', () => Sheet.load(bad(saved, saved.length - 3), 3n));
  check('the refusals left the document as it was', () => assert.equal(json(target), state));
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
