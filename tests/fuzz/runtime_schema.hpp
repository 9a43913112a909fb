// tests/fuzz: the schema the runtime fuzzer and its seed generator share: one
// field of every kind, with nested objects.
#pragma once

#include "dolc_gen_rt.hpp"

namespace fuzz_schema {
using namespace dolc_gen;
inline const FieldInfo kItemFields[] = {{"label", Strategy::Lww}, {"votes", Strategy::PnCounter}};
inline const GeneInfo kItem = {"item", kItemFields, 2};
// Fields an earlier version of `doc` had, replaced by an evolution: hidden,
// their writes converted (lww -> peritext `body`, lww -> mv_register
// `status`, or_set -> rga `log`), so that the fuzzer reaches migrations too.
inline FieldInfo hidden(const char* key, Strategy strategy, int32_t replaced_by) {
  FieldInfo f{key, strategy};
  f.key = key;
  f.hidden = true;
  f.replaced_by = replaced_by;
  return f;
}
inline const FieldInfo kFields[] = {
    {"id", Strategy::Immutable},      {"title", Strategy::Lww},          {"status", Strategy::MvRegister},
    {"tags", Strategy::OrSet},        {"scores", Strategy::OrMap},       {"cards", Strategy::OrMap, &kItem},
    {"likes", Strategy::PnCounter},   {"items", Strategy::Rga, &kItem},  {"log", Strategy::Rga},
    {"body", Strategy::Peritext},     {"meta", Strategy::Nested, &kItem},
    hidden("body_v0", Strategy::Lww, 9), hidden("status_v0", Strategy::Lww, 2), hidden("log_v0", Strategy::OrSet, 8),
};
inline const GeneInfo kDoc = {"doc", kFields, 14, &kSequenceSupport};

// The earlier version whose fields kDoc keeps hidden.
inline const FieldInfo kOldFields[] = {
    {"title", Strategy::Lww}, {"body_v0", Strategy::Lww}, {"status_v0", Strategy::Lww}, {"log_v0", Strategy::OrSet}};
inline const GeneInfo kOldDoc = {"doc", kOldFields, 4};

inline void populate_old(Doc& d, int salt) {
  Bytes root;
  std::string s = "old" + std::to_string(salt);
  d.reg_set(root, &kOldDoc, 0, Bytes(s.begin(), s.end()));
  d.reg_set(root, &kOldDoc, 1, Bytes(s.begin(), s.end()));
  d.reg_set(root, &kOldDoc, 2, Bytes{3, 4});
  d.set_add(root, &kOldDoc, 3, Bytes{'y'});
  d.set_add(root, &kOldDoc, 3, Bytes{'z'});
  d.set_remove(root, &kOldDoc, 3, Bytes{'y'});
  d.reg_set(root, &kOldDoc, 1, Bytes{'n', 'e', 'w'});
}

// Reads every field of the object at `at` (gene `g`) as the generated API
// does, and of the objects in it (nested, map entries and list elements of
// genes, through the *_child paths), `depth` levels down at most (a frozen
// document answers what its snapshot holds from it): what it read, as one
// size.
inline size_t read_object(const Doc& d, const Bytes& at, const GeneInfo* g, int depth) {
  size_t n = 0;
  for (uint32_t i = 0; i < g->field_count; ++i) {
    const FieldInfo& f = g->fields[i];
    if (f.hidden) continue;
    switch (f.strategy) {
      case Strategy::Immutable:
      case Strategy::Lww: n += d.reg_get(at, g, i).value_or(Bytes{}).size(); break;
      case Strategy::MvRegister: n += d.mv_values(at, g, i).size(); break;
      case Strategy::OrSet:
        for (const Bytes& v : d.set_values(at, g, i)) n += d.set_has(at, g, i, v);
        n += d.set_size(at, g, i) + d.set_has(at, g, i, Bytes{'x'});
        break;
      case Strategy::OrMap:
        for (const Bytes& k : d.map_keys(at, g, i)) {
          n += d.map_has(at, g, i, k) + d.map_get(at, g, i, k).value_or(Bytes{}).size();
          if (!f.nested || depth == 0) continue;
          Result<Bytes> child = d.map_child(at, g, i, k);
          n += child.ok ? 1 + read_object(d, child.value, f.nested, depth - 1) : 0;
        }
        n += d.map_get(at, g, i, Bytes{'k'}).has_value() + d.map_child(at, g, i, Bytes{'z'}).ok;
        break;
      case Strategy::PnCounter: n += static_cast<size_t>(d.counter_value(at, g, i)); break;
      case Strategy::Rga:
        for (uint32_t k = 0, len = d.list_length(at, g, i); k <= len; ++k) {
          n += d.list_get(at, g, i, k).value_or(Bytes{}).size();
          if (!f.nested || depth == 0) continue;
          Result<Bytes> child = d.list_child(at, g, i, k);
          n += child.ok ? 1 + read_object(d, child.value, f.nested, depth - 1) : 0;
        }
        break;
      case Strategy::Peritext: n += d.text_length(at, g, i) + d.text_string(at, g, i).size(); break;
      case Strategy::Nested:
        if (depth > 0) n += read_object(d, d.nested_child(at, g, i), f.nested, depth - 1);
        break;
    }
  }
  return n;
}
inline size_t read_root(const Doc& d) { return read_object(d, Bytes{}, &kDoc, 3); }

// A document with some of everything, made by actor `actor`.
inline void populate(Doc& d, int salt) {
  Bytes root;
  std::string s = "v" + std::to_string(salt);
  d.reg_set(root, &kDoc, 0, Bytes(s.begin(), s.end()));
  d.reg_set(root, &kDoc, 1, Bytes(s.begin(), s.end()));
  d.mv_set(root, &kDoc, 2, Bytes{1, 2});
  d.set_add(root, &kDoc, 3, Bytes{'x'});
  d.map_set(root, &kDoc, 4, Bytes{'k'}, Bytes{7});
  d.map_set_new(root, &kDoc, 5, Bytes{'c'});
  d.counter_add(root, &kDoc, 6, 5 + salt);
  d.list_insert_new(root, &kDoc, 7, 0);
  d.list_insert(root, &kDoc, 8, 0, Bytes{'e'});
  d.text_insert(root, &kDoc, 9, 0, "hello world");
  d.text_mark(root, &kDoc, 9, 0, 5, "bold", "true");
  d.text_delete(root, &kDoc, 9, 2, 2);
  auto child = d.list_child(root, &kDoc, 7, 0);
  if (child.ok) d.counter_add(child.value, &kItem, 1, 2);
  d.reg_set(d.nested_child(root, &kDoc, 10), &kItem, 0, Bytes{'m'});
}
}  // namespace fuzz_schema
