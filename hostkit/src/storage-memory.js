// hostkit/src/storage-memory.js: storage that lives as long as the process or
// tab. The reference for the storage adapter contract (hostkit/README.md,
// "Storage adapters"), used by tests and by a sync_policy whose
// offline_storage is not `persistent`.
//
// Contract, per document id (every method async):
//   load(id)             -> { snapshot: Uint8Array|null, entries: [{seq, origin, blob}], meta: {} } | null
//   append(id, entries)  appends change entries (durable when the promise resolves)
//   compact(id, snapshot, keep)  replaces the snapshot and keeps only `keep` entries
//   saveMeta(id, meta)   replaces the document's metadata (cursors, what a relay acknowledged)
//   remove(id), close()
export class MemoryStorage {
  constructor() { this.docs = new Map(); }
  async load(id) {
    const d = this.docs.get(id);
    if (!d) return null;
    return { snapshot: d.snapshot, entries: d.entries.slice(), meta: structuredClone(d.meta) };
  }
  _doc(id) {
    let d = this.docs.get(id);
    if (!d) this.docs.set(id, (d = { snapshot: null, entries: [], meta: {} }));
    return d;
  }
  async append(id, entries) { this._doc(id).entries.push(...entries); }
  async compact(id, snapshot, keep) { const d = this._doc(id); d.snapshot = snapshot; d.entries = keep.slice(); }
  async saveMeta(id, meta) { this._doc(id).meta = structuredClone(meta); }
  async remove(id) { this.docs.delete(id); }
  async close() {}
}
