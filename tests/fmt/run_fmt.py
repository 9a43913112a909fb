#!/usr/bin/env python3
"""tests/fmt/run_fmt.py: `dolc fmt` on every .dol file we have.

The files: this repository's (examples/, tests/, stdlib-dol/) and, when it is
on this machine, the public DOL corpus (../shared/corpus, $DOLC_CORPUS or
--corpus; its absence is reported, not a failure). Each tree is copied twice
to a temporary folder; one copy is formatted in place with `dolc fmt`. Then,
for every file:

  * a file that parses is formatted, and `dolc check --emit=schema-json` gives
    the same schema JSON before and after (formatting never changes meaning);
  * formatting is idempotent: `dolc fmt --check` on the formatted copy exits 0
    and prints nothing;
  * a file with a syntax error is left as it was, with a located diagnostic
    (`file:line:col`) and exit status 1, never a crash;
  * tests/fmt/cases/NAME.dol formats to exactly tests/fmt/cases/NAME.expected
    (golden layouts, one per dialect and for comments, docs and blank lines).

Usage: run_fmt.py --dolc build/dolc [--corpus DIR] [--jobs N]
Prints the figures and exits 0 when everything holds, 1 otherwise.
"""
import argparse
import concurrent.futures
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

TIMEOUT_S = 30
REPO = pathlib.Path(__file__).resolve().parents[2]


def corpus_dir(arg):
    if os.environ.get("DOLC_CORPUS"):
        return pathlib.Path(os.environ["DOLC_CORPUS"])
    if arg:
        return pathlib.Path(arg)
    return REPO.parent / "shared" / "corpus"


def run(cmd, cwd=None, timeout=TIMEOUT_S):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return "timeout", "", ""


def schema_json(dolc, path, out_dir):
    rc, _, err = run([dolc, "check", str(path), "--emit=schema-json", "-o", str(out_dir)])
    target = out_dir / (path.stem + ".schema.json")
    return rc, target.read_text() if rc == 0 and target.exists() else None


def check_file(dolc, original, formatted, scratch, trees):
    """Returns (problems, refused): the problems of one file (empty: fine), and
    whether fmt refused it for its syntax errors."""
    problems = []
    rc, out, err = run([dolc, "fmt", "--check", str(original)])
    if rc not in (0, 1) or "terminate called" in err or "Segmentation" in err:
        return [f"crash or bad status {rc}: {err[-300:]}"], False
    if "has syntax errors" in err:
        # Not formatted: the copy must be untouched, the error located.
        if formatted.read_bytes() != original.read_bytes():
            problems.append("a file with syntax errors was changed")
        if not re.search(r":\d+:\d+", err):
            problems.append("syntax error without a location: " + err[:200])
        return problems, True
    rc2, out2, err2 = run([dolc, "fmt", "--check", str(formatted)])
    if rc2 != 0 or out2:
        problems.append(f"not idempotent: formatting the formatted file changes it again\n{out2[:800]}")
    a_dir, b_dir = scratch / "a", scratch / "b"
    a_dir.mkdir(parents=True, exist_ok=True)
    b_dir.mkdir(parents=True, exist_ok=True)
    rc_a, json_a = schema_json(dolc, original, a_dir)
    rc_b, json_b = schema_json(dolc, formatted, b_dir)
    if rc_a != rc_b:
        problems.append(f"dolc check exit status {rc_a} before formatting, {rc_b} after")
    # The JSON names the files it read: compare with the two trees' roots masked.
    elif (json_a or "").replace(str(trees[0]), "<tree>") != (json_b or "").replace(str(trees[1]), "<tree>"):
        problems.append("the schema JSON differs after formatting")
    return problems, False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dolc", required=True)
    ap.add_argument("--corpus")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    dolc = str(pathlib.Path(args.dolc).resolve())
    trees = [("repository", REPO, ["examples", "tests", "stdlib-dol"])]
    corpus = corpus_dir(args.corpus)
    if corpus.is_dir():
        trees.append(("corpus", corpus, ["."]))
    else:
        print(f"note: no corpus at {corpus}; formatting this repository's files only")

    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        # Golden layouts.
        cases = sorted((REPO / "tests" / "fmt" / "cases").glob("*.dol"))
        for case in cases:
            rc, out, err = run([dolc, "fmt", "--stdout", str(case)])
            want = case.with_suffix(".expected").read_text()
            if rc != 0 or out != want:
                failures += 1
                print(f"FAIL golden {case.name}: status {rc} {err[:200]}")
                diff_in = tmp / "got.dol"
                diff_in.write_text(out)
                print(subprocess.run(["diff", "-u", str(case.with_suffix('.expected')), str(diff_in)],
                                     capture_output=True, text=True).stdout[:2000])
        print(f"golden layouts: {len(cases) - failures}/{len(cases)}")

        for label, root, subdirs in trees:
            orig, fmtd = tmp / label / "orig", tmp / label / "fmt"
            files = []
            for sub in subdirs:
                src = root / sub
                for f in sorted(src.rglob("*.dol")):
                    rel = f.relative_to(root)
                    if label == "repository" and "fmt/cases" in str(rel):
                        continue
                    for dest in (orig, fmtd):
                        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(f, dest / rel)
                    files.append(rel)
            # Format the copy in place, in batches (one dolc per batch).
            # A batch gets the time of its files together (some corpus files
            # take seconds each on a loaded machine); one that still times out
            # is reported as such, not as files that "change again".
            for i in range(0, len(files), 50):
                rc, _, _ = run([dolc, "fmt"] + [str(fmtd / rel) for rel in files[i:i + 50]], timeout=TIMEOUT_S * 20)
                if rc == "timeout":
                    print(f"FAIL {label}: `dolc fmt` on files {i + 1}-{min(i + 50, len(files))} timed out")
                    failures += 1
            results = {}
            with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
                futs = {pool.submit(check_file, dolc, orig / rel, fmtd / rel, tmp / "scratch" / label / str(n),
                                    (orig, fmtd)): rel
                        for n, rel in enumerate(files)}
                for fut in concurrent.futures.as_completed(futs):
                    results[futs[fut]] = fut.result()
            changed = sum(1 for rel in files if (orig / rel).read_bytes() != (fmtd / rel).read_bytes())
            refused = sum(1 for rel in files if results[rel][1])
            bad = 0
            for rel in files:
                if results[rel][0]:
                    bad += 1
                    failures += 1
                    for p in results[rel][0]:
                        print(f"FAIL {label}/{rel}: {p}")
            print(f"{label}: {len(files)} files: {changed} reformatted, {refused} refused for syntax errors "
                  f"(left as they were), {len(files) - bad} hold every check")
    print("fmt: every check passed" if failures == 0 else f"fmt: {failures} failure(s)")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
