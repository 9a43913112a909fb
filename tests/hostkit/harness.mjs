// tests/hostkit/harness.mjs: what every hostkit test script shares: named
// checks that print `ok`/`FAIL` lines and the closing `N passed, N failed`,
// polling with a timeout, document comparison, and child processes (relays,
// Redis) that are killed when the script exits, whatever happens.
let passed = 0, failed = 0;

/** Runs one named check; a throw fails it (with the stack) and the script goes on. */
export async function check(what, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${what}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${what}: ${e && e.stack ? e.stack : e}`);
  }
}

/** Counts a failure that happened outside check() (e.g. in set-up). */
export function fail(what, e) {
  failed++;
  console.log(`FAIL ${what}: ${e && e.stack ? e.stack : e}`);
}

/** Prints the summary line and exits 1 if anything failed. */
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls cond (sync or async) every 10 ms until it holds; throws after timeoutMs. */
export async function until(what, cond, timeoutMs = 15000) {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A document handle's state as comparable text (bigints as strings). */
export const json = (h) => JSON.stringify(h.doc.toJSON(), (k, v) => (typeof v === 'bigint' ? v.toString() : v));

/** Waits until every handle holds the same document. */
export const converged = (handles, what, timeoutMs) =>
  until(what, () => handles.every((h) => json(h) === json(handles[0])), timeoutMs);

const children = new Set();
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });
// A test killed by a signal (ctest's timeout, Ctrl-C) still takes its relays and Redis with it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(1));

/**
 * Tracks a spawned child (killed at exit) and waits for a line of its stdout
 * matching `ready`. Resolves to { child, match, exited } where `exited`
 * resolves to { code, signal, out } when it ends.
 */
export async function startChild(child, ready, what) {
  children.add(child);
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => { children.delete(child); resolve({ code, signal, out }); }));
  const match = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not start: ${out}`)), 15000);
    const look = () => { const m = ready.exec(out); if (m) { clearTimeout(t); resolve(m); } };
    child.stdout.on('data', look);
    exited.then(({ code }) => { clearTimeout(t); reject(new Error(`${what} exited with ${code}: ${out}`)); });
  });
  return { child, match, exited };
}
