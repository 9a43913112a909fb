// tests/runtime_seq: replays the concurrent editing trace conc-friendsforever
// (two authors) with one Text replica per author, and checks every replica
// ends at the trace's endContent. Skips when ../shared/bench/traces is absent.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "../../bench/traces/trace_replay.hpp"

TEST(TraceReplay, FriendsForeverConverges) {
  std::string path = std::string(DOLC_REPO_ROOT) + "/../shared/bench/traces/conc-friendsforever.json.gz";
  struct stat st{};
  if (stat(path.c_str(), &st) != 0) GTEST_SKIP() << "no shared traces at " << path;
  dolc::bench::Trace trace;
  std::string error, text;
  ASSERT_TRUE(dolc::bench::load_trace(path, &trace, &error)) << error;
  ASSERT_TRUE(dolc::bench::replay_concurrent(trace, trace.txns.size(), &text, &error)) << error;
  EXPECT_EQ(text, trace.end_content);
}
