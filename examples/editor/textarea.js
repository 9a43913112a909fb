// examples/editor/textarea.js: binds a peritext field of a dolc document to a
// <textarea> (or any object with `value`, `selectionStart`, `selectionEnd`,
// `setSelectionRange()` and 'input' events), both ways:
//
//   import { bindTextarea } from './textarea.js';
//   const binding = bindTextarea(message.content, document.querySelector('textarea'), { doc: message });
//   ...
//   binding.destroy();
//
// * Local typing: on every 'input' event, the difference between the text the
//   binding last showed and the textarea's value (one replaced range: common
//   prefix and suffix) becomes text.delete() + text.insert(). Positions
//   convert between the textarea's UTF-16 units and the field's code points.
// * Remote edits: the field's change events (field.subscribe) carry a
//   Quill-style delta; the binding applies it to the textarea's value, and
//   puts the caret and selection back where they were *in the text*, through
//   cursors taken on the field (field.cursor / field.cursorPosition): text a
//   peer inserts before the caret moves it along, text a peer deletes around
//   it does not lose it.
// It uses only the generated module's public API, so it is also a worked
// example of events and cursors for other editors (contenteditable,
// CodeMirror, ProseMirror bindings follow the same three steps).

// UTF-16 offset <-> code point index in `s`.
function codePointIndex(s, utf16) {
  let n = 0;
  for (let i = 0; i < utf16 && i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;  // a surrogate pair is one code point
    n++;
  }
  return n;
}
function utf16Offset(s, codePoints) {
  let i = 0;
  for (let n = 0; n < codePoints && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return i;
}

// The text after applying a delta ([{retain}, {insert}, {delete}]) to `before`
// (positions in code points).
export function applyTextDelta(before, delta) {
  const chars = Array.from(before);
  const out = [];
  let at = 0;
  for (const op of delta) {
    if (op.retain !== undefined) {
      out.push(...chars.slice(at, at + op.retain));
      at += op.retain;
    } else if (op.delete !== undefined) {
      at += op.delete;
    } else if (op.insert !== undefined) {
      out.push(op.insert);
    }
  }
  out.push(...chars.slice(at));
  return out.join('');
}

// `options.doc`: the document the field belongs to; with it, a replacement
// is one transaction (without it, two operations).
export function bindTextarea(text, textarea, { doc } = {}) {
  let shown = text.toString();
  textarea.value = shown;
  // The selection as cursors on the field: anchored to characters, not
  // offsets, so remote edits cannot shift it onto other text.
  let anchors = null;
  const remember = () => {
    const start = codePointIndex(textarea.value, textarea.selectionStart);
    const end = codePointIndex(textarea.value, textarea.selectionEnd);
    // The caret sticks to the character after it (typing goes before that
    // character); a selection's end to the character before its end.
    anchors = { start: text.cursor(start), end: start === end ? null : text.cursor(end, 'before') };
  };
  remember();

  const onInput = () => {
    const now = textarea.value;
    if (now === shown) return;
    // One replaced range: common prefix and suffix (in UTF-16, then converted).
    let p = 0;
    while (p < now.length && p < shown.length && now.charCodeAt(p) === shown.charCodeAt(p)) p++;
    if (p > 0 && now.charCodeAt(p - 1) >= 0xd800 && now.charCodeAt(p - 1) <= 0xdbff) p--;  // not inside a pair
    let s = 0;
    while (s < now.length - p && s < shown.length - p &&
           now.charCodeAt(now.length - 1 - s) === shown.charCodeAt(shown.length - 1 - s)) s++;
    if (s > 0 && now.charCodeAt(now.length - s) >= 0xdc00 && now.charCodeAt(now.length - s) <= 0xdfff) s--;
    const at = codePointIndex(shown, p);
    const removed = codePointIndex(shown, shown.length - s) - at;
    const inserted = now.slice(p, now.length - s);
    // A replacement (typing or pasting over a selection) is one transaction:
    // one change, never half applied. Plain typing is one operation already,
    // and stays outside transact() so that consecutive keystrokes merge into
    // one run in the document's history (a transaction starts a new one).
    const edit = () => {
      if (removed > 0) text.delete(at, removed);
      if (inserted) text.insert(at, inserted);
    };
    if (removed > 0 && inserted && doc) doc.transact(edit);
    else edit();
    shown = now;
    remember();
  };
  const onSelect = () => { if (textarea.value === shown) remember(); };

  const unsubscribe = text.subscribe((event) => {
    if (event.origin !== 'remote') return;
    let next = shown;
    for (const change of event.changes) {
      if (change.delta) next = applyTextDelta(next, change.delta);
      else next = text.toString();  // a whole-state replacement: re-read
    }
    shown = next;
    textarea.value = next;
    const start = anchors ? text.cursorPosition(anchors.start) : undefined;
    const end = anchors && anchors.end ? text.cursorPosition(anchors.end) : start;
    if (start !== undefined && start !== null) {
      const a = utf16Offset(next, start), b = utf16Offset(next, Math.max(start, end ?? start));
      textarea.setSelectionRange(a, b);
    }
  });

  textarea.addEventListener('input', onInput);
  textarea.addEventListener('select', onSelect);
  textarea.addEventListener('keyup', onSelect);
  textarea.addEventListener('mouseup', onSelect);
  return {
    /** Re-reads the selection (call after moving the caret programmatically). */
    remember,
    /** The text the textarea shows (the field's text, unless an input event is pending). */
    get shown() { return shown; },
    destroy() {
      unsubscribe();
      textarea.removeEventListener('input', onInput);
      textarea.removeEventListener('select', onSelect);
      textarea.removeEventListener('keyup', onSelect);
      textarea.removeEventListener('mouseup', onSelect);
    },
  };
}
