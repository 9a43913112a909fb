// tests/hostkit/protocol_test.mjs: unit tests of the host kit's pieces that
// need no generated module.
//
// Usage: node protocol_test.mjs WORK_DIR
//  * frames: every message type round-trips; hand-made malformed frames are
//    refused with ProtocolError and the right code; 20,000 random mutations
//    (bit flips, truncations, insertions) of valid frames either decode to a
//    frame that re-encodes validly or throw ProtocolError, never anything else;
//  * tokens: issued tokens verify for their doc and access, not for another
//    doc, after expiry, with another secret or a flipped signature byte;
//  * record log: records survive reopening; a torn or corrupted tail is cut
//    at the last good record; the relay's disk store keeps a bounded number
//    of logs open, dedupes resent batches and enforces its quota;
//  * sync_policy: parsed from schema JSON, malformed values named.
// Prints one line per check and `N passed, N failed`; exits 1 on failure.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { check, finish } from './harness.mjs';

const workDir = process.argv[2];
if (!workDir) { console.error('usage: node protocol_test.mjs WORK_DIR'); process.exit(2); }
fs.rmSync(workDir, { recursive: true, force: true });
fs.mkdirSync(workDir, { recursive: true });
const kitDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../hostkit');
const { MSG, ERR, encodeFrame, decodeFrame, ProtocolError, issueToken, verifyToken, policyFromSchema, createSealer } =
  await import(pathToFileURL(path.join(kitDir, 'node.js')).href);
const { RecordLog } = await import(pathToFileURL(path.join(kitDir, 'src/node/record-log.js')).href);
const { DiskStore } = await import(pathToFileURL(path.join(kitDir, 'relay/store-disk.js')).href);

const refusedWith = (code, fn) => assert.throws(fn, (e) => e instanceof ProtocolError && e.code === code, `expected ProtocolError ${code}`);

const samples = [
  [MSG.HELLO, { peer: 'p1', role: 'client', protocol: 1 }, []],
  [MSG.ERROR, { code: ERR.TOO_LARGE, message: 'too big', doc: 'd', id: 3, limit: 10 }, []],
  [MSG.SYNC, { doc: 'team/room:1', token: 'v1.a.b', cursor: 7 }, []],
  [MSG.SYNC, { doc: 'd' }, [new Uint8Array([1, 2, 3])]],
  [MSG.CHANGES, { doc: 'd', id: 9, cursor: 4, snapshots: [1] }, [new Uint8Array([5]), new Uint8Array(0), new Uint8Array(300).fill(7)]],
  [MSG.ACK, { doc: 'd', id: 9 }, [new Uint8Array([1])]],
  [MSG.SYNCED, { doc: 'd', cursor: 12, records: 4 }, []],
  [MSG.LEAVE, { doc: 'd' }, []],
  [MSG.COMPACT, { doc: 'd', cursor: 3 }, [new Uint8Array([1, 2])]],
];

await check('every message type round-trips', () => {
  for (const [type, header, parts] of samples) {
    const m = decodeFrame(encodeFrame(type, header, parts));
    assert.equal(m.type, type);
    assert.deepEqual(m.header, header);
    assert.deepEqual(m.parts.map((p) => [...p]), parts.map((p) => [...p]));
  }
});

await check('malformed frames are refused with the right code', () => {
  const valid = encodeFrame(MSG.CHANGES, { doc: 'd', id: 1 }, [new Uint8Array([1, 2, 3])]);
  refusedWith(ERR.MALFORMED, () => decodeFrame(new Uint8Array(0)));
  refusedWith(ERR.MALFORMED, () => decodeFrame('text'));
  refusedWith(ERR.UNSUPPORTED, () => decodeFrame(Uint8Array.from([2, ...valid.subarray(1)])));
  refusedWith(ERR.UNSUPPORTED, () => decodeFrame(Uint8Array.from([1, 99, ...valid.subarray(2)])));
  refusedWith(ERR.MALFORMED, () => decodeFrame(valid.subarray(0, valid.length - 1)));        // a part cut short
  refusedWith(ERR.MALFORMED, () => decodeFrame(Uint8Array.from([...valid, 0])));             // trailing byte
  refusedWith(ERR.TOO_LARGE, () => decodeFrame(valid, { maxBytes: valid.length - 1 }));
  const withHeader = (h) => { const j = new TextEncoder().encode(h); const f = new Uint8Array(6 + j.length); f[0] = 1; f[1] = MSG.CHANGES; new DataView(f.buffer).setUint32(2, j.length, true); f.set(j, 6); return f; };
  refusedWith(ERR.MALFORMED, () => decodeFrame(withHeader('{"doc":"d"')));                  // not JSON
  refusedWith(ERR.MALFORMED, () => decodeFrame(withHeader('[1]')));                          // not an object
  refusedWith(ERR.MALFORMED, () => decodeFrame(withHeader('{}')));                           // doc missing
  refusedWith(ERR.MALFORMED, () => decodeFrame(withHeader('{"doc":"../etc"}'.replace('../etc', 'a b'))));  // bad doc id
  refusedWith(ERR.MALFORMED, () => decodeFrame(withHeader('{"doc":"d","id":-1}')));          // negative id
  refusedWith(ERR.MALFORMED, () => decodeFrame(withHeader('{"doc":"d","id":1.5}')));         // fractional id
  refusedWith(ERR.MALFORMED, () => decodeFrame(withHeader('{"doc":"d","sizes":[5]}')));      // part past the end
  refusedWith(ERR.MALFORMED, () => decodeFrame(withHeader('{"doc":"d","sizes":"x"}')));
  refusedWith(ERR.MALFORMED, () => decodeFrame(withHeader('{"doc":"d","snapshots":[0]}')));  // snapshot index past the parts
  refusedWith(ERR.MALFORMED, () => decodeFrame(withHeader(`{"doc":"${'x'.repeat(300)}"}`))); // doc id too long
  const big = new Uint8Array(6); big[0] = 1; big[1] = MSG.HELLO; new DataView(big.buffer).setUint32(2, 0xffffffff, true);
  refusedWith(ERR.MALFORMED, () => decodeFrame(big));                                         // header length absurd
  // The encoder refuses what the decoder would, so a bug never reaches a peer.
  refusedWith(ERR.MALFORMED, () => encodeFrame(MSG.ACK, { doc: 'd' }));
});

await check('20,000 random mutations decode or throw ProtocolError, nothing else', () => {
  let seed = 99;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  let decoded = 0;
  for (let i = 0; i < 20000; i++) {
    const [type, header, parts] = samples[rand(samples.length)];
    let f = Array.from(encodeFrame(type, header, parts));
    const edits = 1 + rand(4);
    for (let k = 0; k < edits; k++) {
      const op = rand(3), at = rand(f.length);
      if (op === 0) f[at] ^= 1 << rand(8);
      else if (op === 1) f = f.slice(0, at);
      else f.splice(at, 0, rand(256));
    }
    try {
      const m = decodeFrame(Uint8Array.from(f));
      decodeFrame(encodeFrame(m.type, m.header, m.parts));  // what decodes is valid
      decoded++;
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw new Error(`mutation ${i} threw ${e && e.name}: ${e && e.message}`);
    }
  }
  assert.ok(decoded > 0 && decoded < 20000, `${decoded} mutations still decoded`);
});

await check('tokens: verified for their doc and access only', () => {
  const secret = 'unit-test-secret-0123456789';
  const rw = issueToken(secret, { doc: 'room-1' });
  const r = issueToken(secret, { doc: 'room-1', access: 'r' });
  const prefix = issueToken(secret, { doc: 'team-7/*' });
  assert.equal(verifyToken(secret, rw, 'room-1'), 'rw');
  assert.equal(verifyToken(secret, r, 'room-1'), 'r');
  assert.equal(verifyToken(secret, rw, 'room-2'), null);
  assert.equal(verifyToken(secret, prefix, 'team-7/room'), 'rw');
  assert.equal(verifyToken(secret, prefix, 'team-8/room'), null);
  assert.equal(verifyToken('another-secret-0123456789', rw, 'room-1'), null);
  const flipped = rw.slice(0, -2) + (rw.at(-2) === 'A' ? 'B' : 'A') + rw.at(-1);
  assert.equal(verifyToken(secret, flipped, 'room-1'), null);
  assert.equal(verifyToken(secret, 'garbage', 'room-1'), null);
  assert.equal(verifyToken(secret, undefined, 'room-1'), null);
  const expired = issueToken(secret, { doc: 'room-1', expiresInSec: -10 });
  assert.equal(verifyToken(secret, expired, 'room-1'), null);
});

await check('record log: reopens intact, cuts a torn or corrupted tail', () => {
  const file = path.join(workDir, 'test.log');
  const log = new RecordLog(file).open();
  log.append([{ header: { seq: 1 }, blob: new Uint8Array([1, 2, 3]) }, { header: { seq: 2 }, blob: new Uint8Array([4]) }]);
  log.append([{ header: { seq: 3 }, blob: new Uint8Array(1000).fill(9) }]);
  log.close();
  const again = new RecordLog(file).open();
  assert.deepEqual(again.records.map((r) => r.header.seq), [1, 2, 3]);
  assert.deepEqual([...again.read(again.records[0])], [1, 2, 3]);
  again.close();
  const size = fs.statSync(file).size;
  fs.truncateSync(file, size - 10);                       // torn last record
  const torn = new RecordLog(file).open();
  assert.deepEqual(torn.records.map((r) => r.header.seq), [1, 2]);
  torn.append([{ header: { seq: 3 }, blob: new Uint8Array([7]) }]);  // appends after the cut
  torn.close();
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 1] ^= 0xff;                        // corrupted last record
  fs.writeFileSync(file, bytes);
  const corrupt = new RecordLog(file).open();
  assert.deepEqual(corrupt.records.map((r) => r.header.seq), [1, 2]);
  corrupt.close();
  fs.writeFileSync(path.join(workDir, 'other.log'), 'not a log at all');
  assert.throws(() => new RecordLog(path.join(workDir, 'other.log')).open(), /not a dolc record log/);
});

await check('relay disk store: closes the least recently used logs, reopens them intact', async () => {
  const store = new DiskStore(path.join(workDir, 'store'), { maxOpenDocs: 3 });
  for (let i = 0; i < 10; i++) {
    const r = await store.append('doc-' + i, [new Uint8Array([i])], { peer: 'p', id: 1, snapshots: new Set(), by: 'x', maxDocBytes: 1e6 });
    assert.equal(r.seq, 1);
  }
  assert.equal(store.docs.size, 3);
  const back = await store.read('doc-0', 0, { maxBytes: 1e6, maxRecords: 10 });
  assert.deepEqual(back.map((r) => [r.seq, [...r.blob]]), [[1, [0]]]);
  const dup = await store.append('doc-0', [new Uint8Array([9])], { peer: 'p', id: 1, snapshots: new Set(), by: 'x', maxDocBytes: 1e6 });
  assert.ok(dup.duplicate, 'batch ids survive closing and reopening');
  const full = await store.append('doc-1', [new Uint8Array(100)], { peer: 'q', id: 1, snapshots: new Set(), by: 'x', maxDocBytes: 50 });
  assert.ok(full.full > 0, JSON.stringify(full));  // refused at the quota, saying how many bytes the log holds
  assert.equal((await store.read('doc-1', 0, { maxBytes: 1e6, maxRecords: 10 })).length, 1, 'nothing appended');
  await store.close();
});

await check('sealer: opens its own blobs; refuses tampering, another doc, another key, replays', async () => {
  const key = await createSealer.generateKey();
  const s = await createSealer(key);
  const blob = new TextEncoder().encode('change bytes');
  const sealed = await s.seal('doc-1', blob);
  assert.deepEqual([...await s.open('doc-1', sealed)], [...blob]);
  const tampered = sealed.slice(); tampered[20] ^= 1;
  await assert.rejects(s.open('doc-1', tampered), /failed authentication/);
  await assert.rejects(s.open('doc-2', sealed), /failed authentication/);
  await assert.rejects((await createSealer(await createSealer.generateKey())).open('doc-1', sealed), /failed authentication/);
  await assert.rejects(s.open('doc-1', sealed.subarray(0, 10)), /not a sealed blob/);
  // A replay (the same sealed bytes again) is refused, per document; the
  // same plaintext sealed again is a new blob and opens.
  await assert.rejects(s.open('doc-1', sealed), (e) => e.code === 'replayed' && /replayed/.test(e.message));
  const again = await s.seal('doc-1', blob);
  assert.deepEqual([...await s.open('doc-1', again)], [...blob]);
  await assert.rejects(s.open('doc-1', again), /replayed/);
  // Rotation: a sealer with keys 1 (old) and 2 (current) opens both generations.
  const key2 = await createSealer.generateKey();
  const rotated = await createSealer({ 1: key, 2: key2 }, { current: 2 });
  assert.deepEqual([...await rotated.open('doc-1', sealed)], [...blob]);  // another sealer: not a replay for it
  const sealed2 = await rotated.seal('doc-1', blob);
  assert.equal(sealed2[1], 2);
  await assert.rejects(s.open('doc-1', sealed2), /unknown key id 2/);
  // The memory is bounded: past rememberBlobs per document the oldest is forgotten.
  const small = await createSealer(key, { rememberBlobs: 2 });
  const b1 = await small.seal('d', blob), b2 = await small.seal('d', blob), b3 = await small.seal('d', blob);
  for (const b of [b1, b2, b3]) await small.open('d', b);
  await assert.rejects(small.open('d', b3), /replayed/);
  await small.open('d', b1);  // forgotten: opens (applying it again changes nothing)
});

await check('sync_policy: parsed from schema JSON, defaults, errors', () => {
  const schema = { systems: [{ name: 'app', genes: ['a.b'], sync_policy: [
    { key: 'strategy', value: 'lazy' }, { key: 'max_peers', value: '3' }, { key: 'offline_storage', value: 'memory' }] }] };
  const p = policyFromSchema(schema);
  assert.equal(p.strategy, 'lazy');
  assert.equal(p.maxPeers, 3);
  assert.equal(p.offlineStorage, 'memory');
  assert.equal(policyFromSchema(schema, { gene: 'a.b' }).system, 'app');
  assert.equal(policyFromSchema({ systems: [] }).strategy, 'eager');
  assert.throws(() => policyFromSchema(schema, { system: 'nope' }), /no system nope/);
  assert.throws(() => policyFromSchema({ systems: [{ name: 's', sync_policy: [{ key: 'strategy', value: 'sometimes' }] }] }), /strategy "sometimes"/);
  assert.throws(() => policyFromSchema({ systems: [{ name: 's', sync_policy: [{ key: 'max_peers', value: '-1' }] }] }), /max_peers/);
});

finish();
