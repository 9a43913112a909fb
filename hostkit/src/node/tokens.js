// hostkit/src/node/tokens.js: access tokens for the relay, issued by the
// app's own server (which decides who may open which document) and checked
// by the relay, which only needs the shared secret.
//
// Token: "v1.<payload>.<signature>", payload = base64url(JSON {doc, access, exp}),
// signature = base64url(HMAC-SHA256(secret, "v1." + payload)). `doc` is an id, or a
// prefix ending in "*" ("team-7/*"); `access` is "r" (read the stream) or "rw";
// `exp` is seconds since the epoch (optional). Node only (node:crypto).
import crypto from 'node:crypto';

const b64 = (buf) => Buffer.from(buf).toString('base64url');

export function issueToken(secret, { doc, access = 'rw', expiresInSec }) {
  if (typeof doc !== 'string' || !doc) throw new Error('issueToken: doc is required');
  if (access !== 'r' && access !== 'rw') throw new Error('issueToken: access is "r" or "rw"');
  const claims = { doc, access };
  if (expiresInSec) claims.exp = Math.floor(Date.now() / 1000) + expiresInSec;
  const payload = 'v1.' + b64(JSON.stringify(claims));
  return payload + '.' + b64(crypto.createHmac('sha256', secret).update(payload).digest());
}

/** The access ("r" | "rw") the token grants on `doc`, or null (bad signature, expired, other doc). */
export function verifyToken(secret, token, doc) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') return null;
  const payload = parts[0] + '.' + parts[1];
  const expected = crypto.createHmac('sha256', secret).update(payload).digest();
  let given;
  try { given = Buffer.from(parts[2], 'base64url'); } catch { return null; }
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  let claims;
  try { claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')); } catch { return null; }
  if (!claims || typeof claims.doc !== 'string') return null;
  if (claims.exp !== undefined && !(claims.exp * 1000 > Date.now())) return null;
  const matches = claims.doc.endsWith('*') ? doc.startsWith(claims.doc.slice(0, -1)) : doc === claims.doc;
  if (!matches) return null;
  return claims.access === 'rw' ? 'rw' : claims.access === 'r' ? 'r' : null;
}
