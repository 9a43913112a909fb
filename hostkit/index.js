// hostkit/index.js: the host kit's entry point for browsers and Node (no
// Node-only imports here; Node adds hostkit/node.js). See hostkit/README.md.
export { Repo, DocHandle, Emitter } from './src/repo.js';
export { MemoryStorage } from './src/storage-memory.js';
export { IndexedDBStorage } from './src/storage-indexeddb.js';
export { RelayConnection } from './src/relay-client.js';
export { PeerConnection, portLink, joinBroadcastChannel } from './src/peer.js';
export { policyFromSchema, DEFAULT_POLICY } from './src/policy.js';
export { createSealer } from './src/crypto.js';
export { PROTOCOL_VERSION, MSG, ERR, LIMITS, ProtocolError, encodeFrame, decodeFrame, isValidDocId } from './src/protocol.js';
