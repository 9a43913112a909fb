// tests/build/component/component_test.mjs: the generated NAME.wit and
// NAME.wasm through standard component tooling.
//
// Usage: node component_test.mjs NODE_MODULES GEN_DIR NAME [mode]
// jco's JS API embeds the WIT into the core module (componentEmbed), wraps
// it (componentNew) and transpiles the component to an ES module
// (transpile); the test then imports that module and, for every interface,
// creates documents, edits every kind of field the interface has (found from
// the WIT signatures through the generated JS's FIELDS tables), and syncs two
// instances through changes-since/apply. `mode` = `mock` when the module was
// built with the Doc test double (no real sync: only the calls are checked).
// Prints `N passed, N failed`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [nodeModules, genDir, name, mode] = process.argv.slice(2);
if (!nodeModules || !genDir || !name) {
  console.error('usage: node component_test.mjs NODE_MODULES GEN_DIR NAME [mock]');
  process.exit(2);
}
const jcoEntry = path.join(nodeModules, '@bytecodealliance/jco/dist/api.js');
if (!fs.existsSync(jcoEntry)) {
  console.error(`jco is not installed at ${jcoEntry}: run tools/setup.sh (npm install in tools/node)`);
  process.exit(1);
}
const jco = await import(pathToFileURL(jcoEntry).href);

let passed = 0, failed = 0;
async function check(what, fn) {
  try { await fn(); passed++; console.log('ok  ', what); } catch (e) { failed++; console.log('FAIL', what, e); }
}

const witSource = fs.readFileSync(path.join(genDir, name + '.wit'), 'utf8');
const core = fs.readFileSync(path.join(genDir, name + '.wasm'));
const world = /^world\s+(%?[a-z0-9-]+)/m.exec(witSource)[1].replace(/^%/, '');
const pkg = /^package\s+([^;]+);/m.exec(witSource)[1];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dolc-component-'));
let component, api;

await check('the core module exports exactly what the WIT describes', () => {
  const expected = new Set(['memory', 'cabi_realloc', '_initialize']);
  const version = pkg.split('@')[1], ns = pkg.split('@')[0];
  for (const block of witSource.split(/^interface /m).slice(1)) {
    const iface = block.split(/\s/)[0].replace(/^%/, '');
    const q = `${ns}/${iface}@${version}`;
    expected.add(`${q}#[constructor]document`).add(`${q}#[dtor]document`);
    for (const m of block.matchAll(/^\s+(%?[a-z0-9-]+): func\(/gm)) expected.add(`${q}#[method]document.${m[1].replace(/^%/, '')}`);
  }
  const actual = new Set(WebAssembly.Module.exports(new WebAssembly.Module(core)).map((e) => e.name));
  const missing = [...expected].filter((e) => !actual.has(e) && e !== '_initialize');
  const extra = [...actual].filter((e) => !expected.has(e));
  assert.deepEqual(missing, [], 'described by the WIT but not exported');
  assert.deepEqual(extra, [], 'exported but not described by the WIT');
});
await check('jco embed + new wraps the core module into a component', async () => {
  const embedded = await jco.componentEmbed({ binary: core, witSource, world });
  component = await jco.componentNew(embedded, []);
  assert.ok(component.length > core.length / 2);
});
await check('jco transpile gives an ES module that loads', async () => {
  const { files } = await jco.transpile(component, { name: 'component', noTypescript: true });
  for (const [file, bytes] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    fs.writeFileSync(path.join(work, file), bytes);
  }
  fs.writeFileSync(path.join(work, 'package.json'), '{"type": "module"}\n');
  api = await import(pathToFileURL(path.join(work, 'component.js')).href);
});

// The generated JS knows each interface's fields and value types; reuse it to
// pick a value of the right type for each field.
const gen = await import(pathToFileURL(path.join(genDir, name + '.js')).href);
const camel = (s) => s.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
function sample(t) {
  if (Array.isArray(t)) {
    if (t[0] === 'enum') return t[1][0];
    if (t[0] === 'option') return sample(t[1]);
    if (t[0] === 'record') return Object.fromEntries(t[1].map(([k, ft]) => [k, sample(ft)]));
  }
  switch (t) {
    case 'bool': return true;
    case 's64': case 'u64': return 3n;
    case 'string': return 'hé 👍';
    case 'bytes': return new Uint8Array([1, 2]);
    default: return 3;
  }
}
// WIT labels as lower/naming.cpp makes them (words split at `.`, `_`, `-` and
// lower->upper case changes; digits glued to the previous word).
function witLabel(name) {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w.toLowerCase());
  let out = '';
  for (const w of words) out += !out ? (/^[0-9]/.test(w) ? 'x' + w : w) : /^[0-9]/.test(w) ? w : '-' + w;
  return out;
}
// jco's representation of an enum value is the WIT case label.
function witValue(t, v) {
  if (Array.isArray(t) && t[0] === 'enum') return witLabel(v);
  if (Array.isArray(t) && t[0] === 'record') return Object.fromEntries(t[1].map(([k, ft]) => [k, witValue(ft, v[k])]));
  return v;
}

const root = new Uint8Array(0);
if (api) {
  const docClasses = Object.values(gen).filter((c) => typeof c === 'function' && c.prototype instanceof gen.Document);
  for (const C of docClasses) {
    const iface = api[camel(C.LABEL)] ?? api[`${pkg.split('@')[0].replace(/@.*/, '')}/${C.LABEL}@${pkg.split('@')[1]}`];
    await check(`${C.LABEL}: interface exported`, () => assert.ok(iface && iface.Document, `no export for ${C.LABEL}`));
    if (!iface || !iface.Document) continue;
    const a = new iface.Document(1n), b = new iface.Document(2n);
    for (const f of C.FIELDS) {
      const base = witLabel(f.name);
      const m = (op) => camel(`${base}-${op}`);
      await check(`${C.LABEL}.${f.name} (${f.kind}) through the component`, () => {
        switch (f.kind) {
          case 'Register': a[m('set')](root, witValue(f.value, sample(f.value))); assert.notEqual(a[m('get')](root), undefined); break;
          case 'MvRegister': a[m('set')](root, witValue(f.value, sample(f.value))); assert.equal(a[m('values')](root).length, 1); break;
          case 'OrSet': a[m('add')](root, witValue(f.value, sample(f.value))); assert.ok(a[m('has')](root, witValue(f.value, sample(f.value)))); break;
          case 'OrMap': a[m('set')](root, witValue(f.key, sample(f.key)), witValue(f.value, sample(f.value))); assert.equal(a[m('keys')](root).length, 1); break;
          case 'ObjectMap': a[m('set-new')](root, witValue(f.key, sample(f.key))); assert.ok(a[m('child')](root, witValue(f.key, sample(f.key))) instanceof Uint8Array); break;
          case 'Counter': a[m('increment')](root, sample(f.value)); assert.ok(a[m('value')](root) > 0); break;
          case 'List': a[m('insert')](root, 0, witValue(f.value, sample(f.value))); assert.equal(a[m('length')](root), 1); break;
          case 'ObjectList': a[m('insert-new')](root, 0); assert.ok(a[m('child')](root, 0) instanceof Uint8Array); break;
          case 'Text': a[m('insert')](root, 0, 'hello'); a[m('mark')](root, 0, 2, 'bold', 'true'); assert.equal(a[m('text')](root), 'hello'); break;
          case 'Nested': assert.ok(a[m('child')](root) instanceof Uint8Array); break;
        }
      });
    }
    await check(`${C.LABEL}: errors come back as component errors`, () => {
      assert.throws(() => a.apply(new Uint8Array([0xff, 0x00, 0x13])));
    });
    await check(`${C.LABEL}: two component instances sync through changes-since/apply`, () => {
      b.apply(a.changesSince(b.version()));
      a.apply(b.changesSince(a.version()));
      if (mode !== 'mock') assert.equal(b.toJson(), a.toJson());
      assert.equal(typeof JSON.parse(a.toJson()), 'object');
    });
  }
}
fs.rmSync(work, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
