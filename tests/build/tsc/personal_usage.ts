// tests/build/tsc/personal_usage.ts: a typed program against the personal.d.ts
// that `dolc build tests/build/e2e/personal.dol` generates; `tsc --strict
// --noEmit` must accept it and reject the @ts-expect-error lines (keys are
// bytes; a personal value may be unset: erased, or no key held).
import { loadFile, PeopleDirectory } from './personal.js';

await loadFile();
const d = new PeopleDirectory(1n);
d.setPersonalKey('alice', crypto.getRandomValues(new Uint8Array(32)));
d.setPersonalSubject('alice');
const subject: string | undefined = d.personalSubject();
d.ownerEmail.set('owner@example.org');
const email: string | undefined = d.ownerEmail.get();
const erased: boolean = d.forgetPersonalKey('alice');
// @ts-expect-error: a key is bytes, not a passphrase
d.setPersonalKey('alice', 'secret');
// @ts-expect-error: an erased value can be undefined
const sure: string = d.ownerEmail.get();
console.log(subject, email, erased, sure);
