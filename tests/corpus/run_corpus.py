#!/usr/bin/env python3
"""tests/corpus/run_corpus.py: dolc against the public DOL corpus.

The corpus (../shared/corpus next to the repository; its README says what to
expect) holds every .dol file of two public DOL repositories. This test runs
`dolc check --error-format=json` on each file and measures:

  * parse rate: files without a `syntax-error` (threshold: --min-parse, 95 %);
  * crashes: a signal, an exit status other than 0/1/2, a hang (timeout) or
    output that is not the JSON array the machine format promises (must be 0);
  * located diagnostics: every syntax error has a line and a column;
  * @crdt verdicts: `examples/crdt/invalid-strategy.dol` of dol/ gives exactly
    two `crdt-type-mismatch` errors and no other `crdt-*` finding; every other
    file containing `@crdt` parses and gives no `crdt-*` error (all must hold).

It prints the figures and the files that do not parse (with their first
syntax error), then exits 0 when every threshold holds, 1 otherwise, and 77
(ctest's SKIP_RETURN_CODE) when the corpus is not on this machine: CI on a
clean clone has no corpus, and that is not a failure.

Usage: run_corpus.py --dolc build/dolc [--corpus DIR] [--min-parse 95] [--jobs N]
The corpus folder is, in order: $DOLC_CORPUS, --corpus (CMake's
DOLC_CORPUS_DIR), ../shared/corpus relative to the repository.
"""
import argparse
import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys

SKIP = 77
TIMEOUT_S = 30
INVALID_STRATEGY = "dol/examples/crdt/invalid-strategy.dol"


def corpus_dir(arg):
    # The environment wins so that one run of an already configured build can
    # point elsewhere (DOLC_CORPUS=/tmp/c ctest -R corpus).
    if os.environ.get("DOLC_CORPUS"):
        return pathlib.Path(os.environ["DOLC_CORPUS"])
    if arg:
        return pathlib.Path(arg)
    return pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def check_one(dolc, path):
    """Runs dolc on one file; returns (status, diagnostics). status is 'ok' or a crash description."""
    try:
        proc = subprocess.run([dolc, "check", "--error-format=json", "--color=never", path.name],
                              cwd=path.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"no answer within {TIMEOUT_S} s", []
    if proc.returncode < 0:
        return f"killed by signal {-proc.returncode}", []
    if proc.returncode not in (0, 1):
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"exit status {proc.returncode}: {err[0] if err else ''}", []
    try:
        diags = json.loads(proc.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return f"output is not JSON ({e})", []
    if not isinstance(diags, list):
        return "output is not a JSON array", []
    # Only the file's own findings count: a file it imports is measured on its own.
    own = [d for d in diags if os.path.normpath(os.path.join(path.parent, d.get("file", ""))) == os.path.normpath(path)]
    return "ok", own


def crdt_verdict(rel, text, diags):
    """None when a file's @crdt verdict is the one the corpus README describes, else what is wrong."""
    crdt = [d for d in diags if d.get("rule", "").startswith("crdt-") and d.get("severity") == "error"]
    if any(d.get("rule") == "syntax-error" for d in diags):
        return "does not parse"
    if rel == INVALID_STRATEGY:
        mismatches = [d for d in crdt if d["rule"] == "crdt-type-mismatch"]
        if len(mismatches) != 2 or len(crdt) != 2:
            return f"expected exactly 2 crdt-type-mismatch errors, got {[d['rule'] for d in crdt]}"
        return None
    if crdt:
        return "unexpected " + ", ".join(f"{d['rule']} at {d.get('line')}:{d.get('column')}" for d in crdt)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dolc", required=True)
    ap.add_argument("--corpus")
    ap.add_argument("--min-parse", type=float, default=95.0)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    root = corpus_dir(a.corpus)
    if not root.is_dir():
        print(f"SKIP: no DOL corpus at {root} (set DOLC_CORPUS or -DDOLC_CORPUS_DIR to run this test)")
        return SKIP
    files = sorted(root.rglob("*.dol"))
    if not files:
        print(f"SKIP: {root} holds no .dol file")
        return SKIP
    dolc = os.path.abspath(a.dolc)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        results = list(pool.map(lambda p: check_one(dolc, p), files))

    crashes, unparsed, unlocated, crdt_files, crdt_wrong = [], [], [], 0, []
    for path, (status, diags) in zip(files, results):
        rel = path.relative_to(root).as_posix()
        if status != "ok":
            crashes.append(f"{rel}: {status}")
            continue
        syntax = [d for d in diags if d.get("rule") == "syntax-error"]
        if syntax:
            first = syntax[0]
            unparsed.append(f"{rel}:{first.get('line')}:{first.get('column')}: {first.get('message')}")
        for d in syntax:
            if not d.get("line") or not d.get("column"):
                unlocated.append(f"{rel}: {d.get('message')}")
        text = path.read_text(encoding="utf-8", errors="replace")
        if "@crdt" in text:
            crdt_files += 1
            wrong = crdt_verdict(rel, text, diags)
            if wrong:
                crdt_wrong.append(f"{rel}: {wrong}")

    total = len(files)
    parsed = total - len(unparsed) - len(crashes)
    rate = 100.0 * parsed / total
    print(f"corpus: {root}")
    if unparsed:
        print(f"files with a syntax error ({len(unparsed)}), first error of each:")
        for line in unparsed:
            print("  " + line)
    for title, items in (("crashes", crashes), ("syntax errors without a location", unlocated),
                         ("wrong @crdt verdicts", crdt_wrong)):
        if items:
            print(f"{title} ({len(items)}):")
            for line in items:
                print("  " + line)
    print(f"parsed: {parsed}/{total} files ({rate:.1f} %, threshold {a.min_parse:g} %)")
    print(f"crashes: {len(crashes)}")
    print(f"@crdt verdicts as the corpus README describes: {crdt_files - len(crdt_wrong)}/{crdt_files}")
    ok = rate >= a.min_parse and not crashes and not unlocated and not crdt_wrong and crdt_files > 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
