// hostkit/src/node/record-log.js: an append-only file of checksummed records,
// the on-disk form of both the kit's FileStorage and the relay's store.
//
// File: the 8 bytes "DOLCLOG1", then records [u32 LE body length][u32 LE
// CRC-32 of body][body], body = [u16 LE header length][header JSON][blob].
// A crash can leave a torn last record; open() keeps every record up to the
// first one that is short or fails its checksum and truncates the rest, so
// what was fsync'ed before the crash is exactly what is read back.
// Node only (node:fs); the browser storage lives elsewhere.
import fs from 'node:fs';

const MAGIC = Buffer.from('DOLCLOG1');

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function encodeRecord(header, blob) {
  const json = Buffer.from(JSON.stringify(header));
  const body = Buffer.alloc(2 + json.length + blob.byteLength);
  body.writeUInt16LE(json.length, 0);
  json.copy(body, 2);
  body.set(blob, 2 + json.length);
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32LE(body.length, 0);
  prefix.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([prefix, body]);
}

/**
 * An open record log. `records` holds each record's header plus where its
 * blob lies in the file (not the blob itself: blobs are read on demand so
 * memory stays proportional to the number of records, not their bytes).
 */
export class RecordLog {
  constructor(path, { fsync = true } = {}) {
    this.path = path;
    this.fsync = fsync;
    this.records = [];  // { header, offset, length } (offset/length of the blob)
    this.bytes = 0;     // file size
    this.fd = -1;
  }

  open() {
    let data;
    try { data = fs.readFileSync(this.path); } catch (e) { if (e.code !== 'ENOENT') throw e; }
    if (!data || data.length < MAGIC.length) {
      fs.writeFileSync(this.path, MAGIC);
      data = MAGIC;
    } else if (!data.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new Error(`${this.path} is not a dolc record log`);
    }
    let at = MAGIC.length;
    while (at + 8 <= data.length) {
      const len = data.readUInt32LE(at), crc = data.readUInt32LE(at + 4);
      if (at + 8 + len > data.length || len < 2) break;
      const body = data.subarray(at + 8, at + 8 + len);
      if (crc32(body) !== crc) break;
      const hlen = body.readUInt16LE(0);
      if (2 + hlen > len) break;
      let header;
      try { header = JSON.parse(body.subarray(2, 2 + hlen).toString('utf8')); } catch { break; }
      this.records.push({ header, offset: at + 8 + 2 + hlen, length: len - 2 - hlen });
      at += 8 + len;
    }
    if (at !== data.length) fs.truncateSync(this.path, at);  // drop a torn tail
    this.bytes = at;
    this.fd = fs.openSync(this.path, 'r+');
    return this;
  }

  /**
   * Appends records, durably (one fsync for the batch) unless `sync` is false,
   * for a caller that gathers several appends under one later sync().
   * Returns their entries.
   */
  append(items, { sync = true } = {}) {
    const bufs = items.map(({ header, blob }) => encodeRecord(header, blob));
    const all = Buffer.concat(bufs);
    fs.writeSync(this.fd, all, 0, all.length, this.bytes);
    if (sync) this.sync();
    const added = [];
    let at = this.bytes;
    items.forEach(({ header }, i) => {
      const hlen = Buffer.byteLength(JSON.stringify(header));
      const entry = { header, offset: at + 8 + 2 + hlen, length: bufs[i].length - 8 - 2 - hlen };
      this.records.push(entry);
      added.push(entry);
      at += bufs[i].length;
    });
    this.bytes = at;
    return added;
  }

  /** Makes every record written so far durable. */
  sync() {
    if (this.fsync) fs.fdatasyncSync(this.fd);
  }

  read(entry) {
    const out = Buffer.alloc(entry.length);
    fs.readSync(this.fd, out, 0, entry.length, entry.offset);
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }

  /** Rewrites the log to hold only `items` ({header, blob}), atomically (temp file + rename). */
  rewrite(items) {
    const tmp = this.path + '.tmp';
    fs.writeFileSync(tmp, Buffer.concat([MAGIC, ...items.map(({ header, blob }) => encodeRecord(header, blob))]));
    if (this.fsync) { const fd = fs.openSync(tmp, 'r'); fs.fsyncSync(fd); fs.closeSync(fd); }
    this.close();
    fs.renameSync(tmp, this.path);
    this.records = [];
    this.open();
  }

  close() {
    if (this.fd >= 0) { fs.closeSync(this.fd); this.fd = -1; }
  }
}

/** Writes a whole file atomically: a reader sees the old or the new content, never a mix. */
export function writeFileAtomic(path, data, { fsync = true } = {}) {
  const tmp = path + '.tmp';
  fs.writeFileSync(tmp, data);
  if (fsync) { const fd = fs.openSync(tmp, 'r'); fs.fsyncSync(fd); fs.closeSync(fd); }
  fs.renameSync(tmp, path);
}
