// ---- dolc runtime glue types (fixed part of every generated declaration file) ----

/** Loads the core module: bytes, ArrayBuffer, WebAssembly.Module, Response, URL or URL string (fetched;
 *  in Node, file: URLs and plain paths are read from disk). */
export function load(
  source: BufferSource | WebAssembly.Module | Response | PromiseLike<Response> | URL | string,
): Promise<unknown>;
/** Node only: reads the .wasm file next to the .js file (or `path`). */
export function loadFile(path?: string | URL): Promise<unknown>;

/**
 * Integers of 64 bits are bigint; parameters accept number or bigint.
 *
 * Every integer parameter is range-checked before it crosses into the module
 * (positions, indexes and counts are u32: 0 to 4294967295; counter amounts
 * and 64-bit values must fit their type): a value out of range throws a
 * RangeError, a non-integer (a fraction, NaN, a string) a TypeError, each
 * naming the parameter and its range; the document is unchanged then.
 */
export type Int64 = bigint;
export type Int64Input = bigint | number;

/** What a generated class says about one of its fields (static FIELDS). */
export interface FieldInfo {
  member: string;
  name: string;
  /** The field's stable identity in saved and synced bytes (kept through renames). */
  id: string;
  kind: 'Register' | 'MvRegister' | 'OrSet' | 'OrMap' | 'ObjectMap' | 'Counter' | 'EscrowCounter' | 'List' | 'ObjectList' | 'AppendList' | 'AppendObjectList' | 'Text' | 'Nested';
  key?: unknown;
  value?: unknown;
  view?: () => unknown;
}

export declare class View {
  protected constructor();
  static readonly FIELDS: readonly FieldInfo[];
  static readonly LABEL: string;
}

/** What a generated document class says about one of its gene methods (static METHODS). */
export interface MethodInfo {
  member: string;
  name: string;
  params: readonly unknown[];
}

export declare class Document extends View {
  protected constructor();
  static readonly METHODS: readonly MethodInfo[];
  /** This replica's actor id. */
  readonly actor: bigint;
  /** The version vector, encoded. */
  version(): Uint8Array;
  /** The changes the holder of `version` lacks (all changes when omitted), encoded. */
  changesSince(version?: Uint8Array): Uint8Array;
  /** Applies changes from changesSince; throws on malformed bytes (nothing changes then). */
  apply(changes: Uint8Array): void;
  /** Merges another replica's save(). */
  merge(saved: Uint8Array): void;
  save(): Uint8Array;
  /**
   * The document as JSON-safe values; JSON.stringify(doc) calls it. Each
   * document class narrows the type to its `<Class>JSON`: keys are the API's
   * member names, 64-bit integers decimal strings (exact), bytes arrays of
   * numbers, unset registers null, text a string, lists/sets/concurrent
   * values arrays, maps objects.
   */
  toJSON(): object;
  /** The same as typed values (`<Class>Snapshot`): 64-bit integers bigint, bytes Uint8Array, as the getters. */
  snapshot(): object;
  /** The module's JSON text: DOL field names, 64-bit integers as exact digits (C++ `to_json()`). */
  toJSONString(): string;
  /**
   * Invariants that merges broke, then the counter bounds and max_length
   * limits the current values break anywhere in the document (remote and
   * concurrent operations merge, they are never refused for a bound), each
   * with its path: "gene.balance >= -10", "gene.cells[2].label length <= 4",
   * "gene.by_key[\"k\"].hits <= 10".
   */
  violations(): string[];
  /** Writes of older schema versions that no migration could convert (kept in the log, not shown). */
  migrationConflicts(): { field: string; lamport: number; actor: string }[];  // actor: decimal, all 64 bits
  /** Received changes waiting for changes that have not arrived (with the first thing each waits for), and
   *  forks: changes that reuse an actor's seq with other content (FORMAT.md, "Change identity"). */
  pending(): {
    held: { actor: string; seq: number; waitsFor: { actor: string; seq: number } }[];
    forks: { actor: string; seq: number }[];
  };
  /** Forgets every held change (a peer can send them again); returns how many. */
  dropPending(): number;
  /**
   * @personal fields (docs/generated-api.md, "Personal data"): installs or
   * replaces `subject`'s 32-byte AES-256 key. Values sealed for `subject`, by
   * any replica, read through it; the first key set becomes the current
   * subject, whose key seals this replica's writes. Throws on a document
   * without @personal fields or a key that is not 32 bytes.
   */
  setPersonalKey(subject: string, key: Uint8Array): void;
  /** Forgets `subject`'s key: its values read as unset (erased) until the key is set again. False: not held. */
  forgetPersonalKey(subject: string): boolean;
  /** Chooses whose key seals this replica's next writes to @personal fields. */
  setPersonalSubject(subject: string): void;
  /** The subject whose key seals this replica's writes; undefined before any. */
  personalSubject(): string | undefined;
  /**
   * Runs `fn(doc)` as one transaction and returns its result: its operations
   * are one change, applied as a whole. If `fn` throws, or the commit finds an
   * invariant broken that held before, every operation of it is undone and the
   * error is thrown. Nested calls fold into the outer transaction. `fn` must be
   * synchronous and may not call version, changesSince, apply, merge, save or load.
   */
  transact<R>(fn: (doc: this) => R): R;
  /** Whether a transact() callback is running on this document. */
  readonly inTransaction: boolean;
  /** Frees the document now instead of at garbage collection. */
  free(): void;
}

export declare class Register<T, In = T> {
  get(): T | undefined;
  set(value: In): void;
}
export declare class MvRegister<T, In = T> {
  values(): T[];
  set(value: In): void;
}
export declare class OrSet<T, In = T> {
  has(value: In): boolean;
  values(): T[];
  size(): number;
  add(value: In): void;
  remove(value: In): void;
  [Symbol.iterator](): Iterator<T>;
}
export declare class OrMap<K, V, KIn = K, VIn = V> {
  has(key: KIn): boolean;
  get(key: KIn): V | undefined;
  keys(): K[];
  entries(): [K, V][];
  set(key: KIn, value: VIn): void;
  delete(key: KIn): void;
}
export declare class ObjectMap<K, V, Init, KIn = K> {
  has(key: KIn): boolean;
  get(key: KIn): V | undefined;
  keys(): K[];
  entries(): [K, V][];
  set(key: KIn, init?: Init): V;
  delete(key: KIn): void;
}
export declare class Counter<T, In = T> {
  value(): T;
  increment(n?: In): void;
  decrement(n?: In): void;
}
/** A `pn_counter` with `escrow=true`: the value never goes below `min_value` on any replica. */
export declare class EscrowCounter<T, In = T> extends Counter<T, In> {
  /** This replica's rights: how much it may still decrement. */
  rights(): bigint;
  /** Moves `n` of this replica's rights to `actor` (refused beyond them). */
  transfer(actor: Int64Input, n: In): void;
}
export declare class List<T, In = T> {
  length(): number;
  get(i: number): T | undefined;
  toArray(): T[];
  insert(i: number, value: In): void;
  push(value: In): void;
  delete(i: number, n?: number): void;
  move(from: number, to: number): void;
}
export declare class ObjectList<V, Init> {
  length(): number;
  get(i: number): V;
  toArray(): V[];
  insert(i: number, init?: Init): V;
  push(init?: Init): V;
  delete(i: number, n?: number): void;
  move(from: number, to: number): void;
}
/** An `append_only=true` list: no insert in the middle, no delete, no move. */
export declare class AppendList<T, In = T> {
  length(): number;
  get(i: number): T | undefined;
  toArray(): T[];
  push(value: In): void;
}
/** An `append_only=true` list of objects: push() appends one, nothing removes or moves them. */
export declare class AppendObjectList<V, Init> {
  length(): number;
  get(i: number): V;
  toArray(): V[];
  push(init?: Init): V;
}
export interface Span {
  text: string;
  marks: Record<string, string>;
}
export declare class Text {
  length(): number;
  toString(): string;
  insert(pos: number, text: string): void;
  delete(pos: number, n?: number): void;
  mark(start: number, end: number, name: string, value?: string | boolean): void;
  unmark(start: number, end: number, name: string): void;
  spans(): Span[];
}

// ---- change events (docs/generated-api.md, "Events") ----

/** A field's place: JS member names, list indexes and map keys, from the root. */
export type EventPath = (string | number | boolean)[];
/** Formatting set (a string) or removed (null) over a range of text. */
export type Attributes = Record<string, string | null>;
/** One step of a delta (Quill / ProseMirror shape), against the state before the call. */
export type DeltaOp<I> =
  | { retain: number; attributes?: Attributes }
  | { insert: I; attributes?: Attributes }
  | { delete: number };
/** What one call changed in one field. */
export type Change =
  | { path: EventPath; kind: 'text'; delta: DeltaOp<string>[] }
  /** insert: the values; for lists of genes, how many objects (read them with get(i)). */
  | { path: EventPath; kind: 'list'; delta: DeltaOp<unknown[] | number>[] }
  /** The new value (a register), the values (mv), the total (counter); numbers as toJSON() gives them. */
  | { path: EventPath; kind: 'register' | 'mv' | 'counter'; value: unknown }
  | { path: EventPath; kind: 'set'; added: unknown[]; removed: unknown[] }
  | { path: EventPath; kind: 'map'; added: unknown[]; updated: unknown[]; deleted: unknown[] }
  /** The whole state was replaced (a load, a replay after a fork): read it again. */
  | { path: []; kind: 'reset' };
/** One event per call that changed the document (or, in a transaction, per transaction). */
export interface ChangeEvent {
  origin: 'local' | 'remote';
  changes: Change[];
}
export interface Subscribable {
  /** Calls `callback` after each call that changes this object or field (local or remote);
   *  returns the function that unsubscribes. */
  subscribe(callback: (event: ChangeEvent) => void): () => void;
}
export interface View extends Subscribable {}
export interface Register<T, In = T> extends Subscribable {}
export interface MvRegister<T, In = T> extends Subscribable {}
export interface OrSet<T, In = T> extends Subscribable {}
export interface OrMap<K, V, KIn = K, VIn = V> extends Subscribable {}
export interface ObjectMap<K, V, Init, KIn = K> extends Subscribable {}
export interface Counter<T, In = T> extends Subscribable {}
export interface List<T, In = T> extends Subscribable {}
export interface ObjectList<V, Init> extends Subscribable {}
export interface AppendList<T, In = T> extends Subscribable {}
export interface AppendObjectList<V, Init> extends Subscribable {}
export interface Text extends Subscribable {}
// ---- cursors and undo/redo (docs/generated-api.md, "Cursors", "Undo and redo") ----

export interface CursorMethods {
  /**
   * A position anchored to an element, not an index: side 'right' (default;
   * also 'after': the element after the position) stays just before the
   * element at `pos` (the end when pos = length), 'left' (also 'before': the
   * element before the position) just after the element before `pos`. A
   * short string to keep or send to other replicas.
   */
  cursor(pos: number, side?: 'left' | 'right' | 'before' | 'after'): string;
  /** The cursor's index now (where its element was, if deleted); undefined until its element arrives. */
  cursorPosition(cursor: string): number | undefined;
}
export interface List<T, In = T> extends CursorMethods {}
export interface ObjectList<V, Init> extends CursorMethods {}
export interface AppendList<T, In = T> extends CursorMethods {}
export interface AppendObjectList<V, Init> extends CursorMethods {}
export interface Text extends CursorMethods {}

export interface UndoManagerOptions {
  /** Edits less than this many ms apart are one step (default 500). */
  mergeInterval?: number;
  /** Steps kept (default 100). */
  maxSteps?: number;
  /** The clock, in ms (default performance.now). */
  now?: () => number;
}
export declare class UndoManager {
  private constructor();
  mergeInterval: number;
  /** Reverts the last step of this replica's own edits; false when there was nothing to undo. */
  undo(): boolean;
  /** Re-applies the last undone step; false when there is none. */
  redo(): boolean;
  canUndo(): boolean;
  canRedo(): boolean;
  /** Ends the current step: the next edit starts a new one. */
  stopCapturing(): void;
  /** Stops recording and forgets the history. */
  free(): void;
}
export interface Document {
  /** The document's undo manager (made on first call; later options update it). */
  undoManager(options?: UndoManagerOptions): UndoManager;
}
