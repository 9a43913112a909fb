// hostkit/node.d.ts: types of the Node entry (node.js): index.d.ts plus file
// storage, relay tokens, the `ws` constructor and the relay server.
export * from './index.js';
import type { StorageAdapter, WebSocketLike } from './index.js';

/** One folder per document under `root`: snapshot, append-only change log, metadata. */
export interface FileStorage extends StorageAdapter {}
export declare class FileStorage { constructor(root: string, options?: { fsync?: boolean }); }

/** The subset of a better-sqlite3 (12.x) Database that SqliteStorage uses. */
export interface SqliteDatabaseLike {
  prepare(sql: string): unknown;
  transaction(fn: (...args: any[]) => unknown): unknown;
  exec(sql: string): unknown;
  pragma(sql: string): unknown;
  close(): unknown;
  readonly memory: boolean;
  readonly open: boolean;
}
/**
 * Documents as rows of one SQLite database (WAL, synchronous=FULL: an append is
 * durable when its promise resolves). `new SqliteStorage(new Database('app.db'))`.
 */
export interface SqliteStorage extends StorageAdapter {}
export declare class SqliteStorage {
  constructor(db: SqliteDatabaseLike, options?: { prefix?: string; closeDatabase?: boolean });
}
export declare function issueToken(secret: string, claims: { doc: string; access?: 'r' | 'rw'; expiresInSec?: number }): string;
export declare function verifyToken(secret: string, token: string | undefined, doc: string): 'r' | 'rw' | null;
export declare function nodeWebSocket(): Promise<new (url: string) => WebSocketLike>;

export interface RelayOptions {
  /** Files on local disk (one relay), or: */
  dir?: string;
  /** a redis:// URL shared by several relays. */
  redis?: string;
  host?: string;
  port?: number;
  secret?: string;
  authorize?: (doc: string, token: string | undefined) => 'r' | 'rw' | null;
  open?: boolean;
  maxMessageBytes?: number;
  maxDocBytes?: number;
  messagesPerSecond?: number;
  bytesPerSecond?: number;
  maxPendingMessages?: number;
  highWaterBytes?: number;
  maxBatchBytes?: number;
  fsync?: boolean;
  log?: { error?(msg: string): void };
}
export declare const RELAY_DEFAULTS: Readonly<Required<Omit<RelayOptions, 'dir' | 'redis' | 'secret' | 'authorize' | 'open' | 'log'>>>;
export interface Relay {
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): { connections: number; frames: number; refused: number; stored: number; forwarded: number; docs: number; open: number };
}
export declare function startRelay(options: RelayOptions): Promise<Relay>;
