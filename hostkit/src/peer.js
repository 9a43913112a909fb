// hostkit/src/peer.js: a repo's connection to another repo that runs the same
// module (peer mode of PROTOCOL.md): two tabs over a MessageChannel, every tab
// of an origin over a BroadcastChannel, or any pair of ports.
//
// Both sides can read documents, so they sync the way the module is built to:
// each sends SYNC with its version(); the other answers with
// changesSince(that version), exactly what is missing; from then on each
// delta is sent live and acknowledged with the receiver's version. The
// sender keeps only the last version it heard (`theirVersion`) and a count of
// unacknowledged messages per document: when `window` are in flight (a slow
// or stalled peer), further deltas are not queued; one catch-up,
// changesSince(theirVersion), goes out when an ACK arrives. Memory per peer is
// thus a version and a counter per document, whatever the peer does. A new
// connection starts again with SYNC, so nothing the other side already has is
// sent twice after a reconnect.
import { MSG, ERR, PROTOCOL_VERSION, encodeFrame, decodeFrame, ProtocolError, copyBytes } from './protocol.js';
import { Emitter } from './repo.js';

const MAX_UNOPENED = 1024;

export class PeerConnection extends Emitter {
  /**
   * @param {Repo} repo
   * @param {object} link  { send(Uint8Array), close(), onmessage: (Uint8Array) => void, onclose: () => void }
   */
  constructor(repo, link, { window = 8, maxMessageBytes = 64 * 1024 * 1024 } = {}) {
    super();
    this.kind = 'peer';
    this.repo = repo;
    this.link = link;
    this.window = window;
    this.maxMessageBytes = maxMessageBytes;
    this.remotePeer = null;
    this.key = null;          // 'peer:<id>' once HELLO arrived: the origin of deltas from it
    this.docs = new Map();    // id -> { handle, theirVersion, sentSync, ready, inflight, dirty, nextId }
    this.unopened = 0;        // docs announced by the peer that are not open here
    this.closed = false;
    link.onmessage = (bytes) => this._onFrame(bytes);
    link.onclose = () => this._closed();
    if (repo.peerConnectionCount() >= repo.policy.maxPeers) {
      this._send(MSG.ERROR, { code: ERR.MAX_PEERS, message: `this replica already syncs with ${repo.policy.maxPeers} peers (sync_policy max_peers)`, fatal: true });
      this.closed = true;
      link.close();
      return;
    }
    repo.attach(this);
    this._send(MSG.HELLO, { peer: repo.peerId, role: 'peer', protocol: PROTOCOL_VERSION });
  }

  close() {
    if (this.closed) return;
    this.link.close();
    this._closed();
  }

  _closed() {
    if (this.closed) return;
    this.closed = true;
    this.repo.detach(this);
    this.emit('disconnect', {});
  }

  _send(type, header, parts) {
    if (this.closed && type !== MSG.ERROR) return;
    this.link.send(encodeFrame(type, header, parts));
  }

  _state(handle) {
    let st = this.docs.get(handle.id);
    if (!st) {
      st = { handle, theirVersion: null, sentSync: false, ready: false, inflight: 0, dirty: false, nextId: 1, flushScheduled: false };
      this.docs.set(handle.id, st);
    }
    if (!st.handle) { st.handle = handle; this.unopened--; }
    return st;
  }

  addDoc(handle) {
    const st = this._state(handle);
    if (this.key && !st.sentSync) this._sendSync(st);
    if (st.theirVersion && !st.ready) this._answerSync(st);  // they asked before we opened it
  }

  _sendSync(st) {
    st.sentSync = true;
    this._send(MSG.SYNC, { doc: st.handle.id }, [st.handle.doc.version()]);
  }

  _answerSync(st) {
    st.ready = true;
    this._sendChanges(st, st.handle.doc.changesSince(st.theirVersion));
    this.emit('synced', { doc: st.handle.id });
  }

  _sendChanges(st, blob) {
    st.inflight++;
    this._send(MSG.CHANGES, { doc: st.handle.id, id: st.nextId++ }, [blob]);
  }

  onDelta(handle, entry) {
    if (entry.origin === this.key) return;  // it came from this peer
    const st = this.docs.get(handle.id);
    if (!st || !st.ready) return;            // SYNC will carry it
    const strategy = this.repo.policy.strategy;
    if (strategy === 'eager' && st.inflight < this.window && !st.dirty) this._sendChanges(st, entry.blob);
    else {
      st.dirty = true;
      if (strategy === 'lazy') this._scheduleFlush(st);
    }
  }

  _scheduleFlush(st) {
    if (st.flushScheduled) return;
    st.flushScheduled = true;
    setTimeout(() => { st.flushScheduled = false; this._flush(st); }, this.repo.policy.lazyIntervalMs);
  }

  /** One message with everything the peer lacks, from the last version it acknowledged. */
  _flush(st) {
    if (this.closed || !st.ready || !st.dirty || st.inflight >= this.window) return;
    st.dirty = false;
    this._sendChanges(st, st.handle.doc.changesSince(st.theirVersion));
  }

  /** Sends every pending change now (strategy on_demand sends nothing otherwise). */
  sync() { for (const st of this.docs.values()) this._flush(st); }

  _onFrame(bytes) {
    if (this.closed) return;
    let msg;
    try {
      msg = decodeFrame(bytes, { maxBytes: this.maxMessageBytes });
    } catch (e) {
      // Refuse and say why; the connection and every document stay as they were.
      this._send(MSG.ERROR, { code: e.code ?? ERR.MALFORMED, message: e.message });
      this.emit('error', e);
      return;
    }
    const { type, header, parts } = msg;
    if (type === MSG.HELLO) {
      if (header.role !== 'peer') {
        this._send(MSG.ERROR, { code: ERR.UNSUPPORTED, message: `a ${header.role} cannot join a peer connection`, fatal: true });
        return this.close();
      }
      this.remotePeer = header.peer;
      this.key = 'peer:' + header.peer;
      this.emit('connect', { peer: header.peer });
      for (const st of this.docs.values()) if (st.handle && !st.sentSync) this._sendSync(st);
      return;
    }
    if (type === MSG.ERROR) {
      const err = new ProtocolError(header.code, header.message);
      this.emit('error', err);
      if (header.fatal) this.close();
      return;
    }
    if (!this.key) {
      this._send(MSG.ERROR, { code: ERR.MALFORMED, message: 'HELLO must come first' });
      return;
    }
    const docId = header.doc;
    switch (type) {
      case MSG.SYNC: {
        if (!parts.length) { this._send(MSG.ERROR, { code: ERR.MALFORMED, message: 'peer SYNC needs a version', doc: docId }); return; }
        let st = this.docs.get(docId);
        if (!st && this.repo.opened.has(docId)) st = this._state(this.repo.opened.get(docId));  // after a LEAVE
        if (!st) {
          // Not open here: remember the version (one per doc) and answer when
          // it opens; at most MAX_UNOPENED of them, so a peer announcing
          // endless ids cannot grow this side's memory.
          if (this.unopened >= MAX_UNOPENED) return;
          this.unopened++;
          st = { handle: null, theirVersion: copyBytes(parts[0]), sentSync: false, ready: false, inflight: 0, dirty: false, nextId: 1 };
          this.docs.set(docId, st);
          return;
        }
        st.theirVersion = copyBytes(parts[0]);
        if (st.handle) {
          if (!st.sentSync) this._sendSync(st);
          this._answerSync(st);
        }
        return;
      }
      case MSG.CHANGES: {
        const st = this.docs.get(docId);
        if (!st?.handle) { this._send(MSG.ERROR, { code: ERR.NOT_JOINED, message: `${docId} is not open here`, doc: docId, id: header.id }); return; }
        for (const part of parts) {
          try {
            st.handle.applyRemote(copyBytes(part), this.key);
          } catch (error) {
            this._send(MSG.ERROR, { code: ERR.REFUSED, message: String(error.message).slice(0, 1000), doc: docId, id: header.id });
            this.emit('refused', { doc: docId, error });
          }
        }
        if (header.id !== undefined) this._send(MSG.ACK, { doc: docId, id: header.id }, [st.handle.doc.version()]);
        return;
      }
      case MSG.ACK: {
        const st = this.docs.get(docId);
        if (!st?.handle) return;
        if (parts.length) st.theirVersion = copyBytes(parts[0]);
        st.inflight = Math.max(0, st.inflight - 1);
        this.emit('ack', { doc: docId, id: header.id });
        if (st.dirty && this.repo.policy.strategy === 'eager') this._flush(st);
        else if (st.dirty && this.repo.policy.strategy === 'lazy') this._scheduleFlush(st);
        return;
      }
      case MSG.LEAVE: {
        const st = this.docs.get(docId);
        if (st && !st.handle) this.unopened--;
        this.docs.delete(docId);
        return;
      }
      default:
        this._send(MSG.ERROR, { code: ERR.UNSUPPORTED, message: `${type} is not used between peers`, doc: docId });
    }
  }
}

/** A link over a MessagePort (MessageChannel, a worker, an iframe). */
export function portLink(port) {
  const link = {
    send: (bytes) => port.postMessage(bytes),
    close: () => { try { port.postMessage('close'); } catch {} port.close(); link.onclose?.(); },
  };
  port.onmessage = (ev) => {
    if (ev.data === 'close') { port.close(); link.onclose?.(); return; }
    link.onmessage?.(ev.data instanceof Uint8Array ? ev.data : new Uint8Array(ev.data));
  };
  return link;
}

/**
 * Connects every repo that joins the BroadcastChannel `name` (same-origin
 * tabs; Node threads) with every other: one PeerConnection per pair, made when
 * either announces itself. Returns { connections, close() }.
 */
export function joinBroadcastChannel(repo, name, options = {}) {
  const channel = new BroadcastChannel(name);
  const me = repo.peerId;
  const links = new Map();  // remote peer id -> link
  const connections = new Map();
  const open = (them) => {
    if (links.has(them)) return links.get(them);
    const link = {
      send: (bytes) => channel.postMessage({ from: me, to: them, frame: bytes }),
      close: () => { channel.postMessage({ from: me, to: them, bye: true }); links.delete(them); link.onclose?.(); },
    };
    links.set(them, link);
    connections.set(them, new PeerConnection(repo, link, options));
    return link;
  };
  channel.onmessage = (ev) => {
    const m = ev.data;
    if (!m || typeof m.from !== 'string' || m.from === me || (m.to && m.to !== me)) return;
    if (m.announce) { if (!links.has(m.from)) { open(m.from); channel.postMessage({ from: me, to: m.from, announce: true }); } return; }
    if (m.bye) { const l = links.get(m.from); links.delete(m.from); connections.delete(m.from); l?.onclose?.(); return; }
    if (m.frame instanceof Uint8Array) (links.get(m.from) ?? open(m.from)).onmessage?.(m.frame);
  };
  channel.postMessage({ from: me, announce: true });
  return {
    connections,
    close() {
      for (const c of connections.values()) c.close();
      channel.close();
    },
  };
}
