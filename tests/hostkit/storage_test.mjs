// tests/hostkit/storage_test.mjs: the storage adapter contract
// (hostkit/src/storage-memory.js states it), run against every adapter Node
// has: MemoryStorage, FileStorage and SqliteStorage (better-sqlite3).
//
// Usage: node storage_test.mjs GEN_DIR NAME WORK_DIR NODE_MODULES
//   (GEN_DIR from dolc build examples/chat.dol; NODE_MODULES holds better-sqlite3)
// Checks, per adapter: an unknown id loads as null; appended entries come
// back in order with their exact bytes (views into larger buffers included);
// compact keeps the snapshot and only the kept entries; meta round-trips and
// survives compaction; remove forgets; documents do not see each other's rows;
// a reopened store holds everything (persistent adapters). Then: an append
// whose promise resolved survives SIGKILL of the process (persistent
// adapters); a Repo on SQLite with frequent compaction reopens equal to the
// document, for several documents in one database file.
import path from 'node:path';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { check, finish, json, startChild } from './harness.mjs';

const [genDir, name, workDir, nodeModulesArg] = process.argv.slice(2);
const nodeModules = nodeModulesArg && path.resolve(nodeModulesArg);
if (!genDir || !name || !workDir || !nodeModulesArg) {
  console.error('usage: node storage_test.mjs GEN_DIR NAME WORK_DIR NODE_MODULES');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const kitDir = path.resolve(here, '../../hostkit');
const kit = await import(pathToFileURL(path.join(kitDir, 'node.js')).href);
const { Repo, MemoryStorage, FileStorage, SqliteStorage } = kit;
// tools/setup.sh installs better-sqlite3 (an optional dependency: it compiles
// SQLite when no prebuilt binary can be fetched). Missing, it is a failure here.
const Database = createRequire(path.join(nodeModules, 'noop.js'))('better-sqlite3');
const mod = await import(pathToFileURL(path.resolve(genDir, name + '.js')).href);
await mod.loadFile();
const { RoomState } = mod;

fs.rmSync(workDir, { recursive: true, force: true });
fs.mkdirSync(workDir, { recursive: true });

let seed = 0x5eed;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const randomBytes = (n) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
const entry = (seq, origin = 'local') => ({ seq, origin, blob: randomBytes(1 + Math.floor(rand() * 300)) });
const sameEntries = (got, want) => {
  assert.equal(got.length, want.length, 'entry count');
  got.forEach((g, i) => {
    assert.equal(g.seq, want[i].seq);
    assert.equal(g.origin, want[i].origin);
    assert.ok(g.blob instanceof Uint8Array, 'blob is a Uint8Array');
    assert.deepEqual([...g.blob], [...want[i].blob], `entry ${i} bytes`);
  });
};

// name -> { open(): a fresh adapter on the same place, persistent }
const sqlitePath = (tag) => path.join(workDir, `${tag}.db`);
const adapters = {
  memory: { open: () => new MemoryStorage(), persistent: false },
  file: { open: (tag) => new FileStorage(path.join(workDir, `files-${tag}`)), persistent: true },
  sqlite: { open: (tag) => new SqliteStorage(new Database(sqlitePath(tag))), persistent: true },
};

for (const [label, a] of Object.entries(adapters)) {
  await check(`${label}: the adapter contract`, async () => {
    const s = a.open('contract');
    assert.equal(await s.load('nobody'), null, 'unknown id');
    const e1 = [entry(1), entry(2, 'relay:ws://x'), entry(3)];
    await s.append('doc/a:1', e1);
    // A view into a larger buffer is stored as exactly its bytes.
    const big = randomBytes(64);
    const view = { seq: 4, origin: 'peer:p', blob: big.subarray(10, 20) };
    await s.append('doc/a:1', [view]);
    const other = [entry(1, 'local')];
    await s.append('doc-b', other);
    let got = await s.load('doc/a:1');
    assert.equal(got.snapshot, null);
    sameEntries(got.entries, [...e1, { ...view, blob: big.slice(10, 20) }]);
    sameEntries((await s.load('doc-b')).entries, other);

    await s.saveMeta('doc/a:1', { nextSeq: 5, remotes: { r: { cursor: 'c1', sentThrough: 3 } } });
    const snap = randomBytes(500);
    await s.compact('doc/a:1', snap, [e1[2], view]);
    got = await s.load('doc/a:1');
    assert.deepEqual([...got.snapshot], [...snap], 'snapshot bytes');
    sameEntries(got.entries, [e1[2], { ...view, blob: big.slice(10, 20) }]);
    assert.deepEqual(got.meta, { nextSeq: 5, remotes: { r: { cursor: 'c1', sentThrough: 3 } } }, 'meta survives compaction');
    await s.append('doc/a:1', [entry(5)]);
    assert.equal((await s.load('doc/a:1')).entries.length, 3);

    // A document known only by its metadata loads (no snapshot, no entries).
    await s.saveMeta('meta-only', { nextSeq: 1 });
    assert.deepEqual(await s.load('meta-only'), { snapshot: null, entries: [], meta: { nextSeq: 1 } });

    if (a.persistent) {
      await s.close();
      const again = a.open('contract');
      const reread = await again.load('doc/a:1');
      assert.deepEqual([...reread.snapshot], [...snap], 'reopened snapshot');
      assert.equal(reread.entries.length, 3, 'reopened entries');
      assert.equal(reread.entries[2].seq, 5);
      sameEntries((await again.load('doc-b')).entries, other);
      await again.remove('doc/a:1');
      assert.equal(await again.load('doc/a:1'), null, 'removed');
      sameEntries((await again.load('doc-b')).entries, other);
      await again.close();
    } else {
      await s.remove('doc/a:1');
      assert.equal(await s.load('doc/a:1'), null, 'removed');
      await s.close();
    }
  });
}

await check('sqlite: a bad database argument or table prefix is a clear TypeError', async () => {
  assert.throws(() => new SqliteStorage(sqlitePath('x')), /needs an open better-sqlite3 Database/);
  assert.throws(() => new SqliteStorage(new Database(':memory:'), { prefix: 'x; DROP' }), /table prefix/);
  // Two stores with different prefixes share one file without seeing each other.
  const db = new Database(sqlitePath('shared'));
  const s1 = new SqliteStorage(db, { prefix: 'one_', closeDatabase: false });
  const s2 = new SqliteStorage(db, { prefix: 'two_' });
  await s1.append('d', [entry(1)]);
  assert.equal(await s2.load('d'), null);
  await s2.close();
  assert.equal(db.open, false, 'closeDatabase closes the database');
});

// Appends in a child process that reports each resolved append, killed with
// SIGKILL mid-stream: every reported append must be there after reopening.
for (const label of ['file', 'sqlite']) {
  await check(`${label}: an append that resolved survives SIGKILL`, async () => {
    const place = label === 'sqlite' ? sqlitePath('crash') : path.join(workDir, 'files-crash');
    const script = `
      import { createRequire } from 'node:module';
      const kit = await import(${JSON.stringify(pathToFileURL(path.join(kitDir, 'node.js')).href)});
      const Database = createRequire(${JSON.stringify(path.join(nodeModules, 'noop.js'))})('better-sqlite3');
      const s = ${JSON.stringify(label)} === 'sqlite' ? new kit.SqliteStorage(new Database(${JSON.stringify(place)}))
                                                     : new kit.FileStorage(${JSON.stringify(place)});
      console.log('ready');
      for (let seq = 1; ; seq++) {
        await s.append('crash-doc', [{ seq, origin: 'local', blob: new Uint8Array(200).fill(seq & 255) }]);
        console.log('appended ' + seq);
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const { exited } = await startChild(child, /appended 40\n/, `${label} appender`);
    child.kill('SIGKILL');
    const { out, signal } = await exited;
    assert.equal(signal, 'SIGKILL');
    const reported = Math.max(...[...out.matchAll(/appended (\d+)/g)].map((m) => Number(m[1])));
    const s = adapters[label].open('crash');
    const got = await s.load('crash-doc');
    assert.ok(got.entries.length >= reported, `${got.entries.length} entries stored, ${reported} reported durable`);
    got.entries.forEach((e, i) => {
      assert.equal(e.seq, i + 1, 'no gap');
      assert.ok(e.blob.every((b) => b === (e.seq & 255)), `entry ${e.seq} intact`);
    });
    await s.close();
  });
}

await check('sqlite: a Repo with frequent compaction reopens equal, two documents in one file', async () => {
  const file = sqlitePath('repo');
  const repo = new Repo({ storage: new SqliteStorage(new Database(file)), peerId: 'a', compactEvery: 8 });
  const h1 = await repo.find('room-1', RoomState);
  const h2 = await repo.find('room-2', RoomState);
  for (let i = 0; i < 60; i++) {
    const h = i % 3 ? h1 : h2;
    h.change((d) => {
      switch (i % 4) {
        case 0: d.title.set(`title ${i}`); break;
        case 1: d.members.add(`m${i % 5}`); break;
        case 2: d.topic.insert(d.topic.length(), `t${i} `); break;
        case 3: d.messages.push({ author: `a${i}` }).content.insert(0, `hello ${i}`); break;
      }
    });
  }
  await repo.flush();
  const want1 = json(h1), want2 = json(h2);
  assert.notEqual(want1, want2);
  await repo.close();
  const reopened = new Repo({ storage: new SqliteStorage(new Database(file)), peerId: 'a2' });
  const r1 = await reopened.find('room-1', RoomState);
  const r2 = await reopened.find('room-2', RoomState);
  assert.equal(json(r1), want1, 'room-1 restored');
  assert.equal(json(r2), want2, 'room-2 restored');
  // Compaction ran: with no relay to wait for, storage folded the deltas.
  assert.ok(r1.entries.length < 40, `room-1 log compacted (${r1.entries.length} entries)`);
  await reopened.close();
});

finish();
