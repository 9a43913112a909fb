// tests/hostkit/relay_e2e.mjs: the host kit end to end over a real relay.
//
// Usage: node relay_e2e.mjs GEN_DIR NAME WORK_DIR
// GEN_DIR holds NAME.js/.wasm/.schema.json built by dolc from examples/chat.dol.
// The relay runs as a child process (hostkit/bin/dolc-relay.mjs) on a random
// loopback port with a token secret and is killed when this script ends,
// whatever happens. Checks, on RoomState documents:
//  * three clients with file storage make random edits, live, and converge;
//  * a client cut off edits offline, the others too; on reconnect it uploads
//    only its offline deltas (counted on the wire) and all converge;
//  * the relay stops (SIGTERM) while clients keep editing, restarts on the
//    same directory and port: nothing acknowledged is lost, all converge, and
//    a fresh client that never met the others gets everything;
//  * a client restarts from its FileStorage and resumes from its cursor;
//  * an invalid token and a read-only token are refused (code unauthorized),
//    nothing leaks or is stored;
//  * a message above the relay's size limit is refused (code too_large) and
//    the relay keeps serving; rate limits answer rate_limited, and a refused
//    batch blocks that doc's later batches until the client joins again;
//    malformed frames get `malformed` errors;
//  * relay compaction (a client's save replaces the log) and the upload of a
//    whole save by a client whose storage folded unsent deltas;
//  * a sealed document (AES-GCM): the relay's files never hold the plaintext.
// Prints one line per check and `N passed, N failed`; exits 1 on failure.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL, fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { check, finish, sleep, until, json, converged, startChild } from './harness.mjs';

const [genDir, name, workDir] = process.argv.slice(2);
if (!genDir || !name || !workDir) { console.error('usage: node relay_e2e.mjs GEN_DIR NAME WORK_DIR'); process.exit(2); }
const here = path.dirname(fileURLToPath(import.meta.url));
const kitDir = path.resolve(here, '../../hostkit');
const kit = await import(pathToFileURL(path.join(kitDir, 'node.js')).href);
const { Repo, RelayConnection, FileStorage, MemoryStorage, issueToken, nodeWebSocket, ERR, MSG, encodeFrame, decodeFrame } = kit;
const mod = await import(pathToFileURL(path.resolve(genDir, name + '.js')).href);
await mod.loadFile();
const { RoomState } = mod;
const RealWebSocket = await nodeWebSocket();

fs.rmSync(workDir, { recursive: true, force: true });
fs.mkdirSync(workDir, { recursive: true });
const SECRET = 'test-secret-0123456789abcdef';
fs.writeFileSync(path.join(workDir, 'secret'), SECRET);

// ---- harness -----------------------------------------------------------------
let seed = 12345;
const rand = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 4294967296; };
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

// Relays run as child processes (killed on exit by the harness, even on failure).
async function startRelay(dir, { port = 0, extra = [] } = {}) {
  const child = spawn(process.execPath, [path.join(kitDir, 'bin/dolc-relay.mjs'), '--dir', dir, '--port', String(port),
    '--secret-file', path.join(workDir, 'secret'), ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { match, exited } = await startChild(child, /listening (ws:\/\/\S+)/, 'relay');
  const url = match[1];
  return { url, port: Number(new URL(url).port), child, stop: async () => { child.kill('SIGTERM'); return exited; } };
}

// A WebSocket that counts the change blobs a client uploads.
function countingWebSocket(counter) {
  return class extends RealWebSocket {
    send(data, ...rest) {
      try {
        const m = decodeFrame(data);
        if (m.type === MSG.CHANGES) { counter.blobs += m.parts.length; counter.frames++; }
      } catch {}
      return super.send(data, ...rest);
    }
  };
}

function client(label, url, { storageDir, counter, token, peerId = label, sealer, compactEvery = 32, maxLogEntries, compactAfter } = {}) {
  const repo = new Repo({ storage: storageDir ? new FileStorage(storageDir) : new MemoryStorage(), peerId, compactEvery, maxLogEntries });
  const errors = [];
  const conn = new RelayConnection(repo, {
    url, WebSocket: counter ? countingWebSocket(counter) : RealWebSocket,
    token: token ?? ((doc) => issueToken(SECRET, { doc, access: 'rw' })), sealer, minBackoffMs: 20, maxBackoffMs: 200, compactAfter,
  });
  conn.on('error', (e) => errors.push(e));
  return { label, repo, conn, errors };
}

const EMOJI = ['👍', '🎉', 'ok', 'Zoë'];
function randomEdit(doc, who) {
  switch (Math.floor(rand() * 6)) {
    case 0: doc.title.set(`${who} ${Math.floor(rand() * 100)}`); break;
    case 1: doc.members.add(`${who}-${Math.floor(rand() * 5)}`); break;
    case 2: { const m = doc.members.values(); if (m.length) doc.members.remove(pick(m)); else doc.members.add(who); break; }
    case 3: doc.topic.insert(Math.floor(rand() * (doc.topic.length() + 1)), pick(EMOJI) + who); break;
    case 4: doc.messages.push({ author: who }).content.insert(0, `hi from ${who}`); break;
    case 5: doc.readMarkers.set(who, BigInt(Math.floor(rand() * 1000))); break;
  }
}

// ---- the scenarios -------------------------------------------------------------
const relayDir = path.join(workDir, 'relay');
let relay = await startRelay(relayDir);
const DOC = 'room-e2e';
const counters = { a: { blobs: 0, frames: 0 }, b: { blobs: 0, frames: 0 }, c: { blobs: 0, frames: 0 } };
const A = client('a', relay.url, { storageDir: path.join(workDir, 'a'), counter: counters.a });
const B = client('b', relay.url, { storageDir: path.join(workDir, 'b'), counter: counters.b });
let C = client('c', relay.url, { storageDir: path.join(workDir, 'c'), counter: counters.c });
let ha = await A.repo.find(DOC, RoomState), hb = await B.repo.find(DOC, RoomState), hc = await C.repo.find(DOC, RoomState);

await check('three clients editing live through the relay converge', async () => {
  const remoteEvents = { b: 0 };
  hb.on('change', (e) => { if (e.remote) remoteEvents.b++; });
  for (let i = 0; i < 60; i++) {
    const [h, who] = pick([[ha, 'a'], [hb, 'b'], [hc, 'c']]);
    h.change((d) => randomEdit(d, who));
    if (i % 7 === 0) await sleep(5);
  }
  await converged([ha, hb, hc], 'live convergence');
  assert.ok(remoteEvents.b > 0, 'b saw remote change events');
  assert.ok(ha.doc.messages.length() > 0 || ha.doc.members.size() > 0);
});

await check('a cut-off client edits offline and resumes without resending what the relay has', async () => {
  await C.conn.whenSynced(DOC);
  C.conn.reconnect = false;
  C.conn.drop();
  await until('c disconnected', () => !C.conn.open);
  const before = counters.c.blobs;
  const offlineEdits = 5;
  for (let i = 0; i < offlineEdits; i++) hc.change((d) => randomEdit(d, 'c'));
  for (let i = 0; i < 5; i++) ha.change((d) => randomEdit(d, 'a'));
  await sleep(50);
  assert.notEqual(json(hc), json(ha), 'offline replica diverged');
  C.conn.reconnect = true;
  C.conn.connect();
  await converged([ha, hb, hc], 'convergence after reconnect');
  await C.conn.whenSynced(DOC);
  assert.equal(counters.c.blobs - before, offlineEdits, 'c uploaded exactly its offline deltas');
});

await check('the relay restarts (SIGTERM) while clients edit; nothing is lost; a newcomer gets everything', async () => {
  const stopped = await relay.stop();
  assert.equal(stopped.code, 0, 'graceful shutdown exits 0: ' + stopped.out);
  assert.match(stopped.out, /stopped/);
  for (let i = 0; i < 6; i++) { ha.change((d) => randomEdit(d, 'a')); hb.change((d) => randomEdit(d, 'b')); }
  await sleep(100);
  relay = await startRelay(relayDir, { port: relay.port });
  await converged([ha, hb, hc], 'convergence after relay restart');
  await A.conn.whenSynced(DOC);
  await B.conn.whenSynced(DOC);
  const D = client('d', relay.url);
  const hd = await D.repo.find(DOC, RoomState);
  await converged([ha, hd], 'newcomer catching up from the relay alone');
  await D.repo.close();
});

await check('a client restarts from its file storage and resumes from its cursor', async () => {
  await C.conn.whenSynced(DOC);
  const cursorBefore = hc.meta.remotes[C.conn.key].cursor;
  const saved = json(hc);
  await C.repo.close();
  for (let i = 0; i < 4; i++) ha.change((d) => randomEdit(d, 'a'));
  const counter = { blobs: 0, frames: 0 };
  const received = { blobs: 0 };
  C = client('c', relay.url, { storageDir: path.join(workDir, 'c'), counter });
  hc = await C.repo.find(DOC, RoomState);
  assert.equal(json(hc), saved, 'storage restored the document');
  assert.equal(hc.meta.remotes[C.conn.key].cursor, cursorBefore, 'storage restored the cursor');
  hc.on('change', (e) => { if (e.remote) received.blobs++; });
  await converged([ha, hb, hc], 'convergence after client restart');
  await C.conn.whenSynced(DOC);
  assert.equal(counter.blobs, 0, 'nothing re-uploaded');
  assert.ok(received.blobs <= 4, `received only the new records (${received.blobs})`);
});

await check('an invalid token is refused and reads nothing; a read-only token cannot write', async () => {
  const evil = client('evil', relay.url, { token: 'v1.e30.bad' });
  const he = await evil.repo.find(DOC, RoomState);
  await until('unauthorized error', () => evil.errors.some((e) => e.code === ERR.UNAUTHORIZED));
  await sleep(100);
  assert.equal(he.doc.members.size(), 0, 'no data reached the unauthorized client');
  const other = client('other', relay.url, { token: issueToken(SECRET, { doc: 'some-other-doc' }) });
  await other.repo.find(DOC, RoomState);
  await until('unauthorized error (token for another doc)', () => other.errors.some((e) => e.code === ERR.UNAUTHORIZED));
  const reader = client('reader', relay.url, { token: issueToken(SECRET, { doc: DOC, access: 'r' }) });
  const hr = await reader.repo.find(DOC, RoomState);
  await converged([ha, hr], 'read-only client reads');
  hr.change((d) => d.title.set('written by a reader'));
  await until('read-only refusal', () => reader.errors.some((e) => e.code === ERR.UNAUTHORIZED));
  await sleep(100);
  assert.notEqual(ha.doc.title.get(), 'written by a reader');
  for (const x of [evil, other, reader]) await x.repo.close();
});

await check('an oversized message is refused with too_large; the relay keeps serving; rate limits answer rate_limited', async () => {
  const small = await startRelay(path.join(workDir, 'relay-small'), { extra: ['--max-message-bytes', '4096', '--messages-per-second', '20'] });
  const P = client('p', small.url), Q = client('q', small.url);
  const hp = await P.repo.find('big', RoomState), hq = await Q.repo.find('big', RoomState);
  hp.change((d) => d.title.set('small'));
  await converged([hp, hq], 'small edit');
  hp.change((d) => d.topic.insert(0, 'x'.repeat(20000)));
  await until('too_large error', () => P.errors.some((e) => e.code === ERR.TOO_LARGE));
  assert.match(P.errors.find((e) => e.code === ERR.TOO_LARGE).message, /exceeds the limit of 4096 bytes/);
  hq.change((d) => d.title.set('still served'));
  await until('relay still forwards', () => hp.doc.title.get() === 'still served');
  assert.equal(hq.doc.topic.length(), 0, 'the refused change was not forwarded');
  // Rate: 20 frames per second (40 in a burst); a raw client sending 100 at once hears rate_limited.
  const ws = new RealWebSocket(small.url);
  ws.binaryType = 'arraybuffer';
  const got = [];
  ws.onmessage = (ev) => got.push(decodeFrame(new Uint8Array(ev.data)));
  await new Promise((r) => { ws.onopen = r; });
  for (let i = 0; i < 100; i++) ws.send(encodeFrame(MSG.HELLO, { peer: 'burst', role: 'client', protocol: 1 }));
  await until('rate_limited errors', () => got.filter((m) => m.type === MSG.ERROR && m.header.code === ERR.RATE_LIMITED).length >= 20);
  const limited = got.find((m) => m.header.code === ERR.RATE_LIMITED);
  assert.match(limited.header.message, /more than 20 messages/);
  assert.ok(limited.header.retryAfterMs > 0);
  ws.close();
  // After a refused batch, later batches of that doc on the connection are
  // refused (rejoin) until it joins again: stored batches never skip one.
  const raw = new RealWebSocket(small.url);
  raw.binaryType = 'arraybuffer';
  const replies = [];
  raw.onmessage = (ev) => replies.push(decodeFrame(new Uint8Array(ev.data)));
  await new Promise((r) => { raw.onopen = r; });
  const gapToken = issueToken(SECRET, { doc: 'gap' });
  raw.send(encodeFrame(MSG.HELLO, { peer: 'gap', role: 'client', protocol: 1 }));
  raw.send(encodeFrame(MSG.SYNC, { doc: 'gap', token: gapToken, cursor: 0 }));
  for (let i = 0; i < 200; i++) raw.send(encodeFrame(MSG.HELLO, { peer: 'gap', role: 'client', protocol: 1 }));  // drains the bucket
  raw.send(encodeFrame(MSG.CHANGES, { doc: 'gap', id: 5 }, [new Uint8Array([5])]));
  await until('batch 5 refused', () => replies.some((m) => m.header.code === ERR.RATE_LIMITED && m.header.id === 5));
  await sleep(300);  // the bucket refills
  raw.send(encodeFrame(MSG.CHANGES, { doc: 'gap', id: 10 }, [new Uint8Array([10])]));
  await until('batch 10 refused with rejoin', () => replies.some((m) => m.header.code === ERR.REJOIN && m.header.id === 10));
  raw.send(encodeFrame(MSG.SYNC, { doc: 'gap', token: gapToken, cursor: 0 }));
  raw.send(encodeFrame(MSG.CHANGES, { doc: 'gap', id: 10 }, [new Uint8Array([5]), new Uint8Array([10])]));
  await until('batch 10 stored after rejoining', () => replies.some((m) => m.type === MSG.ACK && m.header.id === 10));
  assert.equal(replies.find((m) => m.type === MSG.ACK && m.header.id === 10).header.cursor, 2);
  raw.close();
  // P's document stopped uploading at its oversized change (it would block
  // every later one); other documents and clients go on. Kit clients under the
  // rate limit still converge: batches coalesce, refused ones are resent.
  assert.ok(P.conn.docs.get('big').stopped, 'the document with the oversized change stopped uploading');
  const R = client('r', small.url), S = client('s', small.url);
  const hr = await R.repo.find('burst', RoomState), hs = await S.repo.find('burst', RoomState);
  for (let i = 0; i < 150; i++) { hr.change((d) => d.members.add('r' + i)); if (i % 10 === 0) await sleep(1); }
  await converged([hr, hs], 'convergence under the rate limit', 30000);
  assert.equal(hs.doc.members.size(), 150);
  for (const x of [P, Q, R, S]) await x.repo.close();
  assert.equal((await small.stop()).code, 0);
});

await check('malformed frames get clear errors and change nothing', async () => {
  const ws = new RealWebSocket(relay.url);
  ws.binaryType = 'arraybuffer';
  const got = [];
  ws.onmessage = (ev) => got.push(decodeFrame(new Uint8Array(ev.data)));
  await new Promise((r) => { ws.onopen = r; });
  ws.send(encodeFrame(MSG.HELLO, { peer: 'raw', role: 'client', protocol: 1 }));
  const token = issueToken(SECRET, { doc: DOC });
  ws.send(encodeFrame(MSG.SYNC, { doc: DOC, token, cursor: 0 }));
  const bad = [
    new Uint8Array([1]),                                 // short
    new Uint8Array([9, 4, 0, 0, 0, 0]),                   // protocol version 9
    new Uint8Array([1, 4, 255, 255, 0, 0, 1, 2]),         // header length past the end
    Uint8Array.from([1, 4, 2, 0, 0, 0, 123, 125]),       // CHANGES without doc
    encodeFrame(MSG.CHANGES, { doc: DOC, id: 1 }, [new Uint8Array([1, 2, 3])]).subarray(0, 20),  // truncated
  ];
  for (const b of bad) ws.send(b);
  ws.send('text frame');
  await until('error replies', () => got.filter((m) => m.type === MSG.ERROR).length >= bad.length + 1);
  const codes = got.filter((m) => m.type === MSG.ERROR).map((m) => m.header.code);
  assert.ok(codes.includes(ERR.MALFORMED) && codes.includes(ERR.UNSUPPORTED), codes.join(','));
  // A batch sent twice (its ACK lost) is acknowledged twice, stored once.
  ws.send(encodeFrame(MSG.SYNC, { doc: 'dedupe-doc', token: issueToken(SECRET, { doc: 'dedupe-doc' }), cursor: 0 }));
  for (let k = 0; k < 2; k++) ws.send(encodeFrame(MSG.CHANGES, { doc: 'dedupe-doc', id: 7 }, [new Uint8Array([1, 2, 3])]));
  await until('two ACKs for the resent batch', () => got.filter((m) => m.type === MSG.ACK && m.header.doc === 'dedupe-doc').length === 2);
  const acks = got.filter((m) => m.type === MSG.ACK && m.header.doc === 'dedupe-doc');
  assert.equal(acks[0].header.cursor, 1);
  assert.equal(acks[1].header.cursor, 1, 'the resent batch was not stored again');
  // The connection still works: a valid upload of garbage bytes is stored
  // (the relay cannot read blobs) but every client refuses it and is unchanged.
  const beforeJson = json(ha);
  const refused = [];
  A.conn.on('refused', (e) => refused.push(e));
  ws.send(encodeFrame(MSG.CHANGES, { doc: DOC, id: 1 }, [new Uint8Array([0xde, 0xad, 0xbe, 0xef])]));
  await until('ack for the raw upload', () => got.some((m) => m.type === MSG.ACK));
  await until('client refused the garbage blob', () => refused.length > 0);
  assert.equal(json(ha), beforeJson);
  ws.close();
});

await check('storage compaction: a reopened file store equals the document', async () => {
  for (let i = 0; i < 80; i++) ha.change((d) => randomEdit(d, 'a'));
  await converged([ha, hb, hc], 'convergence before compaction check');
  await A.conn.whenSynced(DOC);  // every delta acknowledged: storage may fold them all
  await A.repo.flush();
  assert.ok(ha.entries.length < 80, `log compacted (${ha.entries.length} entries left)`);
  const reopened = new Repo({ storage: new FileStorage(path.join(workDir, 'a')), peerId: 'a2' });
  const h2 = await reopened.find(DOC, RoomState);
  // The first store is still open in this process; reading it is safe (append-only, fsync'ed).
  assert.equal(json(h2), json(ha));
  await reopened.close();
});

// Reads a document's whole stream from the relay as a raw client: the parts, and which are snapshots.
async function readStream(url, doc) {
  const ws = new RealWebSocket(url);
  ws.binaryType = 'arraybuffer';
  const got = [];
  ws.onmessage = (ev) => got.push(decodeFrame(new Uint8Array(ev.data)));
  await new Promise((r) => { ws.onopen = r; });
  ws.send(encodeFrame(MSG.HELLO, { peer: 'reader-' + Math.random(), role: 'client', protocol: 1 }));
  ws.send(encodeFrame(MSG.SYNC, { doc, token: issueToken(SECRET, { doc }), cursor: 0 }));
  await until('stream read', () => got.some((m) => m.type === MSG.SYNCED));
  ws.close();
  const changes = got.filter((m) => m.type === MSG.CHANGES);
  return { parts: changes.reduce((n, m) => n + m.parts.length, 0), snapshots: changes.reduce((n, m) => n + (m.header.snapshots?.length ?? 0), 0) };
}

await check('relay compaction: a synced client replaces the log with its save; newcomers merge it', async () => {
  const K = client('k', relay.url, { compactAfter: 20 });
  const hk = await K.repo.find('compact-doc', RoomState);
  for (let i = 0; i < 40; i++) hk.change((d) => d.members.add('k' + i));
  await K.conn.whenSynced('compact-doc');
  assert.equal((await readStream(relay.url, 'compact-doc')).parts, 40);
  K.conn.drop();  // on rejoin, SYNCED reports 40 records > 20: the client sends COMPACT
  await until('compacted', async () => (await readStream(relay.url, 'compact-doc')).parts === 1);
  const after = await readStream(relay.url, 'compact-doc');
  assert.equal(after.snapshots, 1);
  hk.change((d) => d.title.set('after compaction'));
  await K.conn.whenSynced('compact-doc');
  const N = client('n', relay.url);
  const hn = await N.repo.find('compact-doc', RoomState);
  await converged([hk, hn], 'newcomer after compaction');
  assert.equal(hn.doc.members.size(), 40);
  await K.repo.close(); await N.repo.close();
});

await check('a client whose storage folded deltas the relay never got uploads its whole save', async () => {
  const F = client('f', relay.url, { compactEvery: 8, maxLogEntries: 16 });
  const G = client('g', relay.url);
  const hf = await F.repo.find('folded-doc', RoomState), hg = await G.repo.find('folded-doc', RoomState);
  hf.change((d) => d.title.set('start'));
  await converged([hf, hg], 'start');
  await F.conn.whenSynced('folded-doc');
  F.conn.reconnect = false;
  F.conn.drop();
  await until('f offline', () => !F.conn.open);
  for (let i = 0; i < 40; i++) hf.change((d) => d.members.add('f' + i));
  assert.ok(hf.entries.length < 16, `storage folded while offline (${hf.entries.length} entries)`);
  assert.ok(hf.meta.remotes[F.conn.key].needsSnapshot, 'the relay is marked as needing a save');
  F.conn.reconnect = true;
  F.conn.connect();
  await converged([hf, hg], 'convergence from the uploaded save');
  assert.equal(hg.doc.members.size(), 40);
  await F.conn.whenSynced('folded-doc');
  assert.ok(!hf.meta.remotes[F.conn.key].needsSnapshot);
  assert.ok((await readStream(relay.url, 'folded-doc')).snapshots >= 1);
  await F.repo.close(); await G.repo.close();
});

await check('sealed documents: the relay stores ciphertext only, clients converge', async () => {
  const { createSealer } = kit;
  const key = await createSealer.generateKey();
  const S1 = client('s1', relay.url, { sealer: await createSealer(key) });
  const S2 = client('s2', relay.url, { sealer: await createSealer(key) });
  const h1 = await S1.repo.find('secret-room', RoomState), h2 = await S2.repo.find('secret-room', RoomState);
  const MARK = 'PLAINTEXT-MARKER-7f3a';
  h1.change((d) => { d.title.set(MARK); d.topic.insert(0, MARK); });
  await converged([h1, h2], 'sealed sync');
  assert.equal(h2.doc.title.get(), MARK);
  await S1.conn.whenSynced('secret-room');
  const files = fs.readdirSync(relayDir).map((f) => fs.readFileSync(path.join(relayDir, f)));
  assert.ok(files.length > 0);
  assert.ok(!files.some((b) => b.includes(Buffer.from(MARK))), 'no relay file holds the plaintext');
  const wrong = client('s3', relay.url, { sealer: await createSealer(await createSealer.generateKey()) });
  const refused = [];
  wrong.conn.on('refused', (e) => refused.push(e));
  const h3 = await wrong.repo.find('secret-room', RoomState);
  await until('wrong key refused', () => refused.length > 0);
  assert.notEqual(h3.doc.title.get(), MARK);
  for (const x of [S1, S2, wrong]) await x.repo.close();
});

await A.repo.close(); await B.repo.close(); await C.repo.close();
const stopped = await relay.stop();
await check('the relay shuts down cleanly at the end', async () => assert.equal(stopped.code, 0, stopped.out));
finish();
