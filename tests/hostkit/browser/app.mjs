// tests/hostkit/browser/app.mjs: a small app in a real browser page, driven by
// browser_test.mjs through window.app. It loads the generated chat module
// with load(fetch(...)), opens a Repo on IndexedDB (database named by the
// test, so two pages of one origin keep separate replicas) and connects it
// to the relay with the browser's own WebSocket, or (startTabs) to the other
// tabs of the origin with a BroadcastChannel.
import { Repo, RelayConnection, IndexedDBStorage, joinBroadcastChannel } from '/hostkit/index.js';
import { load, RoomState } from '/gen/chat.js';

const ready = load(fetch('/gen/chat.wasm'));
let repo, conn, handle;
const errors = [];
const remoteChanges = [];

window.app = {
  async start({ db, peerId, docId, relayUrl, token, connect = true }) {
    await ready;
    repo = new Repo({ storage: new IndexedDBStorage(db), peerId, compactEvery: 16 });
    handle = await repo.find(docId, RoomState);
    handle.on('change', (e) => { if (e.remote) remoteChanges.push(e.origin); });
    if (connect) this.connect(relayUrl, token);
    return handle.doc.toJSON();
  },
  /** Like start, but syncing with the other tabs of this origin over a BroadcastChannel, no relay. */
  async startTabs({ db, peerId, docId, channel }) {
    await ready;
    repo = new Repo({ storage: new IndexedDBStorage(db), peerId });
    handle = await repo.find(docId, RoomState);
    joinBroadcastChannel(repo, channel);
    return handle.doc.toJSON();
  },
  connect(relayUrl, token) {
    conn = new RelayConnection(repo, { url: relayUrl, WebSocket, token, minBackoffMs: 20, maxBackoffMs: 200 });
    conn.on('error', (e) => errors.push(String(e.code ?? '') + ' ' + e.message));
  },
  offline() { conn.reconnect = false; conn.drop(); },
  online() { conn.reconnect = true; conn.connect(); },
  isOpen: () => conn.open,
  edit(who, n) {
    for (let i = 0; i < n; i++) {
      handle.change((d) => {
        d.members.add(`${who}-${i}`);
        d.topic.insert(d.topic.length(), `${who}${i} `);
        d.readMarkers.set(who, BigInt(i));
      });
    }
    handle.change((d) => d.title.set(`last edit by ${who}`));
  },
  json: () => JSON.stringify(handle.doc.toJSON(), (k, v) => (typeof v === 'bigint' ? v.toString() : v)),
  whenSynced: () => conn.whenSynced(handle.id),
  flush: () => repo.flush(),
  stats: () => ({ errors, remoteChanges: remoteChanges.length, entries: handle.entries.length }),
};
window.appReady = true;
