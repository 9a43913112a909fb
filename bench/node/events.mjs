// bench/node/events.mjs: what change events cost (issue 13). The
// automerge-paper trace (259,778 edits) applied to a peritext field one edit
// per JS call, without a subscriber and with one (each call then takes the
// runtime's records and delivers one event with the composed delta), on a
// fresh document each run; the final text is checked against the trace, and
// with a subscriber each event's delta against the edit of its call. Prints ms
// per run and µs per edit (medians of --runs). Not part of the test suite.
//
// Usage: node bench/node/events.mjs [BUILD_DIR] [--runs N] [--trace FILE]
import fs from 'node:fs';
import { readTrace, patchCount } from './workloads.mjs';
import { benchModule, commandLine, paperTrace, typeTrace } from './bench_module.mjs';

const cli = commandLine();
const runs = Number(cli.opt('--runs', 5));
const traceFile = cli.opt('--trace', paperTrace);
const { gen, Doc } = await benchModule(cli.build(), 'events');
const trace = readTrace(traceFile);
const edits = patchCount(trace);

function run(subscribe) {
  const d = new Doc(1n);
  const body = d.body;
  let events = 0;
  const deltas = [];
  if (subscribe) d.subscribe((e) => { events++; deltas.push(e.changes[0].delta); });
  const ms = typeTrace(body, trace);
  const text = body.toString();
  if (text !== trace.endContent) throw new Error('final text differs from the trace');
  if (subscribe) {
    // Not timed: each event's delta is the edit of its call.
    let k = trace.startContent ? 1 : 0;
    for (const txn of trace.txns)
      for (const [pos, del, ins] of txn.patches)
        for (const want of [del > 0 && { delete: del }, ins.length > 0 && { insert: ins }]) {
          if (!want) continue;
          const got = JSON.stringify(deltas[k++]);
          const expect = JSON.stringify(pos > 0 ? [{ retain: pos }, want] : [want]);
          if (got !== expect) throw new Error(`event ${k - 1}: ${got} instead of ${expect}`);
        }
    if (k !== deltas.length) throw new Error(`${deltas.length} events for ${k} calls`);
  }
  d.free();
  return { ms, events };
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
console.log(`automerge-paper trace: ${edits} edits, one per call, ${runs} runs (median), node ${process.version}`);
const rows = [];
for (const subscribe of [false, true]) {
  const times = [];
  let events = 0;
  run(subscribe);  // warm-up
  for (let r = 0; r < runs; r++) {
    const x = run(subscribe);
    times.push(x.ms);
    events = x.events;
  }
  const ms = median(times);
  rows.push({ subscribe, ms, us: (ms * 1000) / edits, events });
}
console.log('| subscriber | ms | µs per edit | events |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of rows)
  console.log(`| ${r.subscribe ? 'one' : 'none'} | ${r.ms.toFixed(0)} | ${r.us.toFixed(3)} | ${r.events} |`);
console.log(`with a subscriber: ${(rows[1].ms / rows[0].ms).toFixed(2)}x the time without`);
fs.rmSync(gen, { recursive: true, force: true });
