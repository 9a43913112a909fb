// tests/build/e2e/names.mjs GEN_DIR: the module built from names.dol (field
// names that are keywords in C++, WIT or JS) loads, every escaped field and
// the method with a reserved-word parameter work, and save/load and sync keep
// them. The WIT escapes and the docs characters go through jco in the
// build.component.names test.
import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const dir = process.argv[2];
const wit = fs.readFileSync(path.join(dir, 'names.wit'), 'utf8');
assert.match(wit, /^interface %record \{/m);
assert.match(wit, /^  export %record;/m);
assert.match(wit, /type-set: func/);
assert.doesNotMatch(wit, /[\u202e\ufeff]/, 'bidi and BOM characters are escaped in WIT docs');
assert.match(wit, /\\u\{202e\}/);
const { loadFile, NamesItem: Item, Record } = await import(pathToFileURL(path.join(dir, 'names.js')).href);
await loadFile();
const a = new Item(1n);
a.class.set('c');
a.type.set('t');
a.record.add('r');
a.delete.set(true);
a.new.increment(3);
assert.equal(a.static.get(), 255);
assert.equal(a.interface.get(), -9223372036854775808n);
a.rename('renamed');
const want = { class: 'renamed', type: 't', record: ['r'], delete: true, new: 3n, static: 255 };
const json = a.toJSON();
for (const [k, v] of Object.entries(want)) assert.deepEqual(typeof v === 'bigint' ? BigInt(json[k]) : json[k], v, k);
const b = Item.load(a.save(), 2n);
assert.deepEqual(b.toJSON(), json);
const c = new Item(3n);
c.apply(a.changesSince(c.version()));
assert.deepEqual(c.toJSON(), json);
assert.deepEqual(Item.METHODS.map((m) => m.member), ['rename']);
const r = new Record(4n);
r.type.set('kind');
assert.equal(Record.load(r.save(), 5n).type.get(), 'kind');
console.log('ok   keyword names build, load, save and sync');
