// tests/evolution/harness.mjs: the checks of the Node tests in this folder:
// one line per check (`ok` or `FAIL` with the stack), then a summary, and
// the exit status.
let passed = 0, failed = 0;

export function check(what, fn) {
  try {
    fn();
    passed++;
    console.log(`ok   ${what}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${what}: ${e && e.stack ? e.stack : e}`);
  }
}

export function fail(what) {
  failed++;
  console.log(`FAIL ${what}`);
}

export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
