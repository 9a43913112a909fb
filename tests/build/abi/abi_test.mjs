// tests/build/abi/abi_test.mjs: the generated JS glue and canonical-ABI
// exports, over the Doc test double (mock_doc.cpp): every value shape goes
// in and comes back, errors become thrown Errors, nested objects are reached
// through paths. Usage: node abi_test.mjs DIR (DIR holds sample.js/.wasm).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const dir = process.argv[2];
const { loadFile, MessageChat, BoardBoard } = await import(pathToFileURL(path.join(dir, 'sample.js')).href);
let passed = 0, failed = 0;
function check(what, fn) {
  try { fn(); passed++; console.log('ok  ', what); } catch (e) { failed++; console.log('FAIL', what, e); }
}
await loadFile(path.join(dir, 'sample.wasm'));
const a = new MessageChat(5n);
check('actor is a bigint', () => assert.equal(a.actor, 5n));
check('lww string round-trips UTF-8', () => { a.title.set('hello Zoë 👍'); assert.equal(a.title.get(), 'hello Zoë 👍'); });
check('unset register reads undefined', () => assert.equal(new MessageChat(1n).title.get(), undefined));
check('enum by DOL variant name', () => { a.status.set('Sent'); assert.equal(a.status.get(), 'Sent'); });
check('bad enum name is a TypeError', () => assert.throws(() => a.status.set('Nope'), TypeError));
check('mv_register values', () => { a.topic.set('t1'); assert.deepEqual(a.topic.values(), ['t1']); });
check('or_set add/has/size/values/remove', () => {
  a.reactions.add('👍'); a.reactions.add('🎉');
  assert.ok(a.reactions.has('👍'));
  assert.equal(a.reactions.size(), 2);
  assert.deepEqual([...a.reactions].sort(), ['🎉', '👍'].sort());
  a.reactions.remove('🎉');
  assert.deepEqual(a.reactions.values(), ['👍']);
});
check('or_set map of s32', () => { a.scores.set('bob', -7); assert.equal(a.scores.get('bob'), -7); assert.deepEqual(a.scores.entries(), [['bob', -7]]); });
check('pn_counter with bigint and number', () => { a.likes.increment(); a.likes.increment(3n); assert.equal(a.likes.value(), 4n); });
check('refused operation throws the runtime message', () => assert.throws(() => a.likes.decrement(100), /below min_value/));
check('rga list ops', () => { a.items.push('x'); a.items.push('y'); a.items.move(0, 1); assert.deepEqual(a.items.toArray(), ['y', 'x']); a.items.delete(0); assert.deepEqual(a.items.toArray(), ['x']); });
check('peritext insert/toString/length/mark/spans', () => {
  a.content.insert(0, 'hi there');
  a.content.mark(0, 2, 'bold');
  assert.equal(a.content.toString(), 'hi there');
  assert.equal(a.content.length(), 8);
  assert.equal(a.content.spans()[0].text, 'hi there');
});
check('option<timestamp> as bigint', () => { a.when.set(12345n); assert.equal(a.when.get(), 12345n); });
check('immutable set twice is refused', () => { a.id.set('abc'); assert.throws(() => a.id.set('def'), /immutable/); assert.equal(a.id.get(), 'abc'); });
check('records (gene values in a set) round-trip', () => {
  a.reacts.add({ emoji: '👍', userId: 'ann' });
  assert.deepEqual(a.reacts.values(), [{ emoji: '👍', userId: 'ann' }]);
  assert.ok(a.reacts.has({ emoji: '👍', userId: 'ann' }));
  assert.deepEqual(a.toJSON().reacts, [{ emoji: '👍', userId: 'ann' }], 'record keys are the API names');
});
check('gene method', () => { a.like(); assert.equal(a.likes.value(), 5n); });
check('toJSON', () => assert.deepEqual(a.toJSON().title, 'hello Zoë 👍'));
check('toJSON is JSON with exact 64-bit integers; snapshot() is typed', () => {
  const big = 2n ** 62n + 1n;  // past 2^53: a JS number would round it
  a.when.set(big);
  const json = a.toJSON();
  assert.equal(json.when, '4611686018427387905');
  assert.equal(typeof json.likes, 'string');
  assert.equal(JSON.parse(JSON.stringify(a)).when, '4611686018427387905', 'JSON.stringify(doc) works');
  const snap = a.snapshot();
  assert.equal(snap.when, big);
  assert.equal(snap.likes, a.likes.value());
  assert.deepEqual(Object.keys(json), a.constructor.FIELDS.map((f) => f.member), 'keys are the API member names');
  assert.match(a.toJSONString(), /"when":4611686018427387905[,}]/, 'toJSONString: DOL names, exact digits');
});
check('bytes results', () => { assert.deepEqual([...a.version()], [1, 2, 3]); assert.deepEqual([...a.save()], [0, 1, 2, 255]); assert.deepEqual([...a.changesSince(a.version())], [9, 8, 7]); });
check('result<list<u8>> error throws', () => assert.throws(() => a.changesSince(new Uint8Array([0xee])), /malformed version/));
check('apply error throws', () => assert.throws(() => a.apply(new Uint8Array([255])), /malformed changes/));
check('violations() is a list of strings', () => assert.deepEqual(a.violations(), []));
check('methods that do not lower are absent', () => assert.equal(typeof a.shout, 'undefined'));
const b = new BoardBoard(1);
check('nested rga of genes with init objects', () => {
  const col = b.columns.push({ title: 'Todo', tasks: [{ title: 't1', done: false, votes: 2 }] });
  assert.equal(col.title.get(), 'Todo');
  assert.equal(b.columns.get(0).tasks.get(0).title.get(), 't1');
  assert.equal(b.columns.get(0).tasks.get(0).votes.value(), 2n);
  b.columns.get(0).title.set('Doing');
  assert.equal(b.columns.get(0).title.get(), 'Doing');
});
check('out-of-range child throws', () => assert.throws(() => b.columns.get(5)));
check('or_set map of genes', () => { b.byOwner.set('ann', { title: 'owned' }); assert.equal(b.byOwner.get('ann').title.get(), 'owned'); assert.equal(b.byOwner.get('bob'), undefined); });
check('FIELDS introspection', () => assert.deepEqual(BoardBoard.FIELDS.map((f) => f.kind), ['Register', 'ObjectList', 'ObjectMap']));
check('free twice is harmless, use after free throws', () => { b.free(); b.free(); assert.throws(() => b.name.get(), /freed/); });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
