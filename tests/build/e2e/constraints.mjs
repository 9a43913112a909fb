// tests/build/e2e/constraints.mjs LEDGER_DIR ADJUST_DIR: constraints in
// generated modules (examples/ledger.dol and tests/build/e2e/adjust.dol).
//  * `NamedAccount` (require: display_name != "", reject_operation) and
//    `account.solvency` (credit_limit always <= 100000): an operation that would
//    break them is refused with an Error and the document is unchanged;
//  * the counter bound (min_value=-1000, overflow error) refuses a local
//    transfer past it, but two concurrent transfers within bounds each can
//    cross it after merging: violations() then names it, the same on both;
//  * the `transfer` method returns its Result (Err is thrown);
//  * auto_adjust (`level always >= 0`): concurrent decrements that take the
//    level below zero read as zero on every replica; flag_for_review
//    (`spare always <= 10`): not refused, listed by violations().
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const [dir, adjustDir] = process.argv.slice(2);
const { loadFile, Account } = await import(pathToFileURL(path.join(dir, 'ledger.js')).href);
await loadFile();
let passed = 0, failed = 0;
function check(what, fn) {
  try { fn(); passed++; console.log('ok  ', what); } catch (e) { failed++; console.log('FAIL', what, e); }
}
const json = (d) => JSON.stringify(d.toJSON());

const a = new Account(1n);
check('a fresh account breaks NamedAccount until it has a name (listed, edits not blocked)', () => {
  assert.ok(a.violations().includes('NamedAccount'));
  a.displayName.set('ann');
  assert.deepEqual(a.violations(), []);
});
check('reject_operation: clearing the name is refused and changes nothing', () => {
  const before = json(a), saved = Buffer.from(a.save()).toString('hex');
  assert.throws(() => a.displayName.set(''), /NamedAccount/);
  assert.equal(json(a), before);
  assert.equal(Buffer.from(a.save()).toString('hex'), saved);
});
check('reject_operation: a credit limit over the cap is refused', () => {
  assert.throws(() => a.creditLimit.set(200000n), /account\.solvency/);
  assert.equal(a.creditLimit.get(), 1000n);
});
check('a gene method returns its Ok value and throws its Err', () => {
  assert.equal(a.transfer(100), -100n);
  assert.throws(() => a.transfer(0), /amount must be positive/);
  assert.equal(a.confirmedBalance.value(), -100n);
});
check('the counter bound refuses a local transfer past it (overflow_strategy=error)', () => {
  assert.throws(() => a.transfer(5000));
  assert.equal(a.confirmedBalance.value(), -100n);
});
check('concurrent transfers within bounds can cross them after a merge: violations() says so on both', () => {
  const b = Account.load(a.save(), 2n);
  a.transfer(600);
  b.transfer(600);
  b.apply(a.changesSince(b.version()));
  a.apply(b.changesSince(a.version()));
  assert.equal(json(a), json(b));
  assert.equal(a.confirmedBalance.value(), -1300n);
  assert.deepEqual(a.violations(), ['account.confirmed_balance >= -1000']);
  assert.deepEqual(b.violations(), a.violations());
});
const adjust = await import(pathToFileURL(path.join(adjustDir, 'adjust.js')).href);
await adjust.loadFile();
const m1 = new adjust.MeterReading(1n);
check('auto_adjust: a level below zero reads as zero', () => {
  m1.level.increment(3);
  m1.level.decrement(5);
  assert.equal(m1.level.value(), 0n);
});
check('auto_adjust: concurrent decrements repair the same way on every replica, nothing to review', () => {
  const m2 = adjust.MeterReading.load(m1.save(), 2n);
  m1.level.increment(4);
  m2.apply(m1.changesSince(m2.version()));
  m1.level.decrement(3);
  m2.level.decrement(3);
  m2.apply(m1.changesSince(m2.version()));
  m1.apply(m2.changesSince(m1.version()));
  assert.equal(m1.level.value(), 0n);
  assert.equal(m2.level.value(), 0n);
  assert.equal(json(m1), json(m2));
  assert.deepEqual(m1.violations(), []);
});
check('flag_for_review: not refused, listed by violations()', () => {
  m1.spare.increment(11);
  assert.equal(m1.spare.value(), 11n);
  assert.deepEqual(m1.violations(), ['meter.spare_cap']);
  m1.spare.decrement(1);
  assert.deepEqual(m1.violations(), []);
});
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
