// tests/build/e2e/event_marks.mjs GEN_DIR: the marks inserted text takes, in
// change events. Text typed inside or at the growing end of a bold run is
// bold, so its event's insert carries {bold}; after a link (which does not
// grow) it does not; a remote insert reports the same as the local one, and
// a text without marks reports plain inserts. The deltas are what a
// rich-text binding applies: applied to the spans before, they give spans() after.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [dir] = process.argv.slice(2);
const mod = await import(pathToFileURL(path.join(dir, 'chat.js')).href);
await mod.loadFile();
const { MessageChat } = mod;

// Spans as a list of [char, marks-json], and a delta applied to it.
const chars = (spans) => spans.flatMap((s) => Array.from(s.text).map((c) => [c, JSON.stringify(Object.entries(s.marks).sort())]));
function applyDelta(before, delta) {
  const out = [];
  let at = 0;
  for (const op of delta) {
    if (op.retain !== undefined) {
      for (const [c, m] of before.slice(at, at + op.retain)) {
        if (!op.attributes) { out.push([c, m]); continue; }
        const marks = Object.fromEntries(JSON.parse(m));
        for (const [k, v] of Object.entries(op.attributes)) if (v === null) delete marks[k]; else marks[k] = v;
        out.push([c, JSON.stringify(Object.entries(marks).sort())]);
      }
      at += op.retain;
    } else if (op.delete !== undefined) at += op.delete;
    else for (const c of Array.from(op.insert)) out.push([c, JSON.stringify(Object.entries(op.attributes ?? {}).sort())]);
  }
  return out.concat(before.slice(at));
}

let passed = 0;
const a = new MessageChat(1n), b = new MessageChat(2n);
a.content.insert(0, 'hello world');
a.content.mark(0, 5, 'bold');
a.content.mark(6, 11, 'link', 'https://x');
b.apply(a.changesSince(b.version()));
const seen = { a: [], b: [] };
a.content.subscribe((e) => seen.a.push(e));
b.content.subscribe((e) => seen.b.push(e));

for (const [what, pos, text, marks] of [
  ['inside a bold run', 2, 'X', { bold: 'true' }],
  ['at the growing end of a bold run', 6, 'Y', { bold: 'true' }],
  ['after a link (links do not grow)', 13, 'Z', undefined],
]) {
  const beforeA = chars(a.content.spans()), beforeB = chars(b.content.spans());
  seen.a.length = 0;
  seen.b.length = 0;
  a.content.insert(pos, text);
  b.apply(a.changesSince(b.version()));
  for (const [who, doc, before] of [['local', a, beforeA], ['remote', b, beforeB]]) {
    const events = seen[who === 'local' ? 'a' : 'b'];
    assert.equal(events.length, 1, `${what}: one ${who} event`);
    const delta = events[0].changes[0].delta;
    const insert = delta.find((op) => op.insert !== undefined);
    assert.deepEqual(insert.attributes, marks, `${what}: the ${who} insert's attributes`);
    assert.deepEqual(applyDelta(before, delta), chars(doc.content.spans()), `${what}: the ${who} delta gives spans() after`);
  }
  passed++;
  console.log(`ok   ${what}`);
}
const plain = new MessageChat(3n);
const events = [];
plain.content.subscribe((e) => events.push(e));
plain.content.insert(0, 'no marks');
assert.deepEqual(events[0].changes[0].delta, [{ insert: 'no marks' }]);
console.log('ok   a text without marks reports plain inserts');
console.log(`${passed + 1} passed`);
