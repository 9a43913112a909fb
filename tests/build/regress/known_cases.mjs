// tests/build/regress/known_cases.mjs GEN_DIR: the schemas of issue 10 item 4
// that used to check clean but not build (known_cases.dol), built and used:
// the auto_adjust clamp reads an lww integer, a gene value pushed by a method
// appears in the list (on this replica and, after sync, on another), struct
// literals in both spellings write what they name, and (4.) method bodies
// that used to be left out as not-compiled run: calls of other methods (one
// atomic call: a failing callee rolls back every write), fields of a
// gene-typed parameter, locals naming nested objects.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const dir = process.argv[2];
const { loadFile, MeterGauge, NoteThread, CreditBook, BankLedger, AcctBox, StockRack } =
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

// 4. Method bodies that were not compiled.
const l = new BankLedger(4n);
// Calls of another method, both spellings: 2 * 5, and the caller's write.
l.bumpTwice(5);
assert.equal(l.total.value(), 10n);
assert.equal(l.note.get(), 'twice');
// A callee's value by `let`, in an `if` condition, returned: 10 -> 20; not big.
assert.equal(l.doubleTotal(), 20n);
assert.equal(l.total.value(), 20n);
assert.equal(l.note.get(), 'twice');
l.bump(40n);
assert.equal(l.doubleTotal(), 120n);
assert.equal(l.note.get(), 'big');
// A local naming a map value: writes through it, then a call.
l.accounts.set('ann', { owner: 'ann' });
l.accounts.set('bob', { owner: 'bob', balance: 7n });
l.credit('ann', 30n);
assert.equal(l.accounts.get('ann').balance.value(), 30n);
assert.equal(l.accounts.get('ann').owner.get(), 'ann+');
assert.equal(l.total.value(), 150n);
// A missing key fails like `this.accounts[k].balance` and changes nothing.
const before = JSON.stringify(l.toJSON());
assert.throws(() => l.credit('nobody', 1n), /`accounts\["nobody"\]` does not exist/);
assert.equal(JSON.stringify(l.toJSON()), before);
// transfer: the first credit succeeds, the second fails (no `carl`): the
// callee's writes and the caller's earlier ones are all rolled back.
assert.throws(() => l.transfer('carl', 'bob', 5n), /`accounts\["carl"\]` does not exist/);
assert.equal(JSON.stringify(l.toJSON()), before);
l.transfer('ann', 'bob', 5n);
assert.equal(l.accounts.get('ann').balance.value(), 25n);
assert.equal(l.accounts.get('bob').balance.value(), 12n);
assert.equal(l.accounts.get('bob').owner.get(), 'bob+');
assert.equal(l.total.value(), 150n);  // +5 and -5
// An `Err` from a callee: the caller fails with it and its credit is undone.
const beforeChecked = JSON.stringify(l.toJSON());
assert.throws(() => l.depositChecked('ann', -3n), /negative amount/);
assert.equal(JSON.stringify(l.toJSON()), beforeChecked);
l.depositChecked('ann', 3n);
assert.equal(l.accounts.get('ann').balance.value(), 28n);
// Recursion: 16 nested calls run; a 17th fails the whole call, nothing kept
// (and the depth count is back to zero after it: a later call runs).
l.countdown(16n);
assert.equal(l.total.value(), 169n);
assert.throws(() => l.countdown(17n), /call each other at most 16 deep/);
assert.equal(l.total.value(), 169n);
// A nested object's methods calling each other (on that object).
l.accounts.get('bob').deposit(8n);
assert.equal(l.accounts.get('bob').balance.value(), 20n);
assert.equal(l.accounts.get('bob').owner.get(), 'bob+$');
// Fields of a gene-typed parameter.
l.addEntry({ amount: 4n, memo: 'tea', audits: 0n });
l.addEntry({ amount: 6n, memo: 'cake', audits: 0n });
assert.equal(l.total.value(), 179n);
assert.equal(l.note.get(), 'cake!');
// A loop over a list of nested objects, writing through the loop variable.
l.audit();
assert.equal(l.total.value(), 189n);
assert.deepEqual(l.toJSON().entries.map((e) => e.audits), ['1', '1']);
// A local naming a list element; a missing index fails and changes nothing.
l.rename(1n, 'pie');
assert.deepEqual(l.toJSON().entries.map((e) => e.memo), ['tea', 'pie']);
const beforeRename = JSON.stringify(l.toJSON());
assert.throws(() => l.rename(2n, 'x'), /`entries\[2\]` does not exist/);
assert.throws(() => l.rename(-1n, 'x'), /`entries\[-1\]` does not exist/);
assert.equal(JSON.stringify(l.toJSON()), beforeRename);
l.touch('ann');
assert.equal(l.accounts.get('ann').owner.get(), 'touched');
// A nested object's method from the root's: on a map value, through a local.
l.depositTo('ann', 2n);
assert.equal(l.accounts.get('ann').balance.value(), 30n);
assert.equal(l.accounts.get('ann').owner.get(), 'touched$');
const beforeDeposit = JSON.stringify(l.toJSON());
assert.throws(() => l.depositTo('nobody', 2n), /`accounts\["nobody"\]` does not exist/);
assert.equal(JSON.stringify(l.toJSON()), beforeDeposit);
l.depositTwice('bob', 1n);
assert.equal(l.accounts.get('bob').balance.value(), 22n);
assert.equal(l.accounts.get('bob').owner.get(), 'bob+$$$');
assert.equal(l.total.value(), 191n);
// Another replica sees the same state after sync.
const l2 = new BankLedger(5n);
l2.apply(l.changesSince(l2.version()));
assert.deepEqual(l2.toJSON(), l.toJSON());
// The invariant judges the call as a whole: 5 - 3 is kept, 2 - 3 is refused
// with the caller's own write.
const box = new AcctBox(7n);
box.level.set(5n);
box.take(3n);
assert.equal(box.level.get(), 2n);
assert.equal(box.note.get(), 'took');
box.note.set('x');
assert.throws(() => box.take(3n), /acct\.floor/);
assert.equal(box.level.get(), 2n);
assert.equal(box.note.get(), 'x');

// 5. A literal of a gene with a set field, into a list of them: the fields it
// names are written, the others keep their defaults; append-only pushes.
const r = new StockRack(6n);
r.addBlank(3n);
r.addBlank(-2n);
r.items.get(0).tags.add('red');
assert.deepEqual(r.toJSON().items, [
  { label: 'blank', tags: ['red'], count: '3' },
  { label: 'blank', tags: [], count: '-2' },
]);
assert.deepEqual(r.log.toArray(), ['blank', 'blank']);
assert.deepEqual(r.toJSON().archive.map((i) => i.label), ['archived', 'archived']);
// A loop over the list's objects reads each one's counter: 3 + -2.
r.countAll();
assert.equal(r.seen.value(), 1n);
// Each element's own method through the loop variable: a tag and one more.
r.tagAll('new');
assert.deepEqual(r.toJSON().items.map((i) => [i.tags.slice().sort(), i.count]),
                 [[['new', 'red'], '4'], [['new'], '-1']]);
console.log('ok   known cases: auto_adjust on lww, push of a gene value, struct literals in both spellings, ' +
            'method calls (also on nested objects), gene-typed parameters, locals naming nested objects, ' +
            'loops over nested objects');
