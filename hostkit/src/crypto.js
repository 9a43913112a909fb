// hostkit/src/crypto.js: end-to-end encryption of change blobs with AES-GCM
// (WebCrypto: the same code in browsers and Node), so a relay stores and
// forwards bytes it cannot read.
//
// Sealed blob: [u8 format = 1][u8 key id][12-byte random IV][AES-GCM ciphertext + 16-byte tag],
// with additional data "dolc-seal-v1:<doc id>", so a blob cannot be moved to
// another document. A tampered blob, one sealed under another key or for
// another document fails to open and is refused (the connection reports
// `refused`; the document is unchanged). So is a replayed blob: a sealer
// remembers the IVs of the blobs it opened, per document (AES-GCM IVs are
// random and never reused by a sealer, so an IV seen twice is the same blob
// delivered again, e.g. by a relay that resends old records). It remembers the
// last `rememberBlobs` (default 100,000) per document; a replay older than
// that opens, and applying it changes nothing (change blobs are idempotent).
//
// Key rotation: give createSealer several keys ({ 1: oldKey, 2: newKey },
// current: 2); new blobs are sealed with `current`, old ones still open by
// their key id. Once every replica has the new key, a client can re-seal
// history by compacting (its COMPACT save is sealed with the current key).
const subtleCrypto = async () => globalThis.crypto?.subtle ?? (await import('node:crypto')).webcrypto.subtle;
const randomBytes = async (n) => {
  const c = globalThis.crypto ?? (await import('node:crypto')).webcrypto;
  return c.getRandomValues(new Uint8Array(n));
};
const FORMAT = 1;
const aad = (docId) => new TextEncoder().encode('dolc-seal-v1:' + docId);

async function importKey(k) {
  if (k && typeof k === 'object' && k.type === 'secret') return k;  // a CryptoKey already
  const raw = k instanceof Uint8Array ? k : null;
  if (!raw || (raw.length !== 16 && raw.length !== 32)) throw new Error('a sealing key is a CryptoKey or 16/32 raw bytes');
  return (await subtleCrypto()).importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/**
 * A sealer for RelayConnection({ sealer }). `keys` is one key (id 1) or
 * { id: key } with ids 0..255; `current` picks the key that seals.
 */
export async function createSealer(keys, { current, rememberBlobs = 100000 } = {}) {
  const table = new Map();
  if (keys instanceof Uint8Array || keys?.type === 'secret') table.set(1, await importKey(keys));
  else for (const [id, k] of Object.entries(keys ?? {})) table.set(Number(id), await importKey(k));
  if (!table.size) throw new Error('createSealer needs a key');
  const cur = current ?? Math.max(...table.keys());
  if (!table.has(cur) || cur < 0 || cur > 255) throw new Error(`no key with id ${cur}`);
  const subtle = await subtleCrypto();
  // Per document, the IVs of the blobs opened, oldest first (a Set keeps
  // insertion order): what a replay is recognised by.
  const opened = new Map();
  const ivKey = (iv) => String.fromCharCode(...iv);
  return {
    async seal(docId, blob) {
      const iv = await randomBytes(12);
      const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(docId) }, table.get(cur), blob));
      const out = new Uint8Array(14 + ct.length);
      out[0] = FORMAT; out[1] = cur; out.set(iv, 2); out.set(ct, 14);
      return out;
    },
    async open(docId, sealed) {
      if (sealed.length < 14 + 16 || sealed[0] !== FORMAT) throw new Error('not a sealed blob (format or length)');
      const key = table.get(sealed[1]);
      if (!key) throw new Error(`blob sealed with unknown key id ${sealed[1]}`);
      let plain;
      try {
        plain = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: sealed.subarray(2, 14), additionalData: aad(docId) },
          key, sealed.subarray(14)));
      } catch {
        throw new Error('sealed blob failed authentication (tampered, wrong key, or another document)');
      }
      // Authentic: now whether it is a replay (checked after authentication,
      // so that a forged IV cannot evict genuine ones).
      let seen = opened.get(docId);
      if (!seen) opened.set(docId, (seen = new Set()));
      const iv = ivKey(sealed.subarray(2, 14));
      if (seen.has(iv)) {
        const error = new Error('sealed blob refused: replayed (this blob was already opened for this document)');
        error.code = 'replayed';
        throw error;
      }
      seen.add(iv);
      if (seen.size > rememberBlobs) seen.delete(seen.values().next().value);
      return plain;
    },
  };
}

/** 32 random bytes: a new document key (store it where the app keeps secrets). */
createSealer.generateKey = () => randomBytes(32);
