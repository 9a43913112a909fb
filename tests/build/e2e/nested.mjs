// tests/build/e2e/nested.mjs DIR [SEEDS]: nested objects as first-class parts
// of a document, on tests/build/e2e/nested.dol (a ledger whose accounts live
// in an or_set map, plus one nested `reserve` account):
//  * gene methods of the nested gene are methods of every nested object
//    (`doc.accounts.get('alice').deposit(5)`), each one atomic change;
//  * invariants of the nested gene are checked on every account: a local
//    operation or method that breaks a reject_operation one is refused and
//    the document is unchanged (JSON and saved bytes); flag_for_review ones
//    and counter bounds crossed by a merge are listed by violations() with
//    the account's path; auto_adjust ones read clamped on every replica;
//  * a root method writing two accounts (`transfer`) is atomic: a refused
//    second half (cap, counter bound, missing key) undoes the first, inside
//    a transaction too;
//  * three replicas under random concurrent edits (nested methods,
//    transfers, field ops, deletes), delivered shuffled and duplicated,
//    converge on the same JSON and the same violations.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [dir, seedList = '1,2,3'] = process.argv.slice(2);
const { loadFile, BankLedger } = await import(pathToFileURL(path.join(dir, 'nested.js')).href);
await loadFile();
let passed = 0, failed = 0;
function check(what, fn) {
  try { fn(); passed++; console.log('ok  ', what); } catch (e) { failed++; console.log('FAIL', what, e); }
}
const json = (d) => JSON.stringify(d.toJSON());
const bytes = (d) => Buffer.from(d.save()).toString('hex');
const sync = (to, from) => to.apply(from.changesSince(to.version()));
const P = 'bank.ledger';

const a = new BankLedger(1n);
a.name.set('club');
a.accounts.set('alice', { owner: 'Alice' });
a.accounts.set('bob', { owner: 'Bob' });

check('nested gene methods are methods of each nested object', () => {
  const alice = a.accounts.get('alice');
  assert.equal(typeof alice.deposit, 'function');
  assert.equal(alice.deposit(300), 300n);
  assert.equal(a.accounts.get('bob').deposit(100), 100n);
  alice.rename('Alice A.');
  assert.equal(alice.owner.get(), 'Alice A.');
  assert.equal(a.accounts.get('bob').owner.get(), 'Bob');
  assert.equal(a.reserve.deposit(50), 50n);
  assert.throws(() => alice.deposit(0), /amount must be positive/);
  assert.equal(alice.balance.value(), 300n);
});
check('a nested reject_operation invariant refuses the local op and the method; the document is unchanged', () => {
  const before = json(a), saved = bytes(a);
  const alice = a.accounts.get('alice');
  assert.throws(() => alice.fontSize.set(200n), /bank\.readable/);
  assert.throws(() => alice.resize(200n), /bank\.readable/);
  assert.throws(() => alice.balance.increment(5000n), /bank\.cap/);
  assert.throws(() => a.reserve.fontSize.set(100n), /bank\.readable/);
  assert.equal(json(a), before);
  assert.equal(bytes(a), saved);
  alice.resize(14n);
  assert.equal(alice.fontSize.get(), 14n);
});
check('transfer writes two accounts and the journal as one atomic change', () => {
  assert.equal(a.transfer('alice', 'bob', 100n), 200n);
  assert.equal(a.accounts.get('bob').balance.value(), 200n);
  assert.deepEqual(a.journal.toArray(), ['alice']);
});
check('a transfer whose second half is refused (payee over the cap) undoes the first', () => {
  a.accounts.get('bob').deposit(700);  // bob 900
  const before = json(a), saved = bytes(a);
  assert.throws(() => a.transfer('alice', 'bob', 150n), /bank\.cap/);
  assert.equal(a.accounts.get('alice').balance.value(), 200n);
  assert.equal(json(a), before);
  assert.equal(bytes(a), saved);
});
check('a transfer past the payer\'s counter bound is refused whole', () => {
  const before = json(a);
  assert.throws(() => a.transfer('alice', 'bob', 750n));  // alice would reach -550 < -500
  assert.equal(json(a), before);
});
check('a missing key gives a clear error and no change', () => {
  const before = json(a), saved = bytes(a);
  assert.throws(() => a.transfer('alice', 'nobody', 10n), /`accounts\["nobody"\]` does not exist/);
  assert.throws(() => a.transfer('nobody', 'alice', 10n), /`accounts\["nobody"\]` does not exist/);
  assert.throws(() => a.fund('nobody', 10n), /does not exist/);
  assert.equal(json(a), before);
  assert.equal(bytes(a), saved);
  a.fund('alice', 20n);  // a nested gene field (the reserve) and a map entry
  assert.equal(a.reserve.balance.value(), 30n);
  assert.equal(a.accounts.get('alice').balance.value(), 220n);
});
check('a method writing an element of a list of genes; a missing index is an error and changes nothing', () => {
  a.tills.push({ owner: 'till 1' });
  a.tills.get(0).deposit(5n);
  a.payTill(0n, 7n);
  assert.equal(a.tills.get(0).balance.value(), 12n);
  assert.equal(a.reserve.balance.value(), 23n);
  const before = json(a);
  assert.throws(() => a.payTill(3n, 1n), /`tills\[3\]` does not exist/);
  assert.throws(() => a.payTill(-1n, 1n), /`tills\[-1\]` does not exist/);
  assert.equal(json(a), before);
  a.reserve.deposit(900n);  // 923: the reserve can pay, the till cannot take it
  const funded = json(a);
  assert.throws(() => a.payTill(0n, 989n), /bank\.cap at bank\.ledger\.tills\[0\]/);
  assert.equal(json(a), funded);
  a.reserve.balance.decrement(893n);  // back to 30 for the checks below
});
check('inside transact, a method call that fails leaves none of its writes (the rest commits)', () => {
  const alice = a.accounts.get('alice');
  a.transact(() => {
    assert.throws(() => a.transfer('alice', 'nobody', 10n), /does not exist/);  // after alice's half
    a.name.set('club 2');
  });
  assert.equal(alice.balance.value(), 220n);
  assert.equal(a.name.get(), 'club 2');
});
check('a fresh account that breaks nothing is accepted, and flag_for_review on a nested account is listed', () => {
  assert.deepEqual(a.violations(), []);
  a.accounts.get('bob').weight.decrement(8n);  // not refused
  assert.equal(a.accounts.get('bob').weight.value(), -8n);
  assert.deepEqual(a.violations(), [`bank.review at ${P}.accounts["bob"]`]);
  a.accounts.get('bob').weight.increment(8n);
  assert.deepEqual(a.violations(), []);
});
check('auto_adjust on a nested account reads clamped', () => {
  const bob = a.accounts.get('bob');
  bob.points.increment(2n);
  bob.points.decrement(5n);
  assert.equal(bob.points.value(), 0n);
  assert.equal(a.toJSON().accounts.bob.points, '0');
});
check('concurrent transfers crossing a nested counter bound: violations() names the path on both', () => {
  const b = BankLedger.load(a.save(), 2n);
  // alice 220: each replica takes 400 (alice -180 each, within bounds), together -580.
  a.transfer('alice', 'bob', 50n);
  a.accounts.get('bob').balance.decrement(600n);
  a.transfer('alice', 'bob', 350n);
  b.transfer('alice', 'bob', 50n);
  b.accounts.get('bob').balance.decrement(600n);
  b.transfer('alice', 'bob', 350n);
  assert.deepEqual(a.violations(), []);
  sync(b, a);
  sync(a, b);
  assert.equal(json(a), json(b));
  assert.equal(a.accounts.get('alice').balance.value(), -580n);
  assert.deepEqual(a.violations(), [`${P}.accounts["alice"].balance >= -500`]);
  assert.deepEqual(b.violations(), a.violations());
  // A merge that breaks a nested reject_operation invariant is listed too,
  // and does not block unrelated edits.
  const c = BankLedger.load(a.save(), 3n);
  a.accounts.get('bob').deposit(500);
  c.accounts.get('bob').deposit(500);
  sync(a, c);
  assert.ok(a.accounts.get('bob').balance.value() > 1000n);
  assert.ok(a.violations().includes(`bank.cap at ${P}.accounts["bob"]`), a.violations().join());
  a.accounts.get('alice').rename('still editable');
  // Each object's invariant is judged on its own: bob's broken cap does not
  // hide alice's.
  assert.throws(() => a.accounts.get('alice').deposit(2000), /bank\.cap at bank\.ledger\.accounts\["alice"\]/);
});

// Random concurrent edits on three replicas, shuffled duplicated delivery.
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
}
for (const seed of seedList.split(',').map(Number)) {
  check(`three replicas under random concurrent nested edits converge (seed ${seed})`, () => {
    const r = rng(seed);
    const pick = (xs) => xs[Math.floor(r() * xs.length)];
    const keys = ['ann', 'ben', 'cid', 'dee'];
    const docs = [new BankLedger(11n), null, null];
    docs[1] = BankLedger.load(docs[0].save(), 12n);
    docs[2] = BankLedger.load(docs[0].save(), 13n);
    const inbox = [[], [], []];
    let refused = 0, done = 0;
    const okBy = new Array(9).fill(0);
    for (let step = 0; step < 300; step++) {
      const i = Math.floor(r() * 3), d = docs[i];
      const key = pick(keys), other = pick(keys);
      if (!d.accounts.has(key) && r() < 0.5) d.accounts.set(key, { owner: key });
      const acc = d.accounts.get(key) ?? d.reserve;
      const ops = [
        () => d.accounts.set(key, { owner: key }),
        () => acc.deposit(BigInt(1 + Math.floor(r() * 400))),
        () => d.transfer(key, other, BigInt(1 + Math.floor(r() * 300))),
        () => acc.weight.decrement(BigInt(Math.floor(r() * 3))),
        () => acc.points.decrement(1n),
        () => acc.rename(`${key}-${step}`),
        () => acc.resize(BigInt(Math.floor(r() * 90))),
        () => (r() < 0.3 ? d.accounts.delete(key) : acc.weight.increment(1n)),
        () => d.fund(key, BigInt(Math.floor(r() * 50))),
      ];
      const before = json(d);
      try {
        const k = Math.floor(r() * ops.length);
        ops[k]();
        okBy[k]++;
        done++;
      } catch (e) {
        refused++;
        assert.equal(json(d), before, `a refused call changed replica ${i}: ${e}`);
      }
      if (r() < 0.4) {
        const ch = d.changesSince(new Uint8Array(0));
        for (let j = 0; j < 3; j++) if (j !== i) inbox[j].push(ch);
      }
      if (r() < 0.3) {  // deliver some of one inbox, shuffled, some twice
        const j = Math.floor(r() * 3);
        const batch = inbox[j].splice(0, Math.floor(r() * (inbox[j].length + 1)));
        batch.sort(() => r() - 0.5);
        for (const ch of batch) {
          docs[j].apply(ch);
          if (r() < 0.2) docs[j].apply(ch);
        }
      }
    }
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) if (i !== j) sync(docs[i], docs[j]);
    assert.ok(done > 50 && refused > 0, `done ${done} refused ${refused}`);
    // Nested methods and transfers did run (not only refusals).
    assert.ok(okBy[1] > 0 && okBy[2] > 0 && okBy[5] > 0 && okBy[6] > 0, `succeeded by kind: ${okBy}`);
    assert.equal(json(docs[1]), json(docs[0]));
    assert.equal(json(docs[2]), json(docs[0]));
    assert.deepEqual(docs[1].violations(), docs[0].violations());
    assert.deepEqual(docs[2].violations(), docs[0].violations());
    // Reloading keeps the state.
    assert.equal(json(BankLedger.load(docs[0].save(), 14n)), json(docs[0]));
  });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
