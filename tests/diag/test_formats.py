#!/usr/bin/env python3
"""tests/diag/test_formats.py: the machine formats and exit codes of `dolc check`.

What CI tools rely on: json is one array and nothing else on stdout; sarif
has the structure of SARIF 2.1.0 (validated structurally, no network);
github lines are workflow commands; exit codes 0/1/2 (usage problems named);
-Werror; colour on a terminal or when asked, never with NO_COLOR (a pty
stands in for the terminal); --emit=schema-json writes valid JSON only when
it changed, with a depfile on request.
Prints `N passed, N failed` and exits non-zero on any failure.
"""
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

DOLC = os.path.abspath(sys.argv[1])
HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
results = []

BAD = """gen chat.room {
  @crdt(or_set)
  has name: string
  has topic: string
}
"""
WARN_ONLY = """gen chat.room {
  has topic: string
}
"""
CLEAN = """gen chat.room {
  @crdt(lww)
  has topic: string
}
"""


def run(args, env_extra=None, cwd=None):
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.update(env_extra or {})
    p = subprocess.run([DOLC] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def run_on_tty(args, env_extra=None):
    """Runs dolc with stderr on a pseudo-terminal (for --color=auto); returns what it wrote there."""
    import pty
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.update(env_extra or {})
    master, slave = pty.openpty()
    p = subprocess.Popen([DOLC] + args, stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO once the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    p.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode(errors="replace")


def check(name, cond, detail=""):
    results.append(bool(cond))
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else f": {detail}"))


def write(tmp, name, text):
    p = pathlib.Path(tmp) / name
    p.write_text(text)
    return str(p)


def validate_sarif(doc):
    """Required structure of SARIF 2.1.0 for what dolc writes."""
    problems = []
    if doc.get("version") != "2.1.0":
        problems.append("version")
    if "$schema" not in doc:
        problems.append("$schema")
    runs = doc.get("runs")
    if not isinstance(runs, list) or len(runs) != 1:
        return problems + ["runs"]
    run_ = runs[0]
    drv = run_.get("tool", {}).get("driver", {})
    if not isinstance(drv.get("name"), str):
        problems.append("tool.driver.name")
    rules = drv.get("rules", [])
    ids = [r.get("id") for r in rules]
    if len(ids) != len(set(ids)) or not all(isinstance(i, str) for i in ids):
        problems.append("rules ids")
    for r in rules:
        if r.get("defaultConfiguration", {}).get("level") not in ("error", "warning", "note", "none"):
            problems.append("rule level")
        if not isinstance(r.get("shortDescription", {}).get("text"), str):
            problems.append("rule shortDescription")
    for res in run_.get("results", []):
        if not isinstance(res.get("message", {}).get("text"), str):
            problems.append("result.message.text")
        idx = res.get("ruleIndex")
        if not isinstance(idx, int) or idx < 0 or idx >= len(rules) or rules[idx]["id"] != res.get("ruleId"):
            problems.append("ruleIndex/ruleId")
        if res.get("level") not in ("error", "warning", "note", "none"):
            problems.append("result.level")
        for loc in res.get("locations", []):
            pl = loc.get("physicalLocation", {})
            if not isinstance(pl.get("artifactLocation", {}).get("uri"), str):
                problems.append("artifactLocation.uri")
            reg = pl.get("region", {})
            for k in ("startLine", "startColumn", "endLine", "endColumn"):
                if not isinstance(reg.get(k), int) or reg[k] < 1:
                    problems.append("region." + k)
    return problems


with tempfile.TemporaryDirectory() as tmp:
    bad = write(tmp, "bad.dol", BAD)
    warn = write(tmp, "warn.dol", WARN_ONLY)
    clean = write(tmp, "clean.dol", CLEAN)

    code, out, err = run(["check", "--error-format=json", bad])
    check("json exit code 1", code == 1, code)
    try:
        doc = json.loads(out)
        check("json stdout is one JSON array", isinstance(doc, list))
        keys = {"file", "line", "column", "end_line", "end_column", "severity", "rule", "message", "notes"}
        check("json objects carry every key", all(keys <= set(d) for d in doc), doc)
        rules = [d["rule"] for d in doc]
        check("json holds the error and the warning", "crdt-type-mismatch" in rules and "crdt-missing-annotation" in rules, rules)
        d0 = [d for d in doc if d["rule"] == "crdt-type-mismatch"][0]
        check("json position", (d0["line"], d0["column"], d0["end_line"], d0["end_column"]) == (2, 3, 2, 16), d0)
    except json.JSONDecodeError as e:
        check("json stdout is one JSON array", False, f"{e}: {out[:200]!r}")
    check("json leaves stderr quiet", err == "", err)

    code, out, err = run(["check", "--error-format=sarif", bad])
    check("sarif exit code 1", code == 1, code)
    try:
        doc = json.loads(out)
        problems = validate_sarif(doc)
        check("sarif is structurally valid 2.1.0", not problems, problems)
        ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
        kinds = re.findall(r'^DOLC_RULE\(\w+,\s*"([a-z0-9-]+)"', (REPO / "compiler/diag/kinds.def").read_text(), re.M)
        check("sarif lists every rule of kinds.def", ids == kinds, (ids, kinds))
        check("sarif results", len(doc["runs"][0]["results"]) == 2)
    except json.JSONDecodeError as e:
        check("sarif stdout is JSON", False, str(e))

    code, out, err = run(["check", "--error-format=github", bad])
    lines = out.strip().split("\n")
    pat = re.compile(r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[a-z-]+::.+$")
    check("github lines are workflow commands", len(lines) == 2 and all(pat.match(l) for l in lines), lines)
    check("github escapes newlines in messages", all("\n" not in l for l in lines))

    code, out, err = run(["check", warn])
    check("warnings alone exit 0", code == 0, code)
    check("text goes to stderr", out == "" and "crdt-missing-annotation" in err, (out, err))
    code, out, err = run(["check", "-Werror", warn])
    check("-Werror makes warnings fail", code == 1 and "error:" in err, (code, err))
    code, out, err = run(["check", clean])
    check("clean input exits 0 silently", code == 0 and out == "" and err == "", (code, out, err))

    code, out, err = run(["check", "--color=always", bad])
    check("--color=always colours", "\033[" in err)
    code, out, err = run(["check", "--color=always", bad], {"NO_COLOR": "1"})
    check("--color=always overrides NO_COLOR", "\033[" in err)
    code, out, err = run(["check", bad], {"NO_COLOR": "1"})
    check("no colour off a terminal / with NO_COLOR", "\033[" not in err)
    check("auto colour is off when stderr is a pipe", "\033[" not in run(["check", bad])[2])
    check("--color=auto on a terminal colours", "\033[" in run_on_tty(["check", bad]))
    check("NO_COLOR on a terminal disables colour", "\033[" not in run_on_tty(["check", bad], {"NO_COLOR": "1"}))
    check("--color=never on a terminal", "\033[" not in run_on_tty(["check", "--color=never", bad]))

    code, out, err = run(["check", os.path.join(tmp, "missing.dol")])
    check("missing file exits 2 with a message", code == 2 and "cannot open" in err, (code, err))
    code, out, err = run(["check", "--bogus", clean])
    check("unknown option exits 2", code == 2 and "unknown option" in err, (code, err))
    code, out, err = run(["check"])
    check("no input exits 2", code == 2, code)
    code, out, err = run(["--version"])
    check("--version", code == 0 and out.startswith("dolc "), out)
    code, out, err = run(["--help"])
    check("--help", code == 0 and "check" in out and "build" in out, out)
    code, out, err = run(["help", "check"])
    check("help check", code == 0 and "--error-format" in out, out)
    code, out, err = run(["help", "frobnicate"])
    check("help of an unknown command exits 2", code == 2 and "frobnicate" in err, (code, err))
    code, out, err = run(["frobnicate", clean])
    check("unknown command exits 2", code == 2 and "unknown command" in err, (code, err))
    # One did-you-mean helper serves commands, help topics, options and option values.
    code, out, err = run(["chekc", clean])
    check("a mistyped command is named", code == 2 and "did you mean `check`?" in err, (code, err))
    code, out, err = run(["help", "biuld"])
    check("a mistyped help topic is named", code == 2 and "did you mean `build`?" in err, (code, err))
    code, out, err = run(["check", "--error-fromat=json", clean])
    check("a mistyped option is named", code == 2 and "did you mean `--error-format`?" in err and out == "", (code, err))
    code, out, err = run(["check", "--color=allways", clean])
    check("a mistyped option value is named", code == 2 and "did you mean `always`?" in err, (code, err))
    code, out, err = run(["frobnicate", clean])
    check("no suggestion when nothing is close", code == 2 and "did you mean" not in err, (code, err))
    code, out, err = run(["check", "--error-format=xml", clean])
    check("unknown error format exits 2", code == 2 and "xml" in err and out == "", (code, err))
    code, out, err = run(["check", "-I", os.path.join(tmp, "no-such-dir"), clean])
    check("missing -I directory exits 2", code == 2 and "no-such-dir" in err, (code, err))
    code, out, err = run(["check", "--stdlib", os.path.join(tmp, "no-stdlib"), clean])
    check("missing --stdlib exits 2", code == 2 and "no-stdlib" in err, (code, err))
    code, out, err = run(["check", clean], {"DOLC_STDLIB": os.path.join(tmp, "env-stdlib")})
    check("DOLC_STDLIB is honoured", code == 2 and "env-stdlib" in err, (code, err))
    code, out, err = run(["check", tmp])
    check("a directory as input exits 2", code == 2 and "directory" in err, (code, err))
    code, out, err = run(["lint", "--error-format=json", bad])
    check("lint is check", code == 1 and isinstance(json.loads(out), list), (code, out))

    outdir = os.path.join(tmp, "out")
    code, out, err = run(["check", "--emit=schema-json", "-o", outdir, str(REPO / "examples/chat.dol")])
    sj = pathlib.Path(outdir) / "chat.schema.json"
    check("--emit=schema-json writes NAME.schema.json", code == 0 and sj.exists(), (code, err))
    if sj.exists():
        doc = json.loads(sj.read_text())
        check("schema json holds the genes", "genes" in doc and len(doc["genes"]) >= 3, list(doc)[:5])
        before = sj.stat().st_mtime_ns
        run(["check", "--emit=schema-json", "-o", outdir, str(REPO / "examples/chat.dol")])
        check("unchanged schema json is not rewritten", sj.stat().st_mtime_ns == before)
        first = sj.read_bytes()
        sj.unlink()
        run(["check", "--emit=schema-json", "-o", outdir, str(REPO / "examples/chat.dol")])
        check("schema json is deterministic", sj.read_bytes() == first)
    dep = os.path.join(tmp, "out", "chat.d")
    code, out, err = run(["check", "--emit=schema-json", "-o", outdir, "--depfile", dep, str(REPO / "examples/chat.dol")])
    deptext = pathlib.Path(dep).read_text() if os.path.exists(dep) else ""
    check("check --depfile names the schema json and the input",
          code == 0 and deptext.startswith(str(sj) + ":") and "examples/chat.dol" in deptext, (code, err, deptext))

passed = sum(results)
print(f"{passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
