// tests/build/tsc/nested_usage.ts: gene methods of nested objects against the
// generated nested.d.ts (tests/build/e2e/nested.dol); `tsc --noEmit --strict`
// must accept it. A nested object's methods are typed members of its view
// class; the @ts-expect-error lines must be rejected (wrong argument or
// result types, a method the gene does not have), so the test fails if the
// declarations go missing or become too loose.
import { loadFile, BankLedger, BankAccountView } from './nested.js';

await loadFile();
const ledger = new BankLedger(1n);
ledger.accounts.set('alice', { owner: 'Alice' });
const alice: BankAccountView | undefined = ledger.accounts.get('alice');
if (alice) {
  const balance: bigint = alice.deposit(100n);
  alice.deposit(5);
  alice.rename('Alice A.');
  alice.resize(14n);
  // @ts-expect-error the amount is a number or bigint
  alice.deposit('100');
  // @ts-expect-error deposit returns the balance (bigint)
  const wrong: string = alice.deposit(1n);
  // @ts-expect-error accounts have no `transfer` (it is the ledger's)
  alice.transfer('alice', 'bob', 1n);
  void balance;
  void wrong;
}
const reserveBalance: bigint = ledger.reserve.deposit(10n);
ledger.payTill(0n, 5n);
ledger.tills.get(0)?.rename('till');
const left: bigint = ledger.transfer('alice', 'bob', 10n);
void reserveBalance;
void left;
