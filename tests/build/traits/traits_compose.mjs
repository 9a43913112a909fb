// tests/build/traits/traits_compose.mjs: components built from different
// schemas composed through a trait (issue 10, item 5).
//
// Usage: node traits_compose.mjs NODE_MODULES NOTES_DIR BOARD_DIR WORK_DIR
// (the outputs of `dolc build` for traits_notes.dol and traits_board.dol).
//
// A consumer component (consumer.js, made a component by componentize-js,
// which jco depends on) imports `dol:traits/labels-titled@1.0.0`, declared
// by the very text of the `dol:traits` package that dolc wrote into
// traits_notes.wit, and exports `describe` and `retitle`, which take a
// trait object. Each dolc component (notes, board) is wrapped by jco and
// transpiled; the consumer is transpiled once per provider, its trait import
// mapped by jco (`transpile`'s `map`) to that component's export of the
// interface: the Component Model's linking of an import to an export, done
// by jco for a JS host (jco 1.35 has no `compose` command, and wasm-tools and
// wac are not installed). Then one consumer component, unchanged, reads and
// renames documents of both schemas through their trait objects, and what it
// does through the trait is what the documents hold.
// Prints `N passed, N failed`; exits 1 on any failure.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [nodeModules, notesDir, boardDir, workDir] = process.argv.slice(2);
if (!nodeModules || !notesDir || !boardDir || !workDir) {
  console.error('usage: node traits_compose.mjs NODE_MODULES NOTES_DIR BOARD_DIR WORK_DIR');
  process.exit(2);
}
const here = path.dirname(new URL(import.meta.url).pathname);
const jco = await import(pathToFileURL(path.join(nodeModules, '@bytecodealliance/jco/dist/api.js')).href);
const { componentize } = await import(
  pathToFileURL(path.join(nodeModules, '@bytecodealliance/componentize-js/src/componentize.js')).href);

let passed = 0, failed = 0;
async function check(what, fn) {
  try { await fn(); passed++; console.log('ok  ', what); } catch (e) { failed++; console.log('FAIL', what, e); }
}

fs.rmSync(workDir, { recursive: true, force: true });
fs.mkdirSync(workDir, { recursive: true });

// Writes jco's transpiled files of component `bytes` into dir; returns the module's path.
async function transpile(bytes, dir, map) {
  const { files } = await jco.transpile(bytes, { name: 'component', noTypescript: true, map });
  for (const [file, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), data);
  }
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}\n');
  return path.join(dir, 'component.js');
}

// A dolc component: the core module wrapped by jco with the WIT dolc wrote.
async function provider(dir, name) {
  const wit = fs.readFileSync(path.join(dir, name + '.wit'), 'utf8');
  const world = /^world\s+(%?[a-z0-9-]+)/m.exec(wit)[1];
  const embedded = await jco.componentEmbed({ binary: fs.readFileSync(path.join(dir, name + '.wasm')), witSource: wit, world });
  const js = await transpile(await jco.componentNew(embedded, []), path.join(workDir, name));
  return { wit, js, api: await import(pathToFileURL(js).href) };
}

const notes = await provider(notesDir, 'traits_notes');
const board = await provider(boardDir, 'traits_board');

// The consumer's world: its own package, then the traits package exactly as
// dolc wrote it (both schemas write the same text; traits_test.mjs checks).
const traitsPackage = notes.wit.slice(notes.wit.indexOf('\npackage dol:traits@1.0.0 {'));
const consumerWit = `package test:consumer@1.0.0;

world consumer {
  import dol:traits/labels-titled@1.0.0;
  use dol:traits/labels-titled@1.0.0.{object};
  export describe: func(item: borrow<object>) -> string;
  export retitle: func(item: borrow<object>, title: string) -> string;
}
${traitsPackage}`;

let consumerBytes;
await check('componentize-js makes the consumer a component that imports the trait interface', async () => {
  const { component } = await componentize(fs.readFileSync(path.join(here, 'consumer.js'), 'utf8'), {
    witWorld: consumerWit, worldName: 'consumer', disableFeatures: ['random', 'stdio', 'clocks', 'http', 'fetch-event'],
  });
  consumerBytes = component;
  const wit = await jco.componentWit(consumerBytes);
  assert.match(wit, /import dol:traits\/labels-titled@1\.0\.0;/);
});

// The consumer linked to one provider: jco maps its import of the interface
// to a module that re-exports the provider's export of it.
async function consumerFor(p, name) {
  const link = path.join(workDir, `${name}-link.js`);
  fs.writeFileSync(link, `import { labelsTitled } from ${JSON.stringify(pathToFileURL(p.js).href)};\n` +
                         'export const { Object } = labelsTitled;\n');
  const js = await transpile(consumerBytes, path.join(workDir, `consumer-${name}`),
                             { 'dol:traits/labels-titled@1.0.0': pathToFileURL(link).href });
  return import(pathToFileURL(js).href);
}

const empty = new Uint8Array(0);
for (const [p, name, gene, field] of [[notes, 'notes', 'notesNote', 'heading'], [board, 'board', 'boardCard', 'caption']]) {
  await check(`the consumer, linked to the ${name} component, reads and renames its documents through the trait`, async () => {
    const consumer = await consumerFor(p, name);
    const doc = new p.api[gene].Document(3n);
    const set = field + 'Set', get = field + 'Get';
    doc[set](empty, 'Groceries');
    const item = doc.asLabelsTitled();
    assert.equal(consumer.describe(item), 'titled "Groceries"');
    assert.equal(consumer.retitle(item, 'Shopping list'), 'Shopping list');
    assert.equal(doc[get](empty), 'Shopping list');  // the document itself changed, not a copy
    // The rename is a change of the document: a replica that receives it agrees.
    const peer = new p.api[gene].Document(4n);
    peer.apply(doc.changesSince(peer.version()));
    assert.equal(peer[get](empty), 'Shopping list');
  });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
