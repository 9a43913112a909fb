// bench/node/undo.mjs: what undo tracking costs (issue 13, part 4), on a
// sequential editing trace (default: the automerge-paper trace, 259,778
// edits). Builds bench/node/bench.dol with BUILD/dolc, then replays the
// trace, each run in a fresh document:
//   * without an undo manager (the baseline: the runtime records nothing);
//   * with doc.undoManager() (real clock, 500 ms merge interval: a replay
//     this fast is a handful of steps);
//   * with a manager and a step every STEP edits (a fake clock), then undoes
//     every step and redoes every step: ms per step and per edit, and checks
//     that undoing all gives the start text back and redoing all the end text.
// Prints ms per edit (median of RUNS) and the undo/redo times. Not a test.
//
//   node bench/node/undo.mjs [BUILD=build] [TRACE=/work/shared/bench/traces/seq-automerge-paper.json.gz] [RUNS=3] [STEP=100]
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readTrace, patchCount } from './workloads.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const [build = 'build', tracePath = path.resolve(root, '../shared/bench/traces/seq-automerge-paper.json.gz'),
       runsArg = '3', stepArg = '100'] = process.argv.slice(2);
const runs = Number(runsArg), STEP = Number(stepArg);
const buildDir = path.resolve(root, build);
const genDir = path.join(buildDir, 'bench/undo-module');
execFileSync(path.join(buildDir, 'dolc'), ['build', path.join(here, 'bench.dol'), '-o', genDir], { stdio: 'inherit' });
fs.writeFileSync(path.join(genDir, 'package.json'), '{"type": "module"}\n');
const mod = await import(pathToFileURL(path.join(genDir, 'bench.js')).href);
await mod.loadFile();
const Doc = mod.BenchDoc;
const trace = readTrace(tracePath);
const edits = patchCount(trace);

function replay(d, onEdit) {
  if (trace.startContent) d.body.insert(0, trace.startContent);
  let n = 0;
  const t0 = performance.now();
  for (const txn of trace.txns)
    for (const [pos, del, ins] of txn.patches) {
      if (del > 0) d.body.delete(pos, del);
      if (ins.length > 0) d.body.insert(pos, ins);
      onEdit?.(++n);
    }
  return performance.now() - t0;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (ms) => `${(ms * 1000 / edits).toFixed(3)} µs/edit (${ms.toFixed(0)} ms)`;

const base = [], tracked = [];
for (let r = 0; r < runs; r++) {
  let d = new Doc(1n);
  base.push(replay(d));
  if (d.body.toString() !== trace.endContent) throw new Error('baseline: wrong final text');
  d.free();
  d = new Doc(1n);
  d.undoManager();
  tracked.push(replay(d));
  if (d.body.toString() !== trace.endContent) throw new Error('tracked: wrong final text');
  d.free();
}
console.log(`trace ${path.basename(tracePath)}: ${edits} edits, ${runs} runs (median)`);
console.log(`  no undo manager:          ${fmt(median(base))}`);
console.log(`  undo manager (500 ms):    ${fmt(median(tracked))}  (+${((median(tracked) / median(base) - 1) * 100).toFixed(1)} %)`);

// Steps of STEP edits, then undo all and redo all.
let clock = 0;
const d = new Doc(1n);
const um = d.undoManager({ mergeInterval: STEP - 1, maxSteps: 1e9, now: () => clock });
const stepped = replay(d, (n) => { clock = Math.floor(n / STEP) * STEP; });  // a jump every STEP edits
const steps = Math.ceil(edits / STEP);
let t0 = performance.now(), undone = 0;
while (um.undo()) undone++;
const undoMs = performance.now() - t0;
if (d.body.toString() !== '') throw new Error('undo all: text left');
t0 = performance.now();
let redone = 0;
while (um.redo()) redone++;
const redoMs = performance.now() - t0;
if (d.body.toString() !== trace.endContent) throw new Error('redo all: not the end text');
console.log(`  manager, a step per ${STEP} edits: ${fmt(stepped)}`);
console.log(`  undo ${undone} steps (of ${steps}): ${undoMs.toFixed(0)} ms = ${(undoMs / undone).toFixed(3)} ms/step, ${(undoMs * 1000 / edits).toFixed(3)} µs per original edit`);
console.log(`  redo ${redone} steps: ${redoMs.toFixed(0)} ms = ${(redoMs / redone).toFixed(3)} ms/step`);
console.log(`  save() after undo+redo: ${d.save().length} bytes`);
