// bench/hostkit/relay_load.mjs: load on the host kit's relay, on loopback.
//
// Usage: node bench/hostkit/relay_load.mjs GEN_DIR [--clients N] [--edits M]
//            [--interval-ms T] [--redis-server PATH] [--timeout-s S]
// GEN_DIR holds chat.js/chat.wasm (dolc build examples/chat.dol -o GEN_DIR).
// N clients (default 20) each make M edits (default 50, one every T ms,
// default 20) to one RoomState document (a member added per edit), through
// (1) one relay on files (fsync on), then, with --redis-server, (2) two relays
// sharing a throw-away Redis (AOF, appendfsync always), clients split between
// them. Relays and Redis are child processes, killed at the end. Prints per
// setup: wall time until every client holds every edit, edits per second,
// and the latency from an edit to its arrival at an observer client (client
// 0; on the other relay in setup 2) as p50/p95/p99/max. Checks that every
// client ends with all N*M members (WRONG and exit 1 otherwise). Bounded:
// each setup gives up after --timeout-s (default 120). Not a test.
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL, fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const genDir = args[0];
const opt = (name, dflt) => { const i = args.indexOf(name); return i < 0 ? dflt : args[i + 1]; };
if (!genDir || genDir.startsWith('--')) {
  console.error('usage: node relay_load.mjs GEN_DIR [--clients N] [--edits M] [--interval-ms T] [--redis-server PATH] [--timeout-s S]');
  process.exit(2);
}
const CLIENTS = Number(opt('--clients', 20)), EDITS = Number(opt('--edits', 50)), INTERVAL = Number(opt('--interval-ms', 20));
const TIMEOUT_MS = Number(opt('--timeout-s', 120)) * 1000;
const redisServer = opt('--redis-server', null);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const kit = await import(pathToFileURL(path.join(root, 'hostkit/node.js')).href);
const { startChild } = await import(pathToFileURL(path.join(root, 'tests/hostkit/harness.mjs')).href);
const { Repo, RelayConnection, MemoryStorage, issueToken, nodeWebSocket } = kit;
const mod = await import(pathToFileURL(path.resolve(genDir, 'chat.js')).href);
await mod.loadFile();
const WebSocket = await nodeWebSocket();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dolc-relay-load-'));
const SECRET = 'bench-secret-0123456789abcdef';
fs.writeFileSync(path.join(work, 'secret'), SECRET);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});

async function relay(storeArgs) {
  const child = spawn(process.execPath, [path.join(root, 'hostkit/bin/dolc-relay.mjs'), ...storeArgs, '--port', '0',
    '--secret-file', path.join(work, 'secret'), '--messages-per-second', '100000', '--bytes-per-second', '1000000000', ...(process.env.NOFSYNC ? ['--no-fsync'] : [])],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const { match, exited } = await startChild(child, /listening (ws:\/\/\S+)/, 'relay');
  return { url: match[1], stop: () => { child.kill('SIGTERM'); return exited; } };
}

async function run(label, urls) {
  const doc = 'load-' + label.replace(/\W+/g, '-');
  const clients = [];
  for (let i = 0; i < CLIENTS; i++) {
    const repo = new Repo({ storage: new MemoryStorage(), peerId: `c${i}` });
    const conn = new RelayConnection(repo, { url: urls[i % urls.length], WebSocket, token: issueToken(SECRET, { doc }) });
    clients.push({ repo, conn, handle: await repo.find(doc, mod.RoomState) });
  }
  // Each edit also sets readMarkers[c<i>] = j (a register per client), so the
  // observer learns which edits arrived with one read per client, not one per
  // edit in flight (which would make the measuring the bottleneck).
  const observer = clients[0].handle;
  const sentAt = clients.map(() => []);   // sentAt[i][j]: when client i made edit j
  const seen = clients.map(() => -1);     // highest j of client i the observer holds
  const latencies = [];
  observer.on('change', ({ remote }) => {
    if (!remote) return;
    const now = performance.now();
    for (let i = 1; i < CLIENTS; i++) {
      const v = observer.doc.readMarkers.get('c' + i);
      if (v === undefined) continue;
      for (let j = seen[i] + 1; j <= Number(v); j++) latencies.push(now - sentAt[i][j]);
      seen[i] = Math.max(seen[i], Number(v));
    }
  });
  const start = performance.now();
  const deadline = Date.now() + TIMEOUT_MS;
  for (let j = 0; j < EDITS && Date.now() < deadline; j++) {
    for (let i = 0; i < CLIENTS; i++) {
      sentAt[i][j] = performance.now();
      clients[i].handle.change((d) => { d.members.add(`c${i}-${j}`); d.readMarkers.set('c' + i, BigInt(j)); });
    }
    await sleep(INTERVAL);
  }
  const total = CLIENTS * EDITS;
  while (Date.now() < deadline && !clients.every((c) => c.handle.doc.members.size() === total)) await sleep(10);
  const wall = (performance.now() - start) / 1000;
  const complete = clients.every((c) => c.handle.doc.members.size() === total);
  for (const c of clients) await c.repo.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1) : '-');
  console.log(`| ${label} | ${CLIENTS} x ${EDITS} | ${wall.toFixed(2)} s | ${(total / wall).toFixed(0)} | ` +
              `${pct(0.5)} | ${pct(0.95)} | ${pct(0.99)} | ${latencies.length ? latencies.at(-1).toFixed(1) : '-'} | ${complete ? 'ok' : 'WRONG'} |`);
  return complete;
}

console.log(`relay load: ${CLIENTS} clients x ${EDITS} edits, one edit per client every ${INTERVAL} ms, loopback, ${os.cpus().length} cores`);
console.log('| setup | clients x edits | wall | edits/s | p50 ms | p95 ms | p99 ms | max ms | result |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
let ok = true;
const one = await relay(['--dir', path.join(work, 'relay')]);
ok = (await run('one relay, files', [one.url])) && ok;
await one.stop();
if (redisServer) {
  const port = await freePort();
  fs.mkdirSync(path.join(work, 'redis'));
  const redis = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes',
    '--appendfsync', 'always', '--dir', path.join(work, 'redis'), '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const r = await startChild(redis, /Ready to accept connections/, 'redis-server');
  const a = await relay(['--redis', `redis://127.0.0.1:${port}`]);
  const b = await relay(['--redis', `redis://127.0.0.1:${port}`]);
  // Client 0 (the observer) is on relay A; every other odd client is on B, so most edits cross relays.
  ok = (await run('two relays, Redis', [a.url, b.url])) && ok;
  await a.stop(); await b.stop();
  redis.kill('SIGTERM');
  await r.exited;
}
fs.rmSync(work, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
