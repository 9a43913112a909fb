// hostkit/src/node/storage-sqlite.js: the kit's storage adapter on SQLite,
// through better-sqlite3 (12.x). Same contract as storage-memory.js; for apps
// that already keep their data in one SQLite file, or that hold many small
// documents (one folder and three files per document, as FileStorage does,
// costs inodes and open files; here a document is a few rows).
//
// The app opens the database and passes it in, so the kit neither depends on
// nor resolves better-sqlite3 itself (it is an optional peer dependency):
//
//   import Database from 'better-sqlite3';
//   const storage = new SqliteStorage(new Database('app.db'));
//
// Tables (created if absent; `prefix` lets several stores share one file):
//   <prefix>docs(id TEXT PRIMARY KEY, snapshot BLOB, meta TEXT)
//   <prefix>entries(doc TEXT, seq INTEGER, origin TEXT, blob BLOB, PRIMARY KEY(doc, seq))
//
// Durability: the database runs in WAL mode with synchronous=FULL, so each
// append()'s transaction is on disk when its promise resolves, like
// FileStorage's fsync. compact() replaces the snapshot and drops the folded
// entries in one transaction: a crash leaves either the old pair or the new
// one, never a snapshot with entries missing.
export class SqliteStorage {
  /**
   * @param db an open better-sqlite3 Database (the caller owns its path and options)
   * @param options.prefix table name prefix (letters, digits, `_`), default `dolc_`
   * @param options.closeDatabase close `db` in close() (default true)
   */
  constructor(db, { prefix = 'dolc_', closeDatabase = true } = {}) {
    if (!db || typeof db.prepare !== 'function' || typeof db.transaction !== 'function') {
      throw new TypeError('SqliteStorage needs an open better-sqlite3 Database: new SqliteStorage(new Database(path))');
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) {
      throw new TypeError(`SqliteStorage: table prefix ${JSON.stringify(prefix)} must be letters, digits and '_'`);
    }
    this.db = db;
    this.closeDatabase = closeDatabase;
    if (!db.memory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const docs = `${prefix}docs`, entries = `${prefix}entries`;
    db.exec(`CREATE TABLE IF NOT EXISTS ${docs} (id TEXT PRIMARY KEY, snapshot BLOB, meta TEXT NOT NULL DEFAULT '{}');
             CREATE TABLE IF NOT EXISTS ${entries} (doc TEXT NOT NULL, seq INTEGER NOT NULL, origin TEXT, blob BLOB NOT NULL,
                                                   PRIMARY KEY (doc, seq)) WITHOUT ROWID;`);
    const q = (sql) => db.prepare(sql);
    this.sql = {
      doc: q(`SELECT snapshot, meta FROM ${docs} WHERE id = ?`),
      entries: q(`SELECT seq, origin, blob FROM ${entries} WHERE doc = ? ORDER BY seq`),
      ensureDoc: q(`INSERT OR IGNORE INTO ${docs} (id) VALUES (?)`),
      // OR REPLACE: an entry appended again after a crash between a compact's
      // snapshot and the caller learning of it is the same change; keep one.
      append: q(`INSERT OR REPLACE INTO ${entries} (doc, seq, origin, blob) VALUES (?, ?, ?, ?)`),
      setSnapshot: q(`UPDATE ${docs} SET snapshot = ? WHERE id = ?`),
      clearEntries: q(`DELETE FROM ${entries} WHERE doc = ?`),
      setMeta: q(`UPDATE ${docs} SET meta = ? WHERE id = ?`),
      removeDoc: q(`DELETE FROM ${docs} WHERE id = ?`),
    };
    this.appendTx = db.transaction((id, list) => {
      this.sql.ensureDoc.run(id);
      for (const e of list) this.sql.append.run(id, e.seq, e.origin ?? null, toBuffer(e.blob));
    });
    this.compactTx = db.transaction((id, snapshot, keep) => {
      this.sql.ensureDoc.run(id);
      this.sql.setSnapshot.run(toBuffer(snapshot), id);
      this.sql.clearEntries.run(id);
      for (const e of keep) this.sql.append.run(id, e.seq, e.origin ?? null, toBuffer(e.blob));
    });
    this.metaTx = db.transaction((id, json) => {
      this.sql.ensureDoc.run(id);
      this.sql.setMeta.run(json, id);
    });
    this.removeTx = db.transaction((id) => {
      this.sql.clearEntries.run(id);
      this.sql.removeDoc.run(id);
    });
  }

  async load(id) {
    const row = this.sql.doc.get(id);
    const rows = this.sql.entries.all(id);
    if (!row && rows.length === 0) return null;
    const entries = rows.map((r) => ({ seq: r.seq, origin: r.origin ?? undefined, blob: toBytes(r.blob) }));
    return { snapshot: row && row.snapshot ? toBytes(row.snapshot) : null, entries, meta: row ? JSON.parse(row.meta) : {} };
  }
  async append(id, entries) { this.appendTx(id, entries); }
  async compact(id, snapshot, keep) { this.compactTx(id, snapshot, keep); }
  async saveMeta(id, meta) { this.metaTx(id, JSON.stringify(meta)); }
  async remove(id) { this.removeTx(id); }
  async close() { if (this.closeDatabase && this.db.open) this.db.close(); }
}

// better-sqlite3 binds Buffers as BLOBs (a plain Uint8Array too, but a view
// into a larger buffer must be bound as exactly its bytes) and returns Buffers;
// the kit hands Uint8Arrays around, so copy out to a plain one.
function toBuffer(bytes) { return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength); }
function toBytes(buf) { return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)); }
