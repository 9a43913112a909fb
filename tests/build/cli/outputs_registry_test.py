#!/usr/bin/env python3
# tests/build/cli/outputs_registry_test.py: the output kinds of
# compiler/emit/outputs.def against everything that lists them, so that a row
# and its readers cannot drift:
#  * `dolc help build` names exactly the table's kinds, defaults and files;
#  * `dolc build --emit=KIND` writes exactly the files the row lists (and a
#    build without --emit the default kinds' files), in the row order;
#  * the CMake rule (tools/cmake/DolcModule.cmake) reads the same kinds,
#    defaults and files.
# usage: outputs_registry_test.py DOLC CMAKE SOURCE_DIR SCHEMA.dol
import os
import re
import subprocess
import sys
import tempfile

dolc, cmake, source_dir, schema = sys.argv[1:5]
stem = os.path.basename(schema)[:-4]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


rows = []  # (name, default, [files])
with open(os.path.join(source_dir, "compiler/emit/outputs.def")) as f:
    for line in f:
        m = re.match(r'DOLC_OUTPUT\(\w+, "([^"]+)", (true|false), "([^"]+)"', line)
        if m:
            rows.append((m.group(1), m.group(2) == "true", m.group(3).split()))
check(len(rows) >= 5, "outputs.def has its rows")
names = [r[0] for r in rows]
defaults = [r[0] for r in rows if r[1]]


def files_for(kinds):
    out = []
    for name, _, files in rows:
        if name in kinds:
            out += [f.replace("NAME", stem, 1) if f.startswith("NAME") else f for f in files]
    return out


# Help.
help_text = subprocess.run([dolc, "help", "build"], capture_output=True, text=True).stdout
check("comma-separated: " + ", ".join(names) + " (default: " + ",".join(defaults) + ")" in help_text,
      "help lists the kinds and defaults:\n" + help_text)
for name, _, files in rows:
    line = re.search(r"^\s+" + re.escape(name) + r"\s+(\S.*?): ", help_text, re.M)
    check(line is not None and line.group(1) == " + ".join(files), "help line of " + name)

# Build: each kind alone, then the defaults; the depfile lists the targets in order.
with tempfile.TemporaryDirectory() as tmp:
    for kinds in [[n] for n in names] + [None]:
        out = os.path.join(tmp, "all" if kinds is None else kinds[0])
        args = [dolc, "build", schema, "-o", out, "--depfile", os.path.join(tmp, "dep.d")]
        if kinds is not None:
            args.append("--emit=" + kinds[0])
        r = subprocess.run(args, capture_output=True, text=True)
        check(r.returncode == 0, "build " + str(kinds) + ": " + r.stderr)
        want = files_for(defaults if kinds is None else kinds)
        check(sorted(os.listdir(out)) == sorted(want), "files of %s: %s, table says %s" % (kinds, sorted(os.listdir(out)), want))
        dep = open(os.path.join(tmp, "dep.d")).read().split(":")[0]
        targets = [os.path.basename(t) for t in dep.replace("\\\n", " ").split()]
        check(targets == want, "depfile order of %s: %s" % (kinds, targets))

    # The CMake rule's view of the table.
    script = os.path.join(tmp, "list.cmake")
    with open(script, "w") as f:
        f.write('include("%s/tools/cmake/DolcModule.cmake")\n' % source_dir)
        f.write('get_property(kinds GLOBAL PROPERTY _DOLC_KINDS)\n')
        f.write('get_property(defaults GLOBAL PROPERTY _DOLC_DEFAULT_KINDS)\n')
        f.write('message(STATUS "kinds=${kinds}")\nmessage(STATUS "defaults=${defaults}")\n')
        f.write('foreach(k IN LISTS kinds)\n  _dolc_files_of(${k} %s files)\n  message(STATUS "files ${k}=${files}")\nendforeach()\n' % stem)
    r = subprocess.run([cmake, "-P", script], capture_output=True, text=True)
    text = r.stdout + r.stderr
    check(r.returncode == 0, "cmake -P: " + text)
    check("kinds=" + ";".join(names) in text, "CMake kinds: " + text)
    check("defaults=" + ";".join(defaults) + "\n" in text, "CMake defaults: " + text)
    for name, _, _ in rows:
        check("files %s=%s\n" % (name, ";".join(files_for([name]))) in text, "CMake files of " + name + ": " + text)

print("FAILED" if failures else "ok: help, build and the CMake rule agree with outputs.def")
sys.exit(1 if failures else 0)
