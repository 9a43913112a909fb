// hostkit/node.js: everything of index.js plus what needs Node: file storage,
// SQLite storage (on a better-sqlite3 Database the app opens), relay tokens,
// the `ws` WebSocket constructor and the relay itself.
export * from './index.js';
export { FileStorage } from './src/node/storage-file.js';
export { SqliteStorage } from './src/node/storage-sqlite.js';
export { issueToken, verifyToken } from './src/node/tokens.js';
export { nodeWebSocket } from './src/node/ws.js';
export { startRelay, RELAY_DEFAULTS } from './relay/server.js';
