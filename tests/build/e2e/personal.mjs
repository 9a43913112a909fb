// tests/build/e2e/personal.mjs GEN_DIR: @personal fields through the generated
// JS API of personal.dol, on three replicas. a and b hold the subjects' keys,
// c (a peer or a relay that stores documents) holds none: personal values
// never appear in change bytes or saves, read back where the key is held and
// as unset where it is not; forgetting a subject's key erases its values on
// every replica while the rest of the document keeps syncing under random
// concurrent edits with shuffled, duplicated delivery. The sealed bytes are
// AES-256-GCM as FORMAT.md "Personal values" says: WebCrypto opens them.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const dir = process.argv[2];
const { loadFile, PeopleDirectory, PeopleLabel } = await import(pathToFileURL(path.join(dir, 'personal.js')).href);
await loadFile();

const key = (n) => Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + n) & 255);
const aliceKey = key(1), bobKey = key(2), ownerKey = key(3);
const [a, b, c] = [new PeopleDirectory(1n), new PeopleDirectory(2n), new PeopleDirectory(3n)];
const sync = (to, from) => to.apply(from.changesSince(to.version()));
const has = (bytes, text) => Buffer.from(bytes).includes(Buffer.from(text));

// ---- keys and subjects
assert.equal(a.personalSubject(), undefined);
assert.throws(() => a.ownerEmail.set('o@example.org'), /setPersonalKey/);
assert.throws(() => a.setPersonalKey('alice', new Uint8Array(16)), /32 bytes/);
assert.throws(() => new PeopleLabel(1n).setPersonalKey('alice', aliceKey), /no @personal fields/);
for (const d of [a, b]) {
  d.setPersonalKey('owner', ownerKey);  // the first key set: the current subject
  d.setPersonalKey('alice', aliceKey);
  d.setPersonalKey('bob', bobKey);
}
assert.equal(a.personalSubject(), 'owner');

// ---- writes seal; reads open where the key is held
a.ownerEmail.set('owner@example.org');
a.title.set('Team');
a.setPersonalSubject('alice');
a.members.set('alice', { name: 'Alice', email: 'alice@example.org', born: 1990n });
a.setPersonalSubject('bob');
a.members.set('bob', { name: 'Bob', email: 'bob@example.org', born: 1985n });
assert.equal(a.members.get('alice').email.get(), 'alice@example.org');
assert.equal(a.members.get('bob').born.get(), 1985n);

const saved = a.save(), delta = a.changesSince(new Uint8Array());
for (const bytes of [saved, delta]) {
  assert.ok(has(bytes, 'Alice') && has(bytes, 'Team'), 'other fields are in the clear');
  for (const secret of ['owner@example.org', 'alice@example.org', 'bob@example.org'])
    assert.ok(!has(bytes, secret), `${secret} must not appear in the bytes`);
}

sync(b, a); sync(c, a);
assert.equal(b.members.get('alice').email.get(), 'alice@example.org');
assert.equal(b.ownerEmail.get(), 'owner@example.org');
assert.equal(c.title.get(), 'Team');
assert.equal(c.members.get('alice').name.get(), 'Alice');
assert.equal(c.members.get('alice').email.get(), undefined);
assert.equal(c.members.get('bob').born.get(), undefined);
assert.equal(c.ownerEmail.get(), undefined);
assert.throws(() => c.members.get('alice').email.set('c@example.org'), /setPersonalKey/);
assert.equal(c.toJSON().members.alice.name, 'Alice');
assert.ok(!JSON.stringify(c.toJSON()).includes('@example.org'));

// ---- the sealed bytes are AES-256-GCM that WebCrypto opens (FORMAT.md)
{
  const subject = Buffer.from('alice'), plain = Buffer.from('alice@example.org');
  const at = Buffer.from(saved).indexOf(Buffer.concat([Buffer.from([0xd0, subject.length]), subject]));
  assert.ok(at >= 0, 'a sealed value for alice is in the save');
  const nonce = saved.slice(at + 2 + subject.length, at + 2 + subject.length + 12);
  const body = saved.slice(at + 2 + subject.length + 12, at + 2 + subject.length + 12 + plain.length + 16);
  const aad = Buffer.concat([Buffer.from('dolc personal 1\0people.member\0email')]);
  const cryptoKey = await crypto.subtle.importKey('raw', aliceKey, 'AES-GCM', false, ['decrypt']);
  const opened = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 }, cryptoKey, body);
  assert.equal(Buffer.from(opened).toString(), 'alice@example.org');
  const wrongField = Buffer.from('dolc personal 1\0people.member\0name');
  await assert.rejects(crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce, additionalData: wrongField, tagLength: 128 }, cryptoKey, body));
}

// ---- events: a register event carries the opened value where the key is held; where it is
// not, nothing readable changed and no event says otherwise
const seenB = [], seenC = [];
const offB = b.subscribe((e) => seenB.push(...e.changes));
const offC = c.subscribe((e) => seenC.push(...e.changes));
a.setPersonalSubject('alice');
a.members.get('alice').email.set('alice@new.example.org');
sync(b, a); sync(c, a);
offB(); offC();
const emailEvent = (list) => list.find((ch) => ch.kind === 'register' && ch.path.join('.') === 'members.alice.email');
assert.equal(emailEvent(seenB)?.value, 'alice@new.example.org', JSON.stringify(seenB));
assert.equal(emailEvent(seenC), undefined, JSON.stringify(seenC));
assert.equal(b.members.get('alice').email.get(), 'alice@new.example.org');

// ---- erasure: alice's key is forgotten everywhere
assert.equal(a.forgetPersonalKey('alice'), true);
assert.equal(b.forgetPersonalKey('alice'), true);
assert.equal(b.forgetPersonalKey('alice'), false);
for (const d of [a, b, c]) {
  assert.equal(d.members.get('alice').email.get(), undefined);
  assert.equal(d.members.get('alice').born.get(), undefined);
  assert.equal(d.members.get('alice').name.get(), 'Alice');
}
for (const d of [a, b]) {
  assert.equal(d.members.get('bob').email.get(), 'bob@example.org');
  assert.equal(d.ownerEmail.get(), 'owner@example.org');
}
a.setPersonalSubject('alice');
assert.throws(() => a.members.get('alice').email.set('back@example.org'), /not held/);

// ---- the document keeps syncing: random concurrent edits, shuffled and duplicated delivery
let seed = 12345;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const docs = [a, b, c];
for (const d of [a, b]) d.setPersonalSubject('bob');
for (let round = 0; round < 30; round++) {
  const d = docs[rnd(3)];
  const m = d.members.get(rnd(2) ? 'alice' : 'bob');
  switch (rnd(4)) {
    case 0: m.visits.increment(BigInt(1 + rnd(5))); break;
    case 1: m.name.set('name-' + round); break;
    case 2: d.title.set('title-' + round); break;
    case 3: if (d !== c) d.members.get('bob').email.set(`bob${round}@example.org`); break;
  }
  const blobs = [];
  for (const from of docs) for (const to of docs) if (from !== to) blobs.push([to, from.changesSince(to.version())]);
  for (let i = blobs.length - 1; i > 0; i--) { const j = rnd(i + 1); [blobs[i], blobs[j]] = [blobs[j], blobs[i]]; }
  for (const [to, blob] of blobs) { to.apply(blob); if (rnd(3) === 0) to.apply(blob); }
}
for (let i = 0; i < 2; i++) for (const from of docs) for (const to of docs) if (from !== to) sync(to, from);
const state = (d) => JSON.stringify({ t: d.title.get(), a: d.members.get('alice').name.get(), av: d.members.get('alice').visits.value(),
  b: d.members.get('bob').name.get(), bv: d.members.get('bob').visits.value() }, (k, v) => typeof v === 'bigint' ? String(v) : v);
assert.equal(state(a), state(b));
assert.equal(state(a), state(c));
assert.equal(a.members.get('bob').email.get(), b.members.get('bob').email.get());
assert.match(a.members.get('bob').email.get(), /^bob\d*@example\.org$/);
assert.equal(c.members.get('bob').email.get(), undefined);
assert.ok(!has(c.save(), '@example.org'), 'the keyless replica stores no personal value');

// A reload restores sealed values; the host gives the keys again.
const reloaded = PeopleDirectory.load(b.save());
assert.equal(reloaded.members.get('bob').email.get(), undefined);
reloaded.setPersonalKey('bob', bobKey);
assert.equal(reloaded.members.get('bob').email.get(), b.members.get('bob').email.get());
assert.equal(reloaded.members.get('alice').email.get(), undefined);

// ---- bytes a released module wrote (goldens/README.md): sealed values still open with their keys
{
  const { readFileSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const golden = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'goldens', 'personal-format3.bin'));
  const g = PeopleDirectory.load(new Uint8Array(golden));
  assert.equal(g.title.get(), 'Golden');
  assert.equal(g.members.get('alice').name.get(), 'Alice');
  assert.equal(g.ownerEmail.get(), undefined);
  assert.equal(g.members.get('alice').email.get(), undefined);
  g.setPersonalKey('owner', ownerKey);
  g.setPersonalKey('alice', aliceKey);
  assert.equal(g.ownerEmail.get(), 'owner@example.org');
  assert.equal(g.members.get('alice').email.get(), 'alice@example.org');
  assert.equal(g.members.get('alice').born.get(), 1990n);
  assert.ok(!golden.includes(Buffer.from('@example.org')));
}

console.log('personal: sealed values, WebCrypto interop, erasure of one subject, 3 replicas converge');
