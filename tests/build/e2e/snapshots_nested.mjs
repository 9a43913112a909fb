// tests/build/e2e/snapshots_nested.mjs GEN_DIR: a notes workspace
// (examples/notes.dol: a map of notes, each a gene with a text body, a chat
// list of messages) whose data lives in nested objects, saved past 1,024 ops
// and loaded frozen (runtime-wasm/FORMAT.md, "Snapshot", kinds 8-10). What a
// user relies on: `doc.notes.get(id).title.get()`, a note's body and tags,
// the chat's messages and `toJSON()` read what the saved document read,
// without replaying its history; the first edit replays it, and then all
// agrees. Whether a read replayed is told by a snapshot forged to show
// other values: a read that shows the forged value came from the snapshot;
// the history then wins when it replays (a `reset` event). Prints the load
// times (frozen, then by replay) as a measurement.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [dir, notesArg = '300', editsArg = '4000'] = process.argv.slice(2);
const mod = await import(pathToFileURL(path.join(dir, 'notes.js')).href);
await mod.loadFile();
const { NotesWorkspace } = mod;

let seed = 11;
const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const sync = (x, y) => { y.apply(x.changesSince(y.version())); x.apply(y.changesSince(x.version())); };

// Two replicas edit notes (titles, bodies, tags), settings and the chat.
const NOTES = Number(notesArg), EDITS = Number(editsArg);
const a = new NotesWorkspace(1n), b = new NotesWorkspace(2n);
a.name.set('team');
for (let i = 0; i < NOTES; i++) a.notes.set(`n${i}`, { title: `note ${i}`, body: 'start', tags: ['new'] });
a.settings.set('alice', { displayName: 'Alice' });
sync(a, b);
for (let k = 0; k < EDITS; k++) {
  const d = k % 4 === 3 ? b : a;
  const note = d.notes.get(`n${rand(NOTES)}`);
  switch (rand(6)) {
    case 0: note.title.set(`title ${rand(1000)}`); break;
    case 1: case 2: note.body.insert(rand(note.body.length() + 1), ['hi ', 'Zoë', '🍕 '][rand(3)]); break;
    case 3: note.tags.add(`t${rand(20)}`); break;
    case 4: d.chat.push({ author: `u${rand(5)}`, text: `message ${k}` }); break;
    default: d.settings.get('alice').theme.set(['dark', 'light'][rand(2)]);
  }
  if (k % 250 === 249) sync(a, b);
}
sync(a, b);
// Markers, each in the history and in the snapshot's copy (its last occurrence).
a.notes.get('n1').title.set('MARK-TITLE-1');
a.notes.get('n2').body.insert(0, 'MARK-BODY-2 ');
a.chat.push({ author: 'MARK-AUTHOR', text: 'MARK-CHAT' });
a.settings.get('alice').displayName.set('MARK-ALICE');

const saved = a.save();
const expected = a.toJSON();

// What the API reads of each nested object, as an app would.
function reads(d) {
  const out = { name: d.name.get(), notes: {}, chat: [], alice: d.settings.get('alice').displayName.get() };
  for (const id of d.notes.keys()) {
    const n = d.notes.get(id);
    out.notes[id] = [n.title.get(), n.body.toString(), n.body.length(), [...n.tags.values()].sort(), n.pinned.get()];
  }
  for (let i = 0; i < d.chat.length(); i++) out.chat.push([d.chat.get(i).author.get(), d.chat.get(i).text.toString()]);
  return out;
}

// ---- honest bytes: frozen reads = the saved document's; save() = the loaded bytes
const loaded = NotesWorkspace.load(saved, 7n);
assert.deepEqual(loaded.toJSON(), expected, 'toJSON() of the frozen document');
assert.deepEqual(reads(loaded), reads(a), 'nested reads of the frozen document');
assert.deepEqual(loaded.save(), saved, 'a frozen document saves as the loaded bytes');
loaded.notes.get('n1').body.insert(0, '!');  // the first edit replays the history
a.notes.get('n1').body.insert(0, '!');
assert.deepEqual(loaded.toJSON(), a.toJSON(), 'after the replay');
sync(a, loaded);
assert.deepEqual(loaded.toJSON(), a.toJSON(), 'and it syncs');
loaded.free();

// ---- forged bytes: the reads come from the snapshot (no replay), until an edit
const enc = new TextEncoder();
function replaceLast(bytes, from, to) {
  const text = Buffer.from(bytes).toString('latin1');
  const at = text.lastIndexOf(from);
  assert.ok(at >= 0, from);
  const out = new Uint8Array(bytes);
  out.set(enc.encode(to), at);
  let h = 2166136261;  // FNV-1a 32 over the body: the frame's checksum (FORMAT.md, "Framing")
  for (let i = 3; i + 4 < out.length; i++) h = Math.imul(h ^ out[i], 16777619) >>> 0;
  for (let i = 0; i < 4; i++) out[out.length - 4 + i] = (h >>> (8 * i)) & 0xff;
  return out;
}
let forged = replaceLast(saved, 'MARK-TITLE-1', 'XXXX-TITLE-1');
forged = replaceLast(forged, 'MARK-BODY-2', 'XXXX-BODY-2');
forged = replaceLast(forged, 'MARK-CHAT', 'XXXX-CHAT');
forged = replaceLast(forged, 'MARK-ALICE', 'XXXX-ALICE');
const shown = NotesWorkspace.load(forged, 8n);
const events = [];
shown.subscribe((e) => events.push(e));
assert.equal(shown.notes.get('n1').title.get(), 'XXXX-TITLE-1', 'a map of genes: a note\'s register');
assert.ok(shown.notes.get('n2').body.toString().startsWith('XXXX-BODY-2 '), 'a note\'s text');
const last = shown.chat.get(shown.chat.length() - 1);
assert.equal(last.text.toString(), 'XXXX-CHAT', 'a list of genes: a message\'s text');
assert.equal(last.author.get(), 'MARK-AUTHOR');
assert.equal(shown.settings.get('alice').displayName.get(), 'XXXX-ALICE');
const json = shown.toJSON();
assert.equal(json.notes.n1.title, 'XXXX-TITLE-1', 'toJSON() reads the snapshot too');
assert.equal(json.chat[json.chat.length - 1].text, 'XXXX-CHAT');
assert.deepEqual(shown.save(), forged, 'still frozen: the very bytes');
assert.equal(events.length, 0);
shown.name.set('renamed');  // replays: the history wins
assert.ok(events.some((e) => e.changes.some((c) => c.kind === 'reset')), 'a reset event');
assert.equal(shown.notes.get('n1').title.get(), 'MARK-TITLE-1');
assert.equal(shown.chat.get(shown.chat.length() - 1).text.toString(), 'MARK-CHAT');
assert.equal(shown.settings.get('alice').displayName.get(), 'MARK-ALICE');
shown.free();

// ---- a measurement: open and show (toJSON) frozen, against a replay (merge)
function time(f, runs = 5) {
  f();  // (once first: the module's code compiled)
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    f();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return ms.sort((x, y) => x - y)[runs >> 1];
}
const openMs = time(() => NotesWorkspace.load(saved, 9n).free());
const oneMs = time(() => { const d = NotesWorkspace.load(saved, 9n); d.notes.get('n1').title.get(); d.free(); });
const jsonMs = time(() => { const d = NotesWorkspace.load(saved, 9n); d.toJSON(); d.free(); });
const replayMs = time(() => { const d = new NotesWorkspace(9n); d.merge(saved); d.free(); });
const fmt = (x) => x.toFixed(2);
console.log(`${NOTES} notes, ${EDITS} edits, save ${saved.length} bytes (median of 5): load ${fmt(openMs)} ms, ` +
            `load + one note's title ${fmt(oneMs)} ms, load + toJSON() ${fmt(jsonMs)} ms; a replay (merge) ${fmt(replayMs)} ms`);
a.free();
b.free();
