// tests/hostkit/browser_test.mjs: the host kit in a real browser.
//
// Usage: node browser_test.mjs GEN_DIR WORK_DIR CHROMIUM NODE_MODULES
// Starts, all on loopback and stopped at the end even on failure: a relay
// (in this process, with a token secret), an HTTP server for the page
// (browser/app.html + app.mjs), hostkit/ and GEN_DIR (chat.js, chat.wasm as
// application/wasm), and headless Chromium through playwright-core. Then:
//  * two pages (one IndexedDB database each) join the relay and sync;
//  * both go offline, edit, and differ; back online they converge;
//  * page A reloads: with no connection, IndexedDB alone restores the
//    document exactly; reconnected, it stays converged with page B;
//  * two more pages sync over a BroadcastChannel alone.
// Prints one line per check and `N passed, N failed`; exits 1 on failure.
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { check, fail, finish, until } from './harness.mjs';

const [genDir, workDir, chromiumPath, nodeModules] = process.argv.slice(2);
if (!genDir || !workDir || !chromiumPath || !nodeModules) {
  console.error('usage: node browser_test.mjs GEN_DIR WORK_DIR CHROMIUM NODE_MODULES');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const kitDir = path.resolve(here, '../../hostkit');
const { startRelay, issueToken } = await import(pathToFileURL(path.join(kitDir, 'node.js')).href);
const { chromium } = createRequire(path.join(nodeModules, 'x.js'))('playwright-core');

fs.rmSync(workDir, { recursive: true, force: true });
const SECRET = 'browser-test-secret-0123456789';
const DOC = 'room-browser';


// ---- servers ---------------------------------------------------------------
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };
const ROOTS = { '/hostkit/': kitDir, '/gen/': path.resolve(genDir), '/test/': path.join(here, 'browser') };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  let file = null;
  if (url.pathname === '/favicon.ico') { res.writeHead(204); res.end(); return; }
  if (url.pathname === '/') file = path.join(here, 'browser', 'app.html');
  for (const [prefix, root] of Object.entries(ROOTS)) {
    if (url.pathname.startsWith(prefix)) {
      const p = path.resolve(root, '.' + url.pathname.slice(prefix.length - 1));
      if (p.startsWith(root + path.sep)) file = p;  // nothing outside the roots
    }
  }
  if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404); res.end('not found'); return; }
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;
const relay = await startRelay({ dir: path.join(workDir, 'relay'), secret: SECRET });
let browser;
const cleanup = async () => {
  await browser?.close().catch(() => {});
  await relay.close().catch(() => {});
  server.close();
};

try {
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  const context = await browser.newContext();
  const pageErrors = [];
  const open = async (label) => {
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${label}: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`${label} console: ${m.text()}`); });
    await page.goto(origin + '/');
    await page.waitForFunction(() => window.appReady === true);
    return page;
  };
  const token = issueToken(SECRET, { doc: DOC });
  const opts = (who) => ({ db: 'db-' + who, peerId: 'browser-' + who, docId: DOC, relayUrl: relay.url, token });
  let a = await open('a');
  const b = await open('b');
  const json = (p) => p.evaluate(() => window.app.json());

  await check('two pages sync through the relay', async () => {
    await a.evaluate((o) => window.app.start(o), opts('a'));
    await b.evaluate((o) => window.app.start(o), opts('b'));
    await a.evaluate(() => window.app.edit('a', 3));
    await until('b receives a', async () => (await json(b)) === (await json(a)));
    assert.match(await json(b), /last edit by a/);
  });

  await check('offline edits on both pages converge after reconnecting', async () => {
    await a.evaluate(() => window.app.offline());
    await b.evaluate(() => window.app.offline());
    await until('both offline', async () => !(await a.evaluate(() => window.app.isOpen())) && !(await b.evaluate(() => window.app.isOpen())));
    await a.evaluate(() => window.app.edit('a-offline', 20));
    await b.evaluate(() => window.app.edit('b-offline', 20));
    assert.notEqual(await json(a), await json(b));
    await a.evaluate(() => window.app.online());
    await b.evaluate(() => window.app.online());
    await until('convergence', async () => (await json(a)) === (await json(b)));
    const j = JSON.parse(await json(a));
    assert.ok(j.members.includes('a-offline-19') && j.members.includes('b-offline-19'));
    await a.evaluate(() => window.app.whenSynced());
  });

  await check('a reload restores the document from IndexedDB, then keeps syncing', async () => {
    await a.evaluate(() => window.app.flush());
    const before = await json(a);
    await a.reload();
    await a.waitForFunction(() => window.appReady === true);
    const restored = await a.evaluate((o) => window.app.start({ ...o, connect: false }), opts('a'));
    assert.equal(await json(a), before, 'restored from IndexedDB alone');
    assert.ok(restored.members.length >= 40);
    const stats = await a.evaluate(() => window.app.stats());
    assert.ok(stats.entries < 16, `stored deltas were compacted (${stats.entries} left)`);
    await a.evaluate((o) => window.app.connect(o.relayUrl, o.token), opts('a'));
    await b.evaluate(() => window.app.edit('b-after-reload', 2));
    await until('convergence after reload', async () => (await json(a)) === (await json(b)));
    assert.match(await json(a), /b-after-reload-1/);
  });

  await check('two tabs sync over a BroadcastChannel, without the relay', async () => {
    const [c, d] = [await open('c'), await open('d')];
    const tabs = (who) => ({ db: 'tabs-' + who, peerId: 'tab-' + who, docId: 'room-tabs', channel: 'hostkit-tabs' });
    await c.evaluate((o) => window.app.startTabs(o), tabs('c'));
    await d.evaluate((o) => window.app.startTabs(o), tabs('d'));
    await c.evaluate(() => window.app.edit('c', 5));
    await d.evaluate(() => window.app.edit('d', 5));
    await until('tabs converge', async () => (await json(c)) === (await json(d)));
    const j = JSON.parse(await json(c));
    assert.ok(j.members.includes('c-4') && j.members.includes('d-4'));
    await c.close(); await d.close();
  });

  await check('no errors in the pages', () => assert.deepEqual(pageErrors, []));
} catch (e) {
  fail('browser test setup', e);
} finally {
  await cleanup();
}
finish();
