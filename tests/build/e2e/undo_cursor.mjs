// tests/build/e2e/undo_cursor.mjs GEN_DIR NAME [SEED[,SEED...]]: cursors and
// undo/redo (issue 13, parts 3 and 4) through the generated JS API of the
// chat example's `message.chat` documents (docs/generated-api.md, "Cursors",
// "Undo and redo").
//
// Property tests on three replicas with random delivery (a pool of deltas
// applied in random order, some twice):
//  * cursors: a cursor made at a character stays on that character (every
//    character inserted is unique) after every delivery while it is shown,
//    resolves to nothing on a replica that never had it, and stays in range;
//  * undo: random local edits, undos and redos; every replica ends with the
//    same toJSON(); an undo never removes a peer's characters; undo then redo
//    with nothing in between restores toJSON() exactly.
// Plus grouping by merge interval (a fake clock), stopCapturing(),
// _undoBoundary(), gene methods, free(). Prints one line per check; exits 1
// on failure. DOLC_SEED replays seeds.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [genDir, name, seedArg] = process.argv.slice(2);
const seeds = String(seedArg ?? process.env.DOLC_SEED ?? '1,2,3').split(',').map((s) => Number(s) >>> 0);
const mod = await import(pathToFileURL(path.join(genDir, name + '.js')).href);
await mod.loadFile();
const Doc = mod.MessageChat;

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

function random(seed) {  // mulberry32
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

// Delivery: every delta goes into a pool; deliveries take a random one to a
// random replica, and sometimes leave it in the pool (a duplicate later).
function pool(rng, docs) {
  const items = [];
  return {
    send(from) {
      for (const to of docs) if (to !== from) items.push({ to, bytes: from.changesSince(to.version()) });
    },
    deliverSome(after) {
      for (let n = rng.int(4); n > 0 && items.length; n--) {
        const i = rng.int(items.length);
        const it = items[i];
        if (rng.next() < 0.7) items.splice(i, 1);
        it.to.apply(it.bytes);
        after?.(it.to);
      }
    },
  };
}
function fullSync(docs) {
  for (let round = 0; round < 2; round++)
    for (const a of docs) for (const b of docs) if (a !== b) b.apply(a.changesSince(b.version()));
}

// ----- cursors

for (const seed of seeds) {
  check(`cursors stay on their characters under concurrent edits (seed ${seed})`, () => {
    const rng = random(seed);
    const docs = [new Doc(1n), new Doc(2n), new Doc(3n)];
    const net = pool(rng, docs);
    let unique = 0x4e00;  // CJK: one UTF-16 unit and one code point each, all distinct
    const cursors = [];  // { ch, cursor, left }
    const verify = (d) => {
      const text = d.content.toString();
      for (const c of cursors) {
        const at = text.indexOf(c.ch);
        const pos = d.content.cursorPosition(c.cursor);
        if (at >= 0) assert.equal(pos, at + (c.left ? 1 : 0), `cursor on ${c.ch} in ${text}`);
        else if (pos !== undefined) assert.ok(pos >= 0 && pos <= text.length, 'a deleted anchor stays in range');
      }
    };
    for (let step = 0; step < 300; step++) {
      const d = rng.pick(docs);
      const len = d.content.length();
      const r = rng.next();
      if (r < 0.5 || len === 0) {
        let s = '';
        for (let k = 1 + rng.int(3); k > 0; k--) s += String.fromCharCode(unique++);
        d.content.insert(rng.int(len + 1), s);
      } else if (r < 0.7) {
        const at = rng.int(len);
        d.content.delete(at, 1 + rng.int(Math.min(3, len - at)));
      } else if (r < 0.85 && len > 0) {
        const i = rng.int(len), left = rng.next() < 0.5;
        const ch = d.content.toString()[i];
        cursors.push({ ch, left, cursor: d.content.cursor(left ? i + 1 : i, left ? 'left' : 'right') });
        // A replica without the character's change cannot place the cursor.
        const fresh = new Doc(9n);
        assert.equal(fresh.content.cursorPosition(cursors.at(-1).cursor), undefined);
        fresh.free();
      }
      verify(d);
      if (rng.next() < 0.4) net.send(d);
      net.deliverSome(verify);
    }
    fullSync(docs);
    for (const d of docs) verify(d);
    assert.equal(docs[0].content.toString(), docs[2].content.toString());
    assert.ok(cursors.length > 20);
  });
}

check('cursors: ends, sides, bad input, lists of objects', () => {
  const d = new Doc(1n);
  d.content.insert(0, 'hello');
  const end = d.content.cursor(5), start = d.content.cursor(0, 'left');
  assert.equal(end, 'R');
  assert.equal(start, 'L');
  d.content.insert(0, '>> ');
  d.content.insert(d.content.length(), '!');
  assert.equal(d.content.cursorPosition(end), 9);
  assert.equal(d.content.cursorPosition(start), 0);
  assert.throws(() => d.content.cursor(99), /position out of range/);
  assert.throws(() => d.content.cursor(0, 'up'), TypeError);
  assert.equal(d.content.cursor(4, 'before'), d.content.cursor(4, 'left'));
  assert.equal(d.content.cursor(4, 'after'), d.content.cursor(4));
  assert.equal(d.content.cursorPosition('R123.45'), undefined);
  assert.equal(d.content.cursorPosition('nonsense'), undefined);
  const room = new mod.RoomState(1n);
  room.messages.push({});
  room.messages.push({});
  room.messages.push({});
  const c = room.messages.cursor(0);
  room.messages.move(0, 2);
  assert.equal(room.messages.cursorPosition(c), 2);
  room.messages.delete(2);
  assert.equal(room.messages.cursorPosition(c), 2);
});

// ----- undo and redo

check('undo: steps by merge interval (a fake clock), stopCapturing, _undoBoundary', () => {
  let t = 0;
  const d = new Doc(1n);
  d.content.insert(0, 'before ');  // before the manager: not undoable
  const um = d.undoManager({ mergeInterval: 500, now: () => t });
  assert.equal(um.canUndo(), false);
  d.content.insert(7, 'a'); t += 100;
  d.content.insert(8, 'b'); t += 700;
  d.content.insert(9, 'c'); t += 100;
  d.likes.increment(2);
  assert.equal(d.content.toString(), 'before abc');
  assert.equal(um.undo(), true);
  assert.equal(d.content.toString(), 'before ab');
  assert.equal(d.likes.value(), 0n);
  assert.equal(um.undo(), true);
  assert.equal(d.content.toString(), 'before ');
  assert.equal(um.undo(), false);
  assert.equal(um.canRedo(), true);
  assert.equal(um.redo(), true);
  assert.equal(d.content.toString(), 'before ab');
  d.content.insert(0, 'X');
  assert.equal(um.canRedo(), false, 'a new edit drops the redos');
  um.stopCapturing();
  d.starred.set(true);
  d._undoBoundary();
  d.reactions.add('🎉');
  d.like();  // a gene method is a local edit too
  assert.equal(um.undo(), true);
  assert.equal(d.likes.value(), 0n);
  assert.deepEqual(d.reactions.values(), []);
  assert.equal(d.starred.get(), true);
  assert.equal(um.undo(), true);
  assert.equal(d.starred.get(), false, "a first write's undo restores the field's default");
  d.status.set('read');  // mv_register: its first write too
  d.content.insert(0, 'Z');
  assert.deepEqual(d.status.values(), ['read']);
  assert.equal(um.undo(), true);
  assert.deepEqual(d.status.values(), ['sent']);
  assert.equal(um.redo(), true);
  assert.deepEqual(d.status.values(), ['read']);
  assert.equal(d.undoManager(), um, 'one manager per document');
  um.free();
  assert.throws(() => um.undo(), /freed/);
  d.content.insert(0, 'Y');
  const again = d.undoManager();
  assert.equal(again.canUndo(), false, 'a new manager starts empty');
});

for (const seed of seeds) {
  check(`undo/redo under concurrency converges, never removes a peer's text (seed ${seed})`, () => {
    const rng = random(seed * 7919);
    const docs = [new Doc(1n), new Doc(2n), new Doc(3n)];
    const alphabet = ['abcdefgh', 'ijklmnop', 'qrstuvwx'];
    const ums = docs.map((d) => d.undoManager({ mergeInterval: Infinity, maxSteps: 40 }));
    const net = pool(rng, docs);
    let undos = 0, roundTrips = 0;
    const peerChars = (d, i) => [...d.content.toString()].filter((c) => !alphabet[i].includes(c)).join('');
    const isSubsequence = (a, b) => {
      let j = 0;
      for (const c of b) if (j < a.length && a[j] === c) j++;
      return j === a.length;
    };
    for (let step = 0; step < 400; step++) {
      const i = rng.int(3), d = docs[i], um = ums[i];
      const len = d.content.length();
      switch (rng.int(11)) {
        case 0: case 1: {
          let s = '';
          for (let k = 1 + rng.int(4); k > 0; k--) s += rng.pick([...alphabet[i]]);
          d.content.insert(rng.int(len + 1), s);
          break;
        }
        case 2: if (len) { const at = rng.int(len); d.content.delete(at, 1 + rng.int(Math.min(4, len - at))); } break;
        case 3: d.reactions.add(rng.pick(['👍', '🎉', '❤️'])); break;
        case 4: d.reactions.remove(rng.pick(['👍', '🎉', '❤️'])); break;
        case 5: if (rng.next() < 0.5) d.likes.increment(1 + rng.int(3)); else if (d.likes.value() > 0n) d.likes.decrement(1); break;
        case 6: d.starred.set(rng.next() < 0.5); break;
        case 7: d.status.set(rng.pick(['sent', 'read', 'edited'])); break;
        case 8: {
          const before = peerChars(d, i);
          if (um.undo()) {
            undos++;
            assert.ok(isSubsequence(before, peerChars(d, i)), `undo removed a peer's text: ${before} -> ${peerChars(d, i)}`);
          }
          break;
        }
        case 9: um.redo(); break;
        case 10: {  // undo then redo, nothing in between: the state comes back
          um.stopCapturing();
          const before = json(d);
          if (um.undo()) {
            assert.equal(um.redo(), true);
            assert.equal(json(d), before, 'undo then redo restores the state');
            roundTrips++;
          }
          break;
        }
      }
      if (rng.next() < 0.3) um.stopCapturing();
      if (rng.next() < 0.4) net.send(d);
      net.deliverSome();
    }
    fullSync(docs);
    assert.equal(json(docs[0]), json(docs[1]));
    assert.equal(json(docs[0]), json(docs[2]));
    assert.ok(undos > 5 && roundTrips > 5, `undos ${undos}, round trips ${roundTrips}`);
  });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
