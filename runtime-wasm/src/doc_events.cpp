// runtime-wasm/src/doc_events.cpp: change events (Doc::take_events;
// doc_impl.hpp has the Events record). The merge rules and the local edits
// append an entry per change a reader sees; this file renders them: the JSON
// of each kind of change, and the path of the object it happened in, as the
// state is when the entries are taken.
#include "doc_impl.hpp"

namespace dolc_gen {

namespace internal {

// Starts an entry for field `last` of the object at `path`.
bool event_path(Events& ev, const Bytes& path, const FieldInfo& last) {
  ev.cur.path = path;
  ev.cur.field = &last;
  return true;
}

// `{"obj":"<path in hex>","path":[API names, list indexes, map keys as JSON]`
// for an entry, in the current state; false when the object is gone.
bool render_path(const Events::Entry& e, Object* root, const Keys& keys, std::string& out) {
  out += "{\"obj\":\"";  // the object's path: what subscriptions of nested objects filter on
  for (uint8_t b : e.path) {
    out += "0123456789abcdef"[b >> 4];
    out += "0123456789abcdef"[b & 15];
  }
  out += "\",\"path\":[";
  Reader r(e.path);
  Object* obj = root;
  while (!r.at_end()) {
    uint64_t v = r.varint();
    uint64_t tag = v & 3;
    OpId id;
    std::string_view key;
    if (tag == kStepElement) id = read_id(r);
    if (tag == kStepEntry) key = r.bytes_view();
    int fi = r.ok() && obj ? keys.field_of(obj->gene, v >> 2) : -1;
    if (fi < 0) return false;
    const FieldInfo& info = obj->gene->fields[fi];
    Field& f = obj->fields[static_cast<size_t>(fi)];
    out += json_string(info.api ? info.api : info.name);
    obj = nullptr;
    if (tag == kStepNested) {
      obj = f.nested.get();
    } else if (tag == kStepElement && f.list) {
      size_t at = 0;
      auto it = f.list->children.find(id);
      if (it != f.list->children.end() && f.list->items.index_of(id, &at)) obj = it->second.get();
      out += ',';
      out += decimal(uint64_t{at});
    } else if (tag == kStepEntry) {
      Bytes k(key.begin(), key.end());
      auto it = f.map.entries.find(k);
      if (it != f.map.entries.end() && !it->second.dots.empty()) obj = it->second.child.get();
      out += ',';
      out += info.key_json ? info.key_json(k) : json_string(std::string(key));
    }
    out += ',';
  }
  out += json_string(e.field->api ? e.field->api : e.field->name);
  out += "]";
  return obj != nullptr;
}

// A value as JSON, by the field's function (null when it has none).
std::string event_value(const FieldInfo& info, const Bytes& v) {
  return info.value_json ? info.value_json(v) : std::string("null");
}

// A multi-value register's values as a JSON array.
std::string mv_json(const FieldInfo& info, const MvRegister& mv) {
  if (mv.values.empty() && info.default_json) return "[" + info.default_json() + "]";
  std::string out = "[";
  for (auto& [id, x] : mv.values) out += (out.size() > 1 ? "," : "") + event_value(info, x);
  return out + "]";
}

void counter_event(Events& ev, int64_t from, int64_t to) {
  if (from != to) ev.add(cat({",\"kind\":\"counter\",\"from\":", decimal(from), ",\"value\":", decimal(to)}));
}

void map_event(Events& ev, const FieldInfo& info, const Bytes& key, const char* change) {
  ev.add(cat({",\"kind\":\"map\",\"key\":", info.key_json ? info.key_json(key) : json_string(std::string(key.begin(), key.end())),
              ",\"op\":\"", change, "\""}));
}

// The marks inserted text takes from where it lands (typed inside or at the
// growing end of a bold run, it is bold), as `,"attributes":{...}` for its
// event, or "" when it has none (always "" for a text without marks).
std::string inserted_marks(const seq::Text& text, size_t at) {
  std::string out;
  for (const auto& [name, value] : text.marks_at(at))
    out += (out.empty() ? ",\"attributes\":{" : ",") + json_string(name) + ":" + json_string(value);
  return out.empty() ? out : out + "}";
}

// Lists of genes report "objects" (their elements are read through the list).
const char* list_kind(const FieldInfo& info) { return info.nested ? "objects" : "list"; }

// A move, once applied: the element leaves `from` and arrives where it is now.
void list_move_event(Events& ev, const seq::RgaList& items, const FieldInfo& info, OpId element, size_t from,
                     const Bytes* value) {
  size_t to = 0;
  if (!items.index_of(element, &to) || to == from) return;
  ev.add(cat({",\"kind\":\"", list_kind(info), "\",\"at\":", decimal(uint64_t{from}), ",\"delete\":1"}));
  ev.add(cat({",\"kind\":\"", list_kind(info), "\",\"at\":", decimal(uint64_t{to}), ",\"insert\":[",
              info.nested || !value ? "null" : event_value(info, *value), "]"}));
}

void mark_event(Events& ev, size_t start, size_t end, const seq::MarkOp& op) {
  if (end <= start) return;
  ev.add(cat({",\"kind\":\"text\",\"at\":", decimal(uint64_t{start}), ",\"retain\":", decimal(uint64_t{end - start}),
              ",\"attributes\":{", json_string(op.name), ":", op.remove ? "null" : json_string(op.value), "}"}));
}

}  // namespace internal

// ----- change events

std::string Doc::take_events(bool listen) {
  Events& ev = impl_->ev;
  std::string out;
  if (ev.reset) {
    out = "[{\"obj\":\"\",\"path\":[],\"kind\":\"reset\"}]";
  } else {
    for (const Events::Entry& e : ev.out) {
      size_t at = out.size();
      out += out.empty() ? "[" : ",";
      if (!render_path(e, impl_->root.get(), impl_->keys, out)) {
        out.resize(at);  // in an object the call deleted
        continue;
      }
      out += e.tail;
      out += "}";
    }
    if (!out.empty()) out += "]";
  }
  ev.on = listen;
  ev.reset = false;
  if (ev.out.size() > 64) ev.out = {};  // a large batch's memory is given back
  ev.out.clear();
  ev.marks.clear();
  return out;
}

}  // namespace dolc_gen
