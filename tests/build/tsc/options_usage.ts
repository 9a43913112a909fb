// tests/build/tsc/options_usage.ts: a typed program against the options.d.ts
// that `dolc build tests/build/e2e/options.dol` generates; `tsc --strict
// --noEmit` must accept it and reject the @ts-expect-error lines (an
// append-only list has no delete/move/insert; only an escrow counter has
// rights() and transfer()).
import { loadFile, LedgerBook, type LedgerEntryView, AppendList, EscrowCounter } from './options.js';

await loadFile();
const book = new LedgerBook(1n);
book.notes.push('opened');
const e: LedgerEntryView = book.entries.push({ memo: 'first' });
const notes: string[] = book.notes.toArray();
const n: number = book.notes.length();
const list: AppendList<string, string> = book.notes;
// @ts-expect-error: an append-only list has no delete
book.notes.delete(0);
// @ts-expect-error: nor move
book.entries.move(0, 1);
// @ts-expect-error: nor insert in the middle
book.notes.insert(0, 'x');
book.frozen.add('acct');
book.limits.set('alice', 5n);
book.balance.increment(10n);
book.balance.decrement(3n);
const rights: bigint = book.balance.rights();
book.balance.transfer(2n, 4n);
book.balance.transfer(2, 1n);
const counter: EscrowCounter<bigint, bigint | number> = book.balance;
// @ts-expect-error: the receiving actor is a number or a bigint
book.balance.transfer('bob', 1n);
console.log(e, notes, n, list, rights, counter);
