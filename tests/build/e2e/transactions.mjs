// tests/build/e2e/transactions.mjs GEN_DIR: doc.transact() on the ledger
// example (a reject_operation invariant `NamedAccount`: display_name != "";
// a counter bounded to [-1000, 1000] with overflow_strategy="error"; a gene
// method). What a user relies on: a transaction is one change, applied on
// peers as a whole; a throw, a bound or an invariant broken at the commit
// undoes all of it; invariants are judged at the commit, not per operation;
// nested transactions fold into the outer one; exchanging changes inside is
// refused; replicas with concurrent transactions converge.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [dir] = process.argv.slice(2);
const mod = await import(pathToFileURL(path.join(dir, 'ledger.js')).href);
await mod.loadFile();
const { Account } = mod;

// The version vector (FORMAT.md, `DV`): actor -> seq. Each actor's seq is
// followed by its chain digest: 16 bytes in format 3, 8 in format 2.
function seqs(version) {
  const chainBytes = version[2] === 3 ? 16 : 8;
  let at = 3;
  const varint = () => {
    let v = 0n, shift = 0n, b;
    do { b = version[at++]; v |= BigInt(b & 0x7f) << shift; shift += 7n; } while (b & 0x80);
    return v;
  };
  const out = new Map();
  for (let n = varint(); n > 0n; n--) {
    const actor = varint(), seq = varint();
    out.set(actor, seq);
    at += chainBytes;
  }
  return out;
}
const seqOf = (doc) => seqs(doc.version()).get(doc.actor) ?? 0n;

let passed = 0;
function check(name, fn) {
  fn();
  passed++;
  console.log('ok  ', name);
}

check('a transaction is one change, and a peer applies all of it', () => {
  const a = new Account(1n), b = new Account(2n);
  a.displayName.set('alice');
  b.apply(a.changesSince(b.version()));
  const before = seqOf(a);
  const r = a.transact((doc) => {
    doc.confirmedBalance.increment(5);
    doc.journal.push('opened');
    doc.journal.push('funded');
    doc.currency.set('minutes');
    return 'done';
  });
  assert.equal(r, 'done');
  assert.equal(seqOf(a), before + 1n, 'one change');
  b.apply(a.changesSince(b.version()));
  assert.deepEqual(b.toJSON(), a.toJSON());
  assert.deepEqual(b.journal.toArray(), ['opened', 'funded']);
});

check('a throw undoes every operation of the transaction', () => {
  const a = new Account(1n);
  a.displayName.set('alice');
  a.journal.push('kept');
  const before = a.toJSON(), seq = seqOf(a);
  assert.throws(() => a.transact((doc) => {
    doc.journal.push('lost');
    doc.confirmedBalance.increment(7);
    throw new Error('app error');
  }), /app error/);
  assert.deepEqual(a.toJSON(), before);
  assert.equal(seqOf(a), seq);
  assert.equal(a.inTransaction, false);
  // The document goes on normally.
  a.journal.push('after');
  assert.deepEqual(a.journal.toArray(), ['kept', 'after']);
});

check('invariants are judged at the commit, not per operation', () => {
  const a = new Account(1n);
  a.displayName.set('alice');
  assert.throws(() => a.displayName.set(''), /NamedAccount/, 'outside a transaction: refused at once');
  a.transact((doc) => {
    doc.displayName.set('');  // broken for a moment
    doc.displayName.set('bob');
  });
  assert.equal(a.displayName.get(), 'bob');
});

check('an invariant broken at the commit refuses the whole transaction', () => {
  const a = new Account(1n), b = new Account(2n);
  a.displayName.set('alice');
  const before = a.toJSON(), seq = seqOf(a);
  assert.throws(() => a.transact((doc) => {
    doc.journal.push('x');
    doc.displayName.set('');
  }), /operation refused: it would break invariant `NamedAccount`/);
  assert.deepEqual(a.toJSON(), before);
  assert.equal(seqOf(a), seq);
  b.apply(a.changesSince(b.version()));
  assert.deepEqual(b.journal.toArray(), [], 'a peer never sees a refused transaction');
});

check('a bound crossed inside refuses the whole transaction', () => {
  const a = new Account(1n);
  a.displayName.set('alice');
  assert.throws(() => a.transact((doc) => {
    doc.confirmedBalance.increment(500);
    doc.confirmedBalance.increment(600);  // past max_value 1000, overflow "error"
  }));
  assert.equal(a.confirmedBalance.value(), 0n);
});

check('nested transactions fold into the outer one; a caught inner throw undoes only the inner', () => {
  const a = new Account(1n), b = new Account(2n);
  a.displayName.set('alice');
  b.apply(a.changesSince(b.version()));
  const seq = seqOf(a);
  const r = a.transact((doc) => {
    doc.journal.push('a');
    try {
      doc.transact((d) => {
        d.journal.push('b');
        throw new Error('inner');
      });
    } catch (e) {
      assert.match(e.message, /inner/);
    }
    const inner = doc.transact((d) => { d.journal.push('c'); return 3; });
    assert.equal(doc.inTransaction, true);
    return inner + 1;
  });
  assert.equal(r, 4);
  assert.deepEqual(a.journal.toArray(), ['a', 'c']);
  assert.equal(seqOf(a), seq + 1n, 'one change for the outer transaction');
  b.apply(a.changesSince(b.version()));
  assert.deepEqual(b.journal.toArray(), ['a', 'c']);
});

check('an invariant broken by an inner transaction is judged at the outer commit', () => {
  const a = new Account(1n);
  a.displayName.set('alice');
  assert.throws(() => a.transact((doc) => {
    doc.journal.push('x');
    doc.transact((d) => d.displayName.set(''));  // the inner commit does not judge
  }), /NamedAccount/);
  assert.deepEqual(a.journal.toArray(), []);
  assert.equal(a.displayName.get(), 'alice');
});

check('gene methods inside a transaction are part of it', () => {
  const a = new Account(1n);
  a.displayName.set('alice');
  assert.throws(() => a.transact((doc) => {
    assert.equal(doc.transfer(100n), -100n);
    doc.journal.push('paid');
    throw new Error('cancel');
  }), /cancel/);
  assert.equal(a.confirmedBalance.value(), 0n);
  a.transact((doc) => {
    doc.transfer(100n);
    doc.journal.push('paid');
  });
  assert.equal(a.confirmedBalance.value(), -100n);
  assert.deepEqual(a.journal.toArray(), ['paid']);
});

check('exchanging changes inside a transaction is refused', () => {
  const a = new Account(1n), b = new Account(2n);
  a.displayName.set('alice');
  const peer = b.changesSince(new Uint8Array(0));
  a.transact((doc) => {
    doc.journal.push('x');
    for (const [what, call] of [
      ['version', () => doc.version()],
      ['changesSince', () => doc.changesSince()],
      ['apply', () => doc.apply(peer)],
      ['merge', () => doc.merge(b.save())],
      ['save', () => doc.save()],
      ['free', () => doc.free()],
    ]) assert.throws(call, new RegExp(`${what}\\(\\) is not allowed inside transact`), what);
    doc.journal.push('y');
  });
  assert.deepEqual(a.journal.toArray(), ['x', 'y']);
  assert.ok(a.save().length > 0);
});

check('an async callback is refused and undone', () => {
  const a = new Account(1n);
  a.displayName.set('alice');
  assert.throws(() => a.transact(async (doc) => { doc.journal.push('x'); }), /synchronous/);
  assert.deepEqual(a.journal.toArray(), []);
  assert.throws(() => a.transact('not a function'), TypeError);
});

check('concurrent transactions on three replicas converge, in any delivery order', () => {
  const docs = [new Account(1n), new Account(2n), new Account(3n)];
  docs[0].displayName.set('shared');
  for (const d of docs.slice(1)) d.apply(docs[0].changesSince(d.version()));
  let seed = 7;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (let round = 0; round < 30; round++) {
    for (const [i, d] of docs.entries()) {
      try {
        d.transact((doc) => {
          doc.journal.push(`r${round}-d${i}`);
          doc.confirmedBalance.increment(rand(3));
          if (rand(4) === 0) doc.displayName.set('');  // refused at the commit
          if (rand(5) === 0) throw new Error('give up');
        });
      } catch (e) {
        assert.match(e.message, /NamedAccount|give up/);
      }
    }
    // Random pairs sync, duplicates included.
    for (let k = 0; k < 3; k++) {
      const from = docs[rand(3)], to = docs[rand(3)];
      const bytes = from.changesSince(to.version());
      to.apply(bytes);
      to.apply(bytes);
    }
  }
  for (const d of docs) for (const e of docs) e.apply(d.changesSince(e.version()));
  const json = JSON.stringify(docs[0].toJSON(), (k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  for (const d of docs) assert.equal(JSON.stringify(d.toJSON(), (k, v) => (typeof v === 'bigint' ? `${v}n` : v)), json);
  assert.equal(docs[0].displayName.get(), 'shared', 'no refused transaction reached anyone');
});

check('a transaction is one change event, and an undone one is none', () => {
  const a = new Account(1n);
  a.displayName.set('alice');
  const events = [];
  const off = a.subscribe((e) => events.push(e));
  a.transact((doc) => {
    doc.journal.push('one');
    doc.journal.push('two');
    doc.confirmedBalance.increment(3);
  });
  assert.equal(events.length, 1, 'one event for the whole transaction');
  assert.equal(events[0].origin, 'local');
  assert.deepEqual(events[0].changes.map((c) => c.path.join('.')).sort(), ['confirmedBalance', 'journal']);
  assert.throws(() => a.transact((doc) => { doc.journal.push('lost'); throw new Error('no'); }), /no/);
  assert.throws(() => a.transact((doc) => doc.displayName.set('')), /NamedAccount/);
  assert.equal(events.length, 1, 'aborted and refused transactions report nothing');
  off();
});

check('a transaction is one undo step', () => {
  const a = new Account(1n);
  a.displayName.set('alice');
  const um = a.undoManager({ mergeInterval: 0 });
  a.transact((doc) => {
    doc.journal.push('x');
    doc.journal.push('y');
    doc.confirmedBalance.increment(4);
  });
  assert.ok(um.undo());
  assert.deepEqual(a.journal.toArray(), []);
  assert.equal(a.confirmedBalance.value(), 0n);
  assert.ok(um.redo());
  assert.deepEqual(a.journal.toArray(), ['x', 'y']);
  assert.equal(a.confirmedBalance.value(), 4n);
  um.free();
});

console.log(`${passed} passed`);
