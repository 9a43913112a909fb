// tests/build/e2e/loader.mjs GEN_DIR NAME: the generated loader's core path,
// the one browsers use: `load()` given a fetch() promise, a Response, a URL
// (served over HTTP here), a WebAssembly.Module and plain bytes; and the Node
// convenience loadFile(), and in Node file: URLs and paths. Each way must give
// a working module.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [dir, name] = process.argv.slice(2);
const mod = await import(pathToFileURL(path.join(dir, name + '.js')).href);
const bytes = fs.readFileSync(path.join(dir, name + '.wasm'));
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/wasm' });
  res.end(bytes);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/${name}.wasm`;
const Doc = Object.values(mod).find((c) => typeof c === 'function' && c.prototype instanceof mod.Document);
let passed = 0, failed = 0;
const ways = [
  ['fetch() promise', () => mod.load(fetch(url))],
  ['Response', async () => mod.load(await fetch(url))],
  ['URL', () => mod.load(new URL(url))],
  ['URL string', () => mod.load(url)],
  ['WebAssembly.Module', () => mod.load(new WebAssembly.Module(bytes))],
  ['bytes', () => mod.load(new Uint8Array(bytes))],
  ['loadFile()', () => mod.loadFile()],
  // Node: what browsers fetch, read from disk (Node's fetch() has no file: URLs).
  ['file: URL', () => mod.load(pathToFileURL(path.join(dir, name + '.wasm')))],
  ['file: URL string', () => mod.load(pathToFileURL(path.join(dir, name + '.wasm')).href)],
  ['path string', () => mod.load(path.join(dir, name + '.wasm'))],
  ['new URL(relative, import.meta.url)', () => mod.load(new URL(`./${name}.wasm`, pathToFileURL(path.join(dir, name + '.js'))))],
];
// A missing file is a clear error, not a hang.
try {
  await mod.load(path.join(dir, 'missing.wasm'));
  failed++;
  console.log('FAIL', 'load(missing path) did not throw');
} catch (e) {
  if (e.code === 'ENOENT') { passed++; console.log('ok  ', 'load(missing path) throws ENOENT'); }
  else { failed++; console.log('FAIL', 'load(missing path)', e); }
}
for (const [what, how] of ways) {
  try {
    await how();
    const d = new Doc(1n);
    assert.equal(typeof d.toJSON(), 'object');
    assert.ok(d.save() instanceof Uint8Array);
    d.free();
    passed++;
    console.log('ok  ', `load(${what})`);
  } catch (e) {
    failed++;
    console.log('FAIL', `load(${what})`, e);
  }
}
server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
