// bench/node/bench_module.mjs: what the single-library Node benches
// (events.mjs, open_docs.mjs) share: their command line (`[BUILD_DIR]` and
// `--name value` options) and the module `dolc build` makes of bench.dol,
// loaded, with its document class.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const paperTrace = path.resolve(root, '../shared/bench/traces/seq-automerge-paper.json.gz');

// The arguments after the script: opt(name, fallback) takes `name value`
// out of them; build() is what is left, the build directory (default build).
export function commandLine(argv = process.argv.slice(2)) {
  const args = [...argv];
  return {
    opt: (name, fallback) => {
      const i = args.indexOf(name);
      return i < 0 ? fallback : args.splice(i, 2)[1];
    },
    build: () => path.resolve(args[0] ?? 'build'),
  };
}

// Builds bench.dol with BUILD/dolc into a fresh temporary directory (named
// after `tag`) and loads it: { gen, mod, Doc }.
export async function benchModule(build, tag) {
  const gen = fs.mkdtempSync(path.join(os.tmpdir(), `dolc-${tag}-bench-`));
  execFileSync(path.join(build, 'dolc'), ['build', path.join(root, 'bench/node/bench.dol'), '-o', gen, '--emit=wasm,js'],
               { stdio: 'inherit' });
  fs.writeFileSync(path.join(gen, 'package.json'), '{"type": "module"}');
  const mod = await import(pathToFileURL(path.join(gen, 'bench.js')).href);
  await mod.loadFile();
  const Doc = Object.values(mod).find((c) => typeof c === 'function' && c.prototype instanceof mod.Document);
  return { gen, mod, Doc };
}

// Applies a sequential trace's edits to text field `body`, one call per
// edit; returns the milliseconds it took.
export function typeTrace(body, trace) {
  const t0 = performance.now();
  if (trace.startContent) body.insert(0, trace.startContent);
  for (const txn of trace.txns)
    for (const [pos, del, ins] of txn.patches) {
      if (del > 0) body.delete(pos, del);
      if (ins.length > 0) body.insert(pos, ins);
    }
  return performance.now() - t0;
}
