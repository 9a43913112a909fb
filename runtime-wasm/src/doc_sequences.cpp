// runtime-wasm/src/doc_sequences.cpp: what a module with rga or peritext
// fields links (kSequenceSupport, reached only through GeneInfo::sequences):
// applying their ops and recording their events, encoding typing runs, the
// migrations into them (lww -> peritext, or_set -> rga), and the texts a save
// keeps once (text_run, canonical_insert, join_texts).
#include "doc_impl.hpp"

namespace dolc_gen {

namespace internal {

// Visible positions (before the op applies) of the ids a delete names, as
// `{"at":p,"delete":n}` entries from the last run to the first, so each
// position holds when its entry applies. False: too many to look at.
template <class Seq>
bool record_deletes(Events& ev, const Seq& seq, const seq::DeleteOp& del, const char* kind) {
  std::map<uint64_t, uint64_t> at;  // an ordered set of positions
  for (const seq::IdRange& rg : del.ranges) {
    if (rg.len > seq.size() + 1024) return false;
    for (uint32_t k = 0; k < rg.len; ++k) {
      size_t i = 0;
      if (seq.index_of(OpId{rg.first.lamport + k, rg.first.actor}, &i)) at[i] = 0;
    }
  }
  for (auto it = at.rbegin(); it != at.rend();) {
    uint64_t end = it->first, n = 0;
    while (it != at.rend() && it->first == end - n) ++n, ++it;
    ev.add(cat({",\"kind\":\"", kind, "\",\"at\":", decimal(end + 1 - n), ",\"delete\":", decimal(n)}));
  }
  return true;
}

}  // namespace internal

namespace {

// The rga and peritext cases of apply_op (see SequenceSupport).
bool apply_sequence_op(Field& f, const FieldInfo& info, const Op& op, Reader& r, uint64_t* span, Events* ev) {
  switch (op.kind) {
    case OpKind::ListInsert: {
      if (info.strategy != Strategy::Rga || !f.list) return false;
      seq::ListInsertOp ins;
      if (!seq::decode(r, ins) || !r.at_end() || ins.id != op.id || !f.list->items.can_apply(ins)) return false;
      if (info.nested && !within_create_cap(info.nested, ins.values.size(), op.payload.size())) return false;
      f.list->items.apply(ins);
      if (!ins.values.empty()) *span = ins.values.size();
      size_t at = 0;
      if (ev && f.list->items.index_of(ins.id, &at)) {
        std::string vals;
        for (const Bytes& v : ins.values) vals += (vals.empty() ? "" : ",") + (info.nested ? "null" : event_value(info, v));
        ev->add(cat({",\"kind\":\"", list_kind(info), "\",\"at\":", decimal(uint64_t{at}), ",\"insert\":[", vals, "]"}));
      }
      if (info.nested)
        for (size_t k = 0; k < ins.values.size(); ++k) {
          OpId el{ins.id.lamport + k, ins.id.actor};
          auto& child = f.list->children[el];
          if (!child) child = std::make_unique<Object>(info.nested);
        }
      return true;
    }
    case OpKind::ListDelete: {
      if (info.strategy != Strategy::Rga || !f.list || info.append_only) return false;
      seq::DeleteOp del;
      if (!seq::decode(r, del) || !r.at_end() || !f.list->items.can_apply(del)) return false;
      if (ev && !record_deletes(*ev, f.list->items, del, list_kind(info))) ev->reset = true;
      f.list->items.apply(del);
      return true;
    }
    case OpKind::ListMove: {
      if (info.strategy != Strategy::Rga || !f.list || info.append_only) return false;
      seq::MoveOp mv;
      if (!seq::decode(r, mv) || !r.at_end() || mv.id != op.id || !f.list->items.can_apply(mv)) return false;
      size_t from = 0;
      bool was = ev && f.list->items.index_of(mv.element, &from);
      f.list->items.apply(mv);
      if (was) list_move_event(*ev, f.list->items, info, mv.element, from, f.list->items.find(mv.element));
      return true;
    }
    case OpKind::TextInsert: {
      if (info.strategy != Strategy::Peritext || !f.text) return false;
      seq::TextInsertOp ins;
      if (!seq::decode(r, ins) || !r.at_end() || ins.id != op.id || !f.text->can_apply(ins)) return false;
      f.text->apply(ins);
      if (!ins.text.empty()) *span = ins.text.size();
      size_t at = 0;
      if (ev && !ins.text.empty() && f.text->index_of(ins.id, &at))
        ev->add(cat({",\"kind\":\"text\",\"at\":", decimal(uint64_t{at}), ",\"insert\":",
                     json_string(seq::utf8_encode(ins.text.data(), ins.text.size())), inserted_marks(*f.text, at)}));
      return true;
    }
    case OpKind::TextDelete: {
      if (info.strategy != Strategy::Peritext || !f.text) return false;
      seq::DeleteOp del;
      if (!seq::decode(r, del) || !r.at_end() || !f.text->can_apply(del)) return false;
      if (ev && !record_deletes(*ev, *f.text, del, "text")) ev->reset = true;
      f.text->apply(del);
      return true;
    }
    case OpKind::TextMark: {
      if (info.strategy != Strategy::Peritext || !f.text) return false;
      seq::MarkOp mk;
      if (!seq::decode(r, mk) || !r.at_end() || mk.id != op.id || !f.text->can_apply(mk)) return false;
      f.text->apply(mk);
      if (ev) {  // the range its anchors span now (before/after a character, or the ends)
        auto pos = [&](const seq::Anchor& a, size_t none) {
          size_t i = none;
          if (!a.id.is_null() && !f.text->index_of(a.id, &i)) return none;
          return a.id.is_null() ? none : i + (a.after ? 1 : 0);
        };
        mark_event(*ev, pos(mk.start, 0), pos(mk.end, f.text->size()), mk);
      }
      return true;
    }
    default: return false;
  }
}

void encode_text_insert(Writer& w, const seq::TextInsertOp& op) { seq::encode(w, op); }
void encode_delete(Writer& w, const seq::DeleteOp& op) { seq::encode(w, op); }

// The id of the text an older version's register write converts into: its
// own lamport, and an actor derived from the write's id with the top bit set
// (writes have distinct ids, so their texts never share element ids; real
// actors with the top bit set are not expected, see FORMAT.md).
OpId migrated_text_id(OpId write) {
  uint64_t x = write.actor * 0x9e3779b97f4a7c15ull ^ write.lamport;
  x ^= x >> 31;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 29;
  return OpId{write.lamport, x | (1ull << 63)};
}

// lww -> peritext: every write of the old register inserts its text at the
// start (fixed origins: the same op on every replica, whatever the state),
// and the text of the write that lost the register is deleted. The visible
// result is the register's winner plus whatever the new version typed, on
// every replica, in any order of arrival.
void migrate_text(Field& f, const Bytes* added, OpId added_id, const Bytes* hidden, OpId hidden_id) {
  seq::TextInsertOp ins;
  ins.id = migrated_text_id(added_id);
  if (added) ins.text = seq::utf8_decode(std::string(added->begin(), added->end()));
  if (!ins.text.empty() && f.text->can_apply(ins)) f.text->apply(ins);
  if (!hidden) return;
  size_t n = seq::utf8_decode(std::string(hidden->begin(), hidden->end())).size();
  if (n == 0) return;
  seq::DeleteOp del;
  del.ranges.push_back(seq::IdRange{migrated_text_id(hidden_id), static_cast<uint32_t>(n)});
  if (f.text->can_apply(del)) f.text->apply(del);
}

void migrate_list(Field& f, const Bytes* added, OpId added_id, const std::vector<OpId>& removed) {
  if (added) {
    seq::ListInsertOp ins;
    ins.id = migrated_text_id(added_id);
    ins.values.push_back(*added);
    if (f.list->items.can_apply(ins)) f.list->items.apply(ins);
  }
  for (OpId dot : removed) {  // one by one: an add whose conversion failed has no element
    seq::DeleteOp del;
    del.ranges.push_back(seq::IdRange{migrated_text_id(dot), 1});
    if (f.list->items.can_apply(del)) f.list->items.apply(del);
  }
}

uint32_t text_run(const Field& f, OpId id, uint32_t max, bool* visible) {
  uint32_t offset = 0;
  uint32_t item = f.text ? f.text->core().find_id(id, &offset) : seq::kNoItem;
  if (item == seq::kNoItem) return 0;
  const seq::Item& it = f.text->core().item(item);
  *visible = it.visible();
  return std::min(max, it.len - offset);
}

bool canonical_insert(const Op& op) {
  Reader r(op.payload);
  seq::TextInsertOp ins;
  if (!seq::decode(r, ins) || !r.at_end()) return false;
  Writer w;
  seq::encode(w, ins);
  return w.buffer() == op.payload;
}

// Texts kept once (FORMAT.md): each field of the text section is replayed
// (its root inserts, split ones as placeholders, and its deletes) into a
// scratch text, which tells for every character whether it is visible
// (then it is the visible text's character at its index) or deleted (then
// it is the next character of the section's deleted text, taken in op
// order). Every count must add up; anything else is malformed.
bool join_texts(std::vector<Change>& changes, const TextJoin& join) {
  if (!seq::valid_utf8(join.deleted)) return false;
  std::u32string deleted = seq::utf8_decode(join.deleted);
  std::vector<std::u32string> visible;
  std::vector<seq::Text> scratch(join.fields.size());
  size_t next = 0;  // the next split insert (join.inserts is in op order)
  std::vector<uint64_t> padded(join.fields.size());
  for (size_t fi = 0; fi < join.fields.size(); ++fi) {
    if (!seq::valid_utf8(join.fields[fi].second)) return false;
    visible.push_back(seq::utf8_decode(join.fields[fi].second));
  }
  // Bounds the placeholders before any is made: a split insert's characters
  // are visible or deleted ones, which the section holds.
  uint64_t total = 0;
  for (const TextJoin::Insert& in : join.inserts) total += in.points;
  uint64_t held = deleted.size();
  for (const std::u32string& v : visible) held += v.size();
  if (total > held) return false;
  for (size_t ci = 0; ci < changes.size(); ++ci)
    for (size_t oi = 0; oi < changes[ci].ops.size(); ++oi) {
      const Op& op = changes[ci].ops[oi];
      bool split = next < join.inserts.size() && join.inserts[next].change == ci && join.inserts[next].op == oi;
      size_t fi = 0;
      while (fi < join.fields.size() && (join.fields[fi].first != op.field || !op.path.empty())) ++fi;
      if (fi == join.fields.size()) continue;
      Reader r(op.payload);
      if (op.kind == OpKind::TextInsert) {
        seq::TextInsertOp ins;
        if (split) {  // ids and origins, no characters yet
          ins.id = read_id(r);
          ins.origin_left = read_id(r);
          ins.origin_right = read_id(r);
          if (r.bytes_view().size() != 0 || !r.ok() || !r.at_end()) return false;
          ins.text.assign(static_cast<size_t>(join.inserts[next++].points), U'\uFFFC');
        } else if (!seq::decode(r, ins) || !r.at_end()) {
          return false;
        }
        if (ins.text.empty() || !scratch[fi].can_apply(ins)) return false;
        scratch[fi].apply(ins);
      } else if (op.kind == OpKind::TextDelete) {
        seq::DeleteOp del;
        if (!seq::decode(r, del) || !r.at_end() || !scratch[fi].can_apply(del)) return false;
        scratch[fi].apply(del);
      }
    }
  if (next != join.inserts.size()) return false;
  for (size_t fi = 0; fi < join.fields.size(); ++fi)
    if (scratch[fi].size() != visible[fi].size()) return false;
  size_t used = 0;  // of the deleted characters
  for (const TextJoin::Insert& in : join.inserts) {
    Op& op = changes[in.change].ops[in.op];
    size_t fi = 0;
    while (join.fields[fi].first != op.field) ++fi;
    const seq::SeqCore& core = scratch[fi].core();
    Reader r(op.payload);
    seq::TextInsertOp ins;
    ins.id = read_id(r);
    ins.origin_left = read_id(r);
    ins.origin_right = read_id(r);
    for (uint64_t k = 0; k < in.points;) {
      uint32_t offset = 0;
      uint32_t item = core.find_id(OpId{ins.id.lamport + k, ins.id.actor}, &offset);
      if (item == seq::kNoItem) return false;
      const seq::Item& it = core.item(item);
      size_t run = static_cast<size_t>(std::min<uint64_t>(in.points - k, it.len - offset));
      if (it.visible()) {
        ins.text.append(visible[fi], core.visible_before(item) + offset, run);
      } else {
        if (used + run > deleted.size()) return false;
        ins.text.append(deleted, used, run);
        used += run;
      }
      k += run;
    }
    Writer w;
    seq::encode(w, ins);
    op.payload = w.take();
  }
  return used == deleted.size();
}

void copy_sequence(const Field& from, Field& to, const ApplyContext& cx) {
  if (from.text && to.text) *to.text = *from.text;
  if (!from.list || !to.list) return;
  to.list->items = from.list->items;
  for (const auto& [id, child] : from.list->children)
    to.list->children.emplace_hint(to.list->children.end(), id, clone_object(*child, cx));
}

}  // namespace

const SequenceSupport kSequenceSupport = {apply_sequence_op, encode_text_insert, encode_delete,
                                          migrate_text,      migrate_list,       text_run,
                                          canonical_insert,  join_texts,         copy_sequence};

}  // namespace dolc_gen
