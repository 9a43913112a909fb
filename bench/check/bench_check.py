#!/usr/bin/env python3
"""bench/check/bench_check.py: how long `dolc check` takes on a large schema.

Generates a DOL schema of about LINES lines (default 12,000) mixing the three
dialects: genes with every field kind and strategy, methods, constraints in
all three forms, evolutions and a system; then runs `dolc check` on it RUNS
times and prints the line count and the median wall time. Not a test: it
prints figures and never fails on time.

Usage: python3 bench/check/bench_check.py [build/dolc] [LINES] [RUNS]
"""
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def gene_v08(i):
    # Declared at the version its evolution leads to (evolution-version-mismatch).
    return f"""gen bench.g{i}.card @ 1.1.0 {{
  @crdt(immutable)
  has id: Uuid

  @crdt(lww)
  has title: string = "card {i}"

  @crdt(or_set)
  has labels: Set<string>

  @crdt(pn_counter, min_value=0)
  has votes: i64

  @crdt(peritext, formatting="markdown", max_length=20000)
  has body: RichText

  @crdt(mv_register)
  has owner: string

  @crdt(lww)
  has archived: bool = false

  fun vote() {{
    this.votes += 1
  }}

  fun relabel(l: string) {{
    if l != "" {{
      this.labels.insert(l)
    }}
  }}
}}

docs {{ Card {i}. }}
"""


def gene_v2(i):
    return f"""gene bench.g{i}.column @ 2.0.0 {{
  id: UUID @crdt(immutable)
  name: String @crdt(lww)
  cards: List<bench.g{i}.card> @crdt(rga)
  limits: Map<String, Int> @crdt(or_set)
  exegesis {{ Column {i}. }}
}}

constraint bench.g{i}.column_name on bench.g{i}.column {{
  require: self.name != ""
  on_violation: reject_operation
}}

exegesis {{ Columns are named. }}

constraint bench.g{i}.identity {{
  card never changes id
}}

docs {{ Cards keep their identity. }}

evo bench.g{i}.card @ 1.1.0 > 1.0.0 {{
  adds @crdt(lww) archived: bool = false
  because "archiving"
}}

docs {{ Archiving. }}
"""


def generate(lines_wanted):
    parts, lines, i = ["module bench @ 1.0.0\n"], 1, 0
    genes = []
    while lines < lines_wanted:
        block = gene_v08(i) + "\n" + gene_v2(i) + "\n"
        parts.append(block)
        genes.append(f"bench.g{i}.column")
        lines += block.count("\n")
        i += 1
    parts.append("system bench.app @ 1.0.0 {\n  genes: [" + ", ".join(genes[:50]) + "]\n}\n\ndocs { The app. }\n")
    text = "".join(parts)
    return text, text.count("\n"), i


def main():
    dolc = sys.argv[1] if len(sys.argv) > 1 else "build/dolc"
    lines_wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 12000
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    text, lines, n = generate(lines_wanted)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.dol")
        with open(path, "w") as f:
            f.write(text)
        times, cpu = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            p = subprocess.run([dolc, "check", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append(time.perf_counter() - t0)
            cpu.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
            if p.returncode != 0:
                print(p.stderr.decode()[:2000])
                print("the generated schema did not check cleanly")
                return 1
    print(f"schema: {lines} lines, {2 * n} genes, {2 * n} constraints, {n} evolutions")
    print(f"dolc check: median {statistics.median(times) * 1000:.0f} ms over {runs} runs "
          f"(min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms); "
          f"CPU time median {statistics.median(cpu) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
