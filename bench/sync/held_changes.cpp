// bench/sync/held_changes.cpp [N]: what out-of-order delivery costs. One
// actor makes N changes; another replica receives them (a) one per apply()
// in reverse order, every change held until the first arrives, and (b) in
// order except the first, which arrives last. Prints the times; exits 1 if
// a replica does not end with all N. (Held changes are indexed by what they
// wait for: each is looked at again only when that arrives.) Then (c) the
// same N changes into a document that knows a fork (two devices that share
// an actor id), for changes not past the fork (c), and (d) for concurrent
// changes past it that arrive out of order, each of which replays in
// canonical order from a baseline kept just before the previous one: what
// follows it, not the history (runtime-wasm/FORMAT.md, "Change identity",
// "Past a fork"). Then (e) what
// refused blobs cost a document of N text edits: the first refusal replays
// the history and keeps a baseline, later ones copy it and replay what
// changed since ("Validation and atomicity").
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dolc_gen_rt.hpp"

using namespace dolc_gen;

namespace {
const FieldInfo kFields[] = {{"n", Strategy::PnCounter}};
const GeneInfo kGene = {"counter", kFields, 1};
// (e): a note whose `n` is a counter, and a writer whose `n` is a register:
// the writer's blobs decode and then do not fit, after its `body` insert applied.
const FieldInfo kNoteFields[] = {{"body", Strategy::Peritext}, {"n", Strategy::PnCounter}};
const GeneInfo kNote = {"note", kNoteFields, 2, &kSequenceSupport};
const FieldInfo kWrongFields[] = {{"body", Strategy::Peritext}, {"n", Strategy::Lww}};
const GeneInfo kWrong = {"note", kWrongFields, 2, &kSequenceSupport};
double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  Doc author(&kGene, 1);
  std::vector<Bytes> blobs;  // one change each
  Bytes seen = author.version();
  for (int i = 0; i < n; ++i) {
    author.counter_add(kRoot, &kGene, 0, 1);
    blobs.push_back(author.changes_since(seen).value);
    seen = author.version();
  }
  auto t = std::chrono::steady_clock::now();
  Doc reverse(&kGene, 2);
  for (int i = n - 1; i >= 0; --i) reverse.apply(blobs[static_cast<size_t>(i)]);
  double reverse_ms = ms_since(t);
  t = std::chrono::steady_clock::now();
  Doc late_first(&kGene, 3);
  for (int i = 1; i < n; ++i) late_first.apply(blobs[static_cast<size_t>(i)]);
  late_first.apply(blobs[0]);
  double late_ms = ms_since(t);
  // (c): actor 9 on two devices forks the history first. The author's
  // changes do not depend on actor 9: they apply as anywhere else.
  Doc device_a(&kGene, 9), device_b(&kGene, 9), forked(&kGene, 4);
  device_a.counter_add(kRoot, &kGene, 0, 1);
  device_b.counter_add(kRoot, &kGene, 0, 2);
  Bytes fork_a = device_a.changes_since(Bytes{}).value, fork_b = device_b.changes_since(Bytes{}).value;
  forked.apply(fork_a);
  forked.apply(fork_b);
  int tenth = n / 10;
  t = std::chrono::steady_clock::now();
  for (int i = 0; i < tenth; ++i) forked.apply(blobs[static_cast<size_t>(i)]);
  double forked_ms = ms_since(t);
  // (d): two authors who saw the fork (their changes are past it) edit
  // concurrently, offline; their changes then arrive one per apply(), all
  // of x's, then y's: each of y's comes after a larger one of x's and
  // replays x's that follow it (worst case, still quadratic: y_i goes
  // between x_i and x_i+1; the same backlog in one apply() replays once).
  int each = n / 20;
  Doc x(&kGene, 5), y(&kGene, 6), past(&kGene, 7);
  for (Doc* d : {&x, &y, &past}) {
    d->apply(fork_a);
    d->apply(fork_b);
  }
  std::vector<Bytes> from_x, from_y;
  for (int i = 0; i < each; ++i)
    for (auto [d, out] : {std::pair{&x, &from_x}, std::pair{&y, &from_y}}) {
      Bytes v = d->version();
      d->counter_add(kRoot, &kGene, 0, 1);
      out->push_back(d->changes_since(v).value);
    }
  t = std::chrono::steady_clock::now();
  for (const Bytes& b : from_x) past.apply(b);
  for (const Bytes& b : from_y) past.apply(b);
  double concurrent_ms = ms_since(t);
  uint64_t concurrent_replayed = past.replayed_ops();
  // The fork's winner added 1 or 2 (whichever has the lower digest).
  int64_t fork_part = forked.counter_value(kRoot, &kGene, 0) - tenth;
  bool ok = reverse.counter_value(kRoot, &kGene, 0) == n && late_first.counter_value(kRoot, &kGene, 0) == n &&
            (fork_part == 1 || fork_part == 2) && forked.pending().find("\"forks\":[{") != std::string::npos &&
            past.counter_value(kRoot, &kGene, 0) - 2 * each == fork_part;
  std::printf("| out-of-order delivery, %d changes of one actor, one per apply() | time |\n|---|---|\n", n);
  std::printf("| reverse order (all held until the first) | %.0f ms |\n", reverse_ms);
  std::printf("| in order but the first, which comes last | %.0f ms |\n", late_ms);
  std::printf("| %d changes into a document that knows a fork, not past it | %.0f ms |\n", tenth, forked_ms);
  std::printf("| 2 x %d concurrent changes past a fork, one author's after the other's (each of the second's replays what follows it) | %.0f ms, %llu ops replayed |\n",
              each, concurrent_ms, static_cast<unsigned long long>(concurrent_replayed));
  // (e)
  Doc typist(&kNote, 1), target(&kNote, 2);
  uint64_t state = 12345;
  auto type = [&](int edits) {
    Bytes v = typist.version();
    for (int i = 0; i < edits; ++i) {
      state = state * 6364136223846793005u + 1442695040888963407u;
      uint32_t len = typist.text_length(kRoot, &kNote, 0);
      typist.text_insert(kRoot, &kNote, 0, static_cast<uint32_t>((state >> 33) % (len + 1)), "x");
      (void)typist.changes_since(typist.version());  // one change per edit
    }
    target.apply(typist.changes_since(v).value);
  };
  type(n);
  Doc wrong(&kWrong, 9);
  wrong.text_insert(kRoot, &kWrong, 0, 0, "partly applied");
  wrong.reg_set(kRoot, &kWrong, 1, Bytes{'1'});
  Bytes bad = wrong.changes_since(Bytes{}).value;
  std::string before = target.text_string(kRoot, &kNote, 0);
  t = std::chrono::steady_clock::now();
  bool refused = !target.apply(bad).ok;
  double first_refusal_ms = ms_since(t);
  uint64_t first_replayed = target.replayed_ops();
  constexpr int kRefusals = 100;
  double later_ms = 0;
  for (int i = 0; i < kRefusals; ++i) {
    type(5);
    before = target.text_string(kRoot, &kNote, 0);
    t = std::chrono::steady_clock::now();
    refused = refused && !target.apply(bad).ok;
    later_ms += ms_since(t);
  }
  uint64_t later_replayed = target.replayed_ops() - first_replayed;
  ok = ok && refused && target.text_string(kRoot, &kNote, 0) == before &&
       before == typist.text_string(kRoot, &kNote, 0);
  std::printf("| a refused blob, into a document of %d text edits: the first (replays the history, keeps a baseline) | %.1f ms, %llu ops replayed |\n",
              n, first_refusal_ms, static_cast<unsigned long long>(first_replayed));
  std::printf("| the next %d, 5 edits after each other (from the baseline) | %.3f ms each, %.1f ops replayed each |\n",
              kRefusals, later_ms / kRefusals, static_cast<double>(later_replayed) / kRefusals);
  if (!ok) std::printf("WRONG: a replica did not end with all %d increments, or a refusal changed a document\n", n);
  return ok ? 0 : 1;
}
