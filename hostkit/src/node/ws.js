// hostkit/src/node/ws.js: finds the `ws` package for Node. An app that depends
// on `ws` gets its own copy; inside this repository (tests, the relay command)
// it is the one tools/setup.sh installs under tools/node/node_modules, which
// Node's resolution would not find from hostkit/.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export async function loadWs() {
  try {
    return await import('ws');
  } catch (e) {
    if (e.code !== 'ERR_MODULE_NOT_FOUND') throw e;
  }
  const repoTools = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tools/node/package.json');
  const resolved = createRequire(repoTools).resolve('ws');
  const mod = await import(pathToFileURL(resolved).href);
  return mod.default ?? mod;
}

/** The WebSocket client constructor for Node: `ws` (Node 20's own WebSocket is experimental). */
export async function nodeWebSocket() {
  try {
    const ws = await loadWs();
    return ws.WebSocket;
  } catch (e) {
    if (globalThis.WebSocket) return globalThis.WebSocket;
    throw e;
  }
}
