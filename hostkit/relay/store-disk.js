// hostkit/relay/store-disk.js: the relay's storage on local disk: one
// record-log file per document (src/node/record-log.js), fsync'ed before an
// append resolves, so an ACK sent after it means "on disk". Appends are
// written at once (so numbering and dedupe stay in order) and made durable
// together: every append of one turn of the event loop waits for one
// fdatasync per touched file (group commit), and only then is it
// acknowledged and forwarded, so no client ever sees a record that a crash
// could take back.
//
// The store interface the relay uses (store-redis.js implements it too):
//   append(doc, blobs, {peer, id, snapshots, by, maxDocBytes}) -> {seq, duplicate} | {full: bytes}
//   read(doc, after, {maxBytes, maxRecords}) -> [{seq, blob, snapshot, by}]  (records after `after`)
//   head(doc) -> last seq (0: empty)      count(doc) -> number of records
//   compact(doc, cursor, snapshot) -> true, or false when there is nothing to replace
//   onAppend(fn): fn(doc, head) after every append (this relay's; Redis: every relay's)
//   close()
// All methods are async. `by` names the uploading connection ("relayId:connId")
// so forwarding can skip a client's own records.
import fs from 'node:fs';
import path from 'node:path';
import { RecordLog } from '../src/node/record-log.js';

class DocLog {
  constructor(dir, id, fsync) {
    this.log = new RecordLog(path.join(dir, Buffer.from(id, 'utf8').toString('hex') + '.log'), { fsync }).open();
    this.lastIds = new Map();  // peer -> highest batch id stored (dedupes batches resent after a lost ACK)
    for (const r of this.log.records) this._noteIds(r.header);
    this.durable = this.head;  // records up to here are fsync'ed: the only ones read or announced
  }
  _noteIds(h) {
    if (h.lastIds) for (const [p, id] of Object.entries(h.lastIds)) this.lastIds.set(p, Math.max(this.lastIds.get(p) ?? 0, id));
    if (h.peer !== undefined && h.id !== undefined) this.lastIds.set(h.peer, Math.max(this.lastIds.get(h.peer) ?? 0, h.id));
  }
  get head() { const r = this.log.records; return r.length ? r[r.length - 1].header.seq : 0; }
  /** Index of the first record with seq > cursor. */
  after(cursor) {
    const r = this.log.records;
    let lo = 0, hi = r.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (r[mid].header.seq <= cursor) lo = mid + 1; else hi = mid; }
    return lo;
  }
}

export class DiskStore {
  /** `maxOpenDocs`: logs kept open (a file descriptor and an index each); the least recently used close first. */
  constructor(dir, { fsync = true, maxOpenDocs = 512 } = {}) {
    this.dir = dir;
    this.fsync = fsync;
    this.maxOpenDocs = maxOpenDocs;
    this.docs = new Map();  // in order of last use
    this.listeners = [];
    this.unsynced = new Set();  // logs written since the last group commit
    this.commit = null;         // the pending group commit: a promise
    fs.mkdirSync(dir, { recursive: true });
  }
  _doc(id) {
    let d = this.docs.get(id);
    if (d) {
      this.docs.delete(id);  // move to the most recently used end
    } else {
      d = new DocLog(this.dir, id, this.fsync);
      if (this.docs.size >= this.maxOpenDocs) {
        const [oldest, log] = this.docs.entries().next().value;
        if (this.unsynced.has(log.log)) { log.log.sync(); this.unsynced.delete(log.log); }
        log.log.close();
        this.docs.delete(oldest);
      }
    }
    this.docs.set(id, d);
    return d;
  }
  onAppend(fn) { this.listeners.push(fn); }
  async head(id) { return this._doc(id).durable; }
  async count(id) { return this._doc(id).log.records.length; }

  async append(id, blobs, { peer, id: batchId, snapshots, by, maxDocBytes }) {
    const d = this._doc(id);
    if ((d.lastIds.get(peer) ?? 0) >= batchId) {
      await this._groupCommit();  // the first copy may still be on its way to disk
      return { seq: d.durable, duplicate: true };
    }
    const size = blobs.reduce((n, b) => n + b.byteLength, 0);
    if (d.log.bytes + size > maxDocBytes) return { full: d.log.bytes };
    let seq = d.head;
    d.log.append(blobs.map((blob, i) => ({ header: { seq: ++seq, peer, id: batchId, by, ...(snapshots.has(i) ? { s: 1 } : {}) }, blob })),
                 { sync: false });
    d._noteIds({ peer, id: batchId });
    this.unsynced.add(d.log);
    await this._groupCommit();
    d.durable = Math.max(d.durable, seq);
    for (const fn of this.listeners) fn(id, seq);
    return { seq, duplicate: false };
  }

  /** Resolves once everything written so far is fsync'ed: one fdatasync per file per turn. */
  _groupCommit() {
    if (!this.commit) {
      this.commit = new Promise((resolve, reject) => setImmediate(() => {
        this.commit = null;
        try {
          for (const log of this.unsynced) log.sync();
          this.unsynced.clear();
          resolve();
        } catch (e) { reject(e); }
      }));
    }
    return this.commit;
  }

  async read(id, after, { maxBytes, maxRecords }) {
    const d = this._doc(id);
    const out = [];
    let bytes = 0;
    for (let i = d.after(after); i < d.log.records.length && out.length < maxRecords; i++) {
      const r = d.log.records[i];
      if (r.header.seq > d.durable) break;  // written, not yet fsync'ed
      if (out.length && bytes + r.length > maxBytes) break;
      out.push({ seq: r.header.seq, blob: d.log.read(r), snapshot: !!r.header.s, by: r.header.by });
      bytes += r.length;
    }
    return out;
  }

  async compact(id, cursor, snapshot) {
    await this._groupCommit();  // the rewrite reads records back: let pending appends settle first
    const d = this._doc(id);
    const first = d.log.records[0];
    if (cursor > d.head || !first || cursor <= first.header.seq) return false;
    const keep = d.log.records.filter((r) => r.header.seq > cursor).map((r) => ({ header: r.header, blob: d.log.read(r) }));
    const head = { seq: cursor, s: 1, lastIds: Object.fromEntries(d.lastIds) };
    d.log.rewrite([{ header: head, blob: snapshot }, ...keep]);
    d.durable = d.head;
    return true;
  }

  async close() {
    await this._groupCommit();
    for (const d of this.docs.values()) d.log.close();
    this.docs.clear();
  }
}
