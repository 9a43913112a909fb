// tests/build/e2e/apps/credit.mjs GEN_DIR: the mutual-credit ledger of
// examples/credit.dol on three replicas (one member each; replica a is also
// the steward who grants credit lines). Scripted: a credit line is granted
// and its rights handed to the holder; a payment beyond the payer's rights,
// or from an account whose rights another replica holds, is refused with no
// journal entry; concurrent payments delivered in every order never show a
// balance below zero on any replica, and money is conserved; the journal
// refuses delete, move and insert. Then a seeded random phase (payments,
// grants, renames) with shuffled, duplicated delivery, checking after every
// step that no replica shows a balance below its minimum, and at the end
// that the replicas converge, the journal lists every payment, balances sum
// to the credit granted, and each account's rights add up to its balance.
import assert from 'node:assert/strict';
import { loadModule, seedFor, rng, sync, syncAll, assertConverged, randomPhase } from './harness.mjs';

const dir = process.argv[2];
const { CreditLedger } = await loadModule(dir, 'credit');
const members = ['alice', 'bob', 'carol'];
const actorOf = { alice: 1n, bob: 2n, carol: 3n };
const [a, b, c] = [new CreditLedger(1n), new CreditLedger(2n), new CreditLedger(3n)];
const docs = [a, b, c];

// A payment as the app makes it: one change holding the two balance moves,
// the payee's new rights handed to the payee, and the journal entry.
const pay = (d, payer, payee, amount, memo, at) => d.transact(() => {
  d.pay(payer, payee, amount);
  if (actorOf[payee] !== d.actor) d.accounts.get(payee).balance.transfer(actorOf[payee], amount);
  d.journal.push({ payer, payee, amount, memo, at: BigInt(at) });
});
// A steward's grant: the line and the balance rise, the rights go to the holder.
const grant = (d, member, amount) => d.transact(() => {
  d.grant(member, amount);
  if (actorOf[member] !== d.actor) d.accounts.get(member).balance.transfer(actorOf[member], amount);
});
const assertFloors = (ds, what) => ds.forEach((d, i) => {
  for (const m of members) if (d.accounts.has(m))
    assert.ok(d.accounts.get(m).balance.value() >= 0n, `${what}: ${m}'s balance is below zero on replica ${i}`);
});
const total = (d, field) => members.reduce((s, m) => s + (d.accounts.has(m) ? d.accounts.get(m)[field].value() : 0n), 0n);

// ---- accounts and credit lines
a.name.set('Valley hours');
for (const m of members) a.accounts.set(m, { holder: m, actorId: actorOf[m], displayName: m });
for (const m of members) grant(a, m, 100n);
syncAll(docs);
assert.equal(b.accounts.get('bob').balance.value(), 100n);
assert.equal(b.accounts.get('bob').balance.rights(), 100n, 'the grant\'s rights reached the holder');
assert.equal(a.accounts.get('bob').balance.rights(), 0n);
assert.equal(b.accounts.get('bob').creditLine.value(), 100n);

// ---- refusals: beyond rights, someone else's account, bad arguments
pay(b, 'bob', 'carol', 70n, 'garden work', 1);
let before = JSON.stringify(b.toJSON());
assert.throws(() => pay(b, 'bob', 'alice', 40n, 'too much', 2), /rights/);
assert.equal(JSON.stringify(b.toJSON()), before, 'a refused payment left a trace');
before = JSON.stringify(a.toJSON());
assert.throws(() => pay(a, 'bob', 'alice', 10n, 'not mine', 3), /rights/);  // alice cannot spend bob's credit
assert.throws(() => a.pay('alice', 'alice', 10n), /same account/);
assert.throws(() => a.pay('alice', 'bob', 0n), /amount must be positive/);
assert.throws(() => a.pay('alice', 'nobody', 5n), /`accounts\["nobody"\]` does not exist/);
assert.throws(() => a.accounts.get('alice').rename(''), /display name/);
assert.equal(JSON.stringify(a.toJSON()), before);

// ---- the journal is append-only
assert.equal(b.journal.length(), 1);
assert.throws(() => b.journal.delete(0), /append-only/);
assert.throws(() => b.journal.move(0, 0), /append-only/);
assert.throws(() => b.journal.insert(0, { payer: 'x' }), /append-only/);
assert.equal(b.journal.length(), 1);
syncAll(docs);

// ---- concurrent payments that together exceed what any one replica saw,
// delivered in every order: no balance below zero anywhere, money conserved
const base = a.save();
for (const order of [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]) {
  const r = [CreditLedger.load(base, 1n), CreditLedger.load(base, 2n), CreditLedger.load(base, 3n)];
  pay(r[2], 'carol', 'alice', 150n, 'rent', 10);     // carol holds 170
  pay(r[0], 'alice', 'bob', 100n, 'bike', 11);       // alice holds 100
  pay(r[1], 'bob', 'carol', 30n, 'eggs', 12);        // bob holds 30
  assert.throws(() => pay(r[1], 'bob', 'carol', 1n, 'more eggs', 13), /rights/);
  for (const i of order) for (const j of order) if (i !== j) { sync(r[j], r[i]); assertFloors(r, `order ${order}`); }
  syncAll(r);
  assertConverged(r, `concurrent payments, order ${order}`);
  assertFloors(r, `order ${order}`);
  assert.equal(total(r[0], 'balance'), 300n, 'money is conserved');
  assert.deepEqual(members.map((m) => r[0].accounts.get(m).balance.value()), [150n, 100n, 50n]);
  assert.equal(r[0].journal.length(), 4);
}
console.log('ok   scripted: escrow balances never below zero, refusals leave no entry, append-only journal');

// ---- random phase
const seed = seedFor(40);
const r = rng(seed);
let payments = docs[0].journal.length();
const ops = [
  (d, i, _r, step) => {  // mostly one's own account; sometimes another's (refused: no rights)
    const payer = r() < 0.85 ? members[i] : r.pick(members);
    const payee = r.pick(members.filter((m) => m !== payer));
    pay(d, payer, payee, BigInt(1 + r.int(25)), `job ${step}`, 100 + step);
    payments++;
  },
  (d, i, _r, step) => { pay(d, members[i], r.pick(members.filter((m) => m !== members[i])), BigInt(1 + r.int(5)), `tip ${step}`, 100 + step); payments++; },
  (d, i, rr, step) => (d.actor === 1n ? grant(d, r.pick(members), BigInt(1 + r.int(30))) : ops[0](d, i, rr, step)),  // only the steward grants
  (d, i) => d.accounts.get(members[i]).rename(`${members[i]} ${r.int(10)}`),
  (d, i) => d.accounts.get(members[i]).unit.set(r.pick(['hours', 'credits'])),
];
const { done, refused } = randomPhase({
  docs, r, steps: 400  /* overspending is refused often: more steps for 200 that run */,
  op: (d, i, rr, step) => r.pick(ops)(d, i, rr, step),
  refusals: /rights/,
  after: (ds, step) => assertFloors(ds, `random step ${step}`),
});
assert.ok(done >= 200, `only ${done} operations ran`);
assert.ok(refused > 0, 'the random phase never tried to overspend');
assert.equal(a.journal.length(), payments, 'the journal lists every payment, once');
assert.equal(total(a, 'balance'), total(a, 'creditLine'), 'balances sum to the credit granted');
for (const m of members) {
  const rights = docs.reduce((s, d) => s + d.accounts.get(m).balance.rights(), 0n);
  assert.equal(rights, a.accounts.get(m).balance.value(), `${m}'s rights add up to the balance`);
}
assert.deepEqual(CreditLedger.load(a.save(), 9n).toJSON(), a.toJSON());
console.log(`ok   random phase: ${done} operations (${refused} refused), ${payments} payments, 3 replicas converge`);
