// tests/hostkit/peers_test.mjs: repos syncing directly (peer mode of
// hostkit/PROTOCOL.md: version vectors, then exactly the missing changes,
// then live deltas with acknowledgements), in one Node process.
//
// Usage: node peers_test.mjs GEN_DIR NAME   (GEN_DIR from dolc build examples/chat.dol, with schema JSON)
// Checks: two repos over a MessageChannel converge and report remote changes;
// after a disconnect, the reconnect sends far less than the history; a stalled
// peer gets at most `window` messages, then one catch-up; a cycle of three
// connections converges and goes quiet (no echo loop); three repos on a
// BroadcastChannel converge; lazy strategy batches; max_peers refuses the
// extra peer; malformed frames and refused blobs leave documents unchanged;
// the chat schema's sync_policy gives the defaults.
import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL, fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { check, finish, sleep, until, json, converged } from './harness.mjs';

const [genDir, name] = process.argv.slice(2);
if (!genDir || !name) { console.error('usage: node peers_test.mjs GEN_DIR NAME'); process.exit(2); }
const kitDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../hostkit');
const { Repo, PeerConnection, portLink, joinBroadcastChannel, MemoryStorage, policyFromSchema, MSG, ERR, decodeFrame, encodeFrame } =
  await import(pathToFileURL(path.join(kitDir, 'index.js')).href);
const mod = await import(pathToFileURL(path.resolve(genDir, name + '.js')).href);
await mod.loadFile();
const { RoomState } = mod;

const repo = (peerId, policy = {}) => new Repo({ storage: new MemoryStorage(), peerId, policy });

// An in-memory link pair that counts frames and can hold delivery (a stalled network).
function linkPair() {
  const make = () => ({ sent: [], held: false, queue: [], closed: false });
  const a = make(), b = make();
  const side = (me, other) => {
    const link = {
      stats: me,
      send(bytes) {
        if (me.closed) return;
        try { me.sent.push(decodeFrame(bytes)); } catch { me.sent.push({ type: -1, header: {}, parts: [] }); }  // tests send garbage too
        const deliver = () => other.link.onmessage?.(bytes);
        if (me.held) me.queue.push(deliver); else queueMicrotask(deliver);
      },
      close() { if (me.closed) return; me.closed = other.closed = true; link.onclose?.(); other.link.onclose?.(); },
      release() { me.held = false; const q = me.queue; me.queue = []; for (const d of q) queueMicrotask(d); },
    };
    me.link = link;
    return link;
  };
  return [side(a, b), side(b, a)];
}
const changesFrames = (link) => link.stats.sent.filter((m) => m.type === MSG.CHANGES);
const changesBytes = (link) => changesFrames(link).reduce((n, m) => n + m.parts.reduce((k, p) => k + p.byteLength, 0), 0);

await check('two repos over a MessageChannel converge; remote changes are reported', async () => {
  const A = repo('a'), B = repo('b');
  const ch = new MessageChannel();
  new PeerConnection(A, portLink(ch.port1));
  new PeerConnection(B, portLink(ch.port2));
  const ha = await A.find('room', RoomState), hb = await B.find('room', RoomState);
  const events = [];
  hb.on('change', (e) => events.push(e));
  ha.change((d) => { d.title.set('from a'); d.members.add('alice'); });
  hb.change((d) => d.members.add('bob'));
  await converged([ha, hb], 'convergence');
  assert.deepEqual(ha.doc.members.values().sort(), ['alice', 'bob']);
  assert.ok(events.some((e) => e.remote && e.origin === 'peer:a'), JSON.stringify(events));
  await A.close(); await B.close();
  ch.port1.close(); ch.port2.close();
});

await check('after a disconnect, the reconnect sends what is missing, not the history', async () => {
  const A = repo('a'), B = repo('b');
  let [la, lb] = linkPair();
  let ca = new PeerConnection(A, la), cb = new PeerConnection(B, lb);
  const ha = await A.find('room', RoomState), hb = await B.find('room', RoomState);
  for (let i = 0; i < 200; i++) ha.change((d) => d.topic.insert(d.topic.length(), `word${i} `));
  await converged([ha, hb], 'initial sync');
  la.close();
  assert.ok(ca.closed && cb.closed);
  ha.change((d) => d.title.set('offline a'));
  hb.change((d) => d.members.add('offline b'));
  [la, lb] = linkPair();
  ca = new PeerConnection(A, la); cb = new PeerConnection(B, lb);
  await converged([ha, hb], 'convergence after reconnect');
  const history = ha.doc.changesSince(new Uint8Array(0)).byteLength;
  const resent = changesBytes(la);
  assert.ok(resent * 10 < history, `reconnect sent ${resent} bytes; the history is ${history}`);
  assert.equal(ha.doc.title.get(), 'offline a');
  await A.close(); await B.close();
});

await check('a stalled peer gets at most `window` messages, then one catch-up', async () => {
  const A = repo('a'), B = repo('b');
  const [la, lb] = linkPair();
  new PeerConnection(A, la, { window: 4 }); new PeerConnection(B, lb);
  const ha = await A.find('room', RoomState), hb = await B.find('room', RoomState);
  await until('sync', () => changesFrames(la).length >= 1 && changesFrames(lb).length >= 1);
  await sleep(20);
  const before = changesFrames(la).length;
  la.stats.held = true;                       // nothing A sends arrives, so no ACK comes back
  for (let i = 0; i < 500; i++) ha.change((d) => d.readMarkers.set('k' + (i % 7), BigInt(i)));
  await sleep(20);
  const whileStalled = changesFrames(la).length - before;
  assert.ok(whileStalled <= 4, `${whileStalled} messages sent to a stalled peer`);
  la.release();
  await converged([ha, hb], 'convergence after the stall');
  const after = changesFrames(la).length - before;
  assert.ok(after <= 4 + 4, `${after} messages in all for 500 edits`);
  await A.close(); await B.close();
});

await check('frames duplicated, delayed and reordered by the network: three repos still converge', async () => {
  // After HELLO (every transport the kit uses is ordered, and the protocol
  // needs HELLO first), each frame is delivered after a random delay, so
  // frames overtake each other, and a fifth of them twice.
  let seed = 7;
  const rand = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 4294967296; };
  const chaosPair = () => {
    const ends = [{}, {}];
    const link = (me, other) => ({
      send(bytes) {
        if (!me.helloSent) { me.helloSent = true; queueMicrotask(() => other.link.onmessage?.(bytes)); return; }
        const copies = rand() < 0.2 ? 2 : 1;
        for (let k = 0; k < copies; k++) setTimeout(() => { if (!me.closed) other.link.onmessage?.(bytes); }, Math.floor(rand() * 15));
      },
      close() { me.closed = other.closed = true; },
    });
    ends[0].link = link(ends[0], ends[1]);
    ends[1].link = link(ends[1], ends[0]);
    return [ends[0].link, ends[1].link];
  };
  const R = ['a', 'b', 'c'].map((p) => repo(p));
  for (const [i, j] of [[0, 1], [1, 2]]) {  // a line: b forwards between a and c
    const [l1, l2] = chaosPair();
    new PeerConnection(R[i], l1); new PeerConnection(R[j], l2);
  }
  const hs = await Promise.all(R.map((r) => r.find('room', RoomState)));
  for (let i = 0; i < 60; i++) {
    const k = Math.floor(rand() * 3);
    hs[k].change((d) => {
      if (rand() < 0.5) d.members.add(`m${k}-${i}`); else d.topic.insert(Math.floor(rand() * (d.topic.length() + 1)), `t${k}`);
    });
    if (i % 10 === 0) await sleep(3);
  }
  await converged(hs, 'convergence under chaos');
  assert.ok(hs[0].doc.members.size() > 10);
  for (const r of R) await r.close();
});

await check('a cycle of three connections converges and goes quiet (no echo loop)', async () => {
  const R = ['a', 'b', 'c'].map((p) => repo(p));
  const links = [];
  for (const [i, j] of [[0, 1], [1, 2], [2, 0]]) {
    const [l1, l2] = linkPair();
    links.push(l1, l2);
    new PeerConnection(R[i], l1); new PeerConnection(R[j], l2);
  }
  const hs = await Promise.all(R.map((r) => r.find('room', RoomState)));
  hs[0].change((d) => d.title.set('x'));
  hs[1].change((d) => d.members.add('y'));
  hs[2].change((d) => d.topic.insert(0, 'z'));
  await converged(hs, 'cycle convergence');
  await sleep(50);
  const count = () => links.reduce((n, l) => n + l.stats.sent.length, 0);
  const settled = count();
  await sleep(100);
  assert.equal(count(), settled, 'no messages once converged');
  for (const r of R) await r.close();
});

await check('three repos on a BroadcastChannel converge', async () => {
  const R = ['a', 'b', 'c'].map((p) => repo(p));
  const hs = await Promise.all(R.map((r) => r.find('room', RoomState)));
  const nets = R.map((r) => joinBroadcastChannel(r, 'hostkit-test'));
  hs.forEach((h, i) => h.change((d) => d.members.add('member' + i)));
  await converged(hs, 'broadcast convergence');
  assert.equal(hs[0].doc.members.size(), 3);
  for (const n of nets) n.close();
  for (const r of R) await r.close();
});

await check('strategy lazy gathers edits; on_demand sends only on sync()', async () => {
  const A = repo('a', { strategy: 'lazy', lazyIntervalMs: 100, offlineStorage: 'memory' }), B = repo('b');
  const [la, lb] = linkPair();
  new PeerConnection(A, la); new PeerConnection(B, lb);
  const ha = await A.find('room', RoomState), hb = await B.find('room', RoomState);
  await converged([ha, hb], 'start');
  await sleep(20);
  const before = changesFrames(la).length;
  for (let i = 0; i < 30; i++) ha.change((d) => d.readMarkers.set('n', BigInt(i)));
  await sleep(10);
  assert.equal(changesFrames(la).length, before, 'nothing sent before the lazy interval');
  await converged([ha, hb], 'lazy convergence');
  const lazyFrames = changesFrames(la).length - before;
  assert.equal(lazyFrames, 1, `${lazyFrames} frames for 30 edits`);
  await A.close(); await B.close();

  const C = repo('c', { strategy: 'on_demand', offlineStorage: 'memory' }), D = repo('d');
  const [lc, ld] = linkPair();
  const cc = new PeerConnection(C, lc); new PeerConnection(D, ld);
  const hc = await C.find('room', RoomState), hd = await D.find('room', RoomState);
  await sleep(20);
  hc.change((d) => d.title.set('later'));
  await sleep(50);
  assert.equal(hd.doc.title.get(), 'general', 'nothing sent before sync()');
  cc.sync();
  await until('on_demand sync', () => hd.doc.title.get() === 'later');
  await C.close(); await D.close();
});

await check('max_peers refuses the extra peer with a clear error', async () => {
  const A = repo('a', { maxPeers: 1, offlineStorage: 'memory' }), B = repo('b'), C = repo('c');
  const [l1, l2] = linkPair();
  new PeerConnection(A, l1); new PeerConnection(B, l2);
  const [l3, l4] = linkPair();
  const refused = new PeerConnection(A, l3);
  const cc = new PeerConnection(C, l4);
  const errors = [];
  cc.on('error', (e) => errors.push(e));
  await until('max_peers error', () => errors.some((e) => e.code === ERR.MAX_PEERS));
  assert.ok(refused.closed);
  assert.equal(A.peerConnectionCount(), 1);
  await A.close(); await B.close(); await C.close();
});

await check('malformed frames and refused blobs leave the document unchanged', async () => {
  const A = repo('a');
  const [la, lb] = linkPair();
  const ca = new PeerConnection(A, la);
  const ha = await A.find('room', RoomState);
  ha.change((d) => d.title.set('kept'));
  const replies = [];
  lb.onmessage = (bytes) => replies.push(decodeFrame(bytes));
  const before = json(ha);
  lb.send(encodeFrame(MSG.HELLO, { peer: 'mallory', role: 'peer', protocol: 1 }));
  lb.send(new Uint8Array([1, 2, 3]));
  lb.send(encodeFrame(MSG.CHANGES, { doc: 'room', id: 5 }, [new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7])]));
  await until('error replies', () => replies.filter((m) => m.type === MSG.ERROR).length >= 2);
  const codes = replies.filter((m) => m.type === MSG.ERROR).map((m) => m.header.code);
  assert.ok(codes.includes(ERR.MALFORMED) && codes.includes(ERR.REFUSED), codes.join(','));
  assert.equal(json(ha), before);
  assert.ok(!ca.closed, 'connection still open');
  // A peer announcing endless documents: this side remembers at most 1024.
  for (let i = 0; i < 3000; i++) lb.send(encodeFrame(MSG.SYNC, { doc: 'spam-' + i }, [new Uint8Array(64)]));
  await sleep(50);
  assert.ok(ca.unopened <= 1024 && ca.docs.size <= 1025, `${ca.docs.size} documents remembered`);
  // LEAVE then SYNC again: the open document syncs again.
  lb.send(encodeFrame(MSG.LEAVE, { doc: 'room' }));
  lb.send(encodeFrame(MSG.SYNC, { doc: 'room' }, [new Uint8Array(0)]));
  await until('changes after re-SYNC', () => replies.some((m) => m.type === MSG.CHANGES && m.header.doc === 'room'));
  await A.close();
});

await check('the chat schema\'s sync_policy becomes the repo defaults', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(genDir, name + '.schema.json'), 'utf8'));
  const policy = policyFromSchema(schema, { gene: 'room.state' });
  assert.equal(policy.system, 'chat.app');
  assert.equal(policy.strategy, 'eager');
  assert.equal(policy.maxPeers, 100);
  assert.equal(policy.offlineStorage, 'persistent');
  assert.throws(() => new Repo({ policy }), /offline_storage: persistent needs a storage adapter/);
  assert.equal(new Repo({ policy, storage: new MemoryStorage() }).policy.maxPeers, 100);
});

finish();
