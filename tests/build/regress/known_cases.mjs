// tests/build/regress/known_cases.mjs GEN_DIR: the schemas of issue 10 item 4
// that used to check clean but not build (known_cases.dol), built and used:
// the auto_adjust clamp reads an lww integer, a gene value pushed by a method
// appears in the list (on this replica and, after sync, on another), and
// struct literals in both spellings write what they name.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const dir = process.argv[2];
const { loadFile, MeterGauge, NoteThread, CreditBook } =
  await import(pathToFileURL(path.join(dir, 'known_cases.js')).href);
await loadFile();

// 1. auto_adjust on lww: a stored -5 reads as 0; a stored 7 as 7.
const g = new MeterGauge(1n);
g.level.set(-5n);
assert.equal(g.level.get(), 0n);
g.level.set(7n);
assert.equal(g.level.get(), 7n);

// 2. this.comments.push(comment): the comment is in the list, with every field.
const a = new NoteThread(1n);
const b = new NoteThread(2n);
a.add({ text: 'hello', author: 'ann', likes: 3n });
a.add({ text: 'again', author: 'bob', likes: -2n });
a.addFirst('top');
const expect = [
  { text: 'top', author: 'first', likes: '2' },
  { text: 'hello', author: 'ann', likes: '3' },
  { text: 'again', author: 'bob', likes: '-2' },
];
assert.equal(a.comments.length(), 3);
assert.deepEqual(a.toJSON().comments, expect);
b.apply(a.changesSince(b.version()));
assert.deepEqual(b.toJSON().comments, expect);
assert.equal(b.comments.get(1).text.get(), 'hello');

// 3. Struct literals: `credit.txn { .. }` and `Txn { .. }`.
const book = new CreditBook(3n);
book.record(12n, 'rent');
const j = book.toJSON();
assert.deepEqual(j.txns, [{ amount: '12', memo: 'rent' }]);
assert.deepEqual(j.plain, [{ amount: '12', note: 'n/a' }]);  // a field the literal leaves out keeps its default
assert.deepEqual(j.byMemo, { rent: { amount: '12', memo: 'rent' } });
assert.deepEqual(j.last, { amount: '12', memo: 'last' });
console.log('ok   known cases: auto_adjust on lww, push of a gene value, struct literals in both spellings');
