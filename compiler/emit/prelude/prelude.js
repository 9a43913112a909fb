// ---- dolc runtime glue (fixed part of every generated module) ----------------
// Loads the core module, moves values across the canonical ABI (strings and
// lists through cabi_realloc'd memory, results through the return area the
// core function points to), and wraps every field in a small object with the
// operations of its strategy. Only standard Web APIs are used here
// (WebAssembly, TextEncoder/TextDecoder, fetch when given a URL), so it runs
// in browsers and Node alike.

let X = null;  // the core instance's exports
const te = new TextEncoder();
const td = new TextDecoder('utf-8');

function exportsOrThrow() {
  if (!X) throw new Error('dolc: call `await load(...)` before using the module');
  return X;
}

async function instantiate(source) {
  source = await source;  // also accepts a promise, e.g. load(fetch(url))
  const imports = {};
  for (const q of Object.values(IFACES)) {
    // Resource handles are the representation itself when no component
    // runtime is in between: `[resource-new]` is the identity.
    imports['[export]' + q] = { '[resource-new]document': (rep) => rep };
  }
  let result;
  if (source instanceof WebAssembly.Module) {
    result = { instance: await WebAssembly.instantiate(source, imports) };
  } else if (typeof Response !== 'undefined' && source instanceof Response) {
    result = await WebAssembly.instantiate(await source.arrayBuffer(), imports);
  } else if (typeof source === 'string' || (typeof URL !== 'undefined' && source instanceof URL)) {
    const file = nodeFilePath(source);
    if (file !== null) {  // Node's fetch() has no file: URLs; read the file instead
      const fs = await import('node:fs/promises');
      return instantiate(await fs.readFile(file));
    }
    const response = await fetch(source);
    if (!response.ok) throw new Error(`dolc: cannot fetch ${source}: ${response.status}`);
    result = await WebAssembly.instantiate(await response.arrayBuffer(), imports);
  } else {
    result = await WebAssembly.instantiate(source, imports);
  }
  const ex = result.instance.exports;
  if (ex._initialize) ex._initialize();
  X = ex;
  u8Cache = dvCache = null;  // views of an earlier instance's memory
  return ex;
}

// In Node, the file a `load()` argument names, or null: a file: URL (as a URL
// or a string), or a string without a URL scheme (a path). http(s): and other
// URLs go to fetch(), as in browsers. Browsers always fetch.
function nodeFilePath(source) {
  if (typeof process === 'undefined' || !process.versions || !process.versions.node) return null;
  const text = String(source);
  if (/^file:/i.test(text)) return new URL(text);  // fs accepts file: URLs
  return /^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[a-z]:[\\/]/i.test(text) ? null : text;
}

// `await load(bytes | ArrayBuffer | WebAssembly.Module | Response | Promise<Response> | URL | url string)`.
export async function load(source) {
  return instantiate(source);
}

// Node convenience: reads the .wasm next to this file (or `path`).
export async function loadFile(path) {
  const fs = await import('node:fs/promises');
  const target = path ?? new URL(WASM_FILE, import.meta.url);
  return instantiate(await fs.readFile(target));
}

// ---- canonical ABI ---------------------------------------------------------
// Types: 'bool' 's8' 'u8' 's16' 'u16' 's32' 'u32' 's64' 'u64' 'f32' 'f64'
// 'string' 'bytes', ['list', T], ['option', T], ['result', T|null],
// ['enum', [dol variant names]].

function alignOf(t) {
  if (Array.isArray(t)) {
    switch (t[0]) {
      case 'list': return 4;
      case 'option': return alignOf(t[1]);
      case 'result': return Math.max(4, t[1] === null ? 1 : alignOf(t[1]));
      case 'enum': return t[1].length <= 256 ? 1 : 2;
      case 'record': return Math.max(1, ...t[1].map((f) => alignOf(f[1])));
    }
  }
  switch (t) {
    case 'bool': case 's8': case 'u8': return 1;
    case 's16': case 'u16': return 2;
    case 's64': case 'u64': case 'f64': return 8;
    default: return 4;
  }
}

function recordOffsets(t) {
  const out = [];
  let at = 0;
  for (const [, ft] of t[1]) {
    at = alignTo(at, alignOf(ft));
    out.push(at);
    at += sizeOf(ft);
  }
  return out;
}

const alignTo = (n, a) => Math.ceil(n / a) * a;

function sizeOf(t) {
  if (Array.isArray(t)) {
    switch (t[0]) {
      case 'list': return 8;
      case 'option': return alignTo(alignTo(1, alignOf(t[1])) + sizeOf(t[1]), alignOf(t));
      case 'result': return alignTo(alignTo(1, alignOf(t)) + Math.max(8, t[1] === null ? 0 : sizeOf(t[1])), alignOf(t));
      case 'enum': return t[1].length <= 256 ? 1 : 2;
      case 'record': {
        if (!t[1].length) return 0;
        const offs = recordOffsets(t);
        return alignTo(offs[offs.length - 1] + sizeOf(t[1][t[1].length - 1][1]), alignOf(t));
      }
    }
  }
  switch (t) {
    case 'bool': case 's8': case 'u8': return 1;
    case 's16': case 'u16': return 2;
    case 's64': case 'u64': case 'f64': case 'string': case 'bytes': return 8;
    default: return 4;
  }
}

function flatOf(t) {
  if (Array.isArray(t)) {
    if (t[0] === 'list') return ['i32', 'i32'];
    if (t[0] === 'option') return ['i32', ...flatOf(t[1])];
    if (t[0] === 'enum') return ['i32'];
    if (t[0] === 'record') return t[1].flatMap((f) => flatOf(f[1]));
    if (t[0] === 'result') {  // joined with the error case's (i32, i32)
      const ok = t[1] === null ? [] : flatOf(t[1]);
      const err = ['i32', 'i32'];
      const n = Math.max(ok.length, err.length), out = ['i32'];
      for (let i = 0; i < n; i++) out.push(ok[i] === undefined || ok[i] === err[i] || err[i] === undefined ? (ok[i] ?? err[i]) : 'i64');
      return out;
    }
  }
  switch (t) {
    case 's64': case 'u64': return ['i64'];
    case 'f32': return ['f32'];
    case 'f64': return ['f64'];
    case 'string': case 'bytes': return ['i32', 'i32'];
    default: return ['i32'];
  }
}

// ---- integer parameters ---------------------------------------------------
// Every integer crossing into the module is range-checked here: the core
// module takes i32/i64 and would wrap (`insert(2**32 + 1)` inserting at 1).
// Top-level integer parameters are checked before anything is lowered, so a
// refused call has allocated nothing in the module. The 32-bit and narrower
// checks are one comparison each and allocate nothing (the glue is on the hot
// path of typing): `(v >>> 0) === v` holds only for a number that is an
// integer in [0, 2^32) (false for NaN, fractions, strings, booleans).
const INT_RANGES = {
  s8: '[-128, 127]', u8: '[0, 255]', s16: '[-32768, 32767]', u16: '[0, 65535]',
  s32: '[-2147483648, 2147483647]', u32: '[0, 4294967295]',
  s64: '[-9223372036854775808, 9223372036854775807]', u64: '[0, 18446744073709551615]',
};
function fitsInt(t, v) {
  switch (t) {
    case 'u32': return (v >>> 0) === v;
    case 's32': return (v | 0) === v;
    case 'u8': return (v & 0xff) === v;
    case 'u16': return (v & 0xffff) === v;
    case 's8': return ((v << 24) >> 24) === v;
    case 's16': return ((v << 16) >> 16) === v;
  }
  return false;
}
function badInt(t, v, name, label) {
  const where = `dolc: ${label}: parameter \`${name}\``;
  const shown = typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v) : String(v);
  if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint')
    return new RangeError(`${where} must be an integer in ${INT_RANGES[t]} (${t}), got ${shown}`);
  return new TypeError(`${where} must be an integer in ${INT_RANGES[t]} (${t}), got ${shown}`);
}
const S64_MIN = -(2n ** 63n), S64_MAX = 2n ** 63n - 1n, U64_MAX = 2n ** 64n - 1n;
// A 64-bit parameter as the i64 the core function takes (u64 above 2^63 as
// its two's-complement bits), or undefined when it is out of range.
function int64Of(t, v) {
  let b;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  else return undefined;
  if (t === 's64' ? b < S64_MIN || b > S64_MAX : b < 0n || b > U64_MAX) return undefined;
  return BigInt.asIntN(64, b);
}
// The flat value of integer `v` of type `t`; throws (naming the parameter)
// when it does not fit.
function intArg(t, v, name, label) {
  if (t === 's64' || t === 'u64') {
    const r = int64Of(t, v);
    if (r === undefined) throw badInt(t, v, name, label);
    return r;
  }
  if (typeof v === 'number' && fitsInt(t, v)) return v;  // (bigints cannot meet numbers in `>>>`)
  if (typeof v === 'bigint') {  // a bigint within range is accepted as its number
    const n = Number(v);
    if (BigInt(n) === v && fitsInt(t, n)) return n;
  }
  throw badInt(t, v, name, label);
}

function toBigInt(v, what) {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new TypeError(`dolc: ${what} must be an integer (number or bigint), got ${typeof v}`);
}

// Views of linear memory, renewed when memory grows. Growing detaches the
// old buffer, and a view of a detached buffer has length 0: testing that
// is cheaper than reading `memory.buffer` on every call (an engine call;
// it was a tenth of the glue's time per edit).
let u8Cache = null, dvCache = null;
function memU8() {
  if (u8Cache === null || u8Cache.length === 0) u8Cache = new Uint8Array(X.memory.buffer);
  return u8Cache;
}
function memDV() {  // (DataView's byteLength throws once detached: compare buffers)
  const b = X.memory.buffer;
  if (dvCache === null || dvCache.buffer !== b) dvCache = new DataView(b);
  return dvCache;
}

// Argument memory: allocated with cabi_realloc; the callee owns (frees) it.
// Empty lists and strings pass (0, 0) without allocating.
function putBytes(u8, out) {
  if (u8.length === 0) {
    out.push(0, 0);
    return;
  }
  const ptr = X.cabi_realloc(0, 0, 1, u8.length);
  memU8().set(u8, ptr);
  out.push(ptr, u8.length);
}

function putString(s, out) {
  if (s.length === 0) {
    out.push(0, 0);
    return;
  }
  // At most 3 bytes of UTF-8 per UTF-16 unit; the callee frees the block.
  const ptr = X.cabi_realloc(0, 0, 1, s.length * 3);
  const mem = memU8();
  if (s.length <= 32) {  // short ASCII (typing): copy directly, no encoder call
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      mem[ptr + i] = c;
    }
    if (i === s.length) {
      out.push(ptr, i);
      return;
    }
  }
  const { written } = te.encodeInto(s, mem.subarray(ptr, ptr + s.length * 3));
  out.push(ptr, written);
}

function lower(t, v, out) {
  if (Array.isArray(t)) {
    if (t[0] === 'option') {
      if (v === undefined || v === null) {
        out.push(0);
        for (const c of flatOf(t[1])) out.push(c === 'i64' ? 0n : 0);
      } else {
        out.push(1);
        lower(t[1], v, out);
      }
      return;
    }
    if (t[0] === 'record') {
      if (typeof v !== 'object' || v === null) throw new TypeError('dolc: expected an object');
      for (const [k, ft] of t[1]) lower(ft, v[k], out);
      return;
    }
    if (t[0] === 'enum') {
      const i = t[1].indexOf(v);
      if (i < 0) throw new TypeError(`dolc: ${JSON.stringify(v)} is not one of ${t[1].join(', ')}`);
      out.push(i);
      return;
    }
    throw new TypeError('dolc: unsupported parameter type');
  }
  switch (t) {
    case 'bool': out.push(v ? 1 : 0); return;
    case 's64': case 'u64': out.push(intArg(t, v, 'value', 'argument')); return;
    case 'f32': case 'f64': out.push(Number(v)); return;
    case 'string':
      if (typeof v !== 'string') throw new TypeError(`dolc: expected a string, got ${typeof v}`);
      putString(v, out);
      return;
    case 'bytes':
      if (!(v instanceof Uint8Array)) throw new TypeError('dolc: expected a Uint8Array');
      putBytes(v, out);
      return;
    default:
      out.push(intArg(t, v, 'value', 'argument'));  // integers inside options and records
  }
}

function readAt(t, dv, at) {
  if (Array.isArray(t)) {
    switch (t[0]) {
      case 'list': {
        const ptr = dv.getUint32(at, true), len = dv.getUint32(at + 4, true), n = sizeOf(t[1]);
        const out = [];
        for (let i = 0; i < len; i++) out.push(readAt(t[1], dv, ptr + i * n));
        return out;
      }
      case 'option':
        return dv.getUint8(at) === 0 ? undefined : readAt(t[1], dv, at + alignTo(1, alignOf(t[1])));
      case 'result': {
        const payload = at + alignTo(1, alignOf(t));
        if (dv.getUint8(at) !== 0) throw new Error(readAt('string', dv, payload));
        return t[1] === null ? undefined : readAt(t[1], dv, payload);
      }
      case 'enum': return t[1][t[1].length <= 256 ? dv.getUint8(at) : dv.getUint16(at, true)];
      case 'record': {
        const offs = recordOffsets(t), out = {};
        t[1].forEach(([k, ft], i) => { out[k] = readAt(ft, dv, at + offs[i]); });
        return out;
      }
    }
  }
  switch (t) {
    case 'bool': return dv.getUint8(at) !== 0;
    case 's8': return dv.getInt8(at);
    case 'u8': return dv.getUint8(at);
    case 's16': return dv.getInt16(at, true);
    case 'u16': return dv.getUint16(at, true);
    case 's32': return dv.getInt32(at, true);
    case 'u32': return dv.getUint32(at, true);
    case 's64': return dv.getBigInt64(at, true);
    case 'u64': return dv.getBigUint64(at, true);
    case 'f32': return dv.getFloat32(at, true);
    case 'f64': return dv.getFloat64(at, true);
    case 'string': {
      const ptr = dv.getUint32(at, true), len = dv.getUint32(at + 4, true);
      return td.decode(new Uint8Array(dv.buffer, ptr, len));
    }
    case 'bytes': {
      const ptr = dv.getUint32(at, true), len = dv.getUint32(at + 4, true);
      // A typed array's slice, not the ArrayBuffer's: ArrayBuffer.prototype.slice
      // of wasm memory took 1.3 us a call in V8 against 0.085 us (Node 20,
      // 50 bytes); about 2 % of the concurrent traces' time, where version()
      // and changesSince() run per transaction.
      return new Uint8Array(dv.buffer, ptr, len).slice();
    }
  }
  throw new TypeError('dolc: unsupported result type');
}

function liftDirect(t, v) {
  if (Array.isArray(t) && t[0] === 'enum') return t[1][v];
  if (Array.isArray(t) && t[0] === 'record') return { [t[1][0][0]]: liftDirect(t[1][0][1], v) };
  switch (t) {
    case 'bool': return v !== 0;
    case 'u32': return v >>> 0;
    case 'u8': return v & 0xff;
    case 'u16': return v & 0xffff;
    case 's64': return BigInt.asIntN(64, v);
    case 'u64': return BigInt.asUintN(64, v);
    default: return v;
  }
}

// One core export, resolved once: its function, parameter types and how its
// result comes back.
function bindCore(name, sig) {
  const ex = exportsOrThrow();
  const fn = ex[name];
  if (!fn) throw new Error(`dolc: the module has no export ${name}`);
  const rt = sig[1];
  // Which parameters are integers (checked first, see intArg), and their names.
  const ints = [];
  sig[0].forEach((t, i) => { if (typeof t === 'string' && t in INT_RANGES) ints.push(i); });
  return {
    fn, params: sig[0], rt, direct: rt !== null && flatOf(rt).length === 1, ints, isInt: sig[0].map((t, i) => ints.includes(i)),
    names: sig[2] || [], label: name.slice(name.lastIndexOf('.') + 1),
    mut: isLocalEdit(name.slice(name.lastIndexOf('.') + 1), rt),
  };
}

// fn(...flat) without the spread for the common arities (a spread call
// allocates and is not inlined; text edits pass 6 values).
function callFlat(fn, f) {
  switch (f.length) {
    case 1: return fn(f[0]);
    case 2: return fn(f[0], f[1]);
    case 3: return fn(f[0], f[1], f[2]);
    case 4: return fn(f[0], f[1], f[2], f[3]);
    case 5: return fn(f[0], f[1], f[2], f[3], f[4]);
    case 6: return fn(f[0], f[1], f[2], f[3], f[4], f[5]);
    case 7: return fn(f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
    case 8: return fn(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
    default: return fn(...f);
  }
}

// Calls core export `b` on document `self` with `args`; a field's operation
// passes its object's `path` apart (it is the first parameter), so that
// callers need not build a second array with it in front.
function callBound(b, self, args, path) {
  const params = b.params, ints = b.ints;
  const at = path === undefined ? 0 : 1;  // args[i - at] is parameter i
  for (let k = 0; k < ints.length; k++) {
    const i = ints[k];
    args[i - at] = intArg(params[i], args[i - at], b.names[i] ?? `#${i + 1}`, b.label);
  }
  const flat = [self];  // (a fresh array: emptying a shared one, `length = 0`, costs more)
  const isInt = b.isInt;
  for (let i = 0; i < params.length; i++) {
    const v = i < at ? path : args[i - at];
    if (isInt[i]) flat.push(v);
    else lower(params[i], v, flat);
  }
  const ret = callFlat(b.fn, flat);
  const rt = b.rt;
  if (rt === null) return undefined;
  if (b.direct) return liftDirect(rt, ret);
  if (rt[0] === 'result' && rt[1] === null) {  // the common `result<_, string>`: only look at the error
    const mem = memU8();
    if (mem[ret] === 0) return undefined;
  }
  return readAt(rt, memDV(), ret);  // a fresh view if memory grew
}

// ---- documents and fields --------------------------------------------------

const EMPTY_PATH = new Uint8Array(0);
const NO_ARGS = Object.freeze([]);
const finalizer = typeof FinalizationRegistry !== 'undefined'
  ? new FinalizationRegistry(({ dtor, rep }) => { if (X && X[dtor]) X[dtor](rep); })
  : null;

// A view of one object (the root or a nested one) of a document.
class View {
  constructor(doc, path, prefix) {
    this._doc = doc;
    this._path = path;
    this._prefix = prefix;
  }
  _base(field) { return this._prefix ? this._prefix + '-' + field : field; }
  // Field objects are made once per view: a view's path never changes.
  _memo(key, make) {
    const m = this._fields || (this._fields = new Map());
    let f = m.get(key);
    if (f === undefined) m.set(key, (f = make()));
    return f;
  }
  _assign(init) {
    if (init === undefined || init === null) return this;
    for (const [k, v] of Object.entries(init)) {
      const f = k.startsWith('_') ? undefined : this[k];
      if (!(f instanceof Field) && !(f instanceof View)) throw new TypeError(`dolc: no field ${k}`);
      f._assign(v);
    }
    return this;
  }
}

class Document extends View {
  constructor(iface, actor) {
    super(null, EMPTY_PATH, '');
    this._iface = iface;
    this._q = IFACES[iface];
    const a = actor === undefined ? randomActor() : toBigInt(actor, 'actor');
    this._rep = exportsOrThrow()[this._q + '#[constructor]document'](BigInt.asIntN(64, a));
    this._doc = this;
    this._bound = new Map();
    if (finalizer) finalizer.register(this, { dtor: this._q + '#[dtor]document', rep: this._rep }, this);
  }
  _call(label, args, path) {
    if (this._rep === null) throw new Error('dolc: document was freed');
    let b = this._bound.get(label);
    if (!b) {
      b = bindCore(this._q + '#[method]document.' + label, SIGS[this._iface][label]);
      b.origin = mutationOrigin(label, b.rt);
      this._bound.set(label, b);
    }
    if (this._um !== undefined && b.mut) this._um._tick();  // undo steps: see UndoManager
    if (!this._subs || this._depth || !b.origin) return callBound(b, this._rep, args, path);
    const r = callBound(b, this._rep, args, path);  // (a refused call records nothing)
    if (!(this._txDepth > 0)) this._emitEvents(b.origin);
    return r;
  }
  _prefixFor(geneLabel) { return geneLabel === this._iface ? '' : geneLabel; }
  /** This replica's actor id. */
  get actor() { return this._call('actor', []); }
  /** The version vector, encoded. */
  version() { this._outsideTransaction('version'); return this._call('version', []); }
  /** The changes the holder of `version` lacks, encoded. */
  changesSince(version) {
    this._outsideTransaction('changesSince');
    return this._call('changes-since', [version ?? new Uint8Array(0)]);
  }
  /** Applies changes from changesSince; throws on malformed bytes (nothing changes then). */
  apply(changes) { this._outsideTransaction('apply'); this._call('apply', [changes]); }
  /** Merges another replica's save(). */
  merge(saved) { this._outsideTransaction('merge'); this._call('merge', [saved]); }
  save() { this._outsideTransaction('save'); return this._call('save', []); }
  /**
   * Runs `fn(doc)` as one transaction and returns what it returns: its
   * operations are one change, applied as a whole. When `fn` throws, or the
   * commit finds an invariant broken that held before (each operation's own
   * check waits for the commit), every operation of the transaction is
   * undone and the error is thrown. Transactions nest: an inner one folds
   * into the outer (an inner one that throws undoes only its own operations,
   * if the outer `fn` catches the error). `fn` must be synchronous, and may
   * not exchange changes (version, changesSince, apply, merge, save, load).
   */
  transact(fn) {
    if (typeof fn !== 'function') throw new TypeError('dolc: transact() takes a function');
    this._call('transaction-begin', []);
    const outermost = !this._txDepth;
    this._txDepth = (this._txDepth || 0) + 1;
    if (outermost && this._undoBoundary) this._undoBoundary();
    let result;
    try {
      result = fn(this);
      if (result && typeof result.then === 'function')
        throw new TypeError('dolc: transact() callbacks must be synchronous (an await would let other code in)');
    } catch (e) {
      this._txDepth--;
      this._call('transaction-abort', []);
      throw e;
    }
    this._txDepth--;
    this._call('transaction-commit', []);  // throws when refused (everything undone)
    if (outermost) {
      if (this._undoBoundary) this._undoBoundary();
      if (this._emitEvents) this._emitEvents('local');
    }
    return result;
  }
  /** Whether a transact() callback is running on this document. */
  get inTransaction() { return (this._txDepth || 0) > 0; }
  _outsideTransaction(what) {
    if (this._txDepth) throw new Error(`dolc: ${what}() is not allowed inside transact() (commit first)`);
  }
  /** The document as JSON-safe values (JSON.stringify(doc) calls it): keys are the API's member
   *  names, 64-bit integers decimal strings (exact), bytes arrays of numbers. */
  toJSON() { return snapshotOf(this.constructor, parseExact(this._call('to-json', [])), true); }
  /** The document as typed values, as the field getters return them: 64-bit integers bigint, bytes Uint8Array. */
  snapshot() { return snapshotOf(this.constructor, parseExact(this._call('to-json', [])), false); }
  /** The module's JSON text (DOL field names, 64-bit integers as exact digits): what C++ to_json() writes. */
  toJSONString() { return this._call('to-json', []); }
  /** Invariants that merges broke (flag_for_review / reject_operation after a merge), then the bounds
   *  (counter min/max, max_length) that values break anywhere in the document, with their paths. */
  violations() { return this._call('violations', []); }
  /** Writes of older schema versions that no migration could convert: kept in the log, listed here. */
  migrationConflicts() { return JSON.parse(this._call('migration-conflicts', [])); }
  /** Received changes waiting for changes that have not arrived, and forks (changes reusing an actor's seq). */
  pending() { return JSON.parse(this._call('pending', [])); }
  /** Forgets every held change (a peer can send them again); returns how many. */
  dropPending() { return this._call('drop-pending', []); }
  /** @personal fields: installs (or replaces) `subject`'s 32-byte AES-256 key, which seals this
   *  replica's writes while `subject` is the current subject (the first key set becomes it) and
   *  opens every value sealed for `subject`, from any replica (docs/generated-api.md, "Personal data"). */
  setPersonalKey(subject, key) {
    const seed = new Uint8Array(8);  // starts this key's nonces: they never repeat across sessions
    globalThis.crypto.getRandomValues(seed);
    this._personal('set-personal-key', [subject, key, seed]);
  }
  /** Forgets `subject`'s key: values sealed for `subject` read as unset (erased) until it is set again. */
  forgetPersonalKey(subject) { return this._personal('forget-personal-key', [subject]); }
  /** Chooses whose key seals this replica's next writes to @personal fields. */
  setPersonalSubject(subject) { this._personal('set-personal-subject', [subject]); }
  /** The subject whose key seals this replica's writes (undefined: none yet). */
  personalSubject() { return this._personal('personal-subject', []) || undefined; }
  _personal(label, args) {
    if (!SIGS[this._iface][label])
      throw new Error(`dolc: ${this.constructor.name} documents have no @personal fields (nothing is sealed under subject keys)`);
    return this._call(label, args);
  }
  /** Frees the document now instead of at garbage collection. */
  free() {
    if (this._rep === null) return;
    this._outsideTransaction('free');
    if (finalizer) finalizer.unregister(this);
    exportsOrThrow()[this._q + '#[dtor]document'](this._rep);
    this._rep = null;
  }
  // Replaces the state with `saved` (the document is unchanged if refused).
  _loadInto(saved) { this._outsideTransaction('load'); this._call('load', [saved]); return this; }
  // A new document holding `saved` (static load): freed at once when the
  // bytes are refused, not at garbage collection (refusals must not pile up).
  static _fromSave(doc, saved) {
    try {
      return doc._loadInto(saved);
    } catch (e) {
      doc.free();
      throw e;
    }
  }
}

// ---- typed snapshots (toJSON, snapshot) --------------------------------------
// The module writes JSON with DOL field names and 64-bit integers as exact
// digits. JSON.parse would round integers past 2^53, so integer literals of 16
// or more digits (outside strings, not part of a fraction) are quoted first;
// snapshotOf() then converts every value by the field's type descriptor
// (FIELDS), with the API's member names as keys. toJSON() must stay JSON
// (JSON.stringify calls it): 64-bit integers become decimal strings, as in
// the protobuf JSON mapping; snapshot() gives bigint and Uint8Array, the
// types the field getters return.
const LONG_INTEGER = /"(?:[^"\\]|\\.)*"|(?<![\d.])-?\d{16,}(?![.eE\d])/g;
function parseExact(text) {
  return JSON.parse(text.replace(LONG_INTEGER, (m) => (m.charCodeAt(0) === 34 ? m : '"' + m + '"')));
}
function snapValue(t, v, json) {
  if (v === null || v === undefined) return null;
  if (Array.isArray(t)) {
    switch (t[0]) {
      case 'option': return snapValue(t[1], v, json);
      case 'list': return v.map((x) => snapValue(t[1], x, json));
      case 'record': {  // written in the record's field order
        const values = Object.values(v), out = {};
        t[1].forEach(([k, ft], i) => { out[k] = snapValue(ft, values[i], json); });
        return out;
      }
      default: return v;  // enums: the variant's DOL name
    }
  }
  switch (t) {
    case 's64': case 'u64': return json ? String(v) : BigInt(v);
    case 'f32': case 'f64': return Number(v);
    case 'bytes': return json ? v : Uint8Array.from(v);
    default: return v;
  }
}
function snapshotOf(viewClass, obj, json) {
  if (obj === null || obj === undefined) return null;
  const out = {};
  for (const f of viewClass.FIELDS) {
    const v = obj[f.name];
    if (v === undefined) continue;
    switch (f.kind) {
      case 'MvRegister': case 'OrSet': case 'List': case 'AppendList':
        out[f.member] = v.map((x) => snapValue(f.value, x, json));
        break;
      case 'OrMap': case 'ObjectMap': {
        const m = {};
        for (const [k, x] of Object.entries(v)) m[k] = f.view ? snapshotOf(f.view(), x, json) : snapValue(f.value, x, json);
        out[f.member] = m;
        break;
      }
      case 'ObjectList': case 'AppendObjectList': out[f.member] = v.map((x) => snapshotOf(f.view(), x, json)); break;
      case 'Nested': out[f.member] = snapshotOf(f.view(), v, json); break;
      case 'Text': out[f.member] = v; break;
      default: out[f.member] = snapValue(f.value, v, json);  // registers, counters
    }
  }
  return out;
}

function randomActor() {
  const b = new Uint8Array(8);
  globalThis.crypto.getRandomValues(b);
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v === 0n ? 1n : v;
}

class Field {
  constructor(owner, field, viewClass) {
    this._doc = owner._doc;
    this._path = owner._path;
    this._label = owner._base(field);
    this._field = field;  // its WIT label (change events name it by its JS member)
    this._viewClass = viewClass;
  }
  _c(op, args) {
    // Labels are built once per field object and operation.
    const labels = this._labels || (this._labels = {});
    const label = labels[op] || (labels[op] = this._label + '-' + op);
    return this._doc._call(label, args === undefined ? NO_ARGS : args, this._path);
  }
  _view(path) {
    const C = this._viewClass;
    return new C(this._doc, path, this._doc._prefixFor(C.LABEL));
  }
}

class Register extends Field {
  get() { return this._c('get'); }
  set(value) { this._c('set', [value]); }
  _assign(v) { this.set(v); }
}

class MvRegister extends Field {
  values() { return this._c('values'); }
  set(value) { this._c('set', [value]); }
  _assign(v) { this.set(v); }
}

class OrSet extends Field {
  has(value) { return this._c('has', [value]); }
  values() { return this._c('values'); }
  size() { return this._c('size'); }
  add(value) { this._c('add', [value]); }
  remove(value) { this._c('remove', [value]); }
  [Symbol.iterator]() { return this.values()[Symbol.iterator](); }
  _assign(v) { for (const x of v) this.add(x); }
}

class OrMap extends Field {
  has(key) { return this._c('has', [key]); }
  get(key) { return this._c('get', [key]); }
  keys() { return this._c('keys'); }
  entries() { return this.keys().map((k) => [k, this.get(k)]); }
  set(key, value) { this._c('set', [key, value]); }
  delete(key) { this._c('delete', [key]); }
  _assign(v) { for (const [k, x] of (v instanceof Map ? v : Object.entries(v))) this.set(k, x); }
}

class ObjectMap extends Field {
  has(key) { return this._c('has', [key]); }
  /** The nested object under `key`, or undefined. */
  get(key) { return this.has(key) ? this._view(this._c('child', [key])) : undefined; }
  keys() { return this._c('keys'); }
  entries() { return this.keys().map((k) => [k, this.get(k)]); }
  /** Creates the object under `key` if absent and assigns `init`'s fields. */
  set(key, init) {
    return this._doc._batch(() => {
      this._c('set-new', [key]);
      return this._view(this._c('child', [key]))._assign(init);
    });
  }
  delete(key) { this._c('delete', [key]); }
  _assign(v) { for (const [k, x] of (v instanceof Map ? v : Object.entries(v))) this.set(k, x); }
}

class Counter extends Field {
  value() { return this._c('value'); }
  increment(n = 1) { this._c('increment', [n]); }
  decrement(n = 1) { this._c('decrement', [n]); }
  _assign(v) { this.increment(v); }
}

// pn_counter escrow=true (crdt.md): a bounded counter. A decrement spends
// this replica's rights (refused beyond them); an increment adds to them.
class EscrowCounter extends Counter {
  /** This replica's rights: how much it may still decrement (bigint). */
  rights() { return this._c('rights'); }
  /** Moves `n` of this replica's rights to `actor` (an op that syncs). */
  transfer(actor, n) { this._c('transfer', [actor, n]); }
}

class List extends Field {
  length() { return this._c('length'); }
  get(i) { return this._c('get', [i]); }
  toArray() { const n = this.length(), out = []; for (let i = 0; i < n; i++) out.push(this.get(i)); return out; }
  insert(i, value) { this._c('insert', [i, value]); }
  push(value) { this.insert(this.length(), value); }
  delete(i, n = 1) { this._c('delete', [i, n]); }
  move(from, to) { this._c('move', [from, to]); }
  _assign(v) { for (const x of v) this.push(x); }
}

class ObjectList extends Field {
  length() { return this._c('length'); }
  /** The nested object at `i` (throws when out of range). */
  get(i) { return this._view(this._c('child', [i])); }
  toArray() { const n = this.length(), out = []; for (let i = 0; i < n; i++) out.push(this.get(i)); return out; }
  /** Inserts a new object at `i` with `init`'s fields and returns it. */
  insert(i, init) { return this._doc._batch(() => { this._c('insert-new', [i]); return this.get(i)._assign(init); }); }
  push(init) { return this.insert(this.length(), init); }
  delete(i, n = 1) { this._c('delete', [i, n]); }
  move(from, to) { this._c('move', [from, to]); }
  _assign(v) { for (const x of v) this.push(x); }
}

// rga append_only=true: elements are only appended at the end (as this
// replica sees it; concurrent appends merge by rga order). The module has no
// insert-in-the-middle, delete or move for such a field; these throw a clear
// error for untyped callers (the .d.ts does not declare them).
function appendOnlyRefused(op) {
  throw new Error(`refused: the list is append-only (append_only=true): no ${op}; use push()`);
}
class AppendList extends Field {
  length() { return this._c('length'); }
  get(i) { return this._c('get', [i]); }
  toArray() { const n = this.length(), out = []; for (let i = 0; i < n; i++) out.push(this.get(i)); return out; }
  push(value) { this._c('append', [value]); }
  insert() { appendOnlyRefused('insert'); }
  delete() { appendOnlyRefused('delete'); }
  move() { appendOnlyRefused('move'); }
  _assign(v) { for (const x of v) this.push(x); }
}

class AppendObjectList extends Field {
  length() { return this._c('length'); }
  /** The nested object at `i` (throws when out of range). */
  get(i) { return this._view(this._c('child', [i])); }
  toArray() { const n = this.length(), out = []; for (let i = 0; i < n; i++) out.push(this.get(i)); return out; }
  /** Appends a new object with `init`'s fields and returns it (it is last here until a merge). */
  push(init) {
    return this._doc._batch(() => { this._c('append-new'); return this.get(this.length() - 1)._assign(init); });
  }
  insert() { appendOnlyRefused('insert'); }
  delete() { appendOnlyRefused('delete'); }
  move() { appendOnlyRefused('move'); }
  _assign(v) { for (const x of v) this.push(x); }
}

class Text extends Field {
  length() { return this._c('length'); }
  toString() { return this._c('text'); }
  insert(pos, text) { this._c('insert', [pos, text]); }
  delete(pos, n = 1) { this._c('delete', [pos, n]); }
  /** Formats [start, end) with mark `name` = `value` (a string; '' or 'true' for flags). */
  mark(start, end, name, value = 'true') { this._c('mark', [start, end, name, String(value)]); }
  unmark(start, end, name) { this._c('unmark', [start, end, name]); }
  /** The text as runs: [{ text, marks: { name: value } }]. */
  spans() { return JSON.parse(this._c('spans')); }
  _assign(v) { this.insert(this.length(), String(v)); }
}

// ---- cursors and undo/redo (docs/generated-api.md, "Cursors", "Undo and redo") ----

const CURSOR_METHODS = {
  /** A position anchored to an element, not an index: side 'right' (default; also 'after') stays just
   *  before the element at `pos` (the end when pos = length), 'left' (also 'before') just after the
   *  element before `pos`. A short string ("R<lamport>.<actor>", "L...", "R" = end, "L" = start) to keep
   *  or send to other replicas. */
  cursor(pos, side = 'right') {
    const left = side === 'left' || side === 'before';
    if (!left && side !== 'right' && side !== 'after')
      throw new TypeError("dolc: cursor side is 'right' ('after') or 'left' ('before')");
    return this._c('cursor', [pos, left]);
  },
  /** The cursor's index now (where its element was, if deleted); undefined until its element arrives. */
  cursorPosition(cursor) { return this._c('cursor-position', [cursor]); },
};
for (const C of [List, ObjectList, AppendList, AppendObjectList, Text]) Object.assign(C.prototype, CURSOR_METHODS);

// Which exports are local edits (they extend the undo step being captured).
function isLocalEdit(label, rt) {
  if (label.startsWith('call-')) return true;
  return Array.isArray(rt) && rt[0] === 'result' && rt[1] === null && label !== 'apply' && label !== 'merge' &&
    label !== 'load';
}

// Undo and redo of this replica's own edits (never a peer's), as new edits
// that sync like any other. Consecutive edits less than `mergeInterval` ms
// apart are one step; stopCapturing() ends a step. The runtime records
// nothing until a manager exists.
class UndoManager {
  constructor(doc, options) {
    this._doc = doc;
    this._last = -Infinity;
    this._set(options);
  }
  _set(options = {}) {
    this.mergeInterval = options.mergeInterval ?? this.mergeInterval ?? 500;
    this._now = options.now ?? this._now ?? (() => (globalThis.performance ?? Date).now());
    this._doc._call('undo-manager', [Math.max(1, options.maxSteps ?? this._maxSteps ?? 100)]);
    this._maxSteps = options.maxSteps ?? this._maxSteps;
  }
  _tick() {
    const t = this._now();
    // Inside transact() the step goes on whatever the time (a transaction is
    // one step: transact() marks its ends through _undoBoundary).
    if (!(t - this._last <= this.mergeInterval) && !(this._doc._txDepth > 0)) this._doc._call('undo-stop-capturing', []);
    this._last = t;
  }
  _live() {
    if (this._doc === null) throw new Error('dolc: the undo manager was freed');
    return this._doc;
  }
  /** Reverts the last step still in the history; false when there was nothing to undo. */
  undo() { this._last = -Infinity; return this._live()._call('undo', []); }
  /** Re-applies the last undone step; false when there is none (a new edit clears them). */
  redo() { this._last = -Infinity; return this._live()._call('redo', []); }
  canUndo() { return this._live()._call('can-undo', []); }
  canRedo() { return this._live()._call('can-redo', []); }
  /** Ends the current step: the next edit starts a new one. */
  stopCapturing() { this._last = -Infinity; this._live()._call('undo-stop-capturing', []); }
  /** Stops recording and forgets the history. */
  free() {
    if (this._doc === null) return;
    if (this._doc._rep !== null) this._doc._call('undo-manager', [0]);
    this._doc._um = undefined;
    this._doc = null;
  }
}

/** The document's undo manager (made on first call; later options update it). */
Document.prototype.undoManager = function undoManager(options) {
  if (this._um === undefined) this._um = new UndoManager(this, options);
  else if (options) this._um._set(options);
  return this._um;
};
// A step boundary (transact() calls it before and after its function, so a
// transaction is one step); nothing without a manager.
Document.prototype._undoBoundary = function _undoBoundary() {
  if (this._um !== undefined) this._call('undo-stop-capturing', []);
};

class Nested extends Field {}
function nestedView(owner, field, viewClass) {
  const f = new Nested(owner, field, viewClass);
  return f._view(f._c('child'));
}

// ---- change events -------------------------------------------------------------
// The runtime records what each applied op changed once someone subscribes
// (take-events(true)); after every top-level mutating call the document takes
// those records and hands one event per call to its subscribers:
// { origin: 'local' | 'remote', changes: [...] } (docs/generated-api.md, "Events").

// 'local' / 'remote' for a call that may change the document, else null: the
// mutating exports are those returning a result, less the reads that can fail.
function mutationOrigin(label, rt) {
  if (!Array.isArray(rt) || rt[0] !== 'result' || label === 'changes-since' || label.endsWith('-child')) return null;
  return label === 'apply' || label === 'merge' || label === 'load' ? 'remote' : 'local';
}

const hexOf = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');

// How many API path elements a runtime object path stands for: a nested
// field is one (its name), a list element or map entry two (name, index/key).
function apiDepth(path) {
  let i = 0, n = 0;
  const varint = () => { while (path[i++] & 0x80); };
  while (i < path.length) {
    const tag = path[i] & 3;
    varint();
    if (tag === 1) { varint(); varint(); }  // element id: lamport, actor
    if (tag === 2) {  // map key: length, bytes
      let len = 0, shift = 0, b;
      do { b = path[i++]; len += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
      i += len;
    }
    n += tag === 0 ? 1 : 2;
  }
  return n;
}

// Composes sequence edits, each positioned in the state it applied to, into
// one delta against the state before the first: [{retain}, {insert}, {delete}].
function composeDelta(edits, objects) {
  const d = [];  // pieces {r: n, a?} | {i: [items], a?} | {d: n}
  const width = (p) => (p.d !== undefined ? 0 : p.r !== undefined ? p.r : p.i.length);
  const split = (k, n) => {  // piece k becomes [0, n) and [n, ...)
    const p = d[k];
    const rest = p.r !== undefined ? { r: p.r - n } : { i: p.i.slice(n) };
    if (p.r !== undefined) p.r = n; else p.i = p.i.slice(0, n);
    if (p.a) rest.a = p.a;
    d.splice(k + 1, 0, rest);
  };
  const seek = (at) => {  // index of the piece that starts at position `at`
    let pos = 0;
    for (let k = 0; k < d.length; k++) {
      const w = width(d[k]);
      if (pos === at) return k;
      if (pos + w > at) { split(k, at - pos); return k + 1; }
      pos += w;
    }
    if (at > pos) d.push({ r: at - pos });
    return d.length;
  };
  for (const e of edits) {
    let k = seek(e.at);
    if (e.insert !== undefined) {
      const piece = { i: typeof e.insert === 'string' ? Array.from(e.insert) : e.insert.slice() };
      if (e.attributes) piece.a = e.attributes;  // the marks inserted text takes where it lands
      d.splice(k, 0, piece);
      continue;
    }
    let n = e.delete !== undefined ? e.delete : e.retain;
    while (n > 0) {
      while (k < d.length && d[k].d !== undefined) k++;
      if (k === d.length) d.push({ r: n });
      if (width(d[k]) > n) split(k, n);
      const p = d[k], w = width(p);
      if (e.delete !== undefined) {
        if (p.r !== undefined) d[k++] = { d: w }; else d.splice(k, 1);
      } else {
        const a = Object.assign({}, p.a, e.attributes);
        if (p.i) for (const key of Object.keys(a)) if (a[key] === null) delete a[key];
        p.a = Object.keys(a).length ? a : undefined;
        k++;
      }
      n -= w;
    }
  }
  const out = [];
  for (const p of d) {
    const key = p.r !== undefined ? 'retain' : p.i ? 'insert' : 'delete';
    const last = out[out.length - 1];
    const attrs = p.a && JSON.stringify(p.a);
    if (last && last[key] !== undefined && JSON.stringify(last.attributes) === attrs) {
      last[key] = key === 'insert' ? last[key].concat(p.i) : last[key] + width(p) + (p.d || 0);
      continue;
    }
    const o = { [key]: key === 'insert' ? p.i : p.d !== undefined ? p.d : p.r };
    if (p.a) o.attributes = p.a;
    out.push(o);
  }
  while (out.length && out[out.length - 1].retain !== undefined && !out[out.length - 1].attributes) out.pop();
  for (const o of out)
    if (o.insert !== undefined) o.insert = objects ? o.insert.length : edits.textual ? o.insert.join('') : o.insert;
  return out.filter((o) => !(o.insert !== undefined && o.insert.length === 0) && o.delete !== 0);
}

// One change per field from the runtime's records of one call (records of
// one field grouped by object and field, in first-change order).
function changesOf(records) {
  const r0 = records[0];
  if (records.length === 1 && r0.at !== undefined) {  // one sequence edit (typing): its delta at once
    const objects = r0.kind === 'objects';
    const op = r0.insert !== undefined
      ? (r0.attributes ? { insert: r0.insert, attributes: r0.attributes } : { insert: objects ? r0.insert.length : r0.insert })
      : r0.delete !== undefined ? { delete: r0.delete } : { retain: r0.retain, attributes: r0.attributes };
    return [{ path: r0.path, kind: objects ? 'list' : r0.kind, obj: r0.obj, delta: r0.at ? [{ retain: r0.at }, op] : [op] }];
  }
  const groups = new Map();
  for (const r of records) {
    if (r.kind === 'reset') return [{ path: [], kind: 'reset', obj: '' }];
    const key = r.obj + '\u0000' + r.path[r.path.length - 1];
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const out = [];
  for (const g of groups.values()) {
    const last = g[g.length - 1], kind = last.kind === 'objects' ? 'list' : last.kind;
    const change = { path: last.path, kind, obj: last.obj };
    if (kind === 'text' || kind === 'list') {
      g.textual = kind === 'text';
      change.delta = composeDelta(g, last.kind === 'objects');
      if (!change.delta.length) continue;
    } else if (kind === 'set' || kind === 'map') {
      const net = new Map();  // value / key (as JSON) -> [visible before, visible after, key]
      for (const r of g) {
        const v = kind === 'set' ? (r.added !== undefined ? r.added : r.removed) : r.key;
        const k = JSON.stringify(v), now = kind === 'set' ? r.added !== undefined : r.op !== 'delete';
        const was = net.has(k) ? net.get(k)[0] : kind === 'set' ? !now : r.op !== 'add';
        net.set(k, [was, now, v, (net.has(k) && net.get(k)[3]) || r.op === 'update' || r.op === 'delete']);
      }
      const pick = (f) => [...net.values()].filter(f).map((x) => x[2]);
      if (kind === 'set') {
        change.added = pick(([was, now]) => !was && now);
        change.removed = pick(([was, now]) => was && !now);
        if (!change.added.length && !change.removed.length) continue;
      } else {
        change.added = pick(([was, now]) => !was && now);
        change.updated = pick(([was, now, , upd]) => was && now && upd);
        change.deleted = pick(([was, now]) => was && !now);
        if (!change.added.length && !change.updated.length && !change.deleted.length) continue;
      }
    } else {
      if (JSON.stringify(g[0].from) === JSON.stringify(last.value)) continue;  // back where it was
      change.value = last.value;
    }
    out.push(change);
  }
  // Paths are where fields are after the call: a list's delta comes before
  // the changes inside its elements (a stable sort keeps the rest in order).
  return out.sort((a, b) => a.path.length - b.path.length);
}

const eventsApi = {
  // Subscriptions: `obj` (hex runtime path of the object) and, for a field,
  // its name at position `depth` of event paths.
  _subscribe(obj, depth, field, fn) {
    if (typeof fn !== 'function') throw new TypeError('dolc: subscribe(callback) takes a function');
    if (!this._subs) {
      this._subs = [];
      this._call('take-events', [true]);  // start recording (and forget nothing: nothing was recorded)
    }
    const sub = { obj, depth, field, fn };
    this._subs.push(sub);
    return () => {
      const i = this._subs ? this._subs.indexOf(sub) : -1;
      if (i < 0) return;
      this._subs.splice(i, 1);
      if (!this._subs.length) {
        this._subs = null;
        if (this._rep !== null) this._call('take-events', [false]);  // stop recording
      }
    };
  },
  // Runs `fn` (several calls) as one top-level call: one event at the end.
  _batch(fn) {
    if (!this._subs) return fn();
    this._depth = (this._depth || 0) + 1;
    try {
      return fn();
    } finally {
      if (--this._depth === 0 && !(this._txDepth > 0)) this._emitEvents('local');
    }
  },
  /** Takes what the runtime recorded since the last call and delivers it as one event (the
   *  transactions code calls it once at commit; mutating calls call it unless `_txDepth > 0`). */
  _emitEvents(origin = 'local') {
    if (!this._subs || this._rep === null) return;
    const raw = this._call('take-events', [true]);
    if (!raw) return;
    const found = changesOf(JSON.parse(raw));
    if (!found.length) return;
    const objs = found.map((c) => c.obj);
    const changes = found.map((c) => { delete c.obj; return c; });
    // Every subscriber is called even if one throws; the first error is then
    // thrown to the caller (the call itself took effect).
    let failure = null;
    for (const sub of this._subs.slice()) {
      const mine = sub.obj === '' && sub.field === null ? changes : changes.filter((c, i) => c.kind === 'reset' ||
        (objs[i].startsWith(sub.obj) && (sub.field === null || c.path[sub.depth] === sub.field)));
      if (!mine.length) continue;
      try {
        sub.fn({ origin, changes: mine });
      } catch (e) {
        failure = failure || { e };
      }
    }
    if (failure) throw failure.e;
  },
};
for (const [k, f] of Object.entries(eventsApi)) Object.defineProperty(Document.prototype, k, { value: f, writable: true });

/** Calls `callback(event)` after each call that changes this object (its fields and the
 *  objects nested in it), local or remote; returns the function that unsubscribes. */
View.prototype.subscribe = function subscribe(callback) {
  return this._doc._subscribe(hexOf(this._path), 0, null, callback);
};
/** Calls `callback(event)` after each call that changes this field; returns unsubscribe. */
Field.prototype.subscribe = function subscribe(callback) {
  const member = this._field.replace(/-(.)/g, (_, c) => c.toUpperCase());  // naming.cpp js_member
  return this._doc._subscribe(hexOf(this._path), apiDepth(this._path), member, callback);
};
