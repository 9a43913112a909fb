// tests/runtime/events_test.cpp: change events (Doc::take_events), natively.
//
// Recording is off until take_events(true); every applied op that changes
// what a reader sees is recorded with its API path and positions as of the
// moment it applied, for local and remote ops alike; replays (rollback of a
// refused operation, a refused apply) record nothing, and a load records one
// "reset".
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dolc_gen_rt.hpp"

namespace {

using namespace dolc_gen;

std::string quoted(const Bytes& v) { return json_string(std::string(v.begin(), v.end())); }

const FieldInfo kTaskFields[] = {
    {"task_title", Strategy::Lww, nullptr, false, 0, false, 0, Overflow::Saturate, false, 0, nullptr, false, -1, nullptr,
     "taskTitle", &quoted, nullptr},
};
const GeneInfo kTask = {"task", kTaskFields, 1, nullptr};

const FieldInfo kBoardFields[] = {
    {"title", Strategy::Lww, nullptr, false, 0, false, 0, Overflow::Saturate, false, 0, nullptr, false, -1, nullptr,
     "title", &quoted, nullptr},                                                                                  // 0
    {"likes", Strategy::PnCounter},                                                                                // 1
    {"tags", Strategy::OrSet, nullptr, false, 0, false, 0, Overflow::Saturate, false, 0, nullptr, false, -1, nullptr,
     "tags", &quoted, nullptr},                                                                                   // 2
    {"body_text", Strategy::Peritext, nullptr, false, 0, false, 0, Overflow::Saturate, false, 0, nullptr, false, -1,
     nullptr, "bodyText", nullptr, nullptr},                                                                     // 3
    {"items", Strategy::Rga, nullptr, false, 0, false, 0, Overflow::Saturate, false, 0, nullptr, false, -1, nullptr,
     "items", &quoted, nullptr},                                                                                  // 4
    {"tasks", Strategy::Rga, &kTask, false, 0, false, 0, Overflow::Saturate, false, 0, nullptr, false, -1, nullptr,
     "tasks", nullptr, nullptr},                                                                                  // 5
    {"scores", Strategy::OrMap, nullptr, false, 0, false, 0, Overflow::Saturate, false, 0, nullptr, false, -1, nullptr,
     "scores", &quoted, &quoted},                                                                                 // 6
    {"status", Strategy::MvRegister, nullptr, false, 0, false, 0, Overflow::Saturate, false, 0, nullptr, false, -1,
     nullptr, "status", &quoted, nullptr},                                                                        // 7
};
const GeneInfo kBoard = {"board", kBoardFields, 8, &kSequenceSupport};

Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }

TEST(Events, OffUntilSomeoneListens) {
  Doc d(&kBoard, 1);
  ASSERT_TRUE(d.reg_set(kRoot, &kBoard, 0, b("a")).ok);
  EXPECT_EQ(d.take_events(true), "");
  ASSERT_TRUE(d.reg_set(kRoot, &kBoard, 0, b("b")).ok);
  EXPECT_EQ(d.take_events(false), R"([{"obj":"","path":["title"],"kind":"register","from":"a","value":"b"}])");
  ASSERT_TRUE(d.reg_set(kRoot, &kBoard, 0, b("c")).ok);
  EXPECT_EQ(d.take_events(true), "");  // stopped
}

TEST(Events, LocalOpsOfEveryKind) {
  Doc d(&kBoard, 1);
  d.take_events(true);
  ASSERT_TRUE(d.reg_set(kRoot, &kBoard, 0, b("x")).ok);
  ASSERT_TRUE(d.reg_set(kRoot, &kBoard, 0, b("x")).ok);  // unchanged: nothing
  ASSERT_TRUE(d.counter_add(kRoot, &kBoard, 1, 3).ok);
  ASSERT_TRUE(d.counter_add(kRoot, &kBoard, 1, 2).ok);   // merged into the previous op: still reported
  ASSERT_TRUE(d.set_add(kRoot, &kBoard, 2, b("red")).ok);
  ASSERT_TRUE(d.set_add(kRoot, &kBoard, 2, b("red")).ok);  // already there: nothing
  ASSERT_TRUE(d.set_remove(kRoot, &kBoard, 2, b("red")).ok);
  ASSERT_TRUE(d.text_insert(kRoot, &kBoard, 3, 0, "h\xC3\xA9llo").ok);
  ASSERT_TRUE(d.text_delete(kRoot, &kBoard, 3, 1, 2).ok);
  ASSERT_TRUE(d.text_mark(kRoot, &kBoard, 3, 0, 2, "bold", "true").ok);
  ASSERT_TRUE(d.list_insert(kRoot, &kBoard, 4, 0, b("p")).ok);
  ASSERT_TRUE(d.list_insert(kRoot, &kBoard, 4, 1, b("q")).ok);
  ASSERT_TRUE(d.list_move(kRoot, &kBoard, 4, 0, 1).ok);
  ASSERT_TRUE(d.list_delete(kRoot, &kBoard, 4, 0, 1).ok);
  ASSERT_TRUE(d.map_set(kRoot, &kBoard, 6, b("k"), b("1")).ok);
  ASSERT_TRUE(d.map_set(kRoot, &kBoard, 6, b("k"), b("2")).ok);
  ASSERT_TRUE(d.map_delete(kRoot, &kBoard, 6, b("k")).ok);
  ASSERT_TRUE(d.mv_set(kRoot, &kBoard, 7, b("sent")).ok);
  std::string e = d.take_events(true);
  const char* expected[] = {
      R"({"obj":"","path":["title"],"kind":"register","from":null,"value":"x"})",
      R"({"obj":"","path":["likes"],"kind":"counter","from":0,"value":3})",
      R"({"obj":"","path":["likes"],"kind":"counter","from":3,"value":5})",
      R"({"obj":"","path":["tags"],"kind":"set","added":"red"})",
      R"({"obj":"","path":["tags"],"kind":"set","removed":"red"})",
      R"({"obj":"","path":["bodyText"],"kind":"text","at":0,"insert":"h\u00e9llo"})",
      R"({"obj":"","path":["bodyText"],"kind":"text","at":1,"delete":2})",
      R"({"obj":"","path":["bodyText"],"kind":"text","at":0,"retain":2,"attributes":{"bold":"true"}})",
      R"({"obj":"","path":["items"],"kind":"list","at":0,"insert":["p"]})",
      R"({"obj":"","path":["items"],"kind":"list","at":1,"insert":["q"]})",
      R"({"obj":"","path":["items"],"kind":"list","at":0,"delete":1})",
      R"({"obj":"","path":["items"],"kind":"list","at":1,"insert":["p"]})",
      R"({"obj":"","path":["items"],"kind":"list","at":0,"delete":1})",
      R"({"obj":"","path":["scores"],"kind":"map","key":"k","op":"add"})",
      R"({"obj":"","path":["scores"],"kind":"map","key":"k","op":"update"})",
      R"({"obj":"","path":["scores"],"kind":"map","key":"k","op":"delete"})",
      R"({"obj":"","path":["status"],"kind":"mv","from":[],"value":["sent"]})",
  };
  std::string all = "[";
  for (const char* x : expected) all += (all.size() > 1 ? "," : "") + std::string(x);
  all += "]";
  // json_string writes UTF-8 as is: compare with the é spelled out.
  std::string want = all;
  size_t at = want.find("\\u00e9");
  want.replace(at, 6, "\xC3\xA9");
  EXPECT_EQ(e, want);
}

TEST(Events, NestedPathsUseApiNamesAndCurrentIndexes) {
  Doc d(&kBoard, 1);
  ASSERT_TRUE(d.list_insert_new(kRoot, &kBoard, 5, 0).ok);
  auto first = d.list_child(kRoot, &kBoard, 5, 0);
  ASSERT_TRUE(first.ok);
  d.take_events(true);
  ASSERT_TRUE(d.reg_set(first.value, &kTask, 0, b("t")).ok);
  ASSERT_TRUE(d.list_insert_new(kRoot, &kBoard, 5, 0).ok);  // the first task is now at 1: paths say where it is after the call
  std::string e = d.take_events(true);
  EXPECT_NE(e.find(R"("path":["tasks"],"kind":"objects","at":0,"insert":[null])"), std::string::npos) << e;
  EXPECT_NE(e.find(R"("path":["tasks",1,"taskTitle"],"kind":"register","from":null,"value":"t"})"), std::string::npos) << e;
  // Changes inside an object the same call deleted are left out.
  ASSERT_TRUE(d.reg_set(first.value, &kTask, 0, b("u")).ok);
  ASSERT_TRUE(d.list_delete(kRoot, &kBoard, 5, 1, 1).ok);
  EXPECT_EQ(d.take_events(true), R"([{"obj":"","path":["tasks"],"kind":"objects","at":1,"delete":1}])");
}

TEST(Events, RemoteOpsArePositionedWhereTheyApply) {
  Doc a(&kBoard, 1), r(&kBoard, 2);
  ASSERT_TRUE(a.text_insert(kRoot, &kBoard, 3, 0, "abcdef").ok);
  ASSERT_TRUE(r.apply(a.changes_since(r.version()).value).ok);
  Bytes v = a.version();
  ASSERT_TRUE(a.text_delete(kRoot, &kBoard, 3, 1, 2).ok);  // "adef"
  ASSERT_TRUE(r.text_insert(kRoot, &kBoard, 3, 0, "XY").ok);  // "XYabcdef"
  r.take_events(true);
  ASSERT_TRUE(r.apply(a.changes_since(v).value).ok);
  EXPECT_EQ(r.take_events(true), R"([{"obj":"","path":["bodyText"],"kind":"text","at":3,"delete":2}])");
  EXPECT_EQ(r.text_string(kRoot, &kBoard, 3), "XYadef");
  // A second apply of the same changes changes nothing, and says nothing.
  ASSERT_TRUE(r.apply(a.changes_since(v).value).ok);
  EXPECT_EQ(r.take_events(true), "");
  // An insert arriving where concurrent text already is.
  Bytes rv = r.version();
  ASSERT_TRUE(a.text_insert(kRoot, &kBoard, 3, 4, "!").ok);  // a: "adef!"
  ASSERT_TRUE(r.apply(a.changes_since(rv).value).ok);
  EXPECT_EQ(r.take_events(true), R"([{"obj":"","path":["bodyText"],"kind":"text","at":6,"insert":"!"}])");
  EXPECT_EQ(r.text_string(kRoot, &kBoard, 3), "XYadef!");
}

TEST(Events, RollbackAndRefusedApplyRecordNothing) {
  Doc d(&kBoard, 1);
  d.take_events(true);
  ASSERT_TRUE(d.reg_set(kRoot, &kBoard, 0, b("kept")).ok);
  uint64_t mark = d.checkpoint();
  ASSERT_TRUE(d.set_add(kRoot, &kBoard, 2, b("gone")).ok);
  d.rollback(mark);
  EXPECT_EQ(d.take_events(true), R"([{"obj":"","path":["title"],"kind":"register","from":null,"value":"kept"}])");
  Bytes bad = d.changes_since(Bytes{}).value;
  bad.back() ^= 0x55;
  Doc other(&kBoard, 2);
  other.take_events(true);
  EXPECT_FALSE(other.apply(bad).ok);
  EXPECT_EQ(other.take_events(true), "");
}

TEST(Events, LoadIsAReset) {
  Doc a(&kBoard, 1), d(&kBoard, 2);
  ASSERT_TRUE(a.reg_set(kRoot, &kBoard, 0, b("x")).ok);
  d.take_events(true);
  ASSERT_TRUE(d.load(a.save()).ok);
  EXPECT_EQ(d.take_events(true), R"([{"obj":"","path":[],"kind":"reset"}])");
  ASSERT_TRUE(d.reg_set(kRoot, &kBoard, 0, b("y")).ok);  // still recording after the load
  EXPECT_NE(d.take_events(true), "");
}

}  // namespace
