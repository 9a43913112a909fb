// tests/build/editor/page.mjs: two replicas of a chat message in one page. A's
// `content` is bound to the page's <textarea> by examples/editor/textarea.js;
// B is a peer whose edits reach A through changesSince/apply, as they would
// from the network. editor_test.mjs types into the textarea with the
// keyboard and drives B through window.t.
import { load, MessageChat } from '/gen/chat.js';
import { bindTextarea } from '/examples/editor/textarea.js';

await load(fetch('/gen/chat.wasm'));
const a = new MessageChat(1n), b = new MessageChat(2n);
const area = document.getElementById('editor');
b.content.insert(0, 'hello world');
a.apply(b.changesSince(a.version()));
const binding = bindTextarea(a.content, area, { doc: a });
area.focus();

window.t = {
  // A's text as the model, the textarea and the peer see it.
  state: () => ({ area: area.value, a: a.content.toString(), b: b.content.toString(),
                  start: area.selectionStart, end: area.selectionEnd }),
  select(start, end = start) { area.focus(); area.setSelectionRange(start, end); binding.remember(); },
  peerInsert(pos, s) { b.content.insert(pos, s); },
  peerDelete(pos, n) { b.content.delete(pos, n); },
  peerLength: () => b.content.length(),
  // Both ways, as a sync protocol would (A's side fires the binding's event).
  sync() {
    b.apply(a.changesSince(b.version()));
    a.apply(b.changesSince(a.version()));
  },
};
window.ready = true;
