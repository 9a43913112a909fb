// hostkit/src/protocol.js: the wire format of the dolc sync protocol
// (hostkit/PROTOCOL.md), shared by the kit (browsers and Node) and the relay.
//
// A frame is [u8 protocol version][u8 message type][u32 LE header length]
// [header: UTF-8 JSON object][parts: opaque byte strings, lengths in
// header.sizes]. Parts carry what the generated modules produce (change
// blobs, versions, saves) and are never looked into here: their format
// belongs to runtime-wasm/FORMAT.md and may change independently.
//
// decodeFrame() is the one gate for bytes from the network: it checks every
// length against the bytes present and every header field against the
// message type's schema, and throws ProtocolError (with a stable `code`) on
// anything else, so callers can answer with an ERROR message and change
// nothing. It uses only Uint8Array/DataView/TextDecoder, so the same code runs
// in browsers and Node.

export const PROTOCOL_VERSION = 1;

// Message types. Numbers are part of the wire format: never renumber.
export const MSG = Object.freeze({
  HELLO: 1,    // who I am, and which role I play (peer | client | relay)
  ERROR: 2,    // a refused message or a fatal condition
  SYNC: 3,     // peer mode: my version of doc (parts[0]); client mode: JOIN with cursor
  CHANGES: 4,  // change blobs (parts) for doc, numbered by id (sender) / cursor (relay)
  ACK: 5,      // the receiver applied/stored CHANGES `id`; peer mode: parts[0] = its version now
  SYNCED: 6,   // relay: the backlog of doc up to `cursor` has been sent
  LEAVE: 7,    // stop syncing doc on this connection
  COMPACT: 8,  // client -> relay: parts[0] is a save() covering the log up to `cursor`
});
const TYPE_NAMES = Object.fromEntries(Object.entries(MSG).map(([k, v]) => [v, k]));
export const messageTypeName = (type) => TYPE_NAMES[type] ?? `type ${type}`;

// Limits every implementation enforces on input, whatever larger values a
// relay is configured with: they bound the work one frame can cause.
export const LIMITS = Object.freeze({
  maxHeaderBytes: 16 * 1024,
  maxParts: 4096,
  maxDocIdLength: 256,
  maxTokenLength: 4096,
  maxPeerIdLength: 128,
  maxTextLength: 1024,
});

// Stable error codes (ERROR.code). Clients branch on these, humans read `message`.
export const ERR = Object.freeze({
  MALFORMED: 'malformed',          // the frame does not decode
  UNSUPPORTED: 'unsupported',      // protocol version or message type unknown
  UNAUTHORIZED: 'unauthorized',    // no or wrong token for this doc / access
  TOO_LARGE: 'too_large',          // message or blob above the relay's limit
  RATE_LIMITED: 'rate_limited',    // too many messages or bytes per second
  DOC_FULL: 'doc_full',            // the doc's stored log reached its quota
  NOT_JOINED: 'not_joined',        // CHANGES/COMPACT for a doc not joined on this connection
  REFUSED: 'refused',              // the document refused the bytes (apply/merge threw)
  BAD_CURSOR: 'bad_cursor',        // a cursor beyond the relay's head, or a stale compaction
  MAX_PEERS: 'max_peers',          // sync_policy max_peers reached
  SHUTTING_DOWN: 'shutting_down',  // relay stops; reconnect later
  UNAVAILABLE: 'unavailable',      // the relay's store failed (e.g. Redis away); send again after retryAfterMs
  REJOIN: 'rejoin',                // an earlier batch of this doc was refused: SYNC again, then resend
});

export class ProtocolError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

// ---- header schemas -------------------------------------------------------
// Each field: [kind, required]. Unknown header keys are ignored (a later minor
// revision may add optional keys); missing required or mistyped keys refuse
// the frame.
const DOC_ID = /^[A-Za-z0-9._~:@\/+=-]+$/;
const isNat = (v) => Number.isSafeInteger(v) && v >= 0;
const checks = {
  doc: (v) => typeof v === 'string' && v.length > 0 && v.length <= LIMITS.maxDocIdLength && DOC_ID.test(v),
  nat: isNat,
  token: (v) => typeof v === 'string' && v.length <= LIMITS.maxTokenLength,
  peer: (v) => typeof v === 'string' && v.length > 0 && v.length <= LIMITS.maxPeerIdLength,
  text: (v) => typeof v === 'string' && v.length <= LIMITS.maxTextLength,
  role: (v) => v === 'peer' || v === 'client' || v === 'relay',
  bool: (v) => typeof v === 'boolean',
  natList: (v) => Array.isArray(v) && v.length <= LIMITS.maxParts && v.every(isNat),
};
const SCHEMAS = {
  [MSG.HELLO]: { peer: ['peer', true], role: ['role', true], protocol: ['nat', true], maxMessageBytes: ['nat', false] },
  [MSG.ERROR]: { code: ['text', true], message: ['text', true], doc: ['doc', false], id: ['nat', false],
                 fatal: ['bool', false], retryAfterMs: ['nat', false], limit: ['nat', false] },
  [MSG.SYNC]: { doc: ['doc', true], token: ['token', false], cursor: ['nat', false] },
  [MSG.CHANGES]: { doc: ['doc', true], id: ['nat', false], cursor: ['nat', false], snapshots: ['natList', false] },
  [MSG.ACK]: { doc: ['doc', true], id: ['nat', true], cursor: ['nat', false] },
  [MSG.SYNCED]: { doc: ['doc', true], cursor: ['nat', true], records: ['nat', false] },
  [MSG.LEAVE]: { doc: ['doc', true] },
  [MSG.COMPACT]: { doc: ['doc', true], cursor: ['nat', true] },
};
// How many parts each type carries: [min, max].
const PART_COUNTS = {
  [MSG.HELLO]: [0, 0], [MSG.ERROR]: [0, 0], [MSG.SYNC]: [0, 1], [MSG.CHANGES]: [0, LIMITS.maxParts],
  [MSG.ACK]: [0, 1], [MSG.SYNCED]: [0, 0], [MSG.LEAVE]: [0, 0], [MSG.COMPACT]: [1, 1],
};

export function isValidDocId(id) { return checks.doc(id); }

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes one message. `header` must fit its type's schema (checked, so a bug here never reaches a peer). */
export function encodeFrame(type, header = {}, parts = []) {
  const schema = SCHEMAS[type];
  if (!schema) throw new ProtocolError(ERR.UNSUPPORTED, `cannot encode unknown message type ${type}`);
  const h = { ...header };
  if (parts.length) h.sizes = parts.map((p) => p.byteLength);
  validateHeader(type, h, parts.length);
  const json = encoder.encode(JSON.stringify(h));
  let total = 6 + json.byteLength;
  for (const p of parts) total += p.byteLength;
  const out = new Uint8Array(total);
  out[0] = PROTOCOL_VERSION;
  out[1] = type;
  new DataView(out.buffer).setUint32(2, json.byteLength, true);
  out.set(json, 6);
  let at = 6 + json.byteLength;
  for (const p of parts) { out.set(p, at); at += p.byteLength; }
  return out;
}

/**
 * Decodes one frame from the network. Returns { type, header, parts } where
 * parts are views into `bytes` (copy them to keep them past the buffer's life).
 * Throws ProtocolError on anything malformed; `maxBytes` refuses larger frames first.
 */
export function decodeFrame(bytes, { maxBytes = Infinity } = {}) {
  if (!(bytes instanceof Uint8Array)) {
    if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
    else throw new ProtocolError(ERR.MALFORMED, 'a frame must be binary');
  }
  if (bytes.byteLength > maxBytes) {
    throw new ProtocolError(ERR.TOO_LARGE, `message of ${bytes.byteLength} bytes exceeds the limit of ${maxBytes} bytes`);
  }
  if (bytes.byteLength < 6) throw new ProtocolError(ERR.MALFORMED, `frame of ${bytes.byteLength} bytes is shorter than its 6-byte prefix`);
  if (bytes[0] !== PROTOCOL_VERSION) {
    throw new ProtocolError(ERR.UNSUPPORTED, `protocol version ${bytes[0]} is not supported (this side speaks ${PROTOCOL_VERSION})`);
  }
  const type = bytes[1];
  if (!SCHEMAS[type]) throw new ProtocolError(ERR.UNSUPPORTED, `unknown message type ${type}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(2, true);
  if (headerLength > LIMITS.maxHeaderBytes) {
    throw new ProtocolError(ERR.MALFORMED, `header of ${headerLength} bytes exceeds ${LIMITS.maxHeaderBytes}`);
  }
  if (6 + headerLength > bytes.byteLength) throw new ProtocolError(ERR.MALFORMED, 'header runs past the end of the frame');
  let header;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(6, 6 + headerLength)));
  } catch (e) {
    throw new ProtocolError(ERR.MALFORMED, `header is not UTF-8 JSON: ${e.message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new ProtocolError(ERR.MALFORMED, 'header is not a JSON object');
  }
  const sizes = header.sizes ?? [];
  if (!checks.natList(sizes)) throw new ProtocolError(ERR.MALFORMED, 'header.sizes is not a list of part lengths');
  validateHeader(type, header, sizes.length);
  const parts = [];
  let at = 6 + headerLength;
  for (const size of sizes) {
    if (size > bytes.byteLength - at) throw new ProtocolError(ERR.MALFORMED, 'a part runs past the end of the frame');
    parts.push(bytes.subarray(at, at + size));
    at += size;
  }
  if (at !== bytes.byteLength) throw new ProtocolError(ERR.MALFORMED, `${bytes.byteLength - at} trailing bytes after the last part`);
  delete header.sizes;
  return { type, header, parts };
}

function validateHeader(type, header, partCount) {
  const name = messageTypeName(type);
  for (const [key, [kind, required]] of Object.entries(SCHEMAS[type])) {
    const v = header[key];
    if (v === undefined) {
      if (required) throw new ProtocolError(ERR.MALFORMED, `${name}: missing header field "${key}"`);
    } else if (!checks[kind](v)) {
      throw new ProtocolError(ERR.MALFORMED, `${name}: header field "${key}" is not a valid ${kind}`);
    }
  }
  const [min, max] = PART_COUNTS[type];
  if (partCount < min || partCount > max) {
    throw new ProtocolError(ERR.MALFORMED, `${name}: ${partCount} parts, expected ${min}..${max}`);
  }
  if (type === MSG.CHANGES && header.snapshots) {
    for (const i of header.snapshots) {
      if (i >= partCount) throw new ProtocolError(ERR.MALFORMED, 'CHANGES: snapshot index past the last part');
    }
  }
}

/** Byte equality, for comparing opaque versions without reading them. */
export function sameBytes(a, b) {
  if (a === b) return true;
  if (!a || !b || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A copy that owns its memory (frames are decoded as views into a shared buffer). */
export const copyBytes = (b) => new Uint8Array(b);
