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
