// hostkit/node.js: everything of index.js plus what needs Node: file storage,
// relay tokens, the `ws` WebSocket constructor and the relay itself.
export * from './index.js';
export { FileStorage } from './src/node/storage-file.js';
export { issueToken, verifyToken } from './src/node/tokens.js';
export { nodeWebSocket } from './src/node/ws.js';
export { startRelay, RELAY_DEFAULTS } from './relay/server.js';
