// bench/snapshots/open_nested.cpp [NOTES] [EDITS]: how long opening a saved
// document takes when its data lives in nested objects, as real apps keep
// it (a workspace holding a map of notes, each a gene: title lww, body
// peritext, tags or_set). Prints, best of 7: load() alone; load() and one
// note's title; load() and every note read (title, body, tags); and a
// replay of the history (merge() into a new document) with every note read,
// which is what the first read of a note cost before snapshots held nested
// objects (the document thawed: runtime-wasm/FORMAT.md, "Snapshot").
#include <chrono>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include "dolc_gen_rt.hpp"
using namespace dolc_gen;
const FieldInfo kNoteFields[] = {{"title", Strategy::Lww}, {"body", Strategy::Peritext}, {"tags", Strategy::OrSet}};
const GeneInfo kNote = {"note", kNoteFields, 3};
const FieldInfo kWsFields[] = {{"name", Strategy::Lww}, {"notes", Strategy::OrMap, &kNote}};
const GeneInfo kWs = {"ws", kWsFields, 2, &kSequenceSupport};
Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }
double ms(std::chrono::steady_clock::time_point t) { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count(); }
int main(int argc, char** argv) {
  int notes = argc > 1 ? atoi(argv[1]) : 300, edits = argc > 2 ? atoi(argv[2]) : 20000;
  Doc a(&kWs, 1);
  std::mt19937 rng(1);
  for (int i = 0; i < notes; ++i) a.map_set_new(kRoot, &kWs, 1, b("n" + std::to_string(i)));
  for (int k = 0; k < edits; ++k) {
    Bytes at = a.map_child(kRoot, &kWs, 1, b("n" + std::to_string(rng() % notes))).value;
    switch (rng() % 4) {
      case 0: a.reg_set(at, &kNote, 0, b("title " + std::to_string(rng() % 1000))); break;
      case 1: a.set_add(at, &kNote, 2, b("t" + std::to_string(rng() % 20))); break;
      default: a.text_insert(at, &kNote, 1, rng() % (a.text_length(at, &kNote, 1) + 1), "hi ");
    }
  }
  Bytes saved = a.save();
  auto show = [&](Doc& d) {
    size_t n = 0;
    for (const Bytes& k : d.map_keys(kRoot, &kWs, 1)) {
      Bytes at = d.map_child(kRoot, &kWs, 1, k).value;
      n += d.reg_get(at, &kNote, 0).value_or(Bytes{}).size() + d.text_string(at, &kNote, 1).size() + d.set_values(at, &kNote, 2).size();
    }
    return n;
  };
  double best[4] = {1e9, 1e9, 1e9, 1e9};
  for (int run = 0; run < 7; ++run) {
    auto t = std::chrono::steady_clock::now();
    { Doc d(&kWs, 9); d.load(saved); best[0] = std::min(best[0], ms(t)); }
    t = std::chrono::steady_clock::now();
    { Doc d(&kWs, 9); d.load(saved); d.reg_get(d.map_child(kRoot, &kWs, 1, b("n1")).value, &kNote, 0); best[1] = std::min(best[1], ms(t)); }
    t = std::chrono::steady_clock::now();
    { Doc d(&kWs, 9); d.load(saved); show(d); best[2] = std::min(best[2], ms(t)); }
    t = std::chrono::steady_clock::now();
    { Doc d(&kWs, 9); d.merge(saved); show(d); best[3] = std::min(best[3], ms(t)); }
  }
  printf("%d notes, %d edits, save %zu bytes (best of 7): load %.2f ms, load + one note's title %.2f ms, load + every note read %.2f ms; replay (merge) + every note read %.2f ms\n",
         notes, edits, saved.size(), best[0], best[1], best[2], best[3]);
}
