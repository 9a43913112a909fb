// bench/node/worker.mjs JOB_JSON: one run of one workload on one library, in
// a process of its own (compare.mjs starts it), so that peak memory is this
// library's alone. JOB_JSON: { lib, workload: 'trace'|'merge'|'kv', genDir,
// traceFile, mergeEdits, kvOps, timeout }. Prints one line of JSON: the workload's result
// plus rssBeforeMB (after loading the library and the input) and
// peakRssMB (the process's maximum resident set size).
import { adapter } from './adapters.mjs';
import { readTrace, runKv, runMerge, runTrace } from './workloads.mjs';

const job = JSON.parse(process.argv[2]);
const a = await adapter(job.lib, job.genDir);
const trace = job.workload === 'trace' ? readTrace(job.traceFile) : null;
// The input's garbage (the gunzipped bytes, the JSON text) is collected
// before the timer starts, for every library alike, so that no library's
// time includes collecting what the harness left (compare.mjs runs this with
// --expose-gc).
if (typeof globalThis.gc === 'function') globalThis.gc();
const rssBeforeMB = process.memoryUsage().rss / 2 ** 20;
let result;
if (job.workload === 'trace') result = runTrace(a, trace);
else if (job.workload === 'merge') result = runMerge(a, job.mergeEdits);
else if (job.workload === 'kv') result = runKv(a, job.kvOps);
else throw new Error(`unknown workload ${job.workload}`);
result.rssBeforeMB = rssBeforeMB;
result.peakRssMB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify(result)}\n`);
