// tests/build/traits/traits_test.mjs: traits as Component Model interfaces,
// end to end through jco.
//
// Usage: node traits_test.mjs NODE_MODULES NOTES_DIR BOARD_DIR
// (the outputs of `dolc build` for traits_notes.dol and traits_board.dol).
// Checks that both schemas declare the traits' package `dol:traits@1.0.0`
// with the same text (what lets a component of one stand in for the
// other), that each core module exports exactly the trait functions the WIT
// describes, that jco wraps each into a component, and that, run through
// jco's transpiled ES module, a document seen through a trait object reads
// and writes the document itself, a trait object converts to the traits its
// trait uses, and handles dropped in any order keep the others working.
// Prints `N passed, N failed`; exits 1 on any failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [nodeModules, notesDir, boardDir] = process.argv.slice(2);
if (!nodeModules || !notesDir || !boardDir) {
  console.error('usage: node traits_test.mjs NODE_MODULES NOTES_DIR BOARD_DIR');
  process.exit(2);
}
const jco = await import(pathToFileURL(path.join(nodeModules, '@bytecodealliance/jco/dist/api.js')).href);

let passed = 0, failed = 0;
async function check(what, fn) {
  try { await fn(); passed++; console.log('ok  ', what); } catch (e) { failed++; console.log('FAIL', what, e); }
}

const load = (dir, name) => ({
  name,
  wit: fs.readFileSync(path.join(dir, name + '.wit'), 'utf8'),
  core: fs.readFileSync(path.join(dir, name + '.wasm')),
});
const notes = load(notesDir, 'traits_notes'), board = load(boardDir, 'traits_board');
const traitsPackage = (wit) => {
  const at = wit.indexOf('\npackage dol:traits@1.0.0 {');
  return at < 0 ? '' : wit.slice(at);
};

await check('both schemas declare the same dol:traits@1.0.0 package', () => {
  assert.notEqual(traitsPackage(notes.wit), '');
  assert.equal(traitsPackage(notes.wit), traitsPackage(board.wit));
  assert.match(traitsPackage(notes.wit), /interface labels-tagged \{\n    use labels-titled\.\{object as labels-titled-object\};/);
});

await check('the worlds export the trait interfaces', () => {
  for (const s of [notes, board]) {
    assert.match(s.wit, /^  export dol:traits\/labels-titled@1\.0\.0;$/m);
    assert.match(s.wit, /^  export dol:traits\/labels-tagged@1\.0\.0;$/m);
  }
});

await check('the core modules export every trait function the WIT names', () => {
  for (const s of [notes, board]) {
    const exports = new Set(WebAssembly.Module.exports(new WebAssembly.Module(s.core)).map((e) => e.name));
    for (const [iface, fns] of [['labels-titled', ['title', 'rename']],
                                ['labels-tagged', ['add-tag', 'tag-count', 'is-tagged', 'as-labels-titled']]]) {
      const q = `dol:traits/${iface}@1.0.0`;
      assert.ok(exports.has(`${q}#[dtor]object`), `${s.name}: ${q}#[dtor]object`);
      for (const f of fns) assert.ok(exports.has(`${q}#[method]object.${f}`), `${s.name}: ${q} ${f}`);
    }
  }
});

async function component(s) {
  const world = /^world\s+(%?[a-z0-9-]+)/m.exec(s.wit)[1];
  const embedded = await jco.componentEmbed({ binary: s.core, witSource: s.wit, world });
  const bytes = await jco.componentNew(embedded, []);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dolc-traits-'));
  const { files } = await jco.transpile(bytes, { name: 'component', noTypescript: true });
  for (const [file, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    fs.writeFileSync(path.join(work, file), data);
  }
  fs.writeFileSync(path.join(work, 'package.json'), '{"type": "module"}\n');
  return import(pathToFileURL(path.join(work, 'component.js')).href);
}

const find = (api, suffix) => {
  for (const [k, v] of Object.entries(api)) if (k === suffix || k.endsWith('/' + suffix) || k.startsWith(suffix)) return v;
  return undefined;
};
const camel = (s) => s.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());

for (const [s, gene, titleField, fresh] of [[notes, 'notes-note', 'heading', 'untitled'], [board, 'board-card', 'caption', '']]) {
  let api;
  await check(`${s.name}: jco embed + new + transpile`, async () => { api = await component(s); });
  if (!api) continue;
  await check(`${s.name}: a ${gene} document through its traits`, () => {
    const geneApi = api[camel(gene)] ?? find(api, gene);
    const tagged = api.labelsTagged ?? find(api, 'labels-tagged');
    const titled = api.labelsTitled ?? find(api, 'labels-titled');
    assert.ok(geneApi && tagged && titled, `exports: ${Object.keys(api).join(', ')}`);
    const doc = new geneApi.Document(7n);
    doc.callRename('first');
    const t = doc.asLabelsTagged();
    assert.ok(t instanceof tagged.Object);
    assert.equal(t.tagCount(), 0n);
    assert.equal(t.isTagged(), false, 'the default body the gene inherits');
    t.addTag('red');
    t.addTag('blue');
    assert.equal(t.tagCount(), 2n);
    assert.equal(t.isTagged(), true);
    assert.equal(doc.callTagCount(), 2n, 'the document sees what the trait object did');
    const n = t.asLabelsTitled();
    assert.ok(n instanceof titled.Object);
    assert.equal(n.title(), 'first');
    n.rename('second');
    assert.equal(doc.callTitle(), 'second');
    assert.equal(JSON.parse(doc.toJson())[titleField], 'second');
    // Handles in any order: the document outlives its own handle while
    // trait objects hold it, and goes when the last one does.
    doc[Symbol.dispose]();
    assert.equal(n.title(), 'second');
    t[Symbol.dispose]();
    n.rename('third');
    assert.equal(n.title(), 'third');
    n[Symbol.dispose]();
    const again = new geneApi.Document(8n);
    assert.equal(again.asLabelsTitled().title(), fresh);
  });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
