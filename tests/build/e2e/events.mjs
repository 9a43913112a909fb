// tests/build/e2e/events.mjs GEN_DIR NAME [CLASS_LABEL] [SEED[,SEED...]]: change
// events (doc.subscribe, field.subscribe; docs/generated-api.md, "Events")
// through the public JS API of a generated module.
//
// Property: three replicas make random edits on every field (nested objects
// included) and exchange the changes in random order, some twice, some
// before what they depend on. For every call on a replica (a local edit, an
// apply), the events its subscriber got must be exactly the difference
// between toJSON() before and after: applying every change (text and list
// deltas to the value before, registers, counters, sets and maps) to the
// value before gives the value after, each reported register/counter/set
// change really changed something, and a call that changed nothing reports
// nothing (marks excepted: toJSON() shows text, not formatting). At most one
// event per call, with its origin. Field subscriptions get exactly the
// document's changes under their field; unsubscribe stops delivery.
// Prints one line per check; exits 1 on failure. DOLC_SEED replays seeds.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { random, editor } from '../../evolution/random_edits.mjs';

const [genDir, name, label, seedArg] = process.argv.slice(2);
const seeds = String(seedArg ?? process.env.DOLC_SEED ?? 1).split(',').map((s) => Number(s) >>> 0);
const mod = await import(pathToFileURL(path.join(genDir, name + '.js')).href);
await mod.loadFile();
const classes = Object.values(mod).filter((c) => typeof c === 'function' && c.prototype instanceof mod.Document);
const Doc = (label && label !== '-' && classes.find((c) => c.LABEL === label)) || classes[0];

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
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
// Values compared with numbers as decimal text: toJSON() may write 64-bit
// integers as strings, events carry them as toJSON() once did.
const norm = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v, (k, x) => (typeof x === 'number' ? String(x) : x))));
// toJSON() keys: the DOL field names, or the JS members (typed snapshots).
const probe = new Doc(1n).toJSON();
const useMembers = Doc.FIELDS.every((f) => f.member in probe);
const jsonKey = (info) => (useMembers ? info.member : info.name);
const str = (v) => JSON.stringify(v);

// An event path (JS members, indexes, map keys) as keys into toJSON() (DOL
// field names, indexes, map keys as object keys), with the field's FIELDS entry.
function jsonPath(apiPath) {
  let cls = Doc, info = null;
  const keys = [];
  for (let i = 0; i < apiPath.length; i++) {
    info = cls.FIELDS.find((f) => f.member === apiPath[i]);
    assert.ok(info, `no member ${apiPath[i]} in ${str(apiPath)}`);
    keys.push(jsonKey(info));
    if (i === apiPath.length - 1) break;
    if (info.kind === 'ObjectList') keys.push(apiPath[++i]);
    else if (info.kind === 'ObjectMap') keys.push(String(apiPath[++i]));
    cls = info.view();
  }
  return { keys, info };
}
const at = (root, keys) => keys.reduce((o, k) => (o === undefined ? undefined : o[k]), root);

// Objects this event created (taken whole from `after`): changes inside them
// cannot be judged against a value before.
let fresh = new WeakSet();
const isFresh = (root, keys) => keys.some((_, n) => { const o = at(root, keys.slice(0, n)); return o && typeof o === 'object' && fresh.has(o); });

// Applies a delta to an array; inserted objects (a count) are taken from `after`.
function applyDelta(before, delta, after) {
  const out = [];
  let i = 0;
  for (const op of delta) {
    if (op.retain !== undefined) {
      assert.ok(i + op.retain <= before.length, `retain past the end: ${str(delta)} on ${before.length}`);
      out.push(...before.slice(i, i + op.retain));
      i += op.retain;
    } else if (op.delete !== undefined) {
      assert.ok(op.delete > 0 && i + op.delete <= before.length, `delete past the end: ${str(delta)} on ${before.length}`);
      i += op.delete;
    } else if (typeof op.insert === 'number') {
      const made = clone(after.slice(out.length, out.length + op.insert));
      for (const o of made) if (o && typeof o === 'object') fresh.add(o);
      out.push(...made);
    } else {
      out.push(...(typeof op.insert === 'string' ? Array.from(op.insert) : norm(op.insert)));
    }
  }
  return out.concat(before.slice(i));
}

// The document after `event`, computed from the document before it; checks
// on the way that each reported change changed something.
function replay(before, event, after) {
  const expected = clone(before);
  fresh = new WeakSet();
  for (const c of event.changes) {
    if (c.kind === 'reset') return clone(after);
    const { keys } = jsonPath(c.path);
    const parent = at(expected, keys.slice(0, -1)), key = keys[keys.length - 1];
    assert.ok(parent && typeof parent === 'object', `no object at ${str(c.path)}`);
    const old = parent[key], now = at(after, keys);
    if (isFresh(expected, keys)) continue;  // inside an object taken whole from after
    switch (c.kind) {
      case 'text': {
        assert.ok(c.delta.length > 0, 'empty delta');
        parent[key] = applyDelta(Array.from(old), c.delta, null).join('');
        break;
      }
      case 'list':
        assert.ok(c.delta.length > 0, 'empty delta');
        parent[key] = applyDelta(old, c.delta, now);
        break;
      case 'register': case 'counter': case 'mv':
        assert.notEqual(str(norm(c.value)), str(old), `${str(c.path)} reported unchanged`);
        parent[key] = norm(c.value);
        break;
      case 'set': {
        const has = new Set(old.map(str));
        const added = norm(c.added), removed = norm(c.removed);
        for (const v of added) assert.ok(!has.has(str(v)), `${str(v)} reported added, was there`);
        for (const v of removed) assert.ok(has.has(str(v)), `${str(v)} reported removed, was not there`);
        const gone = new Set(removed.map(str));
        const next = old.filter((v) => !gone.has(str(v))).concat(added);
        // Sets: compared as sets (toJSON orders them by their bytes).
        parent[key] = str(next.map(str).sort()) === str(now.map(str).sort()) ? clone(now) : next;
        break;
      }
      case 'map': {
        for (const k of c.added) assert.ok(!(String(k) in old) && String(k) in now, `key ${str(k)} reported added`);
        for (const k of c.deleted) assert.ok(String(k) in old && !(String(k) in now), `key ${str(k)} reported deleted`);
        for (const k of c.updated) assert.ok(String(k) in old && String(k) in now, `key ${str(k)} reported updated`);
        for (const k of c.deleted) delete old[String(k)];
        for (const k of [...c.added, ...c.updated]) {
          old[String(k)] = clone(now[String(k)]);
          if (old[String(k)] && typeof old[String(k)] === 'object') fresh.add(old[String(k)]);
        }
        break;
      }
      default: assert.fail('unknown kind ' + c.kind);
    }
  }
  return expected;
}

// Only formatting (marks) changed: toJSON() cannot show it.
const onlyFormatting = (e) => e.changes.every((c) => c.kind === 'text' && c.delta.every((op) => op.retain !== undefined));

function run(seed) {
  const rand = random(seed);
  const { edit, int } = editor(rand);
  const docs = [new Doc(1n), new Doc(2n), new Doc(3n)];
  const got = docs.map(() => []);
  const unsubs = docs.map((d, i) => d.subscribe((e) => got[i].push(e)));
  // Field subscriptions on replica 0, one per root field (nested objects' own
  // fields are reached through them).
  const members = Doc.FIELDS.map((f) => f.member);
  const fieldGot = Object.fromEntries(members.map((m) => [m, []]));
  for (const m of members) docs[0][m].subscribe((e) => fieldGot[m].push(e));
  let calls = 0, events = 0, changes = 0, remote = 0;
  const pool = [];  // [to, bytes]

  function call(i, origin, fn) {
    const d = docs[i];
    const before = norm(d.toJSON());
    got[i].length = 0;
    if (i === 0) for (const m of members) fieldGot[m].length = 0;
    try {
      fn(d);
    } catch (e) {
      if (!(e instanceof Error) || e instanceof TypeError || e instanceof assert.AssertionError) throw e;
    }
    const after = norm(d.toJSON());
    calls++;
    const ctx = () => `seed ${seed}, call ${calls} on replica ${i} (${origin})\n  before ${str(before)}\n  after  ${str(after)}\n  events ${str(got[i])}`;
    try {
      assert.ok(got[i].length <= 1, 'more than one event for one call');
      if (!got[i].length) {
        assert.deepEqual(after, before, 'changed without an event');
        return;
      }
      const e = got[i][0];
      events++;
      changes += e.changes.length;
      if (origin === 'remote') remote++;
      assert.equal(e.origin, origin);
      if (str(after) === str(before)) assert.ok(onlyFormatting(e), 'an event for a call that changed nothing');
      assert.deepEqual(replay(before, e, after), after, 'the event does not turn before into after');
      if (i === 0)
        for (const m of members) {
          const mine = e.changes.filter((c) => c.kind === 'reset' || c.path[0] === m);
          assert.deepEqual(fieldGot[m].flatMap((x) => x.changes), mine, `field subscription ${m}`);
          assert.ok(fieldGot[m].length === (mine.length ? 1 : 0), `field subscription ${m}: one event`);
        }
    } catch (err) {
      throw new Error(err.message + '\n' + ctx());
    }
  }

  for (let step = 0; step < 500; step++) {
    const r = rand();
    if (r < 0.1) {  // a sync from one replica to another: everything it lacks at once
      const from = int(3), to = (from + 1 + int(2)) % 3;
      const bytes = docs[from].changesSince(docs[to].version());
      call(to, 'remote', (d) => d.apply(bytes));
    } else if (pool.length && r < 0.5) {
      const k = int(pool.length);
      const [to, bytes] = pool[k];
      if (rand() < 0.7) pool.splice(k, 1);  // else delivered again later (a duplicate)
      call(to, 'remote', (d) => d.apply(bytes));
    } else {
      const i = int(3);
      const v = docs[i].version();
      call(i, 'local', (d) => edit(d));
      const delta = docs[i].changesSince(v);
      for (let to = 0; to < 3; to++) if (to !== i) pool.push([to, delta]);
    }
  }
  // Anti-entropy: every replica gets everything (each apply checked too).
  for (let round = 0; round < 3; round++)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) if (i !== j) call(j, 'remote', (d) => d.apply(docs[i].changesSince(d.version())));
  for (const d of docs.slice(1)) assert.deepEqual(d.toJSON(), docs[0].toJSON(), 'replicas converge');
  // Unsubscribing stops delivery.
  unsubs[1]();
  got[1].length = 0;
  edit(docs[1]);
  edit(docs[1]);
  assert.equal(got[1].length, 0, 'delivered after unsubscribe');
  for (const d of docs) d.free();
  return { calls, events, changes, remote };
}

for (const seed of seeds)
  check(`seed ${seed}: every call's event is the difference of toJSON() before and after (3 replicas, shuffled, duplicated)`, () => {
    const s = run(seed);
    assert.ok(s.events > 50 && s.remote > 10, `too few events to mean anything: ${str(s)}`);
    console.log('      ', str(s));
  });

check('text: several edits in one call compose into one delta against the state before', () => {
  const text = Doc.FIELDS.find((f) => f.kind === 'Text');
  if (!text) return;
  const a = new Doc(1n), b = new Doc(2n);
  a[text.member].insert(0, 'hello world');
  b.apply(a.changesSince(b.version()));
  const v = a.version();
  a[text.member].delete(0, 6);        // "world"
  a[text.member].insert(5, '!');      // "world!"
  a[text.member].insert(0, 'big ');   // "big world!"
  a[text.member].mark(0, 3, 'bold');  // "big" bold
  const got = [];
  b.subscribe((e) => got.push(e));
  b.apply(a.changesSince(v));
  assert.equal(got.length, 1);
  assert.deepEqual(got[0].changes, [{ path: [text.member], kind: 'text',
    delta: [{ insert: 'big', attributes: { bold: 'true' } }, { insert: ' ' }, { delete: 6 }, { retain: 5 }, { insert: '!' }] }]);
  assert.equal(b[text.member].toString(), 'big world!');
});

check('unsubscribe stops delivery; the last one stops recording', () => {
  const d = new Doc(1n);
  const first = Doc.FIELDS[0].member;
  const got = [];
  const un = d.subscribe((e) => got.push(e));
  const unField = d[first].subscribe((e) => got.push(e));
  un();
  unField();
  un();  // twice: harmless
  assert.equal(d._subs, null, 'recording stopped');
  const e = editor(random(3));
  for (let i = 0; i < 20; i++) e.edit(d);
  assert.equal(got.length, 0);
});

check('a subscriber that throws: the others still get the event, the error reaches the caller, the call took effect', () => {
  const d = new Doc(1n);
  const got = [];
  d.subscribe(() => { throw new Error('boom'); });
  d.subscribe((e) => got.push(e));
  const f = Doc.FIELDS.find((x) => x.kind === 'Counter' || x.kind === 'Text');
  if (!f) return;
  const before = str(d.toJSON());
  assert.throws(() => (f.kind === 'Text' ? d[f.member].insert(0, 'x') : d[f.member].increment()), /boom/);
  assert.equal(got.length, 1);
  assert.notEqual(str(d.toJSON()), before);
});

// Nested objects (when the gene has a list of genes): a subscription on one
// element gets the changes inside it, not those of its siblings, with paths
// where the elements are after the call.
check('nested objects: subscriptions on a list element, and paths after the call', () => {
  const list = Doc.FIELDS.find((f) => f.kind === 'ObjectList');
  if (!list) return;
  // A string register that can be set more than once (not immutable).
  const scratch = new Doc(9n);
  const inner = list.view().FIELDS.find((f) => {
    if (f.kind !== 'Register' || f.value !== 'string') return false;
    const el = scratch[list.member].push({});
    try { el[f.member].set('a'); el[f.member].set('b'); return true; } catch { return false; }
  });
  if (!inner) return;
  const d = new Doc(1n);
  const first = d[list.member].push({});
  const second = d[list.member].push({});
  const mine = [], all = [];
  first.subscribe((e) => mine.push(e));
  d.subscribe((e) => all.push(e));
  second[inner.member].set('other');
  assert.equal(mine.length, 0, 'a sibling\'s change');
  first[inner.member].set('mine');
  assert.deepEqual(mine.map((e) => e.changes), [[{ path: [list.member, 0, inner.member], kind: 'register', value: 'mine' }]]);
  d[list.member].insert(0, {});  // the first element is now at 1
  first[inner.member].set('again');
  assert.deepEqual(mine[1].changes[0].path, [list.member, 1, inner.member]);
  // One event for an insert with its initial fields, list delta first.
  all.length = 0;
  d[list.member].insert(1, { [inner.member]: 'init' });
  assert.equal(all.length, 1);
  assert.deepEqual(all[0].changes, [
    { path: [list.member], kind: 'list', delta: [{ retain: 1 }, { insert: 1 }] },
    { path: [list.member, 1, inner.member], kind: 'register', value: 'init' },
  ]);
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
