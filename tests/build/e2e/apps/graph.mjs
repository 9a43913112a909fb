// tests/build/e2e/apps/graph.mjs GEN_DIR: the P2P knowledge graph of
// examples/graph.dol on three replicas. Scripted: deleting a node beats
// concurrent updates of it (rename, summary, alias, a visit) in every
// delivery order, and a re-add made after seeing the delete brings it back;
// removing an edge beats a concurrent re-link; the traversal history is
// append-only (no delete/move/insert, a peer's appends all kept, each
// author's in order) and a visit of a deleted node is refused with its
// history entry. Then a seeded random phase with shuffled, duplicated
// delivery: no replica's history ever shrinks, and all replicas converge.
import assert from 'node:assert/strict';
import { loadModule, seedFor, rng, sync, syncAll, assertConverged, randomPhase } from './harness.mjs';

const dir = process.argv[2];
const { GraphVault } = await loadModule(dir, 'graph');
const [a, b, c] = [new GraphVault(1n), new GraphVault(2n), new GraphVault(3n)];
const docs = [a, b, c];
const edgeKeys = (d) => [...d.edges.values()].map((e) => `${e.source}-${e.relation}->${e.target}`).sort();
// A visit: count it on the node and append the step to the history, one change.
const walk = (d, node, via, at) => d.transact(() => {
  d.visit(node);
  d.history.push({ node, via, at: BigInt(at) });
});

// ---- nodes and edges
a.name.set('Computing history');
a.nodes.set('ada', { title: 'Ada Lovelace', kind: 'person' });
a.nodes.set('babbage', { title: 'Charles Babbage', kind: 'person' });
a.nodes.set('engine', { title: 'Analytical Engine', kind: 'machine', summary: 'A *general-purpose* computer.' });
assert.equal(a.link('ada', 'engine', 'wrote-about'), 0n);
a.link('babbage', 'engine', 'designed');
assert.throws(() => a.link('ada', 'ada', 'self'), /two different nodes/);
syncAll(docs);
assert.deepEqual(edgeKeys(c), ['ada-wrote-about->engine', 'babbage-designed->engine']);

// ---- a delete beats concurrent updates, whatever the delivery order
const base = a.save();
for (const order of [[0, 1, 2], [2, 1, 0], [1, 0, 2]]) {
  const r = [GraphVault.load(base, 11n), GraphVault.load(base, 12n), GraphVault.load(base, 13n)];
  r[0].nodes.delete('babbage');
  r[1].nodes.get('babbage').rename('C. Babbage');
  r[1].nodes.get('babbage').summary.insert(0, 'Mathematician. ');
  r[1].nodes.get('babbage').alias('father of the computer');
  walk(r[2], 'babbage', 'designed', 10);
  for (const i of order) for (const j of order) if (i !== j) sync(r[j], r[i]);
  syncAll(r);
  assertConverged(r, `delete vs update, order ${order}`);
  for (const d of r) assert.equal(d.nodes.has('babbage'), false, `order ${order}: a concurrent update revived a deleted node`);
  assert.equal(r[0].history.length(), 1, 'the visit made before the delete stays in the history');
}
a.nodes.delete('babbage');
b.nodes.get('babbage').rename('C. Babbage');
syncAll(docs);
for (const d of docs) assert.equal(d.nodes.has('babbage'), false);
c.nodes.set('babbage', { title: 'Babbage (again)' });  // after seeing the delete: back
syncAll(docs);
for (const d of docs) assert.equal(d.nodes.get('babbage').title.get(), 'Babbage (again)');

// ---- removing an edge beats a concurrent re-link
a.unlink('ada', 'engine', 'wrote-about');
b.link('ada', 'engine', 'wrote-about');
syncAll(docs);
for (const d of docs) assert.deepEqual(edgeKeys(d), ['babbage-designed->engine']);
b.link('ada', 'engine', 'wrote-about');  // after seeing the removal: back
syncAll(docs);
assert.deepEqual(edgeKeys(a), ['ada-wrote-about->engine', 'babbage-designed->engine']);

// ---- the traversal history only grows
walk(a, 'ada', 'start', 100);
walk(a, 'engine', 'wrote-about', 101);
walk(b, 'babbage', 'start', 102);
walk(c, 'engine', 'start', 103);
walk(c, 'ada', 'wrote-about', 104);
assert.throws(() => a.history.delete(0), /append-only/);
assert.throws(() => a.history.move(0, 1), /append-only/);
assert.throws(() => a.history.insert(0, { node: 'x' }), /append-only/);
const before = JSON.stringify(a.toJSON());
assert.throws(() => walk(a, 'turing', 'start', 105), /`nodes\["turing"\]` does not exist/);
assert.equal(JSON.stringify(a.toJSON()), before, 'a refused visit left its history entry');
syncAll(docs);
assertConverged(docs, 'concurrent traversals');
const steps = a.toJSON().history.map((v) => v.at);
assert.equal(steps.length, 5);
const pos = (t) => steps.indexOf(String(t));
assert.ok(pos(100) < pos(101) && pos(103) < pos(104), `each author's appends keep their order: ${steps}`);
assert.equal(a.nodes.get('engine').visits.value(), 2n);
console.log('ok   scripted: delete beats update, remove beats re-link, append-only history');

// ---- random phase
const seed = seedFor(20);
const r = rng(seed);
const ids = ['ada', 'babbage', 'engine', 'turing', 'loom'];
const rels = ['cites', 'designed', 'inspired'];
const seen = docs.map((d) => d.history.length());
const ops = [
  (d) => d.nodes.set(r.pick(ids), { title: r.pick(ids).toUpperCase(), summary: 'note' }),
  (d) => d.nodes.delete(r.pick(ids)),
  (d) => { const id = r.pick(ids); if (d.nodes.has(id)) d.nodes.get(id).rename(`${id} ${r.int(50)}`); },
  (d) => { const id = r.pick(ids); if (d.nodes.has(id)) { const t = d.nodes.get(id).summary; t.insert(r.int(t.length() + 1), r.pick(['x', ' see ', '🔗'])); } },
  (d) => { const id = r.pick(ids); if (d.nodes.has(id)) d.nodes.get(id).alias(r.pick(['a1', 'a2', 'a3'])); },
  (d) => { const s = r.pick(ids), t = r.pick(ids); if (s !== t) d.link(s, t, r.pick(rels)); },
  (d) => d.unlink(r.pick(ids), r.pick(ids), r.pick(rels)),
  (d, _i, _r, step) => walk(d, r.pick(ids), r.pick(rels), 1000 + step),
  (d) => d.nodes.get(r.pick(ids))?.kind.set(r.pick(['person', 'idea', 'machine'])),
];
const { done, refused } = randomPhase({
  docs, r, steps: 300,
  op: (d, i, rr, step) => r.pick(ops)(d, i, rr, step),
  refusals: /does not exist/,
  after: (ds) => ds.forEach((d, i) => {
    assert.ok(d.history.length() >= seen[i], `replica ${i}'s history shrank`);
    seen[i] = d.history.length();
  }),
});
assert.ok(done >= 200, `only ${done} operations ran`);
assert.ok(a.history.length() > 5, 'the random phase appended to the history');
assert.deepEqual(GraphVault.load(a.save(), 9n).toJSON(), a.toJSON());
console.log(`ok   random phase: ${done} operations (${refused} refused) on 3 replicas converge`);
