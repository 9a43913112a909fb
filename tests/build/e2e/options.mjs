// tests/build/e2e/options.mjs GEN_DIR: the strategy options of crdt.md through
// the generated JS API of options.dol, on three replicas: an append-only list
// offers no delete/move/insert (clear errors), remove-wins set and map let a
// concurrent remove win, and an escrow balance never goes below min_value
// while replicas decrement concurrently and sync in shuffled, duplicated order.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const dir = process.argv[2];
const { loadFile, LedgerBook } = await import(pathToFileURL(path.join(dir, 'options.js')).href);
await loadFile();

const [a, b, c] = [new LedgerBook(1n), new LedgerBook(2n), new LedgerBook(3n)];
const sync = (to, from) => to.apply(from.changesSince(to.version()));

// ---- append_only
a.notes.push('opened');
a.entries.push({ memo: 'first' });
assert.throws(() => a.notes.delete(0), /append-only/);
assert.throws(() => a.notes.move(0, 0), /append-only/);
assert.throws(() => a.notes.insert(0, 'x'), /append-only/);
assert.throws(() => a.entries.delete(0), /append-only/);
sync(b, a);
b.notes.push('b');
a.notes.push('a');
sync(a, b); sync(b, a);
assert.deepEqual(a.notes.toArray(), b.notes.toArray());
assert.equal(a.notes.length(), 3);
assert.equal(b.entries.get(0).memo.get(), 'first');
// A gene method pushes to both append-only lists (one atomic call), and syncs.
const before = a.notes.length();
a.record('by method');
assert.equal(a.notes.length(), before + 1);
assert.equal(a.notes.get(a.notes.length() - 1), 'by method');
assert.equal(a.entries.get(a.entries.length() - 1).memo.get(), 'by method');
sync(b, a);
assert.equal(b.entries.get(b.entries.length() - 1).memo.get(), 'by method');

// ---- bias = remove
a.frozen.add('acct-9');
a.limits.set('alice', 100n);
sync(b, a);
a.frozen.remove('acct-9');
a.limits.delete('alice');
b.frozen.add('acct-9');        // concurrent with the remove: loses
b.limits.set('alice', 200n);   // an update concurrent with the delete: loses
sync(a, b); sync(b, a); sync(a, b);
for (const d of [a, b]) {
  assert.equal(d.frozen.has('acct-9'), false);
  assert.equal(d.limits.has('alice'), false);
}
b.frozen.add('acct-9');        // after seeing the remove: back
sync(a, b);
assert.equal(a.frozen.has('acct-9'), true);

// ---- escrow
assert.equal(a.balance.rights(), 0n);
assert.throws(() => a.balance.decrement(1n), /rights/);
a.balance.increment(10n);
assert.equal(a.balance.rights(), 10n);
a.balance.transfer(2n, 4n);
assert.throws(() => a.balance.transfer(3n, 7n), /rights/);
sync(b, a); sync(c, a);
assert.equal(b.balance.rights(), 4n);
assert.equal(c.balance.rights(), 0n);

// Random concurrent decrements and transfers, shuffled and duplicated delivery.
let seed = 7;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const docs = [a, b, c];
const queue = [];
for (let step = 0; step < 400; step++) {
  const d = docs[rnd(3)];
  const r = rnd(5);
  try {
    if (r === 0) d.balance.increment(BigInt(1 + rnd(3)));
    else if (r === 1) d.balance.transfer(BigInt(1 + rnd(3)), BigInt(1 + rnd(3)));
    else d.balance.decrement(BigInt(1 + rnd(4)));
  } catch (e) {
    assert.match(String(e.message), /rights|refused/);
  }
  if (rnd(3) === 0) queue.push([docs[rnd(3)], d.changesSince(new LedgerBook(9n).version())]);
  if (queue.length && rnd(2) === 0) {
    const [to, bytes] = queue.splice(rnd(queue.length), 1)[0];
    to.apply(bytes);
    if (rnd(3) === 0) to.apply(bytes);  // a duplicate
  }
  for (const x of docs) assert.ok(x.balance.value() >= 0n, 'an escrow balance went below min_value');
}
for (const [to, bytes] of queue) to.apply(bytes);
for (const x of docs) for (const y of docs) sync(x, y);
const total = a.balance.value();
for (const x of docs) {
  assert.equal(x.balance.value(), total);
  assert.deepEqual(x.toJSON(), a.toJSON());
}
assert.equal(a.balance.rights() + b.balance.rights() + c.balance.rights(), total);
assert.deepEqual(LedgerBook.load(a.save(), 5n).toJSON(), a.toJSON());
console.log('ok   append_only, bias=remove and escrow through the generated JS API');
