// tests/build/editor/editor_test.mjs GEN_DIR CHROMIUM NODE_MODULES: the
// textarea binding (examples/editor/textarea.js) in headless Chromium, typed
// into with the keyboard while a peer edits the same text concurrently.
// Serves the page, the generated chat module and the binding on loopback,
// and stops browser and server at the end, even on failure. Checks:
//  * typing reaches the document, and a peer's edits reach the textarea
//    (the change events' deltas);
//  * the caret stays on the same character when a peer inserts or deletes
//    before it (cursors), and typing goes on where the user was;
//  * a selection keeps covering the same text; surrogate pairs (emoji) count
//    as one character in the document;
//  * a random session of typing, caret moves and peer edits, synced after
//    each step: textarea, document and peer always agree.
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const [genDir, chromiumPath, nodeModules] = process.argv.slice(2);
if (!genDir || !chromiumPath || !nodeModules) {
  console.error('usage: node editor_test.mjs GEN_DIR CHROMIUM NODE_MODULES');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = createRequire(path.join(nodeModules, 'x.js'))('playwright-core');

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const ROOTS = { '/gen/': path.resolve(genDir), '/test/': here, '/examples/': path.resolve(here, '../../../examples') };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/favicon.ico') { res.writeHead(204); res.end(); return; }
  let file = url.pathname === '/' ? path.join(here, 'page.html') : null;
  for (const [prefix, root] of Object.entries(ROOTS))
    if (url.pathname.startsWith(prefix)) {
      const p = path.resolve(root, '.' + url.pathname.slice(prefix.length - 1));
      if (p.startsWith(root + path.sep)) file = p;
    }
  if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));

let passed = 0, failed = 0, browser;
async function check(what, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${what}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${what}: ${e && e.stack ? e.stack : e}`);
  }
}

try {
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 20000 });
  const t = (fn, ...args) => page.evaluate(([f, a]) => window.t[f](...a), [fn, args]);
  const state = () => t('state');
  const agree = async (what) => {
    const s = await state();
    assert.equal(s.area, s.a, `${what}: textarea = document`);
    assert.equal(s.b, s.a, `${what}: peer = document`);
    return s;
  };

  await check('typing reaches the document and the peer', async () => {
    await t('select', 6);
    await page.keyboard.type('big ');
    await t('sync');
    const s = await agree('after typing');
    assert.equal(s.a, 'hello big world');
  });

  await check('the caret stays on its character when the peer edits before it', async () => {
    // Caret before "world" (after "big ").
    await t('select', 10);
    await t('peerInsert', 0, 'Oh, ');
    await t('peerDelete', 4, 6);  // "hello " of "Oh, hello big world"
    await t('sync');
    const s = await agree('after the peer edits');
    assert.equal(s.a, 'Oh, big world');
    assert.equal(s.area.slice(s.start), 'world', 'the caret is still before "world"');
    await page.keyboard.type('new ');
    await t('sync');
    const s2 = await agree('typing on');
    assert.equal(s2.a, 'Oh, big new world');
  });

  await check('a selection keeps covering the same text', async () => {
    const s0 = await state();
    const at = s0.a.indexOf('new');
    await t('select', at, at + 3);
    await t('peerInsert', 0, '>> ');
    await t('peerInsert', s0.a.length + 3, ' <<');
    await t('sync');
    const s = await agree('after the peer edits');
    assert.equal(s.area.slice(s.start, s.end), 'new');
    await page.keyboard.type('fresh');  // typing replaces the selection
    await t('sync');
    const s2 = await agree('after replacing the selection');
    assert.match(s2.a, /big fresh world/);
  });

  await check('emoji (surrogate pairs) are one character in the document', async () => {
    const s0 = await state();
    await t('select', s0.area.length);
    await page.keyboard.type('🍕x');
    await t('sync');
    const s = await agree('after typing an emoji');
    assert.ok(s.a.endsWith('🍕x'));
    const peerLength = await t('peerLength');
    assert.equal(peerLength, Array.from(s.a).length, 'lengths count code points');
    await t('select', s.area.length - 1);  // between the emoji and "x"
    await t('peerInsert', 0, '🎉');
    await t('sync');
    const s2 = await agree('after the peer adds an emoji before the caret');
    assert.equal(s2.area.slice(s2.start), 'x');
  });

  await check('a random session: typing, caret moves and peer edits always agree', async () => {
    let seed = 11;
    const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    for (let step = 0; step < 60; step++) {
      const s = await state();
      const len = s.area.length;
      switch (rand(5)) {
        case 0: case 1: {  // type at a random caret position (not inside a surrogate pair)
          let at = rand(len + 1);
          if (at > 0 && at < len && /[\udc00-\udfff]/.test(s.area[at])) at--;
          await t('select', at);
          await page.keyboard.type(['a', 'bc', ' ', 'Zoë'][rand(4)]);
          break;
        }
        case 2: {  // backspace
          const at = rand(len + 1);
          if (at > 0 && !/[\udc00-\udfff]/.test(s.area[at] ?? '')) {
            await t('select', at);
            await page.keyboard.press('Backspace');
          }
          break;
        }
        case 3: {  // the peer inserts, with the caret somewhere: it must stay on its character
          const peerLen = await t('peerLength');
          let caret = rand(len + 1);
          if (caret > 0 && caret < len && /[\udc00-\udfff]/.test(s.area[caret])) caret--;
          await t('select', caret);
          const after = s.area.slice(caret);
          await t('peerInsert', rand(peerLen + 1), ['X', 'yy', '!'][rand(3)]);
          await t('sync');
          const s2 = await agree(`step ${step}`);
          // The caret sticks to the character after it: that character (by
          // identity: it is the one the peer's edit did not touch) is still
          // right after the caret, or the caret is still at the end.
          const anchor = Array.from(after)[0];
          if (anchor === undefined) assert.equal(s2.start, s2.area.length, `step ${step}: the caret stays at the end`);
          else assert.equal(Array.from(s2.area.slice(s2.start))[0], anchor,
                            `step ${step}: the character after the caret: ${JSON.stringify([s.area, caret, s2.area, s2.start])}`);
          break;
        }
        default: {  // the peer deletes
          const peerLen = await t('peerLength');
          if (peerLen > 2) await t('peerDelete', rand(peerLen - 1), 1);
        }
      }
      await t('sync');
      await agree(`step ${step}`);
    }
  });

  await check('no errors in the page', async () => assert.deepEqual(errors, []));
} catch (e) {
  failed++;
  console.log(`FAIL set-up: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser?.close().catch(() => {});
  server.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
