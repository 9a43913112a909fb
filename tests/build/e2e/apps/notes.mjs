// tests/build/e2e/apps/notes.mjs GEN_DIR: the notes app of examples/notes.dol
// (BrainDump design) on three replicas. Scripted: concurrent edits of one
// note's body all survive the merge, concurrent tag/pin/title edits merge
// per field, one member's settings changed on two devices keep both
// changes, a font size below 8 is refused (method and invariant), concurrent
// chat messages end in one order everywhere, and a gene method on a missing
// note changes nothing. Then a seeded random phase (notes, bodies, tags,
// settings, chat) with shuffled, duplicated delivery must converge.
import assert from 'node:assert/strict';
import { loadModule, seedFor, rng, sync, syncAll, assertConverged, randomPhase } from './harness.mjs';

const dir = process.argv[2];
const { NotesWorkspace } = await loadModule(dir, 'notes');
const [a, b, c] = [new NotesWorkspace(1n), new NotesWorkspace(2n), new NotesWorkspace(3n)];
const docs = [a, b, c];

// ---- one note, edited on three devices at once
a.name.set('Team brain');
a.notes.set('n1', { title: 'Groceries', body: 'milk\neggs', tags: ['home'] });
syncAll(docs);
assert.equal(c.notes.get('n1').body.toString(), 'milk\neggs');
a.notes.get('n1').body.insert(0, '# List\n');           // a: a heading at the top
b.notes.get('n1').body.insert('milk\neggs'.length, '\nbread');  // b: a line at the end
c.notes.get('n1').body.delete(0, 4);                     // c: deletes "milk"
c.notes.get('n1').body.insert(0, 'oat milk');            //    and types "oat milk"
a.notes.get('n1').tag('weekly');
b.notes.get('n1').untag('home');
c.notes.get('n1').pin();
b.notes.get('n1').title.set('Shopping');
syncAll(docs);
assertConverged(docs, 'one note edited on three replicas');
const body = a.notes.get('n1').body.toString();
assert.equal(body, '# List\noat milk\neggs\nbread', 'every concurrent body edit survives');
assert.deepEqual([...a.notes.get('n1').tags.values()].sort(), ['weekly']);
assert.equal(a.notes.get('n1').pinned.get(), true);
assert.equal(a.notes.get('n1').title.get(), 'Shopping');
assert.throws(() => a.notes.get('n1').tag(''), /a tag needs a name/);

// ---- concurrent add of a tag and removal of it elsewhere: add wins
a.notes.get('n1').tag('urgent');
syncAll(docs);
a.notes.get('n1').untag('urgent');
b.notes.get('n1').tag('urgent');                         // concurrent re-add
syncAll(docs);
for (const d of docs) assert.equal(d.notes.get('n1').tags.has('urgent'), true);

// ---- one member's settings on two devices
a.settings.set('alice', { displayName: 'Alice' });
syncAll(docs);
a.settings.get('alice').theme.set('dark');               // alice's phone
assert.equal(b.settings.get('alice').resize(18), 18n);   // alice's laptop
syncAll(docs);
for (const d of docs) {
  assert.equal(d.settings.get('alice').theme.get(), 'dark');
  assert.equal(d.settings.get('alice').fontSize.get(), 18n);
}
const settingsBefore = JSON.stringify(a.toJSON());
assert.throws(() => a.settings.get('alice').resize(4), /font size below 8/);
assert.throws(() => a.settings.get('alice').fontSize.set(4n), /notes\.readable/);
assert.equal(JSON.stringify(a.toJSON()), settingsBefore, 'a refused settings change changed nothing');

// ---- chat: concurrent messages, one order everywhere
a.chat.push({ author: 'alice', sentAt: 1000n, text: 'who buys bread?' });
b.chat.push({ author: 'bob', sentAt: 1001n, text: 'me' });
c.chat.push({ author: 'carol', sentAt: 1002n, text: 'not me' });
syncAll(docs);
assertConverged(docs, 'concurrent chat messages');
assert.deepEqual(a.toJSON().chat.map((m) => m.author).sort(), ['alice', 'bob', 'carol']);
b.chat.get(0).react('👍');
c.chat.get(0).react('🎉');
syncAll(docs);
assert.deepEqual([...a.chat.get(0).reactions.values()].sort(), ['🎉', '👍'].sort());
assert.throws(() => a.chat.get(0).author.set('mallory'), /immutable|already/);

// ---- workspace methods: a missing note is an error and changes nothing
a.tagNote('n1', 'shared');
a.pinNote('n1');
const wsBefore = JSON.stringify(a.toJSON());
assert.throws(() => a.pinNote('nope'), /`notes\["nope"\]` does not exist/);
assert.throws(() => a.tagNote('nope', 'x'), /does not exist/);
assert.equal(JSON.stringify(a.toJSON()), wsBefore);
console.log('ok   scripted: concurrent body edits merge, settings per field, chat order, refusals');

// ---- random phase
const seed = seedFor(10);
const r = rng(seed);
const ids = ['n1', 'n2', 'n3', 'n4'], users = ['alice', 'bob', 'carol'];
const words = ['todo ', 'idea ', '**bold** ', 'x', '\n', 'ünï ', '🙂'];
const note = (d) => {
  const id = r.pick(ids);
  if (!d.notes.has(id)) d.notes.set(id, { title: id, body: 'start' });
  return d.notes.get(id);
};
const ops = [
  (d) => d.notes.set(r.pick(ids), { title: 'new', body: r.pick(words), tags: [r.pick(words)] }),
  (d) => { if (r() < 0.3) d.notes.delete(r.pick(ids)); else note(d).title.set(`t${r.int(100)}`); },
  (d) => { const t = note(d).body; t.insert(r.int(t.length() + 1), r.pick(words)); },
  (d) => { const t = note(d).body; if (t.length() > 0) { const p = r.int(t.length()); t.delete(p, Math.min(1 + r.int(3), t.length() - p)); } },
  (d) => { const t = note(d).body; if (t.length() > 1) { const s = r.int(t.length() - 1); t.mark(s, s + 1, 'bold'); } },
  (d) => (r() < 0.5 ? note(d).tag(r.pick(['home', 'work', 'later'])) : note(d).untag(r.pick(['home', 'work', 'later']))),
  (d) => (r() < 0.5 ? note(d).pin() : note(d).unpin()),
  (d) => {
    const u = r.pick(users);
    if (!d.settings.has(u)) return d.settings.set(u, { displayName: u });  // one op: a refusal below must change nothing
    const s = d.settings.get(u);
    if (r() < 0.5) s.resize(4 + r.int(50)); else s.theme.set(r.pick(['dark', 'light', 'system']));
  },
  (d, i, _r, step) => d.chat.push({ author: users[i], sentAt: BigInt(2000 + step), text: r.pick(words) }),
  (d) => { if (d.chat.length() > 0) d.chat.get(r.int(d.chat.length())).react(r.pick(['👍', '🎉', '❤'])); },
  (d) => { if (d.chat.length() > 3 && r() < 0.5) d.chat.delete(r.int(d.chat.length())); },
];
const { done, refused } = randomPhase({
  docs, r, steps: 300,
  op: (d, i, rr, step) => r.pick(ops)(d, i, rr, step),
  refusals: /font size (below 8|above 48)|does not exist/,
});
assert.ok(done >= 200, `only ${done} operations ran`);
assert.deepEqual(NotesWorkspace.load(a.save(), 9n).toJSON(), a.toJSON());
console.log(`ok   random phase: ${done} operations (${refused} refused) on 3 replicas converge`);
