// tests/build/e2e/hostile.mjs GEN_DIR NAME [SEED[,SEED...]]: a generated
// module's documents facing peers that lie (issue 14; runtime-wasm/FORMAT.md,
// "Change identity"), through the public JS API.
//
// For the root document class: three honest replicas (actors 1-3) and two
// devices that share actor 50 (each forks the other's history) make random
// edits on every field; every delta goes into a pool delivered in random
// order, some twice, with a forged change of actor 2 (waiting for a change
// nobody has) among them. After anti-entropy rounds every replica has the
// same toJSON() and version(), and pending() shows the forgery held and the
// forks. Also: dropPending() frees what is held; two unrelated documents that
// both use actor 1 still sync. Prints one line per check; exits 1 on failure.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { random, editor } from '../../evolution/random_edits.mjs';

const [genDir, name, seedArg] = process.argv.slice(2);
const seeds = String(seedArg ?? process.env.DOLC_SEED ?? 7).split(',').map((s) => Number(s) >>> 0);
const mod = await import(pathToFileURL(path.join(genDir, name + '.js')).href);
await mod.loadFile();
const classes = Object.values(mod).filter((c) => typeof c === 'function' && c.prototype instanceof mod.Document);
const Doc = classes[0];

let passed = 0, failed = 0;
function check(what, fn) {
  try {
    fn();
    passed++;
    console.log('ok  ', what);
  } catch (e) {
    failed++;
    console.log('FAIL', what, '\n     ', e.stack || e);
  }
}
const json = (d) => JSON.stringify(d.toJSON(), (k, v) => (typeof v === 'bigint' ? v.toString() : v));
const same = (a, b) => Buffer.from(a).equals(Buffer.from(b));

// Sync in rounds; with forks about, one direction can be refused until the
// other has run, so the last two rounds must be quiet.
function antiEntropy(docs, rounds = 8) {
  for (let round = 0; round < rounds; round++)
    for (const from of docs)
      for (const to of docs) {
        if (from === to) continue;
        try {
          to.apply(from.changesSince(to.version()));
        } catch (e) {
          if (round >= rounds - 2) throw e;
        }
      }
}

function forgedChangeOfActor2(edit) {
  const hidden = new Doc(77n), forger = new Doc(2n);
  for (let i = 0; i < 3; i++) edit(hidden);
  forger.apply(hidden.changesSince(new Uint8Array()));
  for (let i = 0; i < 3; i++) edit(forger);
  const forged = forger.changesSince(hidden.version());  // actor 2's change only
  hidden.free();
  forger.free();
  return forged;
}

for (const seed of seeds) {
  console.log(`seed ${seed} (${Doc.name})`);
  const rand = random(seed);
  const { edit, int } = editor(rand);
  const docs = [1n, 2n, 3n, 50n, 50n].map((a) => new Doc(a));
  const forged = forgedChangeOfActor2(edit);
  const pool = [{ to: int(3), bytes: forged }];
  const deliver = (m) => { try { docs[m.to].apply(m.bytes); } catch { /* see antiEntropy */ } };
  for (let step = 0; step < 150; step++) {
    if (rand() < 0.35 && pool.length) {
      const i = int(pool.length);
      deliver(pool[i]);
      if (rand() < 0.75) pool.splice(i, 1);
      continue;
    }
    const who = int(docs.length);
    const before = docs[who].version();
    edit(docs[who]);
    const delta = docs[who].changesSince(before);
    for (let to = 0; to < docs.length; to++) if (to !== who && rand() < 0.7) pool.push({ to, bytes: delta });
  }
  for (const m of pool.sort(() => rand() - 0.5)) deliver(m);
  check('every replica converges (honest, forked devices, after a forgery)', () => {
    antiEntropy(docs);
    for (const d of docs.slice(1)) {
      assert.equal(json(d), json(docs[0]));
      assert.ok(same(d.version(), docs[0].version()), 'versions differ');
    }
  });
  check('pending() lists the forgery where it arrived, and the forks', () => {
    const held = docs.flatMap((d) => d.pending().held);
    assert.ok(held.some((h) => h.actor === '2' && h.seq === 1 && h.waitsFor.actor === '77'), JSON.stringify(held));
    // Both devices of actor 50 edited: their first changes fork, and forks
    // travel with anti-entropy, so every replica knows the same ones.
    const forks = docs.map((d) => JSON.stringify(d.pending().forks.map((f) => `${f.actor}:${f.seq}`).sort()));
    assert.ok(docs[0].pending().forks.some((f) => f.actor === '50'), forks[0]);
    for (const f of forks) assert.equal(f, forks[0]);
  });
  check('dropPending() frees what is held, and state stays', () => {
    const before = json(docs[0]);
    const n = docs.reduce((sum, d) => sum + d.pending().held.length, 0);
    assert.equal(docs.reduce((sum, d) => sum + d.dropPending(), 0), n);
    for (const d of docs) assert.deepEqual(d.pending().held, []);
    assert.equal(json(docs[0]), before);
  });
  check('save/load keeps the settled state and the forks', () => {
    const loaded = Doc.load(docs[0].save(), 9n);
    assert.equal(json(loaded), json(docs[0]));
    assert.deepEqual(loaded.pending().forks, docs[0].pending().forks);
    loaded.free();
  });
  check('two unrelated documents that both use actor 1 still sync', () => {
    const a = new Doc(1n), b = new Doc(1n);
    for (let i = 0; i < 4; i++) { edit(a); edit(b); }
    antiEntropy([a, b], 4);
    assert.equal(json(a), json(b));
    assert.ok(same(a.version(), b.version()));
    a.free();
    b.free();
  });
  for (const d of docs) d.free();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
