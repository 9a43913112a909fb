// bench/sync/held_changes.cpp [N]: what out-of-order delivery costs. One
// actor makes N changes; another replica receives them (a) one per apply()
// in reverse order, every change held until the first arrives, and (b) in
// order except the first, which arrives last. Prints the times; exits 1 if
// a replica does not end with all N. (Held changes are indexed by what they
// wait for: each is looked at again only when that arrives.)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "dolc_gen_rt.hpp"

using namespace dolc_gen;

namespace {
const FieldInfo kFields[] = {{"n", Strategy::PnCounter}};
const GeneInfo kGene = {"counter", kFields, 1};
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
  bool ok = reverse.counter_value(kRoot, &kGene, 0) == n && late_first.counter_value(kRoot, &kGene, 0) == n;
  std::printf("| out-of-order delivery, %d changes of one actor, one per apply() | time |\n|---|---|\n", n);
  std::printf("| reverse order (all held until the first) | %.0f ms |\n", reverse_ms);
  std::printf("| in order but the first, which comes last | %.0f ms |\n", late_ms);
  if (!ok) std::printf("WRONG: a replica did not end with all %d increments\n", n);
  return ok ? 0 : 1;
}
