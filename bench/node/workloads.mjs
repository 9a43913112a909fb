// bench/node/workloads.mjs: the workloads of the comparison, written once
// against the adapter interface of adapters.mjs. Each returns
// { ms, problems: [...], ...figures }; `ms` is the timed part only, and
// `problems` lists every check that failed (an empty list means all passed).
import fs from 'node:fs';
import zlib from 'node:zlib';

export function readTrace(file) {
  const t = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'));
  if (!Array.isArray(t.txns) || typeof t.endContent !== 'string')
    throw new Error(`${file}: not a trace (expected an object with txns and endContent)`);
  return t;
}

export const isConcurrent = (trace) => trace.kind === 'concurrent';
export const patchCount = (trace) => trace.txns.reduce((n, t) => n + t.patches.length, 0);

// "length 104851 instead of 104852, first difference at 3071: "…" instead of "…""
function mismatch(what, got, want) {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  const near = (s) => JSON.stringify(s.slice(Math.max(0, i - 10), i + 20));
  return `${what}: length ${got.length} instead of ${want.length}, first difference at ${i}: ` +
         `${near(got)} instead of ${near(want)}`;
}

function checkText(problems, what, got, want) {
  if (got !== want) problems.push(mismatch(what, got, want));
}

// Loads `saved` into new replicas: the first load (cold: code paths not yet
// compiled) is checked with `check`, then up to 5 more (while under 2 s in
// all) give the load time, their median.
function timeLoad(a, saved, check) {
  const times = [];
  for (let spent = 0; times.length < 6 && (times.length < 2 || spent < 2000);) {
    const t0 = performance.now();
    const loaded = a.load(saved, 99);
    const ms = performance.now() - t0;
    if (times.length === 0) check(loaded);
    times.push(ms);
    spent += ms;
  }
  const warm = times.slice(1).sort((x, y) => x - y);
  // What a host stores when it compresses the saved bytes (deflate, level 9:
  // zlib in Node, CompressionStream("deflate-raw") in browsers): the same
  // for every library, so the comparison stays fair.
  const deflated = zlib.deflateRawSync(saved, { level: 9 }).length;
  return { saved: saved.length, deflated, loadColdMs: times[0], loadMs: warm[warm.length >> 1] };
}

// Saves `h` and times loading it; the loaded text must be `want`.
function saveAndLoad(a, h, want, problems) {
  return timeLoad(a, a.save(h), (loaded) => checkText(problems, 'text after save+load', a.text(loaded), want));
}

// Sequential trace: every patch applied in order to one replica, one call
// per insert or delete; the final text must equal endContent.
function runSequential(a, trace) {
  const problems = [];
  const h = a.create(1);
  const t0 = performance.now();
  if (trace.startContent) a.insert(h, 0, trace.startContent);
  for (const txn of trace.txns)
    for (const [pos, del, ins] of txn.patches) {
      if (del > 0) a.del(h, pos, del);
      if (ins.length > 0) a.insert(h, pos, ins);
    }
  const ms = performance.now() - t0;
  checkText(problems, 'final text', a.text(h), trace.endContent);
  return { ms, edits: patchCount(trace), problems, ...saveAndLoad(a, h, trace.endContent, problems) };
}

// Concurrent trace (format: ../shared/bench/README.md), replayed as
// bench/traces/trace_replay.hpp does natively: a replica per agent; before an
// agent's transaction its replica receives exactly the transactions in the
// history of the transaction's parents it lacks (in index order), then
// makes the transaction's edits locally, and what they produced (since())
// is kept for the others. At the end every replica receives everything and
// each must hold endContent. Timed: the whole replay, exports and imports
// included.
function runConcurrent(a, trace) {
  const problems = [];
  const n = trace.txns.length;
  const replicas = Array.from({ length: trace.numAgents }, (_, i) => ({ h: a.create(i + 1), applied: new Uint8Array(n) }));
  const updates = new Array(n);
  let received = 0;
  // Which transactions one catchUp() walked: stamped with the call's number
  // rather than a fresh 26 KB array per call (26,000 calls on friendsforever,
  // for every library alike; a CPU profile put a quarter of the time there,
  // but without the profiler dolc's figure barely moved: 940 -> 927 ms).
  const seen = new Uint32Array(n);
  let walk = 0;
  const catchUp = (r, heads) => {
    const stack = [...heads];
    const missing = [];
    walk++;
    while (stack.length > 0) {
      const t = stack.pop();
      if (r.applied[t] || seen[t] === walk) continue;
      seen[t] = walk;
      missing.push(t);
      for (const p of trace.txns[t].parents) stack.push(p);
    }
    missing.sort((x, y) => x - y);
    for (const t of missing) {
      a.receive(r.h, updates[t]);
      r.applied[t] = 1;
      received++;
    }
  };
  const t0 = performance.now();
  for (let t = 0; t < n; t++) {
    const txn = trace.txns[t];
    const r = replicas[txn.agent];
    catchUp(r, txn.parents);
    const mark = a.mark(r.h);
    for (const [pos, del, ins] of txn.patches) {
      if (del > 0) a.del(r.h, pos, del);
      if (ins.length > 0) a.insert(r.h, pos, ins);
    }
    updates[t] = a.since(r.h, mark);
    r.applied[t] = 1;
  }
  const all = Array.from({ length: n }, (_, t) => t);
  for (const r of replicas) catchUp(r, all);
  const ms = performance.now() - t0;
  replicas.forEach((r, i) => checkText(problems, `final text of agent ${i}`, a.text(r.h), trace.endContent));
  // Bytes sent when every transaction is synced as it is made: each update
  // once (what a relay stores and forwards).
  // (Yjs' since() is a list of updates, one per local transaction.)
  const bytes = (u) => (Array.isArray(u) ? u.reduce((sum, x) => sum + x.length, 0) : u.length);
  const sent = updates.reduce((sum, u) => sum + bytes(u), 0);
  return { ms, edits: patchCount(trace), txns: n, received, sent, problems,
           ...saveAndLoad(a, replicas[0].h, trace.endContent, problems) };
}

export function runTrace(a, trace) {
  return isConcurrent(trace) ? runConcurrent(a, trace) : runSequential(a, trace);
}

// A small deterministic generator, mulberry32 (the same edits for every
// library): rand(n) is an integer in [0, n).
function mulberry32(seed) {
  let s = seed >>> 0;
  return (n) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

// Two replicas of a 1000-character text make `edits` edits each while apart,
// as bench/traces does natively: typing at a cursor that jumps to a random
// place one time in 20, a backspace one time in 6. Then they are merged both
// ways (timed: export + import each way). Checks: both hold the same text,
// of the length a plain model of the edits predicts.
export function runMerge(a, edits) {
  const problems = [];
  const rand = mulberry32(42);
  const base = a.create(1);
  const baseLen = 1000;
  a.insert(base, 0, 'x'.repeat(baseLen));
  const bytes = a.save(base);
  const deleted = new Set();
  let inserted = 0;
  const edit = (h, actor) => {
    const model = Array.from({ length: baseLen }, (_, i) => i);  // character ids
    let cursor = rand(baseLen + 1);
    for (let i = 0; i < edits; i++) {
      if (rand(20) === 0) cursor = rand(model.length + 1);
      if (rand(6) === 0 && cursor > 0) {
        a.del(h, cursor - 1, 1);
        deleted.add(model.splice(cursor - 1, 1)[0]);
        cursor--;
      } else {
        a.insert(h, cursor, String.fromCharCode(97 + rand(26)));
        model.splice(cursor, 0, `${actor}:${i}`);
        inserted++;
        cursor++;
      }
    }
  };
  const L = a.load(bytes, 2);
  const R = a.load(bytes, 3);
  edit(L, 2);
  edit(R, 3);
  const t0 = performance.now();
  a.sync(L, R);
  a.sync(R, L);
  const ms = performance.now() - t0;
  const left = a.text(L);
  const right = a.text(R);
  checkText(problems, 'replicas differ after merging', right, left);
  const want = baseLen + inserted - deleted.size;
  if (left.length !== want) problems.push(`merged text has length ${left.length} instead of ${want}`);
  return { ms, edits, problems };
}

// `ops` operations on a map (set), a set (add/remove) and a counter
// (increment), one call each, in a fixed mix; the final state is checked
// against the same operations on plain JS values.
export function runKv(a, ops) {
  const problems = [];
  const h = a.create(1);
  const steps = [];
  for (let i = 0; i < ops; i++) {
    switch (i % 4) {
      case 0: steps.push(['map', `k${i % 1000}`, i]); break;
      case 1: steps.push(['add', `t${i % 500}`]); break;
      case 2: steps.push(i % 8 === 2 ? ['remove', `t${(i * 7) % 500}`] : ['add', `u${i % 300}`]); break;
      default: steps.push(['inc']);
    }
  }
  const t0 = performance.now();
  for (const [op, x, v] of steps) {
    if (op === 'map') a.mapSet(h, x, v);
    else if (op === 'add') a.setAdd(h, x);
    else if (op === 'remove') a.setRemove(h, x);
    else a.counterInc(h);
  }
  const ms = performance.now() - t0;
  const map = new Map();
  const set = new Set();
  let counter = 0;
  for (const [op, x, v] of steps) {
    if (op === 'map') map.set(x, v);
    else if (op === 'add') set.add(x);
    else if (op === 'remove') set.delete(x);
    else counter++;
  }
  const want = { mapSize: map.size, mapSum: [...map.values()].reduce((s, v) => s + v, 0), setSize: set.size, counter };
  const check = (what, got) => {
    for (const k of Object.keys(want))
      if (got[k] !== want[k]) problems.push(`${what}: ${k} ${got[k]} instead of ${want[k]}`);
  };
  check('final state', a.kvState(h));
  return { ms, ops, problems, ...timeLoad(a, a.save(h), (loaded) => check('state after save+load', a.kvState(loaded))) };
}
