// tests/build/generators_test.cpp: the export table and the generators on a
// hand-built schema (tests/build/sample_schema.hpp): every WIT function is a
// C++ export with the same symbol name, JS knows every label, unsupported
// fields and methods are left out everywhere and reported, names are
// escaped, output is deterministic.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "emit/emit.hpp"
#include "lower/api.hpp"
#include "lower/cpp.hpp"
#include "lower/naming.hpp"
#include "sample_schema.hpp"

namespace dolc {
namespace {

struct Fixture : ::testing::Test {
  ir::Schema schema = testing::sample_schema(0);
  lower::ExportTable table = lower::build_export_table(schema, {0}, "chat");
};

TEST(Naming, WitLabelsAndEscapes) {
  EXPECT_EQ(lower::wit_label("message.chat"), "message-chat");
  EXPECT_EQ(lower::wit_label("created_at"), "created-at");
  EXPECT_EQ(lower::wit_label("likeCount"), "like-count");
  EXPECT_EQ(lower::wit_label("item_2"), "item2");
  EXPECT_EQ(lower::wit_label("2fa"), "x2fa");
  EXPECT_EQ(lower::wit_ident("type"), "%type");
  EXPECT_EQ(lower::wit_ident("title"), "title");
  EXPECT_EQ(lower::js_member("created-at"), "createdAt");
  EXPECT_EQ(lower::js_class("message-chat"), "MessageChat");
  EXPECT_EQ(lower::cpp_ident("delete"), "delete_");
  EXPECT_EQ(lower::cpp_ident("board.task"), "board_task");
}

TEST_F(Fixture, TableCoversStrategiesAndOmissions) {
  ASSERT_EQ(table.package, "dol:chat@0.1.0");
  ASSERT_EQ(table.interfaces.size(), 5u);
  const auto& chat = table.interfaces[4];
  EXPECT_EQ(chat.label, "message-chat");
  std::set<std::string> labels;
  for (const auto& f : chat.functions) labels.insert(f.label);
  for (const char* l : {"title-get", "title-set", "topic-values", "reactions-add", "scores-get", "likes-increment",
                        "items-insert", "items-move", "content-mark", "content-spans", "when-get", "call-like"})
    EXPECT_TRUE(labels.count(l)) << l;
  EXPECT_FALSE(labels.count("pair-get"));
  EXPECT_FALSE(labels.count("call-shout"));
  // The tuple field and the closure method are reported once each.
  int pair = 0, shout = 0;
  for (const auto& o : table.omissions) {
    pair += o.message.find("`pair`") != std::string::npos;
    shout += o.message.find("`shout`") != std::string::npos;
  }
  EXPECT_EQ(pair, 1);
  EXPECT_EQ(shout, 1);
  // Nested genes of the board interface, reached through lists and maps.
  const auto& board = table.interfaces[2];
  ASSERT_EQ(board.genes.size(), 3u);
  EXPECT_EQ(board.genes[1].label, "board-column");
  std::set<std::string> blabels;
  for (const auto& f : board.functions) blabels.insert(f.label);
  EXPECT_TRUE(blabels.count("board-column-tasks-insert-new"));
  EXPECT_TRUE(blabels.count("board-task-votes-increment"));
  EXPECT_TRUE(blabels.count("by-owner-child"));
}

TEST_F(Fixture, CanonicalAbiSignatures) {
  const auto& chat = table.interfaces[4];
  for (const auto& f : chat.functions) {
    if (f.label == "title-get") {
      EXPECT_TRUE(f.result_in_memory);  // option<string>
      EXPECT_EQ(f.core_params.size(), 3u);  // self, path ptr, path len
    }
    if (f.label == "likes-value") {
      EXPECT_FALSE(f.result_in_memory);
      ASSERT_EQ(f.core_results.size(), 1u);
      EXPECT_EQ(f.core_results[0], lower::CoreType::I64);
    }
  }
  EXPECT_EQ(lower::abi_size(lower::WitType::of(lower::WitType::Kind::Result)), 12u);
  EXPECT_EQ(lower::abi_size(lower::WitType::of(lower::WitType::Kind::Option, {lower::WitType::of(lower::WitType::Kind::S64)})), 16u);
}

TEST_F(Fixture, EveryExportAppearsInWitCppAndJs) {
  std::string wit = emit::emit_wit(table);
  std::string js = emit::emit_js(table, "chat.wasm");
  auto files = lower::lower_to_cpp(schema, table);
  ASSERT_EQ(files.size(), 4u);
  const std::string& cpp = files[1].contents;
  for (const auto& iface : table.interfaces)
    for (const auto& f : iface.functions) {
      EXPECT_NE(cpp.find("export_name(\"" + f.export_name + "\")"), std::string::npos) << f.export_name;
      if (f.kind == lower::ApiFunction::Kind::Method) {
        EXPECT_NE(wit.find(" " + lower::wit_ident(f.label) + ": func("), std::string::npos) << f.label;
        EXPECT_NE(js.find("\"" + f.label + "\": [["), std::string::npos) << f.label;
      }
    }
  EXPECT_NE(wit.find("enum message-chat-status"), std::string::npos);
  EXPECT_NE(wit.find("%type"), std::string::npos);  // the enum case `type` is escaped
  EXPECT_NE(wit.find("world chat {"), std::string::npos);
  // A gene used as a set element is a record of its fields' values.
  EXPECT_NE(wit.find("record message-reaction {\n    emoji: string,\n    user-id: string\n  }"), std::string::npos);
  EXPECT_NE(wit.find("reacts-add: func(path: list<u8>, value: message-reaction)"), std::string::npos);
}

TEST_F(Fixture, Deterministic) {
  lower::ExportTable again = lower::build_export_table(schema, {0}, "chat");
  EXPECT_EQ(emit::emit_wit(table), emit::emit_wit(again));
  EXPECT_EQ(emit::emit_js(table, "chat.wasm"), emit::emit_js(again, "chat.wasm"));
  EXPECT_EQ(emit::emit_dts(table), emit::emit_dts(again));
  EXPECT_EQ(lower::lower_to_cpp(schema, table)[1].contents, lower::lower_to_cpp(schema, again)[1].contents);
}

}  // namespace
}  // namespace dolc
