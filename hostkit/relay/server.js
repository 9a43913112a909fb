// hostkit/relay/server.js: the relay (relay role of hostkit/PROTOCOL.md), a
// Node WebSocket server (package `ws`) that stores and forwards opaque change
// blobs per document, so that replicas that are never online together sync.
//
// It never runs a module and never reads a blob: a document is an append-only
// log of records numbered 1, 2, 3... (the cursor), kept on disk in one
// record-log file per document. A client joins with the cursor it has
// applied and receives only newer records; uploads are appended, fsync'ed,
// then acknowledged and forwarded, so an ACK means "on disk". Each record
// remembers the uploading peer and its batch id, so a batch resent after a
// lost ACK is acknowledged again without being stored twice.
//
// Per connection, memory is bounded: forwarding reads records from the file
// and stops while more than `highWaterBytes` are unsent on the socket (a slow
// client falls behind on disk, not in memory). Input is checked by
// decodeFrame, tokens (tokens.js), a size limit, a token-bucket rate limit per
// connection and a byte quota per document, each refused with an ERROR whose
// code is in protocol.js. close() stops taking messages, closes every socket
// and the files: everything acknowledged is already on disk.
import fs from 'node:fs';
import path from 'node:path';
import { MSG, ERR, PROTOCOL_VERSION, encodeFrame, decodeFrame, ProtocolError, LIMITS } from '../src/protocol.js';
import { RecordLog } from '../src/node/record-log.js';
import { verifyToken } from '../src/node/tokens.js';
import { loadWs } from '../src/node/ws.js';

export const RELAY_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  maxMessageBytes: 1024 * 1024,          // one frame
  maxDocBytes: 256 * 1024 * 1024,        // one document's stored log
  messagesPerSecond: 200,                // per connection, sustained (burst: 2 s worth)
  bytesPerSecond: 8 * 1024 * 1024,       // per connection, sustained
  highWaterBytes: 1024 * 1024,           // unsent bytes per socket before forwarding pauses
  maxBatchBytes: 512 * 1024,             // one CHANGES frame of forwarded records
  fsync: true,
});

class DocLog {
  constructor(dir, id, fsync) {
    this.id = id;
    this.log = new RecordLog(path.join(dir, Buffer.from(id, 'utf8').toString('hex') + '.log'), { fsync }).open();
    this.subscribers = new Set();
    this.lastIds = new Map();  // peer -> highest batch id stored
    for (const r of this.log.records) this._noteIds(r.header);
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
  append(blobs, { peer, id, snapshots, conn }) {
    let seq = this.head;
    const added = this.log.append(blobs.map((blob, i) => ({
      header: { seq: ++seq, peer, id, ...(snapshots.has(i) ? { s: 1 } : {}) }, blob })));
    for (const e of added) e.conn = conn;  // in memory only: not forwarded back to its author
    this._noteIds({ peer, id });
    return seq;
  }
  /** Replaces records up to `cursor` by one snapshot record (a client's save()). */
  compact(cursor, snapshot) {
    const keep = this.log.records.filter((r) => r.header.seq > cursor)
      .map((r) => ({ header: r.header, blob: this.log.read(r) }));
    const head = { seq: cursor, s: 1, lastIds: Object.fromEntries(this.lastIds) };
    this.log.rewrite([{ header: head, blob: snapshot }, ...keep]);
  }
  close() { this.log.close(); }
}

/**
 * Starts a relay. Options: RELAY_DEFAULTS plus `dir` (required: where logs
 * live), and access control: `secret` (tokens from tokens.js), or
 * `authorize(doc, token) -> 'r' | 'rw' | null`, or `open: true` (anyone may
 * read and write: only for tests and local use). Resolves to
 * { url, port, close(), stats() }.
 */
export async function startRelay(options) {
  const o = { ...RELAY_DEFAULTS, ...options };
  if (!o.dir) throw new Error('startRelay: dir is required');
  let authorize = o.authorize;
  if (!authorize && o.secret) authorize = (doc, token) => verifyToken(o.secret, token, doc);
  if (!authorize && o.open) authorize = () => 'rw';
  if (!authorize) throw new Error('startRelay: give secret, authorize, or open: true');
  fs.mkdirSync(o.dir, { recursive: true });
  const { WebSocketServer } = await loadWs();
  const docs = new Map();
  const conns = new Set();
  const stats = { connections: 0, frames: 0, refused: 0, stored: 0, forwarded: 0 };
  let closing = false;
  let nextConnId = 1;

  const docLog = (id) => {
    let d = docs.get(id);
    if (!d) docs.set(id, (d = new DocLog(o.dir, id, o.fsync)));
    return d;
  };

  // The hard limit makes `ws` close the socket (1009) on frames far beyond the
  // limit before buffering them; frames between the two get a clear ERROR.
  const wss = new WebSocketServer({ host: o.host, port: o.port, maxPayload: o.maxMessageBytes * 4 + LIMITS.maxHeaderBytes });
  await new Promise((resolve, reject) => { wss.once('listening', resolve); wss.once('error', reject); });
  const port = wss.address().port;

  wss.on('connection', (ws) => {
    if (closing) { ws.close(1001, 'relay shutting down'); return; }
    const conn = { id: nextConnId++, ws, peer: null, joined: new Map(), unsent: 0,
                   tokens: o.messagesPerSecond * 2, bytes: o.bytesPerSecond * 2, refill: Date.now() };
    conns.add(conn);
    stats.connections++;
    const send = (type, header, parts) => {
      if (ws.readyState !== 1) return;
      const frame = encodeFrame(type, header, parts);
      conn.unsent += frame.byteLength;
      ws.send(frame, () => { conn.unsent -= frame.byteLength; if (conn.unsent < o.highWaterBytes) pumpAll(conn); });
    };
    const refuse = (code, message, extra = {}) => {
      stats.refused++;
      send(MSG.ERROR, { code, message: message.slice(0, LIMITS.maxTextLength), ...extra });
    };
    conn.send = send;
    ws.on('message', (data, isBinary) => {
      stats.frames++;
      if (closing) return refuse(ERR.SHUTTING_DOWN, 'relay is shutting down; send again after reconnecting');
      if (!isBinary) return refuse(ERR.MALFORMED, 'frames are binary');
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (!takeBudget(conn, bytes.byteLength)) {
        return refuse(ERR.RATE_LIMITED, `more than ${o.messagesPerSecond} messages or ${o.bytesPerSecond} bytes per second`,
          { retryAfterMs: 1000, ...peekDocAndId(bytes) });
      }
      let msg;
      try {
        msg = decodeFrame(bytes, { maxBytes: o.maxMessageBytes });
      } catch (e) {
        return refuse(e.code ?? ERR.MALFORMED, e.message, { limit: e.code === ERR.TOO_LARGE ? o.maxMessageBytes : undefined, ...peekDocAndId(bytes) });
      }
      try {
        handle(conn, msg, refuse);
      } catch (e) {
        // A disk error or a bug: refuse this message, keep serving others.
        refuse(ERR.REFUSED, `relay could not process the message: ${e.message}`);
        o.log?.error?.(`relay: ${e.stack}`);
      }
    });
    ws.on('close', () => {
      conns.delete(conn);
      for (const id of conn.joined.keys()) docs.get(id)?.subscribers.delete(conn);
    });
    ws.on('error', () => {});
    send(MSG.HELLO, { peer: 'relay', role: 'relay', protocol: PROTOCOL_VERSION, maxMessageBytes: o.maxMessageBytes });
  });

  function takeBudget(conn, size) {
    const now = Date.now();
    const dt = (now - conn.refill) / 1000;
    conn.refill = now;
    conn.tokens = Math.min(o.messagesPerSecond * 2, conn.tokens + dt * o.messagesPerSecond);
    conn.bytes = Math.min(o.bytesPerSecond * 2, conn.bytes + dt * o.bytesPerSecond);
    if (conn.tokens < 1 || conn.bytes < size) return false;
    conn.tokens -= 1;
    conn.bytes -= size;
    return true;
  }

  function handle(conn, { type, header, parts }, refuse) {
    if (type === MSG.HELLO) {
      if (header.role !== 'client') return refuse(ERR.UNSUPPORTED, `a relay serves clients, not a ${header.role}`);
      conn.peer = header.peer;
      return;
    }
    if (!conn.peer) return refuse(ERR.MALFORMED, 'HELLO must come first');
    const docId = header.doc;
    switch (type) {
      case MSG.SYNC: {
        const access = authorize(docId, header.token);
        if (access !== 'r' && access !== 'rw') return refuse(ERR.UNAUTHORIZED, `no valid token for ${docId}`, { doc: docId });
        const d = docLog(docId);
        const cursor = header.cursor ?? 0;
        if (cursor > d.head) return refuse(ERR.BAD_CURSOR, `cursor ${cursor} is past this relay's head ${d.head} for ${docId} (was its storage reset?)`, { doc: docId });
        conn.joined.set(docId, { access, cursor, syncedSent: false });
        d.subscribers.add(conn);
        pump(conn, d);
        return;
      }
      case MSG.CHANGES: {
        const sub = conn.joined.get(docId);
        if (!sub) return refuse(ERR.NOT_JOINED, `join ${docId} (SYNC with a token) before sending changes`, { doc: docId, id: header.id });
        if (sub.access !== 'rw') return refuse(ERR.UNAUTHORIZED, `token for ${docId} is read-only`, { doc: docId, id: header.id });
        if (header.id === undefined) return refuse(ERR.MALFORMED, 'CHANGES to a relay need an id', { doc: docId });
        const d = docLog(docId);
        if ((d.lastIds.get(conn.peer) ?? 0) >= header.id) {
          // Stored before (its ACK was lost): acknowledge again, store nothing.
          return conn.send(MSG.ACK, { doc: docId, id: header.id, cursor: d.head });
        }
        const size = parts.reduce((n, p) => n + p.byteLength, 0);
        if (d.log.bytes + size > o.maxDocBytes) {
          return refuse(ERR.DOC_FULL, `${docId} holds ${d.log.bytes} bytes; the limit is ${o.maxDocBytes} (clients compact it after syncing)`, { doc: docId, id: header.id });
        }
        if (!parts.length) return conn.send(MSG.ACK, { doc: docId, id: header.id, cursor: d.head });
        const seq = d.append(parts, { peer: conn.peer, id: header.id, snapshots: new Set(header.snapshots ?? []), conn: conn.id });
        stats.stored += parts.length;
        conn.send(MSG.ACK, { doc: docId, id: header.id, cursor: seq });
        for (const other of d.subscribers) pump(other, d);
        return;
      }
      case MSG.COMPACT: {
        const sub = conn.joined.get(docId);
        if (!sub || sub.access !== 'rw') return refuse(ERR.UNAUTHORIZED, `compacting ${docId} needs a read-write token`, { doc: docId });
        const d = docLog(docId);
        const first = d.log.records[0];
        if (header.cursor > d.head || !first || header.cursor <= first.header.seq) {
          return refuse(ERR.BAD_CURSOR, `nothing to compact in ${docId} up to ${header.cursor}`, { doc: docId });
        }
        if (parts[0].byteLength > o.maxDocBytes) return refuse(ERR.DOC_FULL, 'snapshot larger than the document quota', { doc: docId });
        d.compact(header.cursor, parts[0]);
        // Subscribers' positions are seqs, which compaction keeps: nothing to redo.
        return;
      }
      case MSG.LEAVE:
        conn.joined.delete(docId);
        docs.get(docId)?.subscribers.delete(conn);
        return;
      default:
        return refuse(ERR.UNSUPPORTED, `a relay does not take message type ${type}`, { doc: docId });
    }
  }

  function pumpAll(conn) {
    for (const id of conn.joined.keys()) { const d = docs.get(id); if (d) pump(conn, d); }
  }

  /** Sends `conn` the records of `d` after its cursor, while its socket has room. */
  function pump(conn, d) {
    const sub = conn.joined.get(d.id);
    if (!sub) return;
    const records = d.log.records;
    while (conn.unsent < o.highWaterBytes) {
      let i = d.after(sub.cursor);
      if (i >= records.length) break;
      const parts = [], snapshots = [];
      let bytes = 0, cursor = sub.cursor;
      for (; i < records.length && parts.length < LIMITS.maxParts; i++) {
        const r = records[i];
        if (parts.length && bytes + r.length > o.maxBatchBytes) break;
        cursor = r.header.seq;
        if (r.conn === conn.id) continue;  // its own upload
        if (r.header.s) snapshots.push(parts.length);
        parts.push(d.log.read(r));
        bytes += r.length;
      }
      sub.cursor = cursor;
      if (parts.length) {
        stats.forwarded += parts.length;
        conn.send(MSG.CHANGES, { doc: d.id, cursor, ...(snapshots.length ? { snapshots } : {}) }, parts);
      } else {
        conn.send(MSG.SYNCED, { doc: d.id, cursor, records: records.length });
      }
    }
    if (!sub.syncedSent && d.after(sub.cursor) >= records.length) {
      sub.syncedSent = true;
      conn.send(MSG.SYNCED, { doc: d.id, cursor: sub.cursor, records: records.length });
    }
  }

  async function close() {
    if (closing) return;
    closing = true;
    // Every message handled so far is on disk (handle() appends and fsyncs
    // before it acknowledges); tell clients why they are dropped, then close.
    for (const conn of conns) {
      conn.send(MSG.ERROR, { code: ERR.SHUTTING_DOWN, message: 'relay is shutting down; reconnect later', fatal: true });
      conn.ws.close(1001, 'relay shutting down');
    }
    await new Promise((resolve) => {
      const t = setTimeout(() => { for (const c of conns) c.ws.terminate(); }, 2000);
      wss.close(() => { clearTimeout(t); resolve(); });
    });
    for (const d of docs.values()) d.close();
    docs.clear();
  }

  return { url: `ws://${o.host}:${port}`, port, close, stats: () => ({ ...stats, docs: docs.size, open: conns.size }) };
}

/** Best effort: the doc and id of a frame that is refused before decoding, so the client knows which batch. */
function peekDocAndId(bytes) {
  try {
    const { header } = decodeFrame(bytes);
    const out = {};
    if (typeof header.doc === 'string') out.doc = header.doc;
    if (Number.isSafeInteger(header.id) && header.id >= 0) out.id = header.id;
    return out;
  } catch {
    if (bytes.byteLength < 6) return {};
    try {
      const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(2, true);
      if (len > LIMITS.maxHeaderBytes || 6 + len > bytes.byteLength) return {};
      const h = JSON.parse(new TextDecoder().decode(bytes.subarray(6, 6 + len)));
      const out = {};
      if (typeof h.doc === 'string' && h.doc.length <= LIMITS.maxDocIdLength && /^[A-Za-z0-9._~:@\/+=-]+$/.test(h.doc)) out.doc = h.doc;
      if (Number.isSafeInteger(h.id) && h.id >= 0) out.id = h.id;
      return out;
    } catch { return {}; }
  }
}
