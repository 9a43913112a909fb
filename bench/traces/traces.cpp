// bench/traces: the text benchmark of outputs.md, native. For every trace in
// the traces directory (argument; default ../shared/bench/traces relative to
// the repo root): sequential traces are applied to one seq::Text (local ops),
// the final text is checked against endContent, and the program prints time,
// edits/s, structure memory, saved size and load time. Concurrent traces are
// replayed per their README (a replica per agent, merged at the end) and
// checked. Finally: two replicas make 10k concurrent random edits each and
// are merged both ways (the "< 50 ms" budget). Prints figures; exit status 1
// if any check fails. Not a ctest test.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <dirent.h>
#include <random>
#include <string>
#include <vector>

#include "dolc/rt/seq/text.hpp"
#include "trace_replay.hpp"

using namespace dolc;
using namespace dolc::rt::seq;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

bool run_sequential(const std::string& name, const bench::Trace& trace) {
  size_t edits = trace.patch_count();
  Text text;
  auto t0 = Clock::now();
  bench::replay_sequential(trace, &text);
  double apply_ms = ms_since(t0);
  bool ok = text.to_string() == trace.end_content;
  rt::Writer w;
  text.save(w);
  t0 = Clock::now();
  Text loaded;
  rt::Reader r(w.buffer());
  bool load_ok = loaded.load(r) && loaded.to_string() == trace.end_content;
  double load_ms = ms_since(t0);
  std::printf("%-28s %8zu edits %8.1f ms %7.2f M edits/s  items %7u  memory %6.1f MB  saved %7.1f KB  load %6.2f ms  %s\n",
              name.c_str(), edits, apply_ms, edits / apply_ms / 1000.0, text.core().item_count(),
              text.memory_bytes() / 1e6, w.size() / 1024.0, load_ms,
              ok && load_ok ? "ok" : (ok ? "LOAD MISMATCH" : "TEXT MISMATCH"));
  return ok && load_ok;
}

bool run_concurrent(const std::string& name, const bench::Trace& trace) {
  std::string final_text, error;
  bench::ConcurrentStats stats;
  auto t0 = Clock::now();
  bool ok = bench::replay_concurrent(trace, trace.txns.size(), &final_text, &error, &stats);
  double ms = ms_since(t0);
  ok = ok && final_text == trace.end_content;
  std::printf("%-28s %8zu txns  %8.1f ms  (%zu remote op applications, %u agents)  %s %s\n", name.c_str(),
              trace.txns.size(), ms, stats.ops_applied_remote, trace.agents, ok ? "ok" : "MISMATCH",
              error.c_str());
  return ok;
}

// Two replicas, `edits` random local edits each (mostly typing runs, some
// deletes) on a shared 1000-character base, then exchange of ops.
bool run_concurrent_merge(size_t edits) {
  std::mt19937_64 rng(42);
  Text a, b;
  std::string base(1000, 'x');
  auto base_op = a.insert(0, base, rt::OpId{1, 1});
  b.apply(base_op);
  struct Log {
    std::vector<TextInsertOp> ins;
    std::vector<DeleteOp> del;
    std::vector<bool> order;
  };
  auto edit = [&](Text& t, rt::ActorId actor, Log& log) {
    rt::Lamport clock = 2000;
    size_t cursor = rng() % (t.size() + 1);
    for (size_t i = 0; i < edits; ++i) {
      if (rng() % 20 == 0) cursor = rng() % (t.size() + 1);
      if (rng() % 6 == 0 && cursor > 0) {
        log.del.push_back(t.remove(cursor - 1, 1));
        log.order.push_back(false);
        --cursor;
      } else {
        char c = static_cast<char>('a' + rng() % 26);
        log.ins.push_back(t.insert(cursor, std::string(1, c), rt::OpId{clock++, actor}));
        log.order.push_back(true);
        ++cursor;
      }
    }
  };
  Log la, lb;
  edit(a, 2, la);
  edit(b, 3, lb);
  auto deliver = [](Text& t, const Log& log) {
    size_t ii = 0, di = 0;
    for (bool ins : log.order) {
      if (ins) t.apply(log.ins[ii++]);
      else t.apply(log.del[di++]);
    }
  };
  auto t0 = Clock::now();
  deliver(a, lb);
  deliver(b, la);
  double ms = ms_since(t0);
  bool ok = a.to_string() == b.to_string();
  std::printf("%-28s %8zu edits per replica, merged both ways in %.2f ms  %s\n", "concurrent-merge", edits, ms,
              ok ? "ok" : "DIVERGED");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : std::string(DOLC_REPO_ROOT) + "/../shared/bench/traces";
  DIR* d = opendir(dir.c_str());
  if (!d) {
    std::fprintf(stderr, "traces: cannot open %s (pass the traces directory as the argument)\n", dir.c_str());
    return 2;
  }
  std::vector<std::string> files;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 8 && n.compare(n.size() - 8, 8, ".json.gz") == 0) files.push_back(n);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  bool all_ok = true;
  for (const auto& f : files) {
    bench::Trace trace;
    std::string error;
    if (!bench::load_trace(dir + "/" + f, &trace, &error)) {
      std::fprintf(stderr, "traces: %s\n", error.c_str());
      all_ok = false;
      continue;
    }
    std::string name = f.substr(0, f.size() - 8);
    all_ok &= trace.concurrent ? run_concurrent(name, trace) : run_sequential(name, trace);
  }
  all_ok &= run_concurrent_merge(10000);
  std::printf("peak RSS %.1f MB\n", peak_rss_kb() / 1024.0);
  return all_ok ? 0 : 1;
}
