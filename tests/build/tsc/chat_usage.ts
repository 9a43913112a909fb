// tests/build/tsc/chat_usage.ts: a typed program against the chat.d.ts that
// `dolc build examples/chat.dol` generates; `tsc --strict --noEmit` must
// accept it and reject the @ts-expect-error lines.
import { loadFile, MessageChat, RoomState, MessageChatView, UndoManager } from './chat.js';

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

// @ts-expect-error: likes take numbers
msg.likes.increment('two');
// @ts-expect-error: reactions are strings
msg.reactions.add(5);

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
