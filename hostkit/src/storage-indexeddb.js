// hostkit/src/storage-indexeddb.js: the kit's storage adapter for browsers,
// on IndexedDB. Same contract as storage-memory.js.
//
// One database (default name "dolc-hostkit") with three object stores:
//   snapshots  key: doc id          value: Uint8Array (a save())
//   entries    key: [doc id, seq]   value: { origin, blob }   (deltas since the snapshot)
//   meta       key: doc id          value: the handle's metadata object
// compact() replaces the snapshot and deletes the folded entries in one
// transaction, so a reload sees either the old or the new state. Every
// method resolves when its transaction has completed (IndexedDB's
// "complete" event: the browser has committed it).
const STORES = ['snapshots', 'entries', 'meta'];

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}
function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export class IndexedDBStorage {
  /** @param {string} [name] database name; @param {IDBFactory} [factory] indexedDB (globalThis.indexedDB by default) */
  constructor(name = 'dolc-hostkit', factory = globalThis.indexedDB) {
    if (!factory) throw new Error('IndexedDBStorage needs indexedDB (a browser, or pass a factory)');
    this.name = name;
    this.db = new Promise((resolve, reject) => {
      const req = factory.open(name, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('snapshots')) db.createObjectStore('snapshots');
        if (!db.objectStoreNames.contains('entries')) db.createObjectStore('entries');
        if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error(`IndexedDB ${name} is blocked by another tab holding an older version`));
    });
  }

  async _tx(mode) {
    const db = await this.db;
    return db.transaction(STORES, mode);
  }

  async load(id) {
    const tx = await this._tx('readonly');
    const range = IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);
    const [snapshot, keys, values, meta] = await Promise.all([
      request(tx.objectStore('snapshots').get(id)),
      request(tx.objectStore('entries').getAllKeys(range)),
      request(tx.objectStore('entries').getAll(range)),
      request(tx.objectStore('meta').get(id)),
    ]);
    if (snapshot === undefined && !keys.length && meta === undefined) return null;
    return {
      snapshot: snapshot ? new Uint8Array(snapshot) : null,
      entries: keys.map((k, i) => ({ seq: k[1], origin: values[i].origin, blob: new Uint8Array(values[i].blob) })),
      meta: meta ?? {},
    };
  }

  async append(id, entries) {
    const tx = await this._tx('readwrite');
    const store = tx.objectStore('entries');
    for (const e of entries) store.put({ origin: e.origin, blob: e.blob }, [id, e.seq]);
    await done(tx);
  }

  async compact(id, snapshot, keep) {
    const tx = await this._tx('readwrite');
    tx.objectStore('snapshots').put(snapshot, id);
    const entries = tx.objectStore('entries');
    entries.delete(IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]));
    for (const e of keep) entries.put({ origin: e.origin, blob: e.blob }, [id, e.seq]);
    await done(tx);
  }

  async saveMeta(id, meta) {
    const tx = await this._tx('readwrite');
    tx.objectStore('meta').put(meta, id);
    await done(tx);
  }

  async remove(id) {
    const tx = await this._tx('readwrite');
    tx.objectStore('snapshots').delete(id);
    tx.objectStore('meta').delete(id);
    tx.objectStore('entries').delete(IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]));
    await done(tx);
  }

  async close() { (await this.db).close(); }
}
