// tests/build/tsc/chat_usage.ts: a typed program against the chat.d.ts that
// `dolc build examples/chat.dol` generates; `tsc --strict --noEmit` must
// accept it and reject the @ts-expect-error lines.
import { load, loadFile, MessageChat, RoomState, MessageChatView, UndoManager, type RoomStateJSON, type RoomStateSnapshot } from './chat.js';
import type { ChangeEvent, Change } from './chat.js';

await loadFile();
const msg = new MessageChat(1n);
msg.content.insert(0, 'hello');
msg.content.mark(0, 5, 'bold');
msg.reactions.add('👍');
msg.likes.increment();
msg.like();
msg.react('🎉');
const popular: boolean = msg.isPopular();
const likes: bigint = msg.likes.value();
const starred: boolean | undefined = msg.starred.get();
const status: string[] = msg.status.values();
const author: string | undefined = msg.author.get();

const room = new RoomState();
room.title.set('general');
const first: MessageChatView = room.messages.push({ content: 'first!' });
first.likes.increment(2n);
room.readMarkers.set('alice', 3);
const copy = RoomState.load(room.save(), 2);
copy.apply(room.changesSince(copy.version()));

// Change events: the document, a field, a nested object.
const seen: Change[] = [];
const unsubscribe: () => void = msg.subscribe((e: ChangeEvent) => {
  const origin: 'local' | 'remote' = e.origin;
  for (const c of e.changes) {
    if (c.kind === 'text') for (const op of c.delta) if ('insert' in op) seen.push({ ...c, delta: [op] });
    if (c.kind === 'set') console.log(origin, c.path.join('.'), c.added.length, c.removed.length);
    if (c.kind === 'counter') console.log(c.value);
  }
});
const offLikes = msg.likes.subscribe((e) => console.log(e.changes.length));
const offFirst = first.subscribe((e) => console.log(e.origin));
room.messages.subscribe(() => {});
msg.content.insert(0, 'hi ');
unsubscribe();
offLikes();
offFirst();
// @ts-expect-error: a callback, not a value
msg.subscribe(5);

// @ts-expect-error: likes take numbers
msg.likes.increment('two');
// @ts-expect-error: reactions are strings
msg.reactions.add(5);

// Transactions: the callback's result comes back typed.
const total: bigint = room.transact((r) => {
  r.title.set('renamed');
  r.messages.get(0).likes.increment(1);
  return r.messages.get(0).likes.value();
});
const inside: boolean = room.inTransaction;

// Typed snapshots: API names; 64-bit integers are strings in JSON, bigint in a snapshot.
const json: RoomStateJSON = room.toJSON();
const marker: string | undefined = json.readMarkers['alice'];
const firstLikes: string | undefined = json.messages[0]?.likes;
const snap: RoomStateSnapshot = room.snapshot();
const markerValue: bigint | undefined = snap.readMarkers['alice'];
const title: string | null = snap.title;
// @ts-expect-error: in JSON a 64-bit counter is a decimal string
const wrongLikes: number | undefined = json.messages[0]?.likes;
// @ts-expect-error: snake_case DOL names are not the API's keys
const wrongKey = snap.read_markers;

// load() takes a URL (in Node a file: URL is read from disk).
const again: unknown = await load(new URL('./chat.wasm', import.meta.url));

console.log(popular, likes, starred, status, author, copy.toJSON(), total, inside, marker, firstLikes, markerValue,
            title, wrongLikes, wrongKey, again);
// Cursors and undo/redo (docs/generated-api.md).
const caret: string = msg.content.cursor(3);
const after: string = msg.content.cursor(3, 'left');
const where: number | undefined = msg.content.cursorPosition(caret);
const onMessage: string = room.messages.cursor(0);
const um: UndoManager = msg.undoManager({ mergeInterval: 300, maxSteps: 50 });
msg.content.insert(0, 'x');
um.stopCapturing();
const undone: boolean = um.undo();
const redone: boolean = um.redo();
const can: boolean = um.canUndo() || um.canRedo();
um.free();
// @ts-expect-error: a side is 'left' or 'right'
msg.content.cursor(0, 'up');
// @ts-expect-error: cursors are strings
msg.content.cursorPosition(3);

console.log(popular, likes, starred, status, author, copy.toJSON(), after, where, onMessage, undone, redone, can);
