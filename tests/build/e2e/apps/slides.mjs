// tests/build/e2e/apps/slides.mjs GEN_DIR: the slide deck of
// examples/slides.dol on three replicas. Scripted: three people moving
// slides at once (one of them editing the moved slide) end with one order on
// every replica, each slide exactly once, the edit kept; frontmatter merges
// key by key; gene methods refuse an empty key and a missing slide without
// changing anything. Then a seeded random phase (insert, delete, move,
// body edits, frontmatter, tags) with shuffled, duplicated delivery: no
// replica ever shows a slide twice, and all replicas converge.
import assert from 'node:assert/strict';
import { loadModule, seedFor, rng, sync, syncAll, assertConverged, randomPhase } from './harness.mjs';

const dir = process.argv[2];
const { SlidesDeck } = await loadModule(dir, 'slides');
const [a, b, c] = [new SlidesDeck(1n), new SlidesDeck(2n), new SlidesDeck(3n)];
const docs = [a, b, c];
// Each slide carries a unique `id` in its frontmatter, so duplicates show.
const ids = (d) => d.toJSON().slides.map((s) => s.frontmatter.id);
const assertNoDuplicates = (d, what) => {
  const xs = ids(d);
  assert.equal(new Set(xs).size, xs.length, `${what}: a slide shows twice: ${xs}`);
};

// ---- a deck of five slides
a.title.set('Local-first in practice');
for (const n of [1, 2, 3, 4, 5])
  a.slides.push({ title: `Slide ${n}`, body: `# Slide ${n}\n`, frontmatter: { id: `s${n}` }, tags: ['draft'] });
syncAll(docs);
assert.deepEqual(ids(c), ['s1', 's2', 's3', 's4', 's5']);
assert.equal(c.slides.get(2).frontmatter.get('id'), 's3');

// ---- concurrent moves (and an edit of a moved slide) converge to one order
a.slides.move(0, 4);                          // s1 to the end
b.slides.move(0, 2);                          // s1 to the middle
b.slides.get(2).body.insert(b.slides.get(2).body.length(), 'Edited while moving.');
c.slides.move(4, 0);                          // s5 to the front
c.slides.move(1, 3);                          // and s1 further down
syncAll(docs);
assertConverged(docs, 'concurrent moves');
assert.equal(a.slides.length(), 5);
assertNoDuplicates(a, 'concurrent moves');
assert.deepEqual([...ids(a)].sort(), ['s1', 's2', 's3', 's4', 's5']);
const s1 = a.slides.get(ids(a).indexOf('s1'));
assert.equal(s1.body.toString(), '# Slide 1\nEdited while moving.', 'the edit of a moved slide survives');

// ---- a move concurrent with a delete of the same slide: one outcome, no duplicate
const i3 = ids(a).indexOf('s3');
a.slides.delete(i3);
b.slides.move(ids(b).indexOf('s3'), 0);
syncAll(docs);
assertConverged(docs, 'move vs delete');
assertNoDuplicates(a, 'move vs delete');

// ---- frontmatter merges key by key; one key set twice: one value everywhere
a.slides.get(0).setMeta('layout', 'two-column');
b.slides.get(0).setMeta('background', '#fff');
c.slides.get(0).setMeta('layout', 'title');
syncAll(docs);
assertConverged(docs, 'frontmatter');
const fm = a.slides.get(0).frontmatter;
assert.equal(fm.get('background'), '#fff');
assert.ok(['two-column', 'title'].includes(fm.get('layout')));
const before = JSON.stringify(a.toJSON());
assert.throws(() => a.slides.get(0).setMeta('', 'x'), /frontmatter key needs a name/);
assert.throws(() => a.retitle(9n, 'nope'), /`slides\[9\]` does not exist/);
assert.equal(JSON.stringify(a.toJSON()), before);
a.retitle(0n, 'Welcome');
a.slides.get(1).hide();
syncAll(docs);
assert.equal(c.slides.get(0).title.get(), 'Welcome');
assert.equal(c.slides.get(1).hidden.get(), true);
console.log('ok   scripted: concurrent moves converge without duplicates, frontmatter per key, refusals');

// ---- random phase
const seed = seedFor(30);
const r = rng(seed);
let made = 0;
const at = (d) => r.int(d.slides.length());
const ops = [
  (d, i) => d.slides.insert(r.int(d.slides.length() + 1), { title: 'new', body: '## new\n', frontmatter: { id: `r${i}-${made++}` } }),
  (d) => { if (d.slides.length() > 2) d.slides.delete(at(d)); },
  (d) => { if (d.slides.length() > 1) d.slides.move(at(d), at(d)); },
  (d) => { if (d.slides.length() > 1) d.slides.move(at(d), at(d)); },
  (d) => { if (d.slides.length()) { const t = d.slides.get(at(d)).body; t.insert(r.int(t.length() + 1), r.pick(['- point\n', '**key** ', 'x', '🎤'])); } },
  (d) => { if (d.slides.length()) { const t = d.slides.get(at(d)).body; if (t.length() > 2) { const p = r.int(t.length() - 1); t.delete(p, 1); } } },
  (d) => { if (d.slides.length()) d.slides.get(at(d)).setMeta(r.pick(['layout', 'background', 'class']), r.pick(['a', 'b', 'c'])); },
  (d) => { if (d.slides.length()) d.slides.get(at(d)).frontmatter.delete(r.pick(['layout', 'background', 'class'])); },
  (d) => { if (d.slides.length()) { const tags = d.slides.get(at(d)).tags; if (r() < 0.5) tags.add(r.pick(['draft', 'final', 'demo'])); else tags.remove(r.pick(['draft', 'final', 'demo'])); } },
  (d) => d.retitle(r.int(d.slides.length() + 1), `T${r.int(9)}`),  // sometimes one past the end: refused
  (d) => { if (d.slides.length()) { const s = d.slides.get(at(d)); if (r() < 0.5) s.hide(); else s.show(); } },
];
const { done, refused } = randomPhase({
  docs, r, steps: 300,
  op: (d, i, rr, step) => r.pick(ops)(d, i, rr, step),
  refusals: /does not exist/,
  after: (ds, step) => ds.forEach((d, i) => assertNoDuplicates(d, `replica ${i} after step ${step}`)),
});
assert.ok(done >= 200, `only ${done} operations ran`);
assert.ok(refused > 0, 'the random phase never tried a missing slide');
assert.deepEqual(SlidesDeck.load(a.save(), 9n).toJSON(), a.toJSON());
console.log(`ok   random phase: ${done} operations (${refused} refused), ${a.slides.length()} slides, 3 replicas converge`);
