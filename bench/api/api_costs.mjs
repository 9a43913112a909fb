// bench/api/api_costs.mjs GEN_DIR [TRACE]: what the app-facing API costs, in
// Node, on the chat example's module (GEN_DIR holds chat.js + chat.wasm):
//  * the automerge-paper trace (259,778 edits) typed into a room's topic one
//    call per edit: plainly, each edit in its own transact(), and 100 edits
//    per transact() (ms per edit);
//  * whole-document reads of the final document (~105k characters) and of a
//    room of 2,000 messages: toJSON(), snapshot(), toJSONString() (ms per call).
// Prints a table; checks that every variant ends with the trace's text.
// Not part of the tests (figures depend on the machine): `make bench` runs it.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readTrace } from '../node/workloads.mjs';


const [genDir, traceFile = '/work/shared/bench/traces/seq-automerge-paper.json.gz'] = process.argv.slice(2);
if (!genDir) {
  console.error('usage: node bench/api/api_costs.mjs GEN_DIR [TRACE.json.gz]');
  process.exit(2);
}
const mod = await import(pathToFileURL(path.resolve(genDir, 'chat.js')).href);
await mod.loadFile();
const { RoomState } = mod;
const trace = readTrace(traceFile);
const edits = [];
for (const txn of trace.txns) for (const [pos, del, ins] of txn.patches) edits.push([pos, del, ins]);

let wrong = 0;
function typeTrace(label, wrap) {
  const doc = new RoomState(1n);
  const text = doc.topic;  // peritext without max_length (a message's content stops at 20,000)
  const apply = ([pos, del, ins]) => {
    if (del) text.delete(pos, del);
    if (ins) text.insert(pos, ins);
  };
  const t0 = performance.now();
  wrap(doc, apply);
  const ms = performance.now() - t0;
  const ok = text.toString() === trace.endContent;
  if (!ok) wrong++;
  const saved = doc.save().length;
  console.log(`| ${label.padEnd(34)} | ${(ms).toFixed(0).padStart(7)} | ${((ms * 1000) / edits.length).toFixed(2).padStart(8)} | ${String(saved).padStart(8)} | ${ok ? 'ok' : 'WRONG TEXT'} |`);
  return doc;
}

console.log(`\n${path.basename(traceFile)}: ${edits.length} edits, one call each\n`);
console.log('| variant                            | ms total | µs/edit | saved B | final text |');
console.log('| ---------------------------------- | -------: | ------: | ------: | ---------- |');
// (Each variant's document is freed before the next: a finished document left
// to the garbage collector keeps its wasm memory and slows the next variant.)
typeTrace('plain calls', (doc, apply) => { for (const e of edits) apply(e); }).free();
typeTrace('each edit in its own transact()', (doc, apply) => { for (const e of edits) doc.transact(() => apply(e)); }).free();
const last = typeTrace('100 edits per transact()', (doc, apply) => {
  for (let i = 0; i < edits.length; i += 100) doc.transact(() => { for (const e of edits.slice(i, i + 100)) apply(e); });
});

function timeRead(label, fn) {
  fn();  // warm
  const times = [];
  for (let spent = 0; times.length < 3 || (spent < 1500 && times.length < 20);) {
    const t0 = performance.now();
    fn();
    const ms = performance.now() - t0;
    times.push(ms);
    spent += ms;
  }
  times.sort((a, b) => a - b);
  console.log(`| ${label.padEnd(44)} | ${times[times.length >> 1].toFixed(2).padStart(8)} |`);
}
const room = new RoomState(2n);
room.transact((r) => {
  for (let i = 0; i < 2000; i++) {
    const m = r.messages.push({ content: `message ${i}`, likes: i });
    m.reactions.add('👍');
  }
  for (let i = 0; i < 200; i++) r.readMarkers.set(`user${i}`, BigInt(i) * 2n ** 40n);
});
console.log('\nwhole-document reads (median)\n');
console.log('| read                                         | ms/call |');
console.log('| -------------------------------------------- | ------: |');
timeRead('toJSON(), the trace\'s document', () => last.toJSON());
timeRead('snapshot(), the trace\'s document', () => last.snapshot());
timeRead('toJSONString(), the trace\'s document', () => last.toJSONString());
timeRead('toJSON(), a room of 2,000 messages', () => room.toJSON());
timeRead('snapshot(), a room of 2,000 messages', () => room.snapshot());
timeRead('toJSONString(), a room of 2,000 messages', () => room.toJSONString());
if (wrong) {
  console.log(`\n${wrong} variant(s) ended with the wrong text`);
  process.exit(1);
}

