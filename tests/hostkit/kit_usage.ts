// tests/hostkit/kit_usage.ts: a typed app using the host kit with the
// generated chat module; `tsc --strict` must accept it (run_tsc_kit.sh), and
// the @ts-expect-error lines must be errors, so the .d.ts files stay precise.
import { Repo, MemoryStorage, RelayConnection, PeerConnection, portLink, policyFromSchema, createSealer, ERR } from './hostkit/index.js';
import { FileStorage, SqliteStorage, startRelay, issueToken, nodeWebSocket } from './hostkit/node.js';
import type { SqliteDatabaseLike } from './hostkit/node.js';
import { RoomState } from './chat.js';

export async function app(schemaJson: unknown): Promise<string | undefined> {
  const repo = new Repo({ storage: new FileStorage('/tmp/unused'), policy: policyFromSchema(schemaJson, { gene: 'room.state' }) });
  const handle = await repo.find('room-1', RoomState);
  handle.change((doc) => doc.title.set('typed'));
  handle.on('change', (e) => { if (e.remote) console.log('from', e.origin); });
  const relay = await startRelay({ dir: '/tmp/unused-relay', secret: 'x'.repeat(20), maxMessageBytes: 1 << 20 });
  const conn = new RelayConnection(repo, {
    url: relay.url, WebSocket: await nodeWebSocket(),
    token: (doc) => issueToken('x'.repeat(20), { doc, access: 'rw' }),
    sealer: await createSealer(await createSealer.generateKey()),
  });
  conn.on('error', (e) => { if ('code' in e && e.code === ERR.UNAUTHORIZED) console.log('no access'); });
  await conn.whenSynced('room-1', { timeoutMs: 1000 });
  const ch = new MessageChannel();
  new PeerConnection(new Repo({ storage: new MemoryStorage() }), portLink(ch.port1));
  // @ts-expect-error: title holds a string
  handle.change((doc) => doc.title.set(5));
  // @ts-expect-error: find needs a document class
  await repo.find('room-2', {});
  return handle.doc.title.get();
}

// SQLite storage on a database the app opened (better-sqlite3's Database fits SqliteDatabaseLike).
export function sqliteRepo(db: SqliteDatabaseLike): Repo {
  const repo = new Repo({ storage: new SqliteStorage(db, { prefix: 'app_', closeDatabase: false }) });
  // @ts-expect-error: a path is not a database; the app opens it
  new SqliteStorage('/tmp/app.db');
  return repo;
}
