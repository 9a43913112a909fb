// tests/build/tsc/sample_usage.ts: a small typed program against the
// generated sample.d.ts; `tsc --noEmit --strict` must accept it. The lines
// marked @ts-expect-error must be rejected (wrong value types), so the test
// fails if the declarations become too loose (e.g. `any`) as well.
import { loadFile, MessageChat, BoardBoard, BoardColumnView, type Span, type MessageChatJSON, type MessageChatSnapshot } from './sample.js';

await loadFile();
const msg = new MessageChat(1n);
const other: MessageChat = MessageChat.load(msg.save(), 2);
msg.title.set('hello');
const title: string | undefined = msg.title.get();
msg.status.set('Sent');
const status: 'Draft' | 'Sent' | 'type' | undefined = msg.status.get();
msg.reactions.add('👍');
const has: boolean = msg.reactions.has('👍');
const size: number = msg.reactions.size();
msg.scores.set('bob', 3);
const score: number | undefined = msg.scores.get('bob');
msg.likes.increment();
msg.likes.increment(2n);
msg.likes.decrement(1);
const likes: bigint = msg.likes.value();
msg.items.push('x');
const items: string[] = msg.items.toArray();
msg.content.insert(0, 'hi');
msg.content.mark(0, 2, 'bold');
const spans: Span[] = msg.content.spans();
const text: string = msg.content.toString();
msg.like();
other.apply(msg.changesSince(other.version()));
other.merge(msg.save());
const violations: string[] = other.violations();
const json: MessageChatJSON = other.toJSON();
const likesText: string = json.likes;  // 64-bit integers: exact decimal strings in JSON
const snap: MessageChatSnapshot = other.snapshot();
const likesValue: bigint = snap.likes;  // and bigint in a snapshot, as the getters
const reactEmoji: string | undefined = snap.reacts[0]?.userId;
const text2: string = JSON.stringify(other) + other.toJSONString();
// @ts-expect-error: a JSON 64-bit integer is a string, not a number
const wrongLikes: number = json.likes;

const board = new BoardBoard();
const column: BoardColumnView = board.columns.push({ title: 'Todo', tasks: [{ title: 't', votes: 1 }] });
column.tasks.get(0).done.set(true);
board.columns.get(0).title.set('Doing');
board.byOwner.set('ann', { title: 'owned' });

// @ts-expect-error: a number is not a string
msg.title.set(3);
// @ts-expect-error: not a variant of the enum
msg.status.set('Archived');
// @ts-expect-error: counters take numbers
msg.likes.increment('1');
// @ts-expect-error: no such field
msg.nothing.get();

console.log(title, status, has, size, score, likes, items, spans, text, violations, json, likesText, likesValue, reactEmoji, text2, wrongLikes);
