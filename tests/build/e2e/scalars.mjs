// tests/build/e2e/scalars.mjs GEN_DIR: every scalar value kind through every
// value-holding strategy (scalars.dol). These fields' exports are one-line
// thunks over the runtime's generic field operations (field_ops.cpp), which
// lift, encode, decode and lower each kind themselves: extreme values of each
// kind must come back exactly, through a save/load and a sync, and toJSON
// (rendered by the runtime's json_fields) must show them as before.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const dir = process.argv[2];
const { loadFile, ScalarAll } = await import(pathToFileURL(path.join(dir, 'scalars.js')).href);
await loadFile();

const a = new ScalarAll(1n);
const b = new ScalarAll(2n);

// Registers: unset reads undefined (null in JSON); a default reads it.
assert.equal(a.i8v.get(), undefined);
assert.equal(a.withDefault.get(), 7);
const extremes = {
  b: [true, false],
  i8v: [-128, 127, 0],
  i16v: [-32768, 32767],
  i32v: [-2147483648, 2147483647],
  i64v: [-(2n ** 63n), 2n ** 63n - 1n, -1n],
  u8v: [0, 255],
  u16v: [65535],
  u32v: [4294967295, 0],
  u64v: [2n ** 64n - 1n, 0n],
  f32v: [0.5, -3.25, 16777216],
  f64v: [-0.1, 1e308, 5e-324],
  s: ['', 'héllo 🎉', 'x'.repeat(300)],
};
for (const [field, values] of Object.entries(extremes))
  for (const v of values) {
    a[field].set(v);
    assert.equal(a[field].get(), v, `${field} = ${v}`);
  }
a.withDefault.set(-5);
assert.equal(a.withDefault.get(), -5);

// mv_register: concurrent writes both kept, sorted by the runtime.
a.mv.set(-300);
b.mv.set(300);

// Sets.
for (const v of [0, 255, 17]) a.bytesSet.add(v);
a.bytesSet.remove(17);
assert.equal(a.bytesSet.has(255), true);
assert.equal(a.bytesSet.has(17), false);
assert.equal(a.bytesSet.size(), 2);
a.bigSet.add(2n ** 64n - 1n);
a.bigSet.add(1n);
a.flags.add(false);

// Maps of int keys, u32 keys and string keys to f64, string and f32.
a.byId.set(-(2n ** 63n), 2.5);
a.byId.set(42n, -1e-300);
a.names.set(4294967295, 'max');
a.names.set(3, 'three');
a.names.delete(3);
a.weights.set('w', 0.25);
assert.equal(a.byId.get(-(2n ** 63n)), 2.5);
assert.equal(a.byId.has(42n), true);
assert.equal(a.names.has(3), false);
assert.equal(a.names.get(4294967295), 'max');
assert.equal(a.weights.get('nope'), undefined);

// Lists: insert, append, move, delete.
a.small.insert(0, -128);
a.small.insert(1, 127);
a.small.insert(1, 5);
a.small.move(0, 2);
a.small.delete(0, 1);
assert.deepEqual(a.small.toArray(), [127, -128]);
assert.equal(a.small.get(5), undefined);
a.reals.push(1.5);
a.reals.push(-2.25);
a.log.push(65535);
a.log.push(1);
assert.equal(a.log.length(), 2);

// Counters of three widths.
a.total.increment(2n ** 62n);
a.total.decrement(5n);
a.ticks.increment(-7);
a.ticks.decrement(3);
a.count.increment(200);
assert.equal(a.total.value(), 2n ** 62n - 5n);
assert.equal(a.ticks.value(), -10);
assert.equal(a.count.value(), 200);
assert.throws(() => a.total.decrement(-(2n ** 63n)), /out of range/);

// Text: insert, delete, marks, cursors.
a.body.insert(0, 'Hello world');
a.body.delete(5, 6);
a.body.insert(5, ', you');
a.body.mark(0, 5, 'bold', 'true');
a.body.unmark(0, 2, 'bold');
const cursor = a.body.cursor(7);
a.body.insert(0, '>> ');
assert.equal(a.body.toString(), '>> Hello, you');
assert.equal(a.body.cursorPosition(cursor), 10);
assert.equal(a.body.length(), 13);

// Sync both ways, and a save/load: the same JSON everywhere.
b.apply(a.changesSince(b.version()));
a.apply(b.changesSince(a.version()));
const json = a.toJSON();
assert.deepEqual(b.toJSON(), json);
assert.deepEqual(ScalarAll.load(a.save(), 3n).toJSON(), json);
assert.deepEqual(json.mv, [300, -300]);
assert.deepEqual(json.bytesSet, [0, 255]);
assert.deepEqual(json.byId, { '-9223372036854775808': 2.5, 42: -1e-300 });
assert.deepEqual(json.names, { 4294967295: 'max' });
assert.deepEqual(json.weights, { w: 0.25 });
assert.deepEqual(json.small, [127, -128]);
assert.deepEqual(json.reals, [1.5, -2.25]);
assert.deepEqual(json.log, [65535, 1]);
assert.equal(json.total, String(2n ** 62n - 5n));
assert.equal(json.count, 200);
assert.equal(json.body, '>> Hello, you');
assert.equal(json.withDefault, -5);
assert.equal(json.s, 'x'.repeat(300));
assert.equal(json.u64v, '0');
assert.equal(json.i64v, '-1');
assert.equal(json.f64v, 5e-324);
assert.equal(json.f32v, 16777216);
// The exact text, field order included (the runtime renders runs of fields).
assert.equal(JSON.stringify(b.toJSON()), JSON.stringify(json));
console.log(b.toJSONString());
console.log('ok   every scalar kind crosses the generic field operations unchanged');
