// tools/demo.mjs GEN_DIR: two people edit one chat message offline, then sync.
//
// `make demo` runs this after `dolc build examples/chat.dol -o build/demo/`.
// It imports the generated build/demo/chat.js (which loads chat.wasm), makes
// two replicas of one `message.chat` document (actors alice and bob), lets
// them edit concurrently without talking to each other, then exchanges only
// what each side lacks (version -> changesSince -> apply) and shows that both
// hold the same document.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const genDir = path.resolve(process.argv[2] ?? 'build/demo');
const { loadFile, MessageChat } = await import(pathToFileURL(path.join(genDir, 'chat.js')).href);
await loadFile();

const ALICE = 0xa11ce, BOB = 0xb0b;
const step = (n, text) => console.log(`\n${n}. ${text}`);
const show = (who, doc) => console.log(`   ${who.padEnd(5)} ${JSON.stringify(doc.toJSON())}`);
const render = (doc) => doc.content.spans().map((s) => (s.marks.bold ? `**${s.text}**` : s.text)).join('');

step(1, 'Alice writes a message; Bob receives a copy of it (save -> load).');
const alice = new MessageChat(ALICE);
alice.id.set('9d3a5a2e-6f1b-4c1e-9a55-2b4f0e7c1d01');
alice.author.set('alice');
alice.content.insert(0, 'Lunch at noon?');
const bob = MessageChat.load(alice.save(), BOB);
show('alice', alice);
show('bob', bob);

step(2, 'Both go offline and edit the same message at the same time.');
alice.content.mark(0, 5, 'bold');              // Alice makes "Lunch" bold
alice.content.insert(alice.content.length(), ' 🍕');
alice.reactions.add('👍');
alice.like();                                  // a gene method: likes += 1
alice.status.set('edited');
bob.content.insert(9, 'tomorrow ');             // Bob inserts before "noon"
bob.reactions.add('🎉');
bob.likes.increment(2);
bob.starred.set(true);
bob.status.set('read');
console.log(`   alice sees: ${render(alice)}   reactions ${alice.reactions.values().join(' ')}  likes ${alice.likes.value()}`);
console.log(`   bob   sees: ${render(bob)}   reactions ${bob.reactions.values().join(' ')}  likes ${bob.likes.value()}`);

step(3, 'They reconnect. Each sends only the changes the other lacks.');
const toBob = alice.changesSince(bob.version());
const toAlice = bob.changesSince(alice.version());
console.log(`   alice -> bob: ${toBob.length} bytes, bob -> alice: ${toAlice.length} bytes`);
bob.apply(toBob);
alice.apply(toAlice);

step(4, 'Both now hold the same document:');
console.log(`   text      ${render(alice)}`);
console.log(`   reactions ${alice.reactions.values().join(' ')} (add-wins set: both kept)`);
console.log(`   likes     ${alice.likes.value()} (a counter: 1 + 2, nobody's increment lost)`);
console.log(`   starred   ${alice.starred.get()} (last writer wins)`);
console.log(`   status    ${JSON.stringify(alice.status.values())} (mv_register: both concurrent values kept)`);
const same = JSON.stringify(alice.toJSON()) === JSON.stringify(bob.toJSON());
show('alice', alice);
show('bob', bob);
console.log(`\n   identical on both replicas: ${same ? 'yes' : 'NO'}`);
process.exit(same ? 0 : 1);
