// bench/traces: loading and replaying the editing traces of
// /work/shared/bench/traces (format: that folder's README.md) on seq::Text.
// Shared by the trace benchmark (bench/traces/traces.cpp) and the replay
// test (tests/runtime_seq/trace_replay_test.cpp). Host-only code: it uses
// popen("gzip -dc") and nlohmann/json.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dolc/rt/seq/text.hpp"

namespace dolc::bench {

struct TracePatch {
  uint32_t pos = 0, del = 0;
  std::string insert;  // UTF-8
};
struct TraceTxn {
  std::vector<uint32_t> parents;
  uint32_t agent = 0;
  std::vector<TracePatch> patches;
};
struct Trace {
  bool concurrent = false;
  std::string start_content, end_content;
  uint32_t agents = 1;
  std::vector<TraceTxn> txns;
  size_t patch_count() const {
    size_t n = 0;
    for (const auto& t : txns) n += t.patches.size();
    return n;
  }
};

// Reads a .json.gz trace. Returns false with *error set on any problem.
inline bool load_trace(const std::string& path, Trace* out, std::string* error) {
  std::string cmd = "gzip -dc '" + path + "'";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) {
    *error = "cannot run gzip on " + path;
    return false;
  }
  std::string text;
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  if (pclose(f) != 0 || text.empty()) {
    *error = "cannot decompress " + path;
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("txns") || !j.contains("endContent")) {
    *error = path + ": not a trace (expected an object with txns and endContent)";
    return false;
  }
  out->concurrent = j.value("kind", "") == "concurrent";
  out->start_content = j.value("startContent", "");
  out->end_content = j["endContent"].get<std::string>();
  out->agents = j.value("numAgents", 1u);
  out->txns.clear();
  for (const auto& t : j["txns"]) {
    TraceTxn txn;
    if (t.contains("parents"))
      for (const auto& p : t["parents"]) txn.parents.push_back(p.get<uint32_t>());
    txn.agent = t.value("agent", 0u);
    for (const auto& p : t["patches"])
      txn.patches.push_back(TracePatch{p[0].get<uint32_t>(), p[1].get<uint32_t>(), p[2].get<std::string>()});
    out->txns.push_back(std::move(txn));
  }
  return true;
}

// Applies every patch of a sequential trace to `text` as one actor.
inline void replay_sequential(const Trace& trace, rt::seq::Text* text) {
  rt::Lamport clock = 1;
  const rt::ActorId actor = 1;
  if (!trace.start_content.empty()) {
    auto op = text->insert(0, trace.start_content, rt::OpId{clock, actor});
    clock += op.text.size();
  }
  for (const auto& txn : trace.txns)
    for (const auto& p : txn.patches) {
      if (p.del) text->remove(p.pos, p.del);
      if (!p.insert.empty()) {
        auto op = text->insert(p.pos, p.insert, rt::OpId{clock, actor});
        clock += op.text.size();
      }
    }
}

// Replays a concurrent trace: one replica per agent; before an agent's
// transaction its replica receives exactly the transactions in the history
// of the transaction's parents (its view), then applies its patches locally;
// the ops it produced are recorded. At the end every replica receives every
// transaction. Returns false if a remote op fails can_apply() or if the
// replicas disagree; *final_text is replica 0's text.
struct ConcurrentStats {
  size_t ops_applied_remote = 0;
};
inline bool replay_concurrent(const Trace& trace, size_t max_txns, std::string* final_text, std::string* error,
                              ConcurrentStats* stats = nullptr) {
  using namespace rt::seq;
  struct TxnOps {
    std::vector<TextInsertOp> inserts;  // interleaved in order via `kinds`
    std::vector<DeleteOp> deletes;
    std::vector<bool> is_insert;
  };
  struct Replica {
    Text text;
    std::vector<bool> applied;
    rt::Lamport clock = 0;
  };
  size_t n = std::min(max_txns, trace.txns.size());
  std::vector<TxnOps> ops(n);
  std::vector<Replica> replicas(trace.agents);
  for (auto& r : replicas) r.applied.assign(n, false);

  auto apply_txn = [&](Replica& r, size_t t) -> bool {
    const TxnOps& o = ops[t];
    size_t ii = 0, di = 0;
    for (bool ins : o.is_insert) {
      if (ins) {
        const auto& op = o.inserts[ii++];
        if (!r.text.can_apply(op)) return false;
        r.text.apply(op);
        r.clock = std::max(r.clock, op.id.lamport + op.text.size() - 1);
      } else {
        const auto& op = o.deletes[di++];
        if (!r.text.can_apply(op)) return false;
        r.text.apply(op);
      }
      if (stats) stats->ops_applied_remote++;
    }
    r.applied[t] = true;
    return true;
  };
  // Deliver to r every transaction in the history of `heads` it lacks, in
  // index order (a transaction's parents always have smaller indexes).
  std::vector<uint32_t> stack, missing;
  auto catch_up = [&](Replica& r, const std::vector<uint32_t>& heads) -> bool {
    stack.assign(heads.begin(), heads.end());
    missing.clear();
    std::vector<bool> seen;
    while (!stack.empty()) {
      uint32_t t = stack.back();
      stack.pop_back();
      if (t >= n || r.applied[t]) continue;
      if (seen.empty()) seen.assign(n, false);
      if (seen[t]) continue;
      seen[t] = true;
      missing.push_back(t);
      for (uint32_t p : trace.txns[t].parents) stack.push_back(p);
    }
    std::sort(missing.begin(), missing.end());
    for (uint32_t t : missing)
      if (!apply_txn(r, t)) {
        *error = "transaction " + std::to_string(t) + " refused by can_apply";
        return false;
      }
    return true;
  };

  for (size_t t = 0; t < n; ++t) {
    const TraceTxn& txn = trace.txns[t];
    if (txn.agent >= replicas.size()) {
      *error = "agent out of range";
      return false;
    }
    Replica& r = replicas[txn.agent];
    if (!catch_up(r, txn.parents)) return false;
    const rt::ActorId actor = txn.agent + 1;
    for (const auto& p : txn.patches) {
      if (p.del) {
        DeleteOp d = r.text.remove(p.pos, p.del);
        if (!d.empty()) {
          ops[t].deletes.push_back(std::move(d));
          ops[t].is_insert.push_back(false);
        }
      }
      if (!p.insert.empty()) {
        TextInsertOp op = r.text.insert(p.pos, p.insert, rt::OpId{r.clock + 1, actor});
        r.clock += op.text.size();
        ops[t].inserts.push_back(std::move(op));
        ops[t].is_insert.push_back(true);
      }
    }
    r.applied[t] = true;
  }
  std::vector<uint32_t> all(n);
  for (size_t t = 0; t < n; ++t) all[t] = static_cast<uint32_t>(t);
  for (auto& r : replicas)
    if (!catch_up(r, all)) return false;
  *final_text = replicas[0].text.to_string();
  for (size_t i = 1; i < replicas.size(); ++i)
    if (replicas[i].text.to_string() != *final_text) {
      *error = "replicas 0 and " + std::to_string(i) + " disagree";
      return false;
    }
  return true;
}

}  // namespace dolc::bench
