// tests/build/e2e/apps/harness.mjs: what the example-app tests (notes.mjs,
// graph.mjs, slides.mjs, credit.mjs) share: loading a generated module, a
// seeded random generator (fixed seed, printed, DOLC_SEED overrides it), and
// the random phase: operations spread over three replicas whose changes are
// delivered shuffled and duplicated, then a full sync after which every
// replica's toJSON() must be deep-equal.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

export async function loadModule(dir, name) {
  const mod = await import(pathToFileURL(path.join(dir, `${name}.js`)).href);
  await mod.loadFile();
  return mod;
}

// The seed: DOLC_SEED if set, else the test's fixed one; printed so that a
// failing run can be repeated.
export function seedFor(fixed) {
  const env = process.env.DOLC_SEED;
  const seed = env !== undefined && env !== '' ? Number(env) : fixed;
  assert.ok(Number.isInteger(seed), `DOLC_SEED must be an integer, got ${env}`);
  console.log(`seed ${seed} (DOLC_SEED=${seed} repeats this run)`);
  return seed;
}

// A small linear congruential generator: r() in [0, 1), int(n), pick(xs).
export function rng(seed) {
  let s = (seed >>> 0) || 1;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  r.int = (n) => Math.floor(r() * n);
  r.pick = (xs) => xs[Math.floor(r() * xs.length)];
  return r;
}

export const sync = (to, from) => to.apply(from.changesSince(to.version()));

export function syncAll(docs) {
  for (let round = 0; round < 2; round++)
    for (const x of docs) for (const y of docs) if (x !== y) sync(x, y);
}

export function assertConverged(docs, what) {
  const first = docs[0].toJSON();
  for (let i = 1; i < docs.length; i++)
    assert.deepEqual(docs[i].toJSON(), first, `${what}: replica ${i} differs from replica 0`);
}

// Runs `steps` random operations: each picks a replica i and calls
// op(doc, i, r) (an op may throw an Error the document refused: `refusals`
// says which messages are expected; a refused op must leave the replica
// unchanged). The changes of each op go, with some probability, into the
// inboxes of the other replicas; inboxes are delivered in random batches,
// shuffled, some changes twice. `after(docs)` runs after every step (the
// caller's invariants). Ends with a full sync and checks convergence.
export function randomPhase({ docs, r, steps, op, refusals, after }) {
  const inbox = docs.map(() => []);
  let done = 0, refused = 0;
  for (let step = 0; step < steps; step++) {
    const i = r.int(docs.length), d = docs[i];
    const before = d.version(), json = JSON.stringify(d.toJSON());
    try {
      op(d, i, r, step);
      done++;
    } catch (e) {
      assert.match(String(e.message), refusals, `step ${step} on replica ${i}: unexpected error`);
      assert.equal(JSON.stringify(d.toJSON()), json, `step ${step}: a refused op changed replica ${i}`);
      refused++;
    }
    const ch = d.changesSince(before);
    for (let j = 0; j < docs.length; j++) if (j !== i && r() < 0.7) inbox[j].push(ch);
    if (r() < 0.35) {
      const j = r.int(docs.length);
      const batch = inbox[j].splice(0, r.int(inbox[j].length + 1));
      batch.sort(() => r() - 0.5);
      for (const bytes of batch) {
        docs[j].apply(bytes);
        if (r() < 0.25) docs[j].apply(bytes);  // a duplicate
      }
    }
    if (after) after(docs, step);
  }
  for (let j = 0; j < docs.length; j++) {
    const rest = inbox[j].sort(() => r() - 0.5);
    for (const bytes of rest) docs[j].apply(bytes);
  }
  syncAll(docs);
  if (after) after(docs, steps);
  assertConverged(docs, 'after the random phase');
  for (const d of docs) assert.equal(d.pending().held.length, 0, 'changes still held after a full sync');
  return { done, refused };
}
