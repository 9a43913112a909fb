// bench/node/adapters.mjs: one adapter per library, so that every workload
// (bench/node/workloads.mjs) is written once and runs unchanged on each.
//
// An adapter's documents are opaque handles (`h`); the adapter gives:
//   create(actor)          a new empty replica with a numeric actor id
//   insert(h, pos, str)    one local insert, one call into the library
//   del(h, pos, n)         one local delete
//   text(h)                the text as a string
//   save(h) -> bytes       the whole document, history included
//   load(bytes, actor)     a new replica from save()
//   mark(h) -> token       where the replica's history stands now...
//   since(h, token)        ...and the replica's own changes since then (bytes,
//                          or a list of updates: what the library sends peers)
//   receive(h, changes)    applies since() of another replica
//   sync(to, from)         brings `to` up to date with `from` (export + import)
//   mapSet, setAdd, setRemove, counterInc: the kv workload's operations
//   kvState(h) -> { mapSize, mapSum, setSize, counter }
// Every mutating call is a complete change in the library's terms (a Yjs
// transaction, an Automerge change, a Loro commit, a dolc operation).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
const nodeModules = path.join(root, 'tools/node/node_modules');

// Peers live in tools/node/node_modules, not next to this file. Resolve them
// as Node's `import` would from there (conditions node, import, default):
// createRequire().resolve would pick the `require` builds, and Yjs's CommonJS
// build runs the traces about 3 times slower than its ES module.
function exportTarget(entry) {
  if (typeof entry === 'string' || entry === null) return entry;
  if (Array.isArray(entry)) return entry.map(exportTarget).find(Boolean) ?? null;
  for (const [condition, value] of Object.entries(entry))
    if (['node', 'import', 'default'].includes(condition)) {
      const target = exportTarget(value);
      if (target) return target;
    }
  return null;
}

async function importPeer(name) {
  const dir = path.join(nodeModules, name);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const exp = pkg.exports;
  const dot = exp && (typeof exp === 'string' || Array.isArray(exp) || !('.' in exp) ? exp : exp['.']);
  const target = (dot && exportTarget(dot)) ?? pkg.module ?? pkg.main ?? 'index.js';
  return import(pathToFileURL(path.join(dir, target)).href);
}

// The installed version of a peer package (for the report's header).
export function peerVersion(name) {
  const file = path.join(nodeModules, name, 'package.json');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  } catch {
    return '?';
  }
}

export const LIBRARIES = ['dolc', 'Yjs', 'Automerge', 'Loro'];
export const PACKAGES = { Yjs: 'yjs', Automerge: '@automerge/automerge', Loro: 'loro-crdt' };

// genDir: where `dolc build bench/node/bench.dol` wrote bench.js/bench.wasm.
async function dolcAdapter(genDir) {
  const mod = await import(pathToFileURL(path.join(genDir, 'bench.js')).href);
  await mod.loadFile();
  const Doc = mod.BenchDoc;
  const sum = (xs) => xs.reduce((s, [, v]) => s + Number(v), 0);
  return {
    create: (actor) => new Doc(BigInt(actor)),
    insert: (d, pos, s) => d.body.insert(pos, s),
    del: (d, pos, n) => d.body.delete(pos, n),
    text: (d) => d.body.toString(),
    save: (d) => d.save(),
    load: (bytes, actor) => Doc.load(bytes, BigInt(actor)),
    mark: (d) => d.version(),
    since: (d, version) => d.changesSince(version),
    receive: (d, bytes) => d.apply(bytes),
    sync: (to, from) => to.apply(from.changesSince(to.version())),
    mapSet: (d, k, v) => d.scores.set(k, v),
    setAdd: (d, v) => d.tags.add(v),
    setRemove: (d, v) => d.tags.remove(v),
    counterInc: (d) => d.hits.increment(1),
    kvState: (d) => ({ mapSize: d.scores.keys().length, mapSum: sum(d.scores.entries()),
                       setSize: d.tags.size(), counter: Number(d.hits.value()) }),
  };
}

async function yjsAdapter() {
  const Y = await importPeer('yjs');
  // A handle: the Y.Doc and its text.
  const create = (actor) => {
    const doc = new Y.Doc();
    doc.clientID = actor;
    return { doc, t: doc.getText('t') };
  };
  const sum = (m) => [...m.values()].reduce((s, v) => s + v, 0);
  return {
    create,
    insert: (h, pos, s) => h.t.insert(pos, s),
    del: (h, pos, n) => h.t.delete(pos, n),
    text: (h) => h.t.toString(),
    save: (h) => Y.encodeStateAsUpdateV2(h.doc),
    load: (bytes, actor) => {
      const h = create(actor);
      Y.applyUpdateV2(h.doc, bytes);
      return h;
    },
    // Between mark() and since() an 'update' listener collects the updates of
    // the local transactions (what an app sends to its peers); it is
    // attached only then, as Yjs encodes updates only for documents that
    // have such a listener.
    mark: (h) => {
      const m = { pending: [], listener: (u) => m.pending.push(u) };
      h.doc.on('update', m.listener);
      return m;
    },
    since: (h, m) => {
      h.doc.off('update', m.listener);
      return m.pending;
    },
    receive: (h, updates) => { for (const u of updates) Y.applyUpdate(h.doc, u); },
    sync: (to, from) => Y.applyUpdate(to.doc, Y.encodeStateAsUpdate(from.doc, Y.encodeStateVector(to.doc))),
    mapSet: (h, k, v) => h.doc.getMap('scores').set(k, v),
    setAdd: (h, v) => h.doc.getMap('tags').set(v, true),
    setRemove: (h, v) => h.doc.getMap('tags').delete(v),
    // Yjs has no counter type: a last-writer-wins value stands in for it.
    counterInc: (h) => { const m = h.doc.getMap('c'); m.set('hits', (m.get('hits') ?? 0) + 1); },
    kvState: (h) => ({ mapSize: h.doc.getMap('scores').size, mapSum: sum(h.doc.getMap('scores')),
                       setSize: h.doc.getMap('tags').size, counter: h.doc.getMap('c').get('hits') ?? 0 }),
  };
}

async function automergeAdapter() {
  const A = await importPeer('@automerge/automerge');
  const actorHex = (n) => n.toString(16).padStart(32, '0');
  // Automerge documents are immutable values: a handle boxes the latest one.
  const change = (h, fn) => { h.d = A.change(h.d, fn); };
  // Replicas start from one shared initial document: objects created apart
  // at the same key would be different objects (only one of them survives
  // a merge), unlike Yjs's and Loro's root types and dolc's schema fields.
  const initial = A.save(A.from({ text: '', scores: {}, tags: {}, hits: new A.Counter(0) }, { actor: actorHex(0) }));
  return {
    create: (actor) => ({ d: A.load(initial, { actor: actorHex(actor) }) }),
    insert: (h, pos, s) => change(h, (x) => A.splice(x, ['text'], pos, 0, s)),
    del: (h, pos, n) => change(h, (x) => A.splice(x, ['text'], pos, n)),
    text: (h) => h.d.text,
    save: (h) => A.save(h.d),
    load: (bytes, actor) => ({ d: A.load(bytes, { actor: actorHex(actor) }) }),
    mark: (h) => A.getHeads(h.d),
    since: (h, heads) => A.saveSince(h.d, heads),
    receive: (h, bytes) => { h.d = A.loadIncremental(h.d, bytes); },
    sync: (to, from) => { to.d = A.loadIncremental(to.d, A.saveSince(from.d, A.getHeads(to.d))); },
    mapSet: (h, k, v) => change(h, (x) => { x.scores[k] = v; }),
    setAdd: (h, v) => change(h, (x) => { x.tags[v] = true; }),
    setRemove: (h, v) => change(h, (x) => { delete x.tags[v]; }),
    counterInc: (h) => change(h, (x) => { x.hits.increment(1); }),
    kvState: (h) => ({ mapSize: Object.keys(h.d.scores).length,
                       mapSum: Object.values(h.d.scores).reduce((s, v) => s + v, 0),
                       setSize: Object.keys(h.d.tags).length, counter: h.d.hits.value }),
  };
}

async function loroAdapter() {
  const L = await importPeer('loro-crdt');
  const create = (actor) => {
    const doc = new L.LoroDoc();
    doc.setPeerId(BigInt(actor));
    return { doc, t: doc.getText('t') };
  };
  const sum = (m) => Object.values(m.toJSON()).reduce((s, v) => s + v, 0);
  return {
    create,
    insert: (h, pos, s) => { h.t.insert(pos, s); h.doc.commit(); },
    del: (h, pos, n) => { h.t.delete(pos, n); h.doc.commit(); },
    text: (h) => h.t.toString(),
    save: (h) => h.doc.export({ mode: 'snapshot' }),
    load: (bytes, actor) => {
      const doc = L.LoroDoc.fromSnapshot(bytes);
      doc.setPeerId(BigInt(actor));
      return { doc, t: doc.getText('t') };
    },
    // As for Yjs: the updates Loro hands out for each local commit.
    mark: (h) => {
      const pending = [];
      return { pending, stop: h.doc.subscribeLocalUpdates((u) => pending.push(u)) };
    },
    since: (h, m) => {
      m.stop();
      return m.pending;
    },
    receive: (h, updates) => { for (const u of updates) h.doc.import(u); },
    sync: (to, from) => { to.doc.import(from.doc.export({ mode: 'update', from: to.doc.oplogVersion() })); },
    mapSet: (h, k, v) => { h.doc.getMap('scores').set(k, v); h.doc.commit(); },
    setAdd: (h, v) => { h.doc.getMap('tags').set(v, true); h.doc.commit(); },
    setRemove: (h, v) => { h.doc.getMap('tags').delete(v); h.doc.commit(); },
    counterInc: (h) => { h.doc.getCounter('hits').increment(1); h.doc.commit(); },
    kvState: (h) => ({ mapSize: h.doc.getMap('scores').size, mapSum: sum(h.doc.getMap('scores')),
                       setSize: h.doc.getMap('tags').size, counter: h.doc.getCounter('hits').value }),
  };
}

export async function adapter(lib, genDir) {
  switch (lib) {
    case 'dolc': return dolcAdapter(genDir);
    case 'Yjs': return yjsAdapter();
    case 'Automerge': return automergeAdapter();
    case 'Loro': return loroAdapter();
    default: throw new Error(`unknown library ${lib}`);
  }
}
