// hostkit/relay/server.js: the relay (relay role of hostkit/PROTOCOL.md), a
// Node WebSocket server (package `ws`) that stores and forwards opaque change
// blobs per document, so that replicas that are never online together sync.
//
// It never runs a module and never reads a blob: a document is an append-only
// log of records numbered 1, 2, 3... (the cursor), kept by a store: files on
// local disk (store-disk.js), or Redis (store-redis.js) so that several relay
// processes serve the same documents. A client joins with the cursor it has
// applied and receives only newer records; uploads are appended and made
// durable, then acknowledged, then forwarded (an ACK means "stored"). The
// store remembers each peer's highest batch id, so a batch resent after a
// lost ACK is acknowledged again without being stored twice.
//
// Messages of one connection are handled one at a time, in order (storing is
// async). Memory per connection is bounded: at most `maxPendingMessages`
// wait their turn (more are refused as rate_limited), and forwarding reads
// records from the store and pauses while more than `highWaterBytes` are
// unsent on the socket, so a slow client falls behind in the store, not in
// memory. Input is checked by decodeFrame, tokens (tokens.js), a size limit, a
// token-bucket rate limit per connection and a byte quota per document, each
// refused with an ERROR whose code is in protocol.js. close() stops taking
// messages, lets those already taken finish (and be acknowledged), then
// closes every socket: nothing acknowledged is lost.
import { MSG, ERR, PROTOCOL_VERSION, encodeFrame, decodeFrame, LIMITS } from '../src/protocol.js';
import { verifyToken } from '../src/node/tokens.js';
import { loadWs } from '../src/node/ws.js';
import { DiskStore } from './store-disk.js';
import { RedisStore } from './store-redis.js';

export const RELAY_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  maxMessageBytes: 1024 * 1024,          // one frame
  maxDocBytes: 256 * 1024 * 1024,        // one document's stored log
  messagesPerSecond: 200,                // per connection, sustained (burst: 2 s worth)
  bytesPerSecond: 8 * 1024 * 1024,       // per connection, sustained
  maxPendingMessages: 64,                // per connection, waiting for the store
  highWaterBytes: 1024 * 1024,           // unsent bytes per socket before forwarding pauses
  maxBatchBytes: 512 * 1024,             // one CHANGES frame of forwarded records
  fsync: true,
});

/**
 * Starts a relay. Options: RELAY_DEFAULTS plus the store: `dir` (files) or
 * `redis` (a redis:// URL; several relays may share it), and access control:
 * `secret` (tokens from tokens.js), or `authorize(doc, token) -> 'r' | 'rw' |
 * null`, or `open: true` (anyone may read and write: only for tests and local
 * use). Resolves to { url, port, close(), stats() }.
 */
export async function startRelay(options) {
  const o = { ...RELAY_DEFAULTS, ...options };
  if (!o.dir && !o.redis) throw new Error('startRelay: give dir (files) or redis (a redis:// URL)');
  let authorize = o.authorize;
  if (!authorize && o.secret) authorize = (doc, token) => verifyToken(o.secret, token, doc);
  if (!authorize && o.open) authorize = () => 'rw';
  if (!authorize) throw new Error('startRelay: give secret, authorize, or open: true');
  const store = o.redis ? await RedisStore.connect(o.redis) : new DiskStore(o.dir, { fsync: o.fsync });
  const { WebSocketServer } = await loadWs();
  const relayId = Math.random().toString(36).slice(2, 10);
  const subscribers = new Map();  // doc -> Set<conn>
  const conns = new Set();
  const stats = { connections: 0, frames: 0, refused: 0, stored: 0, forwarded: 0 };
  let closing = false;
  let nextConnId = 1;

  store.onAppend((doc) => { for (const c of subscribers.get(doc) ?? []) schedulePump(c, doc); });

  // The hard limit makes `ws` close the socket (1009) on frames far beyond the
  // limit before buffering them; frames between the two get a clear ERROR.
  const wss = new WebSocketServer({ host: o.host, port: o.port, maxPayload: o.maxMessageBytes * 4 + LIMITS.maxHeaderBytes });
  await new Promise((resolve, reject) => { wss.once('listening', resolve); wss.once('error', reject); });
  const port = wss.address().port;

  wss.on('connection', (ws) => {
    if (closing) { ws.close(1001, 'relay shutting down'); return; }
    const id = nextConnId++;
    // `blocked`: docs whose upload was refused on this connection. Later
    // batches of those docs are refused too until the client joins again, so
    // the stored batches never skip one (the per-peer batch id that dedupes
    // resends assumes every lower id is stored).
    const conn = { id, by: `${relayId}:${id}`, ws, peer: null, joined: new Map(), blocked: new Set(), unsent: 0, pending: 0,
                   chain: Promise.resolve(), tokens: o.messagesPerSecond * 2, bytes: o.bytesPerSecond * 2, refill: Date.now() };
    conns.add(conn);
    stats.connections++;
    conn.send = (type, header, parts) => {
      if (ws.readyState !== 1) return;
      const frame = encodeFrame(type, header, parts);
      conn.unsent += frame.byteLength;
      ws.send(frame, () => {
        conn.unsent -= frame.byteLength;
        if (conn.unsent < o.highWaterBytes) for (const doc of conn.joined.keys()) schedulePump(conn, doc);
      });
    };
    const refuse = (code, message, extra = {}) => {
      stats.refused++;
      conn.send(MSG.ERROR, { code, message: message.slice(0, LIMITS.maxTextLength), ...extra });
    };
    ws.on('message', (data, isBinary) => {
      stats.frames++;
      if (closing) return refuse(ERR.SHUTTING_DOWN, 'relay is shutting down; send again after reconnecting');
      if (!isBinary) return refuse(ERR.MALFORMED, 'frames are binary');
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (!takeBudget(conn, bytes.byteLength) || conn.pending >= o.maxPendingMessages) {
        const about = peekDocAndId(bytes);
        if (about.doc && bytes[1] === MSG.CHANGES) blockInOrder(conn, about.doc);
        return refuse(ERR.RATE_LIMITED, `more than ${o.messagesPerSecond} messages or ${o.bytesPerSecond} bytes per second`,
          { retryAfterMs: 1000, ...about });
      }
      let msg;
      try {
        msg = decodeFrame(bytes, { maxBytes: o.maxMessageBytes });
      } catch (e) {
        const about = peekDocAndId(bytes);
        if (about.doc && bytes[1] === MSG.CHANGES) blockInOrder(conn, about.doc);  // as for rate limits: no gaps
        return refuse(e.code ?? ERR.MALFORMED, e.message, { limit: e.code === ERR.TOO_LARGE ? o.maxMessageBytes : undefined, ...about });
      }
      conn.pending++;
      conn.chain = conn.chain.then(() => handle(conn, msg, refuse)).catch((e) => {
        // The store failed (Redis away too long, disk error): refuse this
        // message so the client sends it again later; keep serving.
        if (msg.type === MSG.CHANGES) conn.blocked.add(msg.header.doc);
        refuse(ERR.UNAVAILABLE, `relay could not store or read: ${e.message}`,
          { retryAfterMs: 1000, ...(msg.header.doc ? { doc: msg.header.doc } : {}), ...(msg.header.id !== undefined ? { id: msg.header.id } : {}) });
        o.log?.error?.(`relay: ${e.stack}`);
      }).finally(() => { conn.pending--; });
    });
    ws.on('close', () => {
      conns.delete(conn);
      for (const doc of conn.joined.keys()) subscribers.get(doc)?.delete(conn);
    });
    ws.on('error', () => {});
    conn.send(MSG.HELLO, { peer: 'relay-' + relayId, role: 'relay', protocol: PROTOCOL_VERSION, maxMessageBytes: o.maxMessageBytes });
  });

  // Blocks `doc` for `conn` after the messages already queued: a SYNC still
  // waiting its turn unblocks only what was refused before it.
  function blockInOrder(conn, doc) {
    conn.chain = conn.chain.then(() => { conn.blocked.add(doc); });
  }

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

  async function handle(conn, { type, header, parts }, refuse) {
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
        const cursor = header.cursor ?? 0;
        const head = await store.head(docId);
        if (cursor > head) return refuse(ERR.BAD_CURSOR, `cursor ${cursor} is past this relay's head ${head} for ${docId} (was its storage reset?)`, { doc: docId });
        conn.joined.set(docId, { access, cursor, syncedSent: false, pumping: false, again: false });
        conn.blocked.delete(docId);
        if (!subscribers.has(docId)) subscribers.set(docId, new Set());
        subscribers.get(docId).add(conn);
        schedulePump(conn, docId);
        return;
      }
      case MSG.CHANGES: {
        const sub = conn.joined.get(docId);
        if (!sub) return refuse(ERR.NOT_JOINED, `join ${docId} (SYNC with a token) before sending changes`, { doc: docId, id: header.id });
        if (sub.access !== 'rw') return refuse(ERR.UNAUTHORIZED, `token for ${docId} is read-only`, { doc: docId, id: header.id });
        if (header.id === undefined) return refuse(ERR.MALFORMED, 'CHANGES to a relay need an id', { doc: docId });
        if (conn.blocked.has(docId)) {
          return refuse(ERR.REJOIN, `an earlier batch of ${docId} was refused: join again (SYNC), then resend from the last acknowledged batch`,
            { doc: docId, id: header.id, retryAfterMs: 0 });
        }
        if (!parts.length) return conn.send(MSG.ACK, { doc: docId, id: header.id, cursor: await store.head(docId) });
        const r = await store.append(docId, parts, { peer: conn.peer, id: header.id, snapshots: new Set(header.snapshots ?? []),
                                                      by: conn.by, maxDocBytes: o.maxDocBytes });
        if (r.full !== undefined) {
          return refuse(ERR.DOC_FULL, `${docId} holds ${r.full} bytes; the limit is ${o.maxDocBytes} (clients compact it after syncing)`, { doc: docId, id: header.id });
        }
        if (!r.duplicate) stats.stored += parts.length;
        conn.send(MSG.ACK, { doc: docId, id: header.id, cursor: r.seq });
        return;
      }
      case MSG.COMPACT: {
        const sub = conn.joined.get(docId);
        if (!sub || sub.access !== 'rw') return refuse(ERR.UNAUTHORIZED, `compacting ${docId} needs a read-write token`, { doc: docId });
        if (parts[0].byteLength > o.maxDocBytes) return refuse(ERR.DOC_FULL, 'snapshot larger than the document quota', { doc: docId });
        // Subscribers' positions are seqs, which compaction keeps: nothing to redo.
        if (!(await store.compact(docId, header.cursor, parts[0]))) {
          return refuse(ERR.BAD_CURSOR, `nothing to compact in ${docId} up to ${header.cursor}`, { doc: docId });
        }
        return;
      }
      case MSG.LEAVE:
        conn.joined.delete(docId);
        subscribers.get(docId)?.delete(conn);
        return;
      default:
        return refuse(ERR.UNSUPPORTED, `a relay does not take message type ${type}`, { doc: docId });
    }
  }

  /** Runs pump() for (conn, doc), once at a time; a request while it runs makes it run again. */
  function schedulePump(conn, doc) {
    const sub = conn.joined.get(doc);
    if (!sub) return;
    if (sub.pumping) { sub.again = true; return; }
    sub.pumping = true;
    pump(conn, doc, sub).catch((e) => {
      o.log?.error?.(`relay: forwarding ${doc}: ${e.message}`);
      setTimeout(() => schedulePump(conn, doc), 500).unref();  // the store is away: try again
    }).finally(() => {
      sub.pumping = false;
      if (sub.again) { sub.again = false; schedulePump(conn, doc); }
    });
  }

  /** Sends `conn` the records of `doc` after its cursor, while its socket has room. */
  async function pump(conn, doc, sub) {
    let caughtUp = false;
    while (conn.unsent < o.highWaterBytes && conn.ws.readyState === 1 && conn.joined.get(doc) === sub) {
      const records = await store.read(doc, sub.cursor, { maxBytes: o.maxBatchBytes, maxRecords: 256 });
      if (!records.length) { caughtUp = true; break; }
      const parts = [], snapshots = [];
      for (const r of records) {
        if (r.by === conn.by) continue;  // its own upload
        if (r.snapshot) snapshots.push(parts.length);
        parts.push(r.blob);
      }
      sub.cursor = records[records.length - 1].seq;
      if (parts.length) {
        stats.forwarded += parts.length;
        conn.send(MSG.CHANGES, { doc, cursor: sub.cursor, ...(snapshots.length ? { snapshots } : {}) }, parts);
      } else {
        conn.send(MSG.SYNCED, { doc, cursor: sub.cursor });
      }
    }
    if (caughtUp && !sub.syncedSent) {
      sub.syncedSent = true;
      conn.send(MSG.SYNCED, { doc, cursor: sub.cursor, records: await store.count(doc) });
    }
  }

  async function close() {
    if (closing) return;
    closing = true;
    // Messages already taken finish first (their ACKs go out), then every
    // client hears why it is dropped.
    await Promise.all([...conns].map((c) => c.chain));
    for (const conn of conns) {
      conn.send(MSG.ERROR, { code: ERR.SHUTTING_DOWN, message: 'relay is shutting down; reconnect later', fatal: true });
      conn.ws.close(1001, 'relay shutting down');
    }
    await new Promise((resolve) => {
      const t = setTimeout(() => { for (const c of conns) c.ws.terminate(); }, 2000);
      wss.close(() => { clearTimeout(t); resolve(); });
    });
    await store.close();
  }

  return { url: `ws://${o.host}:${port}`, port, close,
           stats: () => ({ ...stats, open: conns.size, docs: subscribers.size }) };
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
