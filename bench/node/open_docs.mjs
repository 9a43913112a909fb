// bench/node/open_docs.mjs: what it costs to edit while other documents stay
// open. The automerge-paper trace (259,778 edits, one per JS call) is applied
// to --docs documents of one module instance in turn, none freed, then to one
// more after they are all freed (whose memory it reuses); each final text is
// checked against the trace. Prints ms per document.
//
// Why: every document lives in the module's one linear memory, which grows as
// they grow. Until 2026-12-02 the allocator grew it a page or two at a time,
// and each growth made V8 count external memory and collect garbage again:
// the third open document took 0.7 s and the fourth 3.5 s where the first
// took 0.3 s. The allocator now grows the memory by at least an eighth
// (runtime-wasm/src/alloc_wasm.cpp). Not part of the test suite.
//
// Usage: node bench/node/open_docs.mjs [BUILD_DIR] [--docs N] [--trace FILE]
import fs from 'node:fs';
import { readTrace, patchCount } from './workloads.mjs';
import { benchModule, commandLine, paperTrace, typeTrace } from './bench_module.mjs';

const cli = commandLine();
const docs = Number(cli.opt('--docs', 4));
const traceFile = cli.opt('--trace', paperTrace);
const { gen, Doc } = await benchModule(cli.build(), 'open-docs');
const trace = readTrace(traceFile);

function fill(actor) {
  const d = new Doc(BigInt(actor));
  const body = d.body;
  const ms = typeTrace(body, trace);
  if (body.toString() !== trace.endContent) throw new Error(`document ${actor}: final text differs from the trace`);
  return { d, ms };
}

console.log(`automerge-paper trace: ${patchCount(trace)} edits, one per call, into ${docs} documents kept open, node ${process.version}`);
console.log('| document | apply (ms) |\n|---|---|');
const open = [];
for (let k = 1; k <= docs; k++) {
  const { d, ms } = fill(k);
  open.push(d);
  console.log(`| ${k}${k === 1 ? ' (first in the process)' : ''} | ${ms.toFixed(0)} |`);
}
for (const d of open) d.free();
const { d, ms } = fill(docs + 1);
d.free();
console.log(`| ${docs + 1}, after the others were freed | ${ms.toFixed(0)} |`);
fs.rmSync(gen, { recursive: true, force: true });
