// tests/build/native/chat_native_test.cpp: the C++ that `dolc build
// --emit=cpp` generates for examples/chat.dol, compiled natively (with
// -Wall -Wextra -Wshadow -Werror) against the runtime library: two replicas
// edit every kind of field concurrently, sync both ways, and converge.
#include <gtest/gtest.h>

#include "chat.hpp"

using dolgen::chat::MessageChat;
using dolgen::chat::RoomState;
using dolc_gen::kRoot;

namespace {

void sync(MessageChat& a, MessageChat& b) {
  auto ab = a.changes_since(b.version());
  ASSERT_TRUE(ab.ok) << ab.error;
  ASSERT_TRUE(b.apply(ab.value).ok);
  auto ba = b.changes_since(a.version());
  ASSERT_TRUE(ba.ok) << ba.error;
  ASSERT_TRUE(a.apply(ba.value).ok);
}

TEST(ChatNative, TwoReplicasConverge) {
  MessageChat alice(1), bob(2);
  ASSERT_TRUE(alice.id_set(kRoot, "3b8f0c1e-0000-4000-8000-000000000001").ok);
  ASSERT_TRUE(alice.content_insert(kRoot, 0, "hello world").ok);
  sync(alice, bob);
  EXPECT_EQ(bob.content_text(kRoot), "hello world");

  // Concurrent edits on every field kind.
  ASSERT_TRUE(alice.content_insert(kRoot, 5, ",").ok);
  ASSERT_TRUE(alice.content_mark(kRoot, 0, 5, "bold", "true").ok);
  ASSERT_TRUE(bob.content_insert(kRoot, 11, "!").ok);
  ASSERT_TRUE(alice.reactions_add(kRoot, "👍").ok);
  ASSERT_TRUE(bob.reactions_add(kRoot, "🎉").ok);
  ASSERT_TRUE(alice.likes_increment(kRoot, 2).ok);
  ASSERT_TRUE(bob.call_like().ok);
  ASSERT_TRUE(alice.starred_set(kRoot, true).ok);
  ASSERT_TRUE(alice.status_set(kRoot, "edited").ok);
  ASSERT_TRUE(bob.status_set(kRoot, "read").ok);
  sync(alice, bob);

  EXPECT_EQ(alice.to_json(), bob.to_json());
  EXPECT_EQ(alice.content_text(kRoot), "hello, world!");
  EXPECT_EQ(alice.reactions_size(kRoot), 2u);
  EXPECT_EQ(alice.likes_value(kRoot), 3);
  EXPECT_EQ(alice.status_values(kRoot).size(), 2u);  // concurrent mv_register values
  EXPECT_EQ(alice.starred_get(kRoot), std::optional<bool>(true));

  // A refused operation changes nothing (immutable set twice); a counter
  // with min_value=0 and the default overflow_strategy saturates.
  std::string before = alice.to_json();
  EXPECT_FALSE(alice.id_set(kRoot, "other").ok);
  EXPECT_EQ(alice.to_json(), before);
  EXPECT_TRUE(alice.likes_decrement(kRoot, 100).ok);
  EXPECT_EQ(alice.likes_value(kRoot), 0);

  // save -> load round-trip.
  MessageChat copy(3);
  ASSERT_TRUE(copy.load(alice.save()).ok);
  EXPECT_EQ(copy.to_json(), alice.to_json());
}

TEST(ChatNative, NestedMessagesInARoom) {
  RoomState a(1), b(2);
  ASSERT_TRUE(a.title_set(kRoot, "general").ok);
  ASSERT_TRUE(a.messages_insert_new(kRoot, 0).ok);
  auto first = a.messages_child(kRoot, 0);
  ASSERT_TRUE(first.ok) << first.error;
  ASSERT_TRUE(a.message_chat_content_insert(first.value, 0, "first!").ok);
  auto ab = a.changes_since(b.version());
  ASSERT_TRUE(ab.ok);
  ASSERT_TRUE(b.apply(ab.value).ok);
  auto in_b = b.messages_child(kRoot, 0);
  ASSERT_TRUE(in_b.ok);
  ASSERT_TRUE(b.message_chat_likes_increment(in_b.value, 1).ok);
  auto ba = b.changes_since(a.version());
  ASSERT_TRUE(ba.ok);
  ASSERT_TRUE(a.apply(ba.value).ok);
  EXPECT_EQ(a.to_json(), b.to_json());
  EXPECT_EQ(a.message_chat_likes_value(first.value), 1);
  EXPECT_EQ(a.message_chat_content_text(first.value), "first!");
}

// Gene methods of a nested gene run on the object at their `path` (C++ API:
// `message_chat_call_<method>(path, ...)`), each its own atomic change.
TEST(ChatNative, NestedGeneMethodsRunOnTheirObject) {
  RoomState a(1);
  ASSERT_TRUE(a.messages_insert_new(kRoot, 0).ok);
  ASSERT_TRUE(a.messages_insert_new(kRoot, 1).ok);
  auto first = a.messages_child(kRoot, 0), second = a.messages_child(kRoot, 1);
  ASSERT_TRUE(first.ok && second.ok);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(a.message_chat_call_like(second.value).ok);
  ASSERT_TRUE(a.message_chat_call_react(first.value, "tada").ok);
  EXPECT_EQ(a.message_chat_likes_value(first.value), 0);
  EXPECT_EQ(a.message_chat_likes_value(second.value), 10);
  EXPECT_TRUE(a.message_chat_reactions_has(first.value, "tada"));
  auto popular = a.message_chat_call_is_popular(second.value);
  ASSERT_TRUE(popular.ok);
  EXPECT_TRUE(popular.value);
  auto not_popular = a.message_chat_call_is_popular(first.value);
  ASSERT_TRUE(not_popular.ok);
  EXPECT_FALSE(not_popular.value);
}

TEST(ChatNative, MalformedBytesAreRefusedAndChangeNothing) {
  MessageChat a(1);
  ASSERT_TRUE(a.content_insert(kRoot, 0, "keep me").ok);
  std::string json = a.to_json();
  dolc_gen::Bytes saved = a.save();
  for (size_t cut : {size_t{0}, size_t{1}, saved.size() / 2, saved.size() - 1}) {
    dolc_gen::Bytes truncated(saved.begin(), saved.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_FALSE(a.apply(truncated).ok);
    EXPECT_FALSE(a.load(truncated).ok);
    EXPECT_EQ(a.to_json(), json);
    EXPECT_EQ(a.save(), saved);
  }
}

}  // namespace

// Transactions through the C++ API (chat has no reject_operation invariant:
// the commit has nothing to judge, an abort still undoes everything).
TEST(ChatNative, TransactionsCommitAsOneAndAbortAsOne) {
  MessageChat alice(1), bob(2);
  ASSERT_TRUE(alice.content_insert(kRoot, 0, "draft").ok);
  sync(alice, bob);

  std::string before = alice.to_json();
  alice.transaction_begin();
  ASSERT_TRUE(alice.content_insert(kRoot, 5, " one").ok);
  ASSERT_TRUE(alice.likes_increment(kRoot, 4).ok);
  // Exchanging changes while it is open is refused, and changes nothing.
  EXPECT_FALSE(alice.changes_since(bob.version()).ok);
  EXPECT_FALSE(alice.apply(bob.changes_since(alice.version()).value).ok);
  ASSERT_TRUE(alice.transaction_abort().ok);
  EXPECT_EQ(alice.to_json(), before);
  EXPECT_FALSE(alice.transaction_abort().ok);  // none open
  EXPECT_FALSE(alice.transaction_commit().ok);

  // Nested: the inner abort undoes only its own operations.
  alice.transaction_begin();
  ASSERT_TRUE(alice.content_insert(kRoot, 5, "!").ok);
  alice.transaction_begin();
  ASSERT_TRUE(alice.reactions_add(kRoot, "x").ok);
  ASSERT_TRUE(alice.transaction_abort().ok);
  alice.transaction_begin();
  ASSERT_TRUE(alice.likes_increment(kRoot, 2).ok);
  ASSERT_TRUE(alice.transaction_commit().ok);  // folds into the outer one
  ASSERT_TRUE(alice.transaction_commit().ok);
  EXPECT_EQ(alice.content_text(kRoot), "draft!");
  EXPECT_EQ(alice.reactions_size(kRoot), 0u);
  EXPECT_EQ(alice.likes_value(kRoot), 2);

  sync(alice, bob);
  EXPECT_EQ(alice.to_json(), bob.to_json());
}

// snapshot(): the document's values as typed structs, nested objects included,
// 64-bit integers exact (the C++ equivalent of the JS snapshot()).
TEST(ChatNative, SnapshotIsTypedAndExact) {
  RoomState room(1);
  ASSERT_TRUE(room.title_set(kRoot, "general").ok);
  ASSERT_TRUE(room.members_add(kRoot, "ann").ok);
  ASSERT_TRUE(room.read_markers_set(kRoot, "ann", (int64_t{1} << 60) + 1).ok);
  ASSERT_TRUE(room.messages_insert_new(kRoot, 0).ok);
  auto first = room.messages_child(kRoot, 0);
  ASSERT_TRUE(first.ok);
  ASSERT_TRUE(room.message_chat_content_insert(first.value, 0, "hi").ok);
  ASSERT_TRUE(room.message_chat_likes_increment(first.value, 3).ok);
  ASSERT_TRUE(room.message_chat_status_set(first.value, "read").ok);

  dolgen::chat::RoomStateSnapshot s = room.snapshot();
  EXPECT_EQ(s.title, std::optional<std::string>("general"));
  EXPECT_EQ(s.id, std::nullopt);
  EXPECT_EQ(s.members, std::vector<std::string>{"ann"});
  ASSERT_EQ(s.read_markers.size(), 1u);
  EXPECT_EQ(s.read_markers[0].first, "ann");
  EXPECT_EQ(s.read_markers[0].second, (int64_t{1} << 60) + 1);
  ASSERT_EQ(s.messages.size(), 1u);
  EXPECT_EQ(s.messages[0].content, "hi");
  EXPECT_EQ(s.messages[0].likes, 3);
  EXPECT_EQ(s.messages[0].status, std::vector<std::string>{"read"});
  EXPECT_TRUE(s.messages[0].mentions.empty());
}

// ----- change events (issue 13): take_events(listen), the C++ pull API.
namespace {
TEST(ChatNativeEvents, TakeEventsReportsLocalAndRemoteChanges) {
  MessageChat alice(1), bob(2);
  EXPECT_EQ(bob.take_events(true), "");  // recording starts now
  ASSERT_TRUE(alice.content_insert(kRoot, 0, "hello").ok);
  ASSERT_TRUE(alice.likes_increment(kRoot, 2).ok);
  auto ab = alice.changes_since(bob.version());
  ASSERT_TRUE(ab.ok);
  ASSERT_TRUE(bob.apply(ab.value).ok);
  EXPECT_EQ(bob.take_events(true),
            R"([{"obj":"","path":["content"],"kind":"text","at":0,"insert":"hello"},)"
            R"({"obj":"","path":["likes"],"kind":"counter","from":0,"value":2}])");
  ASSERT_TRUE(bob.starred_set(kRoot, false).ok);  // the default: nothing changed
  ASSERT_TRUE(bob.starred_set(kRoot, true).ok);
  EXPECT_EQ(bob.take_events(false), R"([{"obj":"","path":["starred"],"kind":"register","from":false,"value":true}])");
  ASSERT_TRUE(bob.starred_set(kRoot, false).ok);
  EXPECT_EQ(bob.take_events(false), "");  // stopped
}
}  // namespace
