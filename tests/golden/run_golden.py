#!/usr/bin/env python3
"""tests/golden/run_golden.py: the golden-test driver for dolc diagnostics.

Each tests/golden/**/*.dol file holds its input and, at its end, the
expected result as comments:

    // ARGS: -I inc --require-docs      (optional extra arguments)
    // EXIT: 1
    // CHECK: fail_x.dol:3:13: error: expected `:` ... [syntax-error]
    // CHECK:    3 |   has title string
    ...

The driver runs `dolc check --error-format=text --color=never <basename> ARGS`
with the file's folder as the working directory, and compares the exit code
and the combined stdout+stderr, line by line, with the EXIT and CHECK lines.
A mismatch prints a unified diff. With --update it rewrites the EXIT/CHECK
lines from the actual output instead (review the diff before committing).

Usage: run_golden.py --dolc build/dolc [--update] FILE.dol...
       run_golden.py --dolc build/dolc --coverage KINDS_DEF GOLDEN_DIR [MORE_DIR...]
(the coverage also counts the CHECK lines of tests/breaking, whose cases run
`dolc breaking` rather than `dolc check`)
"""
import argparse
import difflib
import os
import pathlib
import re
import subprocess
import sys

EXPECT_PREFIXES = ("// CHECK:", "// EXIT:")


def split_expectations(text):
    lines = text.split("\n")
    body, checks, exit_code = [], [], None
    for line in lines:
        if line.startswith("// CHECK:"):
            checks.append(line[len("// CHECK:"):][1:] if line.startswith("// CHECK: ") else line[len("// CHECK:"):])
        elif line.startswith("// EXIT:"):
            exit_code = int(line[len("// EXIT:"):].strip())
        else:
            body.append(line)
    while body and body[-1] == "":
        body.pop()
    return body, checks, exit_code


def extra_args(text):
    for line in text.split("\n"):
        if line.startswith("// ARGS:"):
            return line[len("// ARGS:"):].split()
    return []


def run_dolc(dolc, path, args):
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    try:
        proc = subprocess.run(
            [dolc, "check", "--error-format=text", "--color=never", path.name] + args,
            cwd=path.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=60)
    except subprocess.TimeoutExpired:
        # A hang is a failure like any other, reported as such rather than as a traceback.
        return "timeout", ["dolc did not finish within 60 s"]
    out = proc.stdout.decode("utf-8", errors="replace")
    # Paths of this checkout (the built-in stdlib-dol) differ between machines.
    repo = str(pathlib.Path(__file__).resolve().parents[2])
    out = out.replace(repo, "<repo>")
    lines = out.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return proc.returncode, lines


def run_one(dolc, path, update):
    text = path.read_text(encoding="utf-8")
    body, checks, exit_code = split_expectations(text)
    code, actual = run_dolc(dolc, path, extra_args(text))
    if update:
        new = "\n".join(body) + "\n\n" + f"// EXIT: {code}\n" + "".join(f"// CHECK: {l}\n" for l in actual)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path}")
        return True
    ok = True
    if exit_code is None:
        print(f"{path}: no `// EXIT:` line (run with --update to record one)")
        ok = False
    elif exit_code != code:
        print(f"{path}: exit code {code}, expected {exit_code}")
        ok = False
    if actual != checks:
        ok = False
        print(f"{path}: output differs from the CHECK lines")
        for line in difflib.unified_diff(checks, actual, "expected", "actual", lineterm=""):
            print(line)
    name = path.name
    if name.startswith("fail_") and code != 1:
        print(f"{path}: a fail_ test must exit 1, got {code}")
        ok = False
    if not name.startswith("fail_") and code == 1:
        print(f"{path}: only fail_ tests may exit 1 (rename the file or fix the input)")
        ok = False
    return ok


def coverage(kinds_def, *golden_dirs):
    ids = re.findall(r'^DOLC_RULE\(\w+,\s*"([a-z0-9-]+)"', pathlib.Path(kinds_def).read_text(), re.M)
    seen = set()
    for p in (p for d in golden_dirs for p in pathlib.Path(d).rglob("*.dol")):
        for line in p.read_text(encoding="utf-8").split("\n"):
            if line.startswith("// CHECK:"):
                seen.update(re.findall(r"\[([a-z0-9-]+)\]$", line))
    # `not-compiled` is reported by `dolc build` only; its tests live in tests/build.
    build_only = {"not-compiled"}
    missing = [i for i in ids if i not in seen and i not in build_only]
    for i in ids:
        print(("ok      " if i in seen else ("build   " if i in build_only else "MISSING ")) + i)
    if missing:
        print(f"{len(missing)} rule(s) without a golden test that triggers them: {', '.join(missing)}")
        return False
    print(f"{len(ids)} rules, all triggered by a test")
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dolc", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--coverage", nargs="+", metavar="KINDS_DEF GOLDEN_DIR")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    if a.coverage:
        return 0 if coverage(*a.coverage) else 1
    dolc = os.path.abspath(a.dolc)
    failed = [f for f in a.files if not run_one(dolc, pathlib.Path(f).resolve(), a.update)]
    if not a.update:
        print(f"{len(a.files) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
