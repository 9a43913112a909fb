// hostkit/relay/store-redis.js: the relay's storage in Redis, so several
// relay processes serve the same documents (scale-out). Same interface as
// store-disk.js.
//
// Per document (keys share the hash tag {doc}, so a Redis Cluster keeps a
// document on one node):
//   dolc:{doc}:log    LIST of records; the record at index i has seq first + i
//   dolc:{doc}:first  seq of the first record (1 until a compaction)
//   dolc:{doc}:head   seq of the last record
//   dolc:{doc}:bytes  stored bytes (the quota)
//   dolc:{doc}:ids    HASH peer -> highest batch id stored (dedupe of resent batches)
// A record is [u8 flags (1 = snapshot)][u8 length of `by`][by][blob].
// Appends and compactions are Lua scripts, so concurrent relays never
// interleave inside one; every append PUBLISHes "doc head" on dolc:appended,
// and every relay forwards to its own clients from there. Durability is
// Redis's: run it with `--appendonly yes --appendfsync always` so a reply
// (and thus the relay's ACK) means the AOF is fsync'ed.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CHANNEL = 'dolc:appended';
const keys = (doc) => ['log', 'first', 'head', 'bytes', 'ids'].map((k) => `dolc:{${doc}}:${k}`);

const APPEND = `
local last = tonumber(redis.call('HGET', KEYS[5], ARGV[1]) or '0')
if last >= tonumber(ARGV[2]) then return {0, tonumber(redis.call('GET', KEYS[3]) or '0')} end
local bytes = tonumber(redis.call('GET', KEYS[4]) or '0')
if bytes + tonumber(ARGV[4]) > tonumber(ARGV[3]) then return {-1, bytes} end
for i = 6, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
local head = redis.call('INCRBY', KEYS[3], #ARGV - 5)
redis.call('INCRBY', KEYS[4], tonumber(ARGV[4]))
redis.call('HSET', KEYS[5], ARGV[1], ARGV[2])
redis.call('PUBLISH', '${CHANNEL}', ARGV[5] .. ' ' .. head)
return {1, head}`;

const READ = `
local first = tonumber(redis.call('GET', KEYS[2]) or '1')
local from = math.max(0, tonumber(ARGV[1]) + 1 - first)
local out = redis.call('LRANGE', KEYS[1], from, from + tonumber(ARGV[2]) - 1)
table.insert(out, 1, tostring(first + from))
return out`;

const COMPACT = `
local first = tonumber(redis.call('GET', KEYS[2]) or '1')
local head = tonumber(redis.call('GET', KEYS[3]) or '0')
local cursor = tonumber(ARGV[1])
if cursor > head or cursor <= first then return 0 end
local removed = redis.call('LRANGE', KEYS[1], 0, cursor - first)
local freed = 0
for _, r in ipairs(removed) do freed = freed + #r end
redis.call('LTRIM', KEYS[1], cursor - first + 1, -1)
redis.call('LPUSH', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], cursor)
redis.call('INCRBY', KEYS[4], #ARGV[2] - freed)
return 1`;

async function loadIoredis() {
  try {
    return (await import('ioredis')).default;
  } catch (e) {
    if (e.code !== 'ERR_MODULE_NOT_FOUND') throw e;
  }
  // Inside this repository: the copy tools/setup.sh installs (see src/node/ws.js).
  const tools = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tools/node/package.json');
  return (await import(pathToFileURL(createRequire(tools).resolve('ioredis')).href)).default;
}

function encodeRecord(by, blob, snapshot) {
  const byBytes = Buffer.from(by, 'utf8');
  const out = Buffer.alloc(2 + byBytes.length + blob.byteLength);
  out[0] = snapshot ? 1 : 0;
  out[1] = byBytes.length;
  byBytes.copy(out, 2);
  out.set(blob, 2 + byBytes.length);
  return out;
}

export class RedisStore {
  /** @param {string} url redis://host:port */
  static async connect(url) {
    const Redis = await loadIoredis();
    const store = new RedisStore();
    // Commands wait in ioredis's queue while Redis restarts; after 40 retries
    // (about 20 s) they fail and the relay answers `unavailable`.
    const options = { maxRetriesPerRequest: 40, retryStrategy: (n) => Math.min(50 * n, 500), lazyConnect: true };
    store.redis = new Redis(url, options);
    store.sub = new Redis(url, options);
    await Promise.all([store.redis.connect(), store.sub.connect()]);
    store.redis.defineCommand('dolcAppend', { numberOfKeys: 5, lua: APPEND });
    store.redis.defineCommand('dolcRead', { numberOfKeys: 5, lua: READ });
    store.redis.defineCommand('dolcCompact', { numberOfKeys: 5, lua: COMPACT });
    store.redis.on('error', () => {});  // reconnects by itself; failed commands reach the caller
    store.sub.on('error', () => {});
    store.sub.on('message', (channel, message) => {
      const space = message.lastIndexOf(' ');
      const doc = message.slice(0, space), head = Number(message.slice(space + 1));
      for (const fn of store.listeners) fn(doc, head);
    });
    await store.sub.subscribe(CHANNEL);
    return store;
  }
  constructor() { this.listeners = []; }
  onAppend(fn) { this.listeners.push(fn); }
  async head(doc) { return Number((await this.redis.get(keys(doc)[2])) ?? 0); }
  async count(doc) { return this.redis.llen(keys(doc)[0]); }

  async append(doc, blobs, { peer, id, snapshots, by, maxDocBytes }) {
    const records = blobs.map((b, i) => encodeRecord(by, b, snapshots.has(i)));
    const size = records.reduce((n, r) => n + r.length, 0);
    const [status, value] = await this.redis.dolcAppend(...keys(doc), peer, id, maxDocBytes, size, doc, ...records);
    if (status === -1) return { full: value };
    return { seq: value, duplicate: status === 0 };
  }

  async read(doc, after, { maxBytes, maxRecords }) {
    const [firstSeq, ...raw] = await this.redis.dolcReadBuffer(...keys(doc), after, maxRecords);
    const first = Number(firstSeq.toString());
    const out = [];
    let bytes = 0;
    for (let i = 0; i < raw.length; i++) {
      const r = raw[i];
      const byLen = r[1];
      const blob = new Uint8Array(r.buffer, r.byteOffset + 2 + byLen, r.length - 2 - byLen);
      if (out.length && bytes + blob.byteLength > maxBytes) break;
      out.push({ seq: first + i, blob, snapshot: r[0] === 1, by: r.subarray(2, 2 + byLen).toString('utf8') });
      bytes += blob.byteLength;
    }
    return out;
  }

  async compact(doc, cursor, snapshot) {
    return (await this.redis.dolcCompact(...keys(doc), cursor, encodeRecord('', snapshot, true))) === 1;
  }

  async close() {
    this.sub.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
