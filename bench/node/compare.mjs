// bench/node/compare.mjs: the module dolc generates against Yjs, Automerge
// and Loro, in one run, on the same workloads (outputs.md, "Budgets"):
//  * trace:  each editing trace of ../shared/bench/traces applied to a text,
//            one edit per call (concurrent traces: a replica per agent,
//            changes exchanged as the trace says); time, final text checked
//            against the trace's endContent, saved size, load time of the
//            saved document (its text checked too), peak RSS;
//  * merge:  two replicas make 10k concurrent edits each, then merge both
//            ways; the merge time; both must hold the same, expected text;
//  * kv:     100k operations on a map, a set and a counter; the final state
//            is checked against plain JS.
// Each run of each (library, workload) is a fresh child process
// (bench/node/worker.mjs), so peak memory is per library; times are medians
// of --runs runs. Prints Markdown tables on stdout, progress on stderr.
// Any failed check or crashed run is printed as WRONG/FAILED in the tables,
// listed at the end, and makes the exit status 1.
//
// Usage: node bench/node/compare.mjs [BUILD_DIR] [options]   (--help)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { LIBRARIES, PACKAGES, peerVersion, root } from './adapters.mjs';

const here = path.join(root, 'bench/node');
const WORKLOADS = ['trace', 'merge', 'kv'];
const USAGE = `usage: node bench/node/compare.mjs [BUILD_DIR] [options]
  BUILD_DIR, --build DIR  the build directory holding dolc (default: build)
  --runs N              runs of each library on each workload; tables show medians (default 3)
  --slow-ms MS          a case whose first run takes longer than MS ms is run once (default 5000; 0: no limit)
  --traces LIST         comma list of trace names or parts of names (seq, conc, paper, ...); all (default) or none
  --workloads LIST      comma list of ${WORKLOADS.join(', ')} (default: all)
  --libs LIST           comma list of ${LIBRARIES.join(', ')} (default: all; any case)
  --traces-dir DIR      where the .json.gz traces are (default: ../shared/bench/traces)
  --merge-edits N       edits per replica in the merge workload (default 10000)
  --kv-ops N            operations in the kv workload (default 100000)
  --timeout S           seconds one run may take (default 180); a peer library that takes longer is shown
                        as not finished, dolc taking longer counts as failed
  --json FILE           also write every run's raw figures to FILE
Examples:
  node bench/node/compare.mjs build --runs 1 --traces svelte --workloads trace
  node bench/node/compare.mjs build --libs dolc,yjs --workloads merge,kv`;

function fail(message) {
  console.error(`compare.mjs: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    build: 'build', runs: 3, slowMs: 5000, traces: 'all', workloads: WORKLOADS, libs: LIBRARIES,
    tracesDir: path.resolve(root, '../shared/bench/traces'), mergeEdits: 10000, kvOps: 100000,
    timeout: 180, json: null,
  };
  const list = (v, known, what) => v.split(',').filter(Boolean).map((x) => {
    const k = known.find((y) => y.toLowerCase() === x.toLowerCase());
    if (!k) fail(`unknown ${what} '${x}'`);
    return k;
  });
  const count = (v, name, min = 1) => {
    if (!/^\d+$/.test(v ?? '') || Number(v) < min) fail(`${name} takes a whole number >= ${min}`);
    return Number(v);
  };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    }
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.split(/=(.*)/s);
    const v = inline ?? argv[++i];
    if (v === undefined) fail(`${name} needs a value`);
    switch (name) {
      case '--build': o.build = v; break;
      case '--runs': o.runs = count(v, name); break;
      case '--slow-ms': o.slowMs = count(v, name, 0); break;
      case '--traces': o.traces = v; break;
      case '--workloads': o.workloads = list(v, WORKLOADS, 'workload'); break;
      case '--libs': o.libs = LIBRARIES.filter((l) => list(v, LIBRARIES, 'library').includes(l)); break;
      case '--traces-dir': o.tracesDir = path.resolve(v); break;
      case '--merge-edits': o.mergeEdits = count(v, name); break;
      case '--kv-ops': o.kvOps = count(v, name); break;
      case '--timeout': o.timeout = count(v, name); break;
      case '--json': o.json = path.resolve(v); break;
      default: fail(`unknown option ${name}`);
    }
  }
  if (positional.length > 1) fail(`one build directory, not ${positional.join(' ')}`);
  if (positional.length === 1) o.build = positional[0];
  return o;
}

// The traces --traces names: each item is a whole name or a part of names.
function pickTraces(o) {
  if (!o.workloads.includes('trace') || o.traces === 'none') return [];
  let names;
  try {
    names = fs.readdirSync(o.tracesDir).filter((f) => f.endsWith('.json.gz')).map((f) => f.slice(0, -8)).sort();
  } catch (e) {
    fail(`cannot read the traces directory: ${e.message}`);
  }
  if (o.traces === 'all') return names;
  const picked = new Set();
  for (const item of o.traces.split(',').filter(Boolean)) {
    const hits = names.includes(item) ? [item] : names.filter((n) => n.includes(item));
    if (hits.length === 0) fail(`no trace matches '${item}' in ${o.tracesDir} (there are: ${names.join(', ')})`);
    hits.forEach((n) => picked.add(n));
  }
  return names.filter((n) => picked.has(n));
}

// Builds bench/node/bench.dol into BUILD/bench/node-module (dolc rewrites
// only outputs whose bytes change, so later runs reuse it).
function buildModule(o) {
  const buildDir = path.resolve(root, o.build);
  const dolc = path.join(buildDir, 'dolc');
  if (!fs.existsSync(dolc)) fail(`${dolc} not found: build first (make build)`);
  const genDir = path.join(buildDir, 'bench/node-module');
  const shown = genDir.startsWith(`${root}/`) ? path.relative(root, genDir) : genDir;
  process.stderr.write(`== dolc build bench/node/bench.dol -o ${shown}\n`);
  execFileSync(dolc, ['build', path.join(here, 'bench.dol'), '-o', genDir], { stdio: 'inherit' });
  fs.writeFileSync(path.join(genDir, 'package.json'), '{"type": "module"}\n');
  return genDir;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// Runs one case --runs times (once if the first run is slower than
// --slow-ms); every run in a child process.
function runCase(o, job, label) {
  const runs = [];
  for (let i = 0; i < o.runs; i++) {
    const p = spawnSync(process.execPath, ['--expose-gc', path.join(here, 'worker.mjs'), JSON.stringify(job)],
                        { encoding: 'utf8', maxBuffer: 1 << 26, timeout: o.timeout * 1000 });
    const last = (p.stdout || '').trim().split('\n').pop();
    let r;
    if (p.status === 0 && last) {
      r = JSON.parse(last);
    } else if (p.error?.code === 'ETIMEDOUT' && job.lib !== 'dolc') {
      r = { unfinished: `not finished in ${o.timeout} s`, problems: [] };
    } else {
      const why = p.error?.code === 'ETIMEDOUT' ? `timed out after ${o.timeout} s`
                : p.signal ? `killed by ${p.signal}` : `exit status ${p.status}`;
      const tail = (p.stderr || '').trim().split('\n').slice(-12).join('\n    ');
      r = { failed: `${why}${tail ? `:\n    ${tail}` : ''}`, problems: [] };
    }
    runs.push(r);
    if (r.failed || r.unfinished) {
      process.stderr.write(r.failed ? `!! ${label}: run ${i + 1} FAILED (${r.failed})\n`
                                    : `   ${label}: run ${i + 1} ${r.unfinished} (--timeout), stopped\n`);
      break;
    }
    for (const problem of r.problems) process.stderr.write(`!! ${label}: run ${i + 1} WRONG: ${problem}\n`);
    if (o.slowMs > 0 && r.ms > o.slowMs) break;
  }
  const ok = runs.filter((r) => !r.failed && !r.unfinished);
  const c = {
    ...job, label, runs, n: ok.length,
    failed: runs.find((r) => r.failed)?.failed,
    unfinished: ok.length === 0 ? runs.find((r) => r.unfinished)?.unfinished : undefined,
    problems: [...new Set(runs.flatMap((r) => r.problems))],
  };
  if (ok.length > 0) {
    for (const k of ['ms', 'loadMs', 'loadColdMs', 'saved', 'deflated', 'sent', 'peakRssMB', 'rssBeforeMB'])
      if (ok[0][k] !== undefined) c[k] = median(ok.map((r) => r[k]));
    for (const k of ['edits', 'txns', 'ops']) if (ok[0][k] !== undefined) c[k] = ok[0][k];
  }
  const status = c.failed ? 'FAILED' : c.problems.length ? 'WRONG' : c.unfinished ? 'not finished' : 'ok';
  process.stderr.write(`   ${label}: ${c.ms !== undefined ? `${c.ms.toFixed(0)} ms` : '—'} (${c.n} run${c.n === 1 ? '' : 's'}) ${status}\n`);
  return c;
}

// ---------------------------------------------------------------- report

const f0 = (x) => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const kb = (x) => (x === undefined ? '—' : (x / 1024).toFixed(1));
const mb = (x) => (x === undefined ? '—' : x.toFixed(0));
const check = (c) => (c.failed ? '**FAILED**' : c.problems.length ? '**WRONG**' : c.unfinished ? 'not finished' : 'ok');
const timeCell = (c) => (c.n > 0 ? f0(c.ms) : c.unfinished ? `> ${c.timeout * 1000}` : '—');
const rssCell = (c) => (c.peakRssMB === undefined ? '—' : `${mb(c.peakRssMB)} (+${mb(c.peakRssMB - c.rssBeforeMB)})`);

function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`,
          ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function header(o, genDir) {
  const wasm = fs.readFileSync(path.join(genDir, 'bench.wasm'));
  const versions = Object.entries(PACKAGES).filter(([lib]) => o.libs.includes(lib))
    .map(([lib, pkg]) => `${lib} ${peerVersion(pkg)}`);
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  return [`Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${load} at start; ` +
          `${versions.join(', ')}; dolc module bench.wasm ${kb(wasm.length)} KB (${kb(zlib.gzipSync(wasm, { level: 9 }).length)} KB gzip -9).`,
          `Each run is a fresh Node process, which collects the input's garbage before the timer starts; times are medians of up to ${o.runs} run(s) (column "runs"; cases slower than ` +
          `${o.slowMs} ms run once). Load: median of warm loads of the saved document; first load: the first one in the ` +
          'process (code not yet compiled). Peak RSS is the whole process (Node, input, library); in brackets, how ' +
          'much it grew beyond the RSS before the workload started.'].join('\n');
}

function budgets(cases) {
  const dolc = (workload, trace) => cases.find((c) => c.lib === 'dolc' && c.workload === workload && c.trace === trace);
  const paper = dolc('trace', 'seq-automerge-paper');
  const merge = dolc('merge');
  const rows = [];
  const row = (what, c, value, unit, limit, strict) => {
    if (!c || value === undefined) return;
    const within = strict ? value < limit : value <= limit;
    rows.push([what, `${f0(value)} ${unit}`, `${strict ? '<' : '≤'} ${limit} ${unit}`, within ? 'within' : '**over**']);
  };
  const kv = dolc('kv');
  row('automerge-paper trace applied', paper, paper?.ms, 'ms', 250, true);
  row('its saved size, deflated by the host', paper, paper?.deflated && paper.deflated / 1024, 'KB', 90, false);
  row('loading it', paper, paper?.loadMs, 'ms', 3, false);
  for (const name of ['conc-friendsforever', 'conc-clownschool']) {
    const c = dolc('trace', name);
    row(`${name} saved, deflated by the host`, c, c?.deflated && c.deflated / 1024, 'KB', 35, false);
    const yjs = cases.find((x) => x.lib === 'yjs' && x.workload === 'trace' && x.trace === name);
    if (yjs?.sent) row(`${name}: bytes sent, every transaction synced`, c, c?.sent && c.sent / 1024, 'KB', +(yjs.sent / 1024).toFixed(1), false);
  }
  row('100k map, set and counter operations saved, deflated by the host', kv, kv?.deflated && kv.deflated / 1024, 'KB', 60, false);
  row(`2 × ${merge?.edits} concurrent edits merged`, merge, merge?.ms, 'ms', 50, true);
  return rows.length ? `\n### dolc against its budgets (outputs.md)\n\n${table(['measure', 'dolc', 'budget', ''], rows)}\n` : '';
}

function report(o, genDir, cases) {
  const out = [`## bench/node/compare.mjs\n`, header(o, genDir)];
  const traceRows = cases.filter((c) => c.workload === 'trace').map((c) => [
    c.trace, c.txns !== undefined ? `${c.edits ?? '—'} (${c.txns} txns)` : c.edits ?? '—', c.lib, timeCell(c), check(c),
    kb(c.saved), kb(c.deflated), c.sent === undefined ? '—' : `${kb(c.sent)}; ${(c.sent / c.txns).toFixed(1)} B`,
    f0(c.loadMs), f0(c.loadColdMs), rssCell(c), c.n]);
  if (traceRows.length)
    out.push('\n### Editing traces\n', table(['trace', 'edits', 'library', 'apply (ms)', 'final text', 'saved (KB)',
                                              'deflated (KB)', 'sent (KB; per txn)', 'load (ms)', 'first load (ms)',
                                              'peak RSS (MB)', 'runs'], traceRows),
             '\nSaved: full history. Deflated: the saved bytes under deflate level 9, what a host that compresses ' +
             'stores. Sent: concurrent traces, every transaction synced as it is made (the sum of the updates).');
  const mergeRows = cases.filter((c) => c.workload === 'merge').map((c) => [c.lib, timeCell(c), check(c), rssCell(c), c.n]);
  if (mergeRows.length)
    out.push(`\n### Merge: two replicas, ${o.mergeEdits} concurrent edits each, merged both ways\n`,
             table(['library', 'merge (ms)', 'converged', 'peak RSS (MB)', 'runs'], mergeRows));
  const kvRows = cases.filter((c) => c.workload === 'kv').map((c) => [c.lib, timeCell(c), check(c), kb(c.saved),
                                                                       kb(c.deflated), f0(c.loadMs), f0(c.loadColdMs),
                                                                       rssCell(c), c.n]);
  if (kvRows.length)
    out.push(`\n### Map, set and counter: ${o.kvOps} operations\n`,
             table(['library', 'time (ms)', 'final state', 'saved (KB)', 'deflated (KB)', 'load (ms)', 'first load (ms)',
                    'peak RSS (MB)', 'runs'], kvRows),
             '\nYjs has no counter type: its counter is a map entry rewritten (last writer wins).');
  out.push(budgets(cases));
  const unfinished = cases.filter((c) => c.unfinished);
  if (unfinished.length)
    out.push(`\nNot finished within --timeout ${o.timeout} s (a longer --timeout gives these figures): ` +
             `${unfinished.map((c) => c.label).join('; ')}.`);
  const bad = cases.filter((c) => c.failed || c.problems.length);
  if (bad.length) {
    out.push('\n### PROBLEMS\n');
    for (const c of bad) {
      if (c.failed) out.push(`- ${c.label}: FAILED: ${c.failed}`);
      for (const p of c.problems) out.push(`- ${c.label}: WRONG: ${p}`);
    }
  }
  return { text: out.join('\n'), ok: bad.length === 0 };
}

// ---------------------------------------------------------------- main

const o = parseArgs(process.argv.slice(2));
const traces = pickTraces(o);
const genDir = buildModule(o);
const cases = [];
const base = { genDir, mergeEdits: o.mergeEdits, kvOps: o.kvOps, timeout: o.timeout };
for (const trace of traces)
  for (const lib of o.libs) {
    const job = { ...base, lib, workload: 'trace', trace, traceFile: path.join(o.tracesDir, `${trace}.json.gz`) };
    cases.push(runCase(o, job, `trace ${trace} ${lib}`));
  }
for (const workload of ['merge', 'kv'].filter((w) => o.workloads.includes(w)))
  for (const lib of o.libs) cases.push(runCase(o, { ...base, lib, workload }, `${workload} ${lib}`));
if (o.json) fs.writeFileSync(o.json, `${JSON.stringify({ options: o, cases }, null, 1)}\n`);
const { text, ok } = report(o, genDir, cases);
console.log(`\n${text}`);
if (!ok) {
  console.error('\ncompare.mjs: some checks FAILED or were WRONG (see PROBLEMS above)');
  process.exit(1);
}
