// hostkit/src/repo.js: the repository of documents an app holds, by id.
//
// A DocHandle wraps one document of any generated class (it only calls the
// public API: version, changesSince, apply, merge, save, static load). Every
// way the document changes, a local edit or bytes from a connection, ends
// in record(): the handle takes `changesSince(version before)`, the exact
// delta, appends it to storage and hands it to every connection except the
// one it came from. Comparing versions byte for byte (never reading them) is
// how the handle tells a real change from a duplicate, which also stops echo
// loops between peers.
//
// Storage holds a snapshot (save()) plus the deltas appended since; once
// `compactEvery` deltas have piled up and every relay acknowledged them, they
// are folded into a new snapshot. sync_policy (policy.js) supplies defaults.
import { sameBytes } from './protocol.js';
import { MemoryStorage } from './storage-memory.js';
import { DEFAULT_POLICY } from './policy.js';

/** A small event emitter that works the same in browsers and Node. */
export class Emitter {
  constructor() { this._listeners = new Map(); }
  on(event, fn) {
    if (!this._listeners.has(event)) this._listeners.set(event, new Set());
    this._listeners.get(event).add(fn);
    return () => this.off(event, fn);
  }
  off(event, fn) { this._listeners.get(event)?.delete(fn); }
  once(event, fn) { const off = this.on(event, (...a) => { off(); fn(...a); }); return off; }
  emit(event, ...args) {
    for (const fn of [...(this._listeners.get(event) ?? [])]) {
      try { fn(...args); } catch (e) { queueMicrotask(() => { throw e; }); }  // a listener's bug must not break sync
    }
  }
}

const randomPeerId = () => 'peer-' + Math.random().toString(36).slice(2, 10) + Date.now().toString(36);

export class Repo extends Emitter {
  /**
   * @param {object} o
   * @param {object} [o.storage]  a storage adapter (MemoryStorage, FileStorage, ...)
   * @param {object} [o.policy]   sync policy (policyFromSchema); defaults to eager, persistent
   * @param {string} [o.peerId]   this replica's name on the wire; keep it stable across restarts
   *                              so a relay recognises resent batches
   * @param {number} [o.compactEvery]  deltas in storage before folding them into a snapshot
   */
  constructor({ storage, policy = {}, peerId = randomPeerId(), compactEvery = 256, maxLogEntries } = {}) {
    super();
    this.policy = { ...DEFAULT_POLICY, ...policy };
    if (!storage) {
      if (this.policy.offlineStorage === 'persistent' && policy.offlineStorage) {
        throw new Error('sync_policy offline_storage: persistent needs a storage adapter (FileStorage in Node, IndexedDB in browsers); pass { storage }');
      }
      storage = new MemoryStorage();
    }
    this.storage = storage;
    this.peerId = peerId;
    this.compactEvery = compactEvery;
    this.maxLogEntries = maxLogEntries ?? compactEvery * 8;
    this.handles = new Map();      // id -> Promise<DocHandle>
    this.opened = new Map();       // id -> DocHandle, once loaded
    this.connections = new Set();  // connections attached with repo.attach
    this.closed = false;
  }

  /** The handle of document `id` of class DocClass: loaded from storage, or created empty. */
  find(id, DocClass) {
    if (this.closed) throw new Error('repo is closed');
    let p = this.handles.get(id);
    if (!p) {
      p = DocHandle._open(this, id, DocClass);
      this.handles.set(id, p);
      p.then((h) => {
        this.opened.set(id, h);
        for (const c of this.connections) c.addDoc(h);
      }, () => this.handles.delete(id));
    }
    return p.then((h) => {
      if (h.DocClass !== DocClass) throw new Error(`document ${id} is open as ${h.DocClass.name}, not ${DocClass.name}`);
      return h;
    });
  }

  /** Open handles (resolved). */
  async openHandles() { return Promise.all([...this.handles.values()]); }

  /** Called by connections: start syncing every open document over `conn`. */
  attach(conn) {
    this.connections.add(conn);
    for (const p of this.handles.values()) p.then((h) => conn.addDoc(h), () => {});
  }
  detach(conn) { this.connections.delete(conn); }
  peerConnectionCount() { let n = 0; for (const c of this.connections) if (c.kind === 'peer') n++; return n; }

  /** Resolves when every storage write issued so far is done. */
  async flush() { await Promise.all((await this.openHandles()).map((h) => h.flush())); }

  /** Closes connections, writes everything, frees documents. */
  async close() {
    if (this.closed) return;
    for (const c of [...this.connections]) c.close();
    const handles = await this.openHandles();
    await Promise.all(handles.map((h) => h.flush()));
    this.closed = true;
    for (const h of handles) h.doc.free?.();
    await this.storage.close();
  }
}

export class DocHandle extends Emitter {
  constructor(repo, id, DocClass, doc, { entries, meta }) {
    super();
    this.repo = repo;
    this.id = id;
    this.DocClass = DocClass;
    this.doc = doc;
    this.entries = entries;          // deltas in storage since the snapshot: { seq, origin, blob }
    this.meta = meta;                // { nextSeq, remotes: { key: { cursor, sentThrough } } }
    this.meta.nextSeq ??= entries.length ? entries[entries.length - 1].seq + 1 : 1;
    this.meta.remotes ??= {};
    this._version = doc.version();
    this._io = Promise.resolve();    // storage writes, in order
    this._ioError = null;
  }

  static async _open(repo, id, DocClass) {
    const stored = await repo.storage.load(id);
    let doc;
    if (stored?.snapshot) doc = DocClass.load(stored.snapshot);
    else doc = new DocClass();
    for (const e of stored?.entries ?? []) {
      // A stored delta the module now refuses (e.g. written by a newer schema
      // that this build cannot read) is reported, not fatal: the rest opens.
      try { doc.apply(e.blob); } catch (err) { repo.emit('error', { doc: id, error: err, during: 'load' }); }
    }
    return new DocHandle(repo, id, DocClass, doc, { entries: stored?.entries ?? [], meta: stored?.meta ?? {} });
  }

  /** Runs fn(doc) and records what it changed. Returns fn's result. */
  change(fn) {
    try {
      return fn(this.doc);
    } finally {
      this.capture();
    }
  }

  /** Records edits made directly on handle.doc since the last capture (change() calls this). */
  capture() {
    const v = this.doc.version();
    if (sameBytes(v, this._version)) return false;
    const delta = this.doc.changesSince(this._version);
    this._version = v;
    this._record(delta, 'local');
    this.emit('change', { origin: 'local', remote: false });
    return true;
  }

  /**
   * Applies bytes that arrived from connection `origin` (changes, or a save when
   * `snapshot`). Throws the module's Error on refused bytes (nothing changes).
   * Returns true when the document changed.
   */
  applyRemote(bytes, origin, { snapshot = false } = {}) {
    this.capture();  // keep local edits made outside change() as their own delta
    const before = this._version;
    if (snapshot) this.doc.merge(bytes); else this.doc.apply(bytes);
    const v = this.doc.version();
    if (sameBytes(v, before)) return false;
    // The delta, not the received bytes: it also holds changes the module had
    // held back until these arrived, which other connections need as well.
    const delta = this.doc.changesSince(before);
    this._version = v;
    this._record(delta, origin);
    this.emit('change', { origin, remote: true });
    return true;
  }

  _record(blob, origin) {
    const entry = { seq: this.meta.nextSeq++, origin, blob };
    this.entries.push(entry);
    // Deltas of one turn of the event loop go to storage in one append (one
    // fsync in FileStorage, one transaction in IndexedDB).
    if (!this._toAppend) {
      this._toAppend = [];
      queueMicrotask(() => this._flushAppends());
    }
    this._toAppend.push(entry);
    for (const c of this.repo.connections) c.onDelta(this, entry);
    this.compactIfDue();
  }

  /** Folds stored deltas into a snapshot once enough have piled up (connections call it after ACKs). */
  compactIfDue() {
    if (this.entries.length >= this.repo.compactEvery) this._maybeCompact();
  }

  /**
   * Saves connection state (cursors, acknowledged seqs). Calls in one turn of
   * the event loop write once: a busy connection updates its cursor per frame.
   * The write is queued after the deltas recorded so far, so a stored cursor
   * never runs ahead of the stored changes it covers.
   */
  saveMeta() {
    if (this._metaQueued) return;
    this._metaQueued = true;
    queueMicrotask(() => this._writeMeta());
  }

  _flushAppends() {
    const entries = this._toAppend;
    if (!entries) return;
    this._toAppend = null;
    this._write((s) => s.append(this.id, entries));
  }

  _writeMeta() {
    this._flushAppends();  // metadata never gets ahead of the deltas it covers
    if (!this._metaQueued) return;
    this._metaQueued = false;
    const meta = structuredClone(this.meta);
    this._write((s) => s.saveMeta(this.id, meta));
  }

  _write(op) {
    this._io = this._io.then(() => op(this.repo.storage)).catch((error) => {
      this._ioError = error;
      this.repo.emit('error', { doc: this.id, error, during: 'storage' });
    });
  }

  /**
   * The seq up to which every relay has what the log holds: entries it
   * acknowledged (sentThrough) or that came from it in the first place.
   */
  _uploadedThrough() {
    let min = Infinity;
    for (const [key, r] of Object.entries(this.meta.remotes)) {
      let covered = r.sentThrough ?? 0;
      for (const e of this.entries) {
        if (e.seq <= covered) continue;
        if (e.origin !== key) break;
        covered = e.seq;
      }
      min = Math.min(min, covered);
    }
    return min;
  }

  _maybeCompact() {
    let through = Math.min(this._uploadedThrough(), this.entries[this.entries.length - 1].seq);
    if (this.entries.length >= this.repo.maxLogEntries) {
      // A relay that has been away a long time: fold everything anyway, and
      // send it the whole save() when it comes back (bounded storage wins).
      through = this.entries[this.entries.length - 1].seq;
      for (const r of Object.values(this.meta.remotes)) if ((r.sentThrough ?? 0) < through) r.needsSnapshot = true;
      this.saveMeta();
    }
    const folded = this.entries.filter((e) => e.seq <= through).length;
    if (folded < this.repo.compactEvery / 2) return;
    this._flushAppends();  // the compaction below replaces what these would append to
    const keep = this.entries.filter((e) => e.seq > through);
    const snapshot = this.doc.save();
    this.entries = keep;
    this._write((s) => s.compact(this.id, snapshot, keep));
  }

  /** Resolves when this document's storage writes issued so far are done. */
  async flush() {
    this._writeMeta();
    await this._io;
    if (this._ioError) throw this._ioError;
  }

  toJSON() { return this.doc.toJSON(); }
}
