// hostkit/src/node/storage-file.js: the kit's storage adapter for Node: one
// folder per document under a root directory.
//
//   <root>/<hex of the doc id>/snapshot.bin  a save() of the document (atomic rename)
//   <root>/<hex of the doc id>/changes.log   change blobs appended since (record-log.js)
//   <root>/<hex of the doc id>/meta.json     cursors and what each relay acknowledged
//
// The id is hex-encoded so that any valid doc id (which may hold '/' or ':')
// is one safe folder name. append() resolves after fsync, so a change the
// kit reports as stored survives a crash. Same contract as storage-memory.js.
import fs from 'node:fs';
import path from 'node:path';
import { RecordLog, writeFileAtomic } from './record-log.js';

export class FileStorage {
  constructor(root, { fsync = true } = {}) {
    this.root = root;
    this.fsync = fsync;
    this.logs = new Map();  // id -> open RecordLog
    fs.mkdirSync(root, { recursive: true });
  }
  _dir(id) { return path.join(this.root, Buffer.from(id, 'utf8').toString('hex')); }
  _log(id) {
    let log = this.logs.get(id);
    if (!log) {
      fs.mkdirSync(this._dir(id), { recursive: true });
      log = new RecordLog(path.join(this._dir(id), 'changes.log'), { fsync: this.fsync }).open();
      this.logs.set(id, log);
    }
    return log;
  }
  async load(id) {
    const dir = this._dir(id);
    if (!fs.existsSync(dir)) return null;
    const snapFile = path.join(dir, 'snapshot.bin');
    const snapshot = fs.existsSync(snapFile) ? new Uint8Array(fs.readFileSync(snapFile)) : null;
    const log = this._log(id);
    const entries = log.records.map((r) => ({ seq: r.header.seq, origin: r.header.origin, blob: log.read(r) }));
    let meta = {};
    try { meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')); } catch (e) { if (e.code !== 'ENOENT') throw e; }
    return { snapshot, entries, meta };
  }
  async append(id, entries) {
    this._log(id).append(entries.map((e) => ({ header: { seq: e.seq, origin: e.origin }, blob: e.blob })));
  }
  async compact(id, snapshot, keep) {
    // Snapshot first: a crash between the two steps leaves entries that the
    // snapshot already holds, which apply again as no-ops.
    writeFileAtomic(path.join(this._dir(id), 'snapshot.bin'), snapshot, { fsync: this.fsync });
    this._log(id).rewrite(keep.map((e) => ({ header: { seq: e.seq, origin: e.origin }, blob: e.blob })));
  }
  async saveMeta(id, meta) {
    fs.mkdirSync(this._dir(id), { recursive: true });
    writeFileAtomic(path.join(this._dir(id), 'meta.json'), JSON.stringify(meta), { fsync: this.fsync });
  }
  async remove(id) {
    this.logs.get(id)?.close();
    this.logs.delete(id);
    fs.rmSync(this._dir(id), { recursive: true, force: true });
  }
  async close() {
    for (const log of this.logs.values()) log.close();
    this.logs.clear();
  }
}
