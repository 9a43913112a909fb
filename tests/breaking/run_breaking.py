#!/usr/bin/env python3
"""tests/breaking/run_breaking.py: golden tests of `dolc breaking`.

Each case is a folder tests/breaking/cases/NAME/ with old.dol (the last
release) and new.dol (the schema about to ship). new.dol ends with the
expectations, as in tests/golden:

    // MODE: dol | json | git | raw    (optional, default dol)
    // ARGS: --error-format=json       (optional extra arguments)
    // EXIT: 1
    // CHECK: new.dol:3:6: error: ... [breaking-api]

Modes, all run with the case folder (or its git copy) as working directory:
  dol   dolc breaking new.dol --against old.dol ARGS
  json  dolc check old.dol --emit=schema-json -o TMP first, then
        dolc breaking new.dol --against TMP/old.schema.json ARGS
  git   a temporary git repository holds old.dol committed as new.dol; the
        working tree then gets new.dol: dolc breaking new.dol --against-git HEAD ARGS
  raw   dolc breaking ARGS (usage errors)
Text-mode runs add --error-format=text --color=never before ARGS. Output is
stdout and stderr combined; temporary paths print as <tmp>, this checkout as
<repo>, the dolc version as <version>. SARIF output is checked for shape
(one run, every result's ruleIndex naming its ruleId in tool.driver.rules)
and reduced to its results, so that a rule added to kinds.def does not
change these goldens. With --update the EXIT/CHECK lines are
rewritten from the actual output (review the diff before committing).

The CHECK lines of text-mode cases end in `[rule]`; tests/golden's
rule-coverage test reads them from here too.

Usage: run_breaking.py --dolc build/dolc [--update] CASE_DIR...
"""
import argparse
import difflib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile


def split_expectations(text):
    body, checks, exit_code = [], [], None
    for line in text.split("\n"):
        if line.startswith("// CHECK:"):
            checks.append(line[len("// CHECK: "):] if line.startswith("// CHECK: ") else line[len("// CHECK:"):])
        elif line.startswith("// EXIT:"):
            exit_code = int(line[len("// EXIT:"):].strip())
        else:
            body.append(line)
    while body and body[-1] == "":
        body.pop()
    return body, checks, exit_code


def directive(text, name, default=None):
    for line in text.split("\n"):
        if line.startswith(f"// {name}:"):
            return line[len(f"// {name}:"):].strip()
    return default


def run(cmd, cwd):
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    try:
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=60)
    except subprocess.TimeoutExpired:
        return "timeout", "dolc did not finish within 60 s\n"
    return proc.returncode, proc.stdout.decode("utf-8", errors="replace")


def git(args, cwd):
    subprocess.run(["git", "-c", "user.name=dolc tests", "-c", "user.email=tests@dolc.invalid",
                    "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"] + args,
                   cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def sarif_results(out):
    try:
        doc = json.loads(out)
        run_ = doc["runs"][0]
        rules = run_["tool"]["driver"]["rules"]
        for r in run_["results"]:
            if rules[r["ruleIndex"]]["id"] != r["ruleId"]:
                return f"sarif: ruleIndex {r['ruleIndex']} does not name {r['ruleId']}\n"
        if doc.get("version") != "2.1.0" or len(doc["runs"]) != 1:
            return "sarif: not one SARIF 2.1.0 run\n"
        return json.dumps(run_["results"], indent=2, sort_keys=True) + "\n"
    except (ValueError, KeyError, IndexError, TypeError) as e:
        return f"sarif: unreadable output ({e}):\n{out}"


def run_case(dolc, case, tmp):
    text = (case / "new.dol").read_text(encoding="utf-8")
    mode = directive(text, "MODE", "dol")
    args = (directive(text, "ARGS", "") or "").split()
    fmt = [] if any(a.startswith("--error-format") for a in args) else ["--error-format=text"]
    common = fmt + ["--color=never"]
    cwd = case
    if mode == "raw":
        cmd = [dolc, "breaking"] + args
    elif mode == "dol":
        cmd = [dolc, "breaking", "new.dol", "--against", "old.dol"] + common + args
    elif mode == "json":
        code, out = run([dolc, "check", "old.dol", "--emit=schema-json", "-o", str(tmp), "--color=never"], case)
        if code != 0:
            return "setup", [f"`dolc check old.dol --emit=schema-json` failed ({code}):"] + out.split("\n")
        cmd = [dolc, "breaking", "new.dol", "--against", str(tmp / "old.schema.json")] + common + args
    elif mode == "git":
        repo = tmp / "repo"
        repo.mkdir()
        shutil.copy(case / "old.dol", repo / "new.dol")
        git(["init", "-q"], repo)
        git(["add", "new.dol"], repo)
        git(["commit", "-q", "-m", "old"], repo)
        shutil.copy(case / "new.dol", repo / "new.dol")
        cwd = repo
        cmd = [dolc, "breaking", "new.dol", "--against-git", "HEAD"] + common + args
    else:
        return "setup", [f"unknown MODE `{mode}` (expected dol, json, git or raw)"]
    code, out = run(cmd, cwd)
    if "--error-format=sarif" in args:
        out = sarif_results(out)
    repo_root = str(pathlib.Path(__file__).resolve().parents[2])
    out = out.replace(str(tmp), "<tmp>").replace(repo_root, "<repo>")
    out = re.sub(r'("version": ")[0-9][^"]*(")', r"\1<version>\2", out)
    lines = out.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return code, lines


def check_case(dolc, case, update):
    path = case / "new.dol"
    text = path.read_text(encoding="utf-8")
    body, checks, exit_code = split_expectations(text)
    with tempfile.TemporaryDirectory(prefix="dolc-breaking-") as tmp:
        code, actual = run_case(dolc, case, pathlib.Path(tmp).resolve())
    if code == "setup":
        print(f"{case.name}: " + "\n".join(actual))
        return False
    if update:
        new = "\n".join(body) + "\n\n" + f"// EXIT: {code}\n" + "".join(f"// CHECK: {l}\n" for l in actual)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path}")
        return True
    ok = True
    if exit_code is None:
        print(f"{case.name}: no `// EXIT:` line (run with --update to record one)")
        ok = False
    elif exit_code != code:
        print(f"{case.name}: exit code {code}, expected {exit_code}")
        ok = False
    if actual != checks:
        ok = False
        print(f"{case.name}: output differs from the CHECK lines")
        for line in difflib.unified_diff(checks, actual, "expected", "actual", lineterm=""):
            print(line)
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dolc", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("cases", nargs="+")
    a = ap.parse_args()
    dolc = os.path.abspath(a.dolc)
    failed = [c for c in a.cases if not check_case(dolc, pathlib.Path(c).resolve(), a.update)]
    if not a.update:
        print(f"{len(a.cases) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
