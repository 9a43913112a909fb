// hostkit/src/relay-client.js: a repo's connection to a relay (client mode of
// PROTOCOL.md) over a WebSocket, with reconnection.
//
// The relay cannot read blobs, so it cannot compare versions: its "version"
// of a document is a cursor, the number of the last record of its log. Per
// document this side keeps, in the handle's stored meta under this relay's
// key: `cursor` (the relay's records up to there are applied here) and
// `sentThrough` (the local deltas up to that seq are stored on the relay).
// Joining sends the cursor, so the relay sends only newer records; uploads
// start after sentThrough, so nothing the relay acknowledged is sent again.
// Deltas that came from this relay are never uploaded back.
//
// Memory per document: at most `window` unacknowledged batches of at most
// `maxBatchBytes`; the deltas themselves stay in the handle's log.
import { MSG, ERR, PROTOCOL_VERSION, encodeFrame, decodeFrame, ProtocolError, copyBytes } from './protocol.js';
import { Emitter } from './repo.js';

export class RelayConnection extends Emitter {
  /**
   * @param {Repo} repo
   * @param {object} o
   * @param {string|string[]} o.url    ws:// or wss:// address of the relay, or of several relays
   *                                   sharing one store (Redis): reconnects go to the next one
   * @param {string} [o.name]          the key under which cursors are stored (default: the url list);
   *                                   relays sharing a store must be given under one name
   * @param {Function} [o.WebSocket]   constructor (globalThis.WebSocket in browsers; `ws` in Node)
   * @param {string|Function} [o.token] token for every doc, or (docId) => token | Promise<token>
   * @param {object} [o.sealer]        end-to-end encryption (crypto.js): blobs are sealed before upload
   */
  constructor(repo, { url, name, WebSocket = globalThis.WebSocket, token, sealer, window = 4, maxBatchBytes = 256 * 1024,
                      compactAfter = 1000, reconnect = true, minBackoffMs = 50, maxBackoffMs = 5000 } = {}) {
    super();
    this.kind = 'relay';
    if (!WebSocket) throw new Error('RelayConnection needs a WebSocket constructor (pass { WebSocket } from the "ws" package in Node)');
    this.repo = repo;
    this.urls = Array.isArray(url) ? url : [url];
    if (!this.urls.length) throw new Error('RelayConnection needs a url');
    this.urlIndex = 0;
    this.url = this.urls[0];
    this.key = 'relay:' + (name ?? this.urls.join(','));
    this.WebSocket = WebSocket;
    this.token = token;
    this.sealer = sealer;
    this.window = window;
    this.maxBatchBytes = maxBatchBytes;
    this.compactAfter = compactAfter;
    this.reconnect = reconnect;
    this.minBackoffMs = minBackoffMs;
    this.maxBackoffMs = maxBackoffMs;
    this.backoff = minBackoffMs;
    this.docs = new Map();        // id -> per-document state (see _state)
    this.socket = null;
    this.open = false;            // HELLO exchanged
    this.closed = false;
    this.relayMaxMessageBytes = Infinity;
    this.timers = new Set();
    this._chain = Promise.resolve();  // incoming messages, one at a time (decrypting is async)
    repo.attach(this);
    this._connect();
  }

  // ---- connection lifecycle ------------------------------------------------
  _connect() {
    if (this.closed) return;
    this.url = this.urls[this.urlIndex];
    const ws = new this.WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.socket = ws;
    ws.onopen = () => {
      this._send(MSG.HELLO, { peer: this.repo.peerId, role: 'client', protocol: PROTOCOL_VERSION });
    };
    ws.onmessage = (ev) => {
      const data = ev.data instanceof ArrayBuffer ? new Uint8Array(ev.data) : ev.data;
      this._chain = this._chain.then(() => this._onFrame(data)).catch((e) => this.emit('error', e));
    };
    ws.onclose = (ev) => {
      if (this.socket !== ws) return;
      this.socket = null;
      const wasOpen = this.open;
      this.open = false;
      for (const st of this.docs.values()) { st.joined = false; st.synced = false; st.inflight.clear(); }
      this.emit('disconnect', { code: ev.code, reason: ev.reason, wasOpen, url: this.url });
      this.urlIndex = (this.urlIndex + 1) % this.urls.length;  // fail over to the next relay
      if (!this.closed && this.reconnect) {
        const delay = this.backoff * (0.5 + Math.random());
        this.backoff = Math.min(this.maxBackoffMs, this.backoff * 2);
        this._timer(() => this._connect(), delay);
      }
    };
    ws.onerror = () => {};  // onclose follows and handles it
  }

  _timer(fn, ms) {
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
  }

  /** Connects again now (after drop() with reconnect off, or to skip the backoff). */
  connect() { if (!this.closed && !this.socket) this._connect(); }

  /** Drops the connection now (as a network failure would); it reconnects unless closed. */
  drop() { this.socket?.close(4000, 'dropped by the app'); }

  close() {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.socket?.close(1000, 'client closing');
    this.repo.detach(this);
  }

  _send(type, header, parts) {
    if (!this.socket || this.socket.readyState !== 1) return false;
    this.socket.send(encodeFrame(type, header, parts));
    return true;
  }

  // ---- documents -----------------------------------------------------------
  _state(handle) {
    let st = this.docs.get(handle.id);
    if (!st) {
      handle.meta.remotes[this.key] ??= { cursor: 0, sentThrough: 0 };
      st = { handle, joined: false, synced: false, inflight: new Map(), queuedThrough: 0,
             rateLimitedUntil: 0, stopped: null, pumpScheduled: false };
      this.docs.set(handle.id, st);
    }
    return st;
  }
  remote(st) { return st.handle.meta.remotes[this.key]; }

  addDoc(handle) {
    const st = this._state(handle);
    if (this.open) this._join(st);
  }

  async _join(st) {
    if (st.stopped) return;
    const token = typeof this.token === 'function' ? await this.token(st.handle.id) : this.token;
    st.queuedThrough = this.remote(st).sentThrough;
    this._send(MSG.SYNC, { doc: st.handle.id, cursor: this.remote(st).cursor, ...(token ? { token } : {}) });
    st.joined = true;
    this._pump(st);
  }

  /** From the repo: a delta was recorded. */
  onDelta(handle, entry) {
    if (entry.origin === this.key) return;
    const st = this.docs.get(handle.id);
    if (!st) return;
    const strategy = this.repo.policy.strategy;
    if (strategy === 'eager') this._schedulePump(st, 0);
    else if (strategy === 'lazy') this._schedulePump(st, this.repo.policy.lazyIntervalMs);
    // on_demand: waits for sync()
  }

  /** Sends every pending change now (the only way changes leave with strategy on_demand). */
  sync() { for (const st of this.docs.values()) this._pump(st, true); }

  /** Resolves when every delta recorded so far is acknowledged by the relay and its backlog applied. */
  whenSynced(docId, { timeoutMs = 10000 } = {}) {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        const st = this.docs.get(docId);
        if (st?.stopped) return reject(st.stopped);
        if (st && st.synced && st.inflight.size === 0 && !this._pending(st).length) return resolve();
        if (Date.now() - started > timeoutMs) return reject(new Error(`${docId}: not synced with ${this.url} after ${timeoutMs} ms`));
        this._timer(check, 10);
      };
      check();
    });
  }

  _schedulePump(st, ms) {
    if (st.pumpScheduled) return;
    st.pumpScheduled = true;
    const run = () => { st.pumpScheduled = false; this._pump(st, true); };
    if (ms === 0) queueMicrotask(run); else this._timer(run, ms);
  }

  _pending(st) {
    const from = Math.max(st.queuedThrough, this.remote(st).sentThrough);
    return st.handle.entries.filter((e) => e.seq > from && e.origin !== this.key);
  }

  async _pump(st, force = false) {
    if (!this.open || !st.joined || st.stopped || st.pumping) return;
    if (!force && this.repo.policy.strategy === 'on_demand') return;
    const wait = st.rateLimitedUntil - Date.now();
    if (wait > 0) { this._schedulePump(st, wait); return; }
    st.pumping = true;
    try {
      const remote = this.remote(st);
      if (remote.needsSnapshot && st.inflight.size === 0) {
        // Our log was compacted before this relay got it all: send the whole document once.
        const through = st.handle.entries.length ? st.handle.entries[st.handle.entries.length - 1].seq : st.handle.meta.nextSeq - 1;
        const blob = await this._seal(st.handle.id, st.handle.doc.save());
        st.inflight.set(through, { through, snapshotFlag: true });
        st.queuedThrough = through;
        this._send(MSG.CHANGES, { doc: st.handle.id, id: through, snapshots: [0] }, [blob]);
      }
      while (!remote.needsSnapshot && st.inflight.size < this.window) {
        const pending = this._pending(st);
        if (!pending.length) break;
        // A batch stays under the relay's announced frame limit (less room for
        // the header and, with a sealer, 30 bytes per blob), so only a single
        // delta larger than the limit can be refused as too_large.
        const limit = Math.min(this.maxBatchBytes, this.relayMaxMessageBytes - 2048);
        const batch = [];
        let bytes = 0;
        for (const e of pending) {
          if (batch.length && bytes + e.blob.byteLength + 30 > limit) break;
          batch.push(e);
          bytes += e.blob.byteLength + 30;
        }
        const through = batch[batch.length - 1].seq;
        const parts = [];
        for (const e of batch) parts.push(await this._seal(st.handle.id, e.blob));
        if (!this.open || !st.joined) return;
        // The id is the last local seq of the batch: increasing across restarts,
        // so the relay can recognise a batch it stored but whose ACK was lost.
        st.inflight.set(through, { through });
        st.queuedThrough = through;
        this._send(MSG.CHANGES, { doc: st.handle.id, id: through }, parts);
      }
      const last = st.handle.entries[st.handle.entries.length - 1];
      if (st.inflight.size === 0 && last && last.seq > remote.sentThrough && !this._pending(st).length) {
        // Only deltas that came from this relay are left: nothing to send, so
        // the relay holds everything up to here (and storage may fold it).
        remote.sentThrough = last.seq;
        st.handle.saveMeta();
      }
    } finally {
      st.pumping = false;
    }
  }

  async _seal(docId, blob) { return this.sealer ? this.sealer.seal(docId, blob) : blob; }
  async _open(docId, blob) { return this.sealer ? this.sealer.open(docId, blob) : blob; }

  // ---- incoming --------------------------------------------------------------
  async _onFrame(data) {
    let msg;
    try {
      msg = decodeFrame(data);
    } catch (e) {
      // A relay that sends garbage is broken or hostile: say so and reconnect.
      this.emit('error', e);
      this.socket?.close(4002, 'malformed frame from relay');
      return;
    }
    const { type, header, parts } = msg;
    if (type === MSG.HELLO) {
      if (header.role !== 'relay') { this.emit('error', new ProtocolError(ERR.UNSUPPORTED, `expected a relay, got a ${header.role}`)); return; }
      this.open = true;
      this.backoff = this.minBackoffMs;
      this.relayMaxMessageBytes = header.maxMessageBytes ?? Infinity;
      this.emit('connect', { relay: header.peer });
      for (const st of this.docs.values()) this._join(st);
      return;
    }
    if (type === MSG.ERROR) return this._onError(header);
    const st = header.doc ? this.docs.get(header.doc) : undefined;
    if (!st) return;  // a doc we left: ignore
    const remote = this.remote(st);
    switch (type) {
      case MSG.CHANGES: {
        const snaps = new Set(header.snapshots ?? []);
        for (let i = 0; i < parts.length; i++) {
          try {
            const plain = await this._open(st.handle.id, copyBytes(parts[i]));
            st.handle.applyRemote(plain, this.key, { snapshot: snaps.has(i) });
          } catch (error) {
            // Refused bytes (tampered, another schema, corrupt): the document is
            // unchanged; report it and go on, or the same record would block
            // this document on every reconnect.
            this.emit('refused', { doc: st.handle.id, cursor: header.cursor, error });
          }
        }
        if (header.cursor !== undefined && header.cursor > remote.cursor) {
          remote.cursor = header.cursor;
          st.handle.saveMeta();
        }
        break;
      }
      case MSG.SYNCED:
        if (header.cursor > remote.cursor) { remote.cursor = header.cursor; st.handle.saveMeta(); }
        if (!st.synced) {
          st.synced = true;
          this.emit('synced', { doc: st.handle.id, cursor: header.cursor });
          if ((header.records ?? 0) > this.compactAfter) this._compact(st, header.cursor);
        }
        break;
      case MSG.ACK: {
        const sent = st.inflight.get(header.id);
        if (!sent) break;
        st.inflight.delete(header.id);
        if (sent.through > remote.sentThrough) remote.sentThrough = sent.through;
        if (sent.snapshotFlag) remote.needsSnapshot = false;
        st.handle.saveMeta();
        this.emit('ack', { doc: st.handle.id, id: header.id, cursor: header.cursor });
        await this._pump(st, true);
        st.handle.compactIfDue();
        break;
      }
      default:
        this.emit('error', new ProtocolError(ERR.UNSUPPORTED, `unexpected ${type} from relay`));
    }
  }

  async _compact(st, cursor) {
    // Only when this side holds all the relay has (cursor is the head), so the
    // save covers every record it replaces.
    if (this.remote(st).cursor !== cursor) return;
    const blob = await this._seal(st.handle.id, st.handle.doc.save());
    this._send(MSG.COMPACT, { doc: st.handle.id, cursor }, [blob]);
  }

  _onError(h) {
    const err = new ProtocolError(h.code, h.message);
    err.doc = h.doc;
    const st = h.doc ? this.docs.get(h.doc) : undefined;
    if (st && (h.code === ERR.RATE_LIMITED || h.code === ERR.UNAVAILABLE || h.code === ERR.REJOIN)) {
      // A batch was not stored, and the relay refuses this document's later
      // batches on this connection until it joins again. After the pause the
      // relay asked for: join again, and resend everything after the last
      // acknowledged batch (ACKs still on their way only spare a resend).
      st.rateLimitedUntil = Date.now() + (h.retryAfterMs ?? 1000);
      st.joined = false;
      st.inflight.clear();
      st.queuedThrough = this.remote(st).sentThrough;
      if (!st.rejoinScheduled) {
        st.rejoinScheduled = true;
        this._timer(() => { st.rejoinScheduled = false; if (this.open && !st.joined) this._join(st); }, h.retryAfterMs ?? 1000);
      }
      if (h.code === ERR.REJOIN) return;  // follows a refusal already reported
    } else if (st && h.code === ERR.TOO_LARGE && h.id !== undefined) {
      // One delta is larger than the relay takes. Not retried (the same bytes
      // would be refused again) and not skipped (later changes may depend on
      // it): this document stops uploading to this relay, and the app hears
      // why. The change stays in local storage and still syncs with peers.
      st.inflight.delete(h.id);
      st.stopped = err;
    } else if (st && (h.code === ERR.UNAUTHORIZED || h.code === ERR.DOC_FULL || h.code === ERR.NOT_JOINED)) {
      st.stopped = err;
      st.inflight.clear();
    }
    this.emit('error', err);
  }
}
