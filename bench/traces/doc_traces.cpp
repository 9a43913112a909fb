// bench/traces/doc_traces.cpp: the editing traces applied through a whole
// document (dolc_gen::Doc, what a generated module runs), natively. Unlike
// bench_traces (the bare sequence), this includes the change log, typing-run
// coalescing, save() (the full history) and load() (replay), so its figures
// are the ones a module's user sees minus the JS<->wasm boundary (see
// bench/node/compare.mjs for that). Usage: bench_doc_traces [TRACES_DIR].
// Prints figures; exit status 1 if a final text differs from the trace's.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <string>
#include <vector>

#include <zlib.h>

#include "dolc_gen_rt.hpp"
#include "trace_replay.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// What a host stores when it compresses save() bytes with deflate at level 9
// (CompressionStream("deflate-raw") in browsers, zlib in Node): the zlib
// stream's 6 bytes of header and trailer left out.
size_t deflated_size(const dolc_gen::Bytes& b) {
  uLongf n = compressBound(b.size());
  std::vector<Bytef> out(n);
  if (compress2(out.data(), &n, b.data(), b.size(), 9) != Z_OK) return 0;
  return n - 6;
}

const dolc_gen::FieldInfo kFields[] = {{"body", dolc_gen::Strategy::Peritext}};
const dolc_gen::GeneInfo kGene = {"doc", kFields, 1, &dolc_gen::kSequenceSupport};
const dolc_gen::Bytes kRoot;

// Trace positions count Unicode scalar values, as the runtime's text does.
bool replay(const dolc::bench::Trace& t, dolc_gen::Doc& doc) {
  if (!t.start_content.empty() && !doc.text_insert(kRoot, &kGene, 0, 0, t.start_content).ok) return false;
  for (const auto& txn : t.txns)
    for (const auto& p : txn.patches) {
      if (p.del && !doc.text_delete(kRoot, &kGene, 0, p.pos, p.del).ok) return false;
      if (!p.insert.empty() && !doc.text_insert(kRoot, &kGene, 0, p.pos, p.insert).ok) return false;
    }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : std::string(DOLC_REPO_ROOT) + "/../shared/bench/traces";
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.rfind("seq-", 0) == 0 && n.size() > 8 && n.substr(n.size() - 8) == ".json.gz") files.push_back(n);
    }
    closedir(d);
  }
  if (files.empty()) {
    std::fprintf(stderr, "doc traces: no seq-*.json.gz traces in %s (pass the traces directory)\n", dir.c_str());
    return 2;
  }
  std::sort(files.begin(), files.end());
  int failures = 0;
  std::printf("%-22s %8s %10s %10s %10s %10s %10s  %s\n", "trace (Doc, native)", "edits", "apply ms", "save KB", "deflate KB", "save ms",
              "load ms", "check");
  for (const auto& f : files) {
    dolc::bench::Trace trace;
    std::string error;
    if (!dolc::bench::load_trace(dir + "/" + f, &trace, &error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 2;
    }
    dolc_gen::Doc doc(&kGene, 1);
    auto t0 = Clock::now();
    bool ok = replay(trace, doc);
    double apply_ms = ms_since(t0);
    t0 = Clock::now();
    dolc_gen::Bytes saved = doc.save();
    double save_ms = ms_since(t0);
    // DOLC_BENCH_SAVE_DIR: also write each saved document there (to study
    // the format's columns with other tools).
    if (const char* out = std::getenv("DOLC_BENCH_SAVE_DIR")) {
      std::string name = std::string(out) + "/" + f.substr(0, f.size() - 8) + ".dolc";
      if (FILE* file = std::fopen(name.c_str(), "wb")) {
        std::fwrite(saved.data(), 1, saved.size(), file);
        std::fclose(file);
      }
    }
    // Load: the median of kLoads loads into a fresh document each (the first
    // pays for cold caches and page faults; a host loads many documents).
    constexpr int kLoads = 7;
    std::vector<double> load_times;
    dolc_gen::Doc loaded(&kGene, 2);
    for (int i = 0; i < kLoads && ok; ++i) {
      dolc_gen::Doc fresh(&kGene, 2);
      t0 = Clock::now();
      ok = fresh.load(saved).ok;
      load_times.push_back(ms_since(t0));
      if (i == kLoads - 1) ok = ok && loaded.load(saved).ok;
    }
    std::sort(load_times.begin(), load_times.end());
    double load_ms = load_times.empty() ? 0 : load_times[load_times.size() / 2];
    ok = ok && doc.text_string(kRoot, &kGene, 0) == trace.end_content &&
         loaded.text_string(kRoot, &kGene, 0) == trace.end_content;
    if (!ok) ++failures;
    std::string name = f.substr(0, f.size() - 8);
    std::printf("%-22s %8zu %10.1f %10.1f %10.1f %10.2f %10.2f  %s\n", name.c_str(), trace.patch_count(), apply_ms,
                saved.size() / 1024.0, deflated_size(saved) / 1024.0, save_ms, load_ms, ok ? "ok" : "FAILED (final text differs)");
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS %.1f MB\n", ru.ru_maxrss / 1024.0);
  return failures ? 1 : 0;
}
