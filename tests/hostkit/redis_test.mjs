// tests/hostkit/redis_test.mjs: relays scaled out through Redis.
//
// Usage: node redis_test.mjs GEN_DIR NAME WORK_DIR REDIS_SERVER
// Starts, on loopback random ports, a throw-away redis-server (AOF on,
// appendfsync always, its files under WORK_DIR) and two relay processes
// (hostkit/bin/dolc-relay.mjs --redis), all killed when this script ends,
// whatever happens. Then, on RoomState documents:
//  * a client on relay A and a client on relay B converge (and a third);
//  * relay A is killed (SIGKILL) while its client edits: the client fails
//    over to relay B, every edit it made arrives, all converge;
//  * Redis is killed (SIGKILL) and restarted on its files while clients
//    edit: nothing acknowledged is lost, all converge, and a newcomer that
//    joins afterwards receives everything from Redis alone.
// Prints one line per check and `N passed, N failed`; exits 1 on failure.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL, fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { check, finish, sleep, until, json, converged, startChild } from './harness.mjs';

const [genDir, name, workDir, redisServer] = process.argv.slice(2);
if (!genDir || !name || !workDir || !redisServer) { console.error('usage: node redis_test.mjs GEN_DIR NAME WORK_DIR REDIS_SERVER'); process.exit(2); }
const here = path.dirname(fileURLToPath(import.meta.url));
const kitDir = path.resolve(here, '../../hostkit');
const { Repo, RelayConnection, MemoryStorage, issueToken, nodeWebSocket } = await import(pathToFileURL(path.join(kitDir, 'node.js')).href);
const mod = await import(pathToFileURL(path.resolve(genDir, name + '.js')).href);
await mod.loadFile();
const { RoomState } = mod;
const WebSocket = await nodeWebSocket();

fs.rmSync(workDir, { recursive: true, force: true });
fs.mkdirSync(path.join(workDir, 'redis'), { recursive: true });
const SECRET = 'redis-test-secret-0123456789';
fs.writeFileSync(path.join(workDir, 'secret'), SECRET);

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});

const redisPort = await freePort();
async function startRedis() {
  const child = spawn(redisServer, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes',
    '--appendfsync', 'always', '--dir', path.join(workDir, 'redis'), '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { exited } = await startChild(child, /Ready to accept connections/, 'redis-server');
  return { child, exited };
}
async function startRelay() {
  const child = spawn(process.execPath, [path.join(kitDir, 'bin/dolc-relay.mjs'), '--redis', `redis://127.0.0.1:${redisPort}`,
    '--port', '0', '--secret-file', path.join(workDir, 'secret')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { match, exited } = await startChild(child, /listening (ws:\/\/\S+)/, 'relay');
  return { child, exited, url: match[1] };
}

function client(label, urls) {
  const repo = new Repo({ storage: new MemoryStorage(), peerId: label });
  const conn = new RelayConnection(repo, { url: urls, name: 'cluster', WebSocket, minBackoffMs: 20, maxBackoffMs: 200,
    token: (doc) => issueToken(SECRET, { doc }) });
  const errors = [];
  conn.on('error', (e) => errors.push(e));
  return { repo, conn, errors };
}

let redis = await startRedis();
const relayA = await startRelay();
const relayB = await startRelay();
const DOC = 'room-redis';
const X = client('x', [relayA.url, relayB.url]);
const Y = client('y', [relayB.url, relayA.url]);
const Z = client('z', [relayA.url, relayB.url]);
const hx = await X.repo.find(DOC, RoomState), hy = await Y.repo.find(DOC, RoomState), hz = await Z.repo.find(DOC, RoomState);

await check('a client on relay A and a client on relay B converge', async () => {
  await until('connected', () => X.conn.open && Y.conn.open && Z.conn.open);
  assert.equal(X.conn.url, relayA.url);
  assert.equal(Y.conn.url, relayB.url);
  for (let i = 0; i < 20; i++) {
    hx.change((d) => d.members.add('x' + i));
    hy.change((d) => d.members.add('y' + i));
    if (i % 5 === 0) await sleep(5);
  }
  hz.change((d) => d.title.set('from z'));
  await converged([hx, hy, hz], 'cross-relay convergence');
  assert.equal(hx.doc.members.size(), 40);
});

await check('relay A is killed mid-stream: its clients fail over to B and lose nothing', async () => {
  const edits = [];
  for (let i = 0; i < 30; i++) {
    const m = 'x-during-kill-' + i;
    hx.change((d) => d.members.add(m));
    edits.push(m);
    if (i === 10) relayA.child.kill('SIGKILL');
    await sleep(2);
  }
  await relayA.exited;
  await until('x fails over to B', () => X.conn.open && X.conn.url === relayB.url);
  await converged([hx, hy, hz], 'convergence after the kill');
  for (const m of edits) assert.ok(hy.doc.members.has(m), `y lacks ${m}`);
  await X.conn.whenSynced(DOC);
});

await check('Redis is killed and restarted: nothing acknowledged is lost; a newcomer gets everything', async () => {
  await X.conn.whenSynced(DOC);
  await Y.conn.whenSynced(DOC);
  const acknowledged = json(hx);
  redis.child.kill('SIGKILL');
  await redis.exited;
  for (let i = 0; i < 5; i++) { hy.change((d) => d.members.add('y-outage-' + i)); await sleep(5); }
  await sleep(200);
  redis = await startRedis();
  await converged([hx, hy, hz], 'convergence after the Redis restart', 30000);
  assert.ok(hx.doc.members.has('y-outage-4'));
  await Y.conn.whenSynced(DOC, { timeoutMs: 20000 });
  const W = client('w', [relayB.url]);
  const hw = await W.repo.find(DOC, RoomState);
  await converged([hy, hw], 'newcomer from Redis');
  const before = JSON.parse(acknowledged), now = JSON.parse(json(hw));
  for (const m of before.members) assert.ok(now.members.includes(m), `lost ${m}`);
  await W.repo.close();
});

await X.repo.close(); await Y.repo.close(); await Z.repo.close();
relayB.child.kill('SIGTERM');
const stopped = await relayB.exited;
await check('relay B shuts down cleanly', () => assert.equal(stopped.code, 0));
redis.child.kill('SIGTERM');
await redis.exited;
finish();
