#!/usr/bin/env python3
"""tests/warnings/check_warnings.py: compiles every source of compiler/ with a
second C++ compiler (clang++), syntax only, under -Wall -Wextra -Werror.

The main build uses g++ with the same flags (compiler/CMakeLists.txt), so a
construct one compiler accepts and the other rejects or warns about (a
structured binding captured by a lambda is C++20 to clang) is caught in CI
without a second full build: -fsyntax-only skips code generation, which is
most of the time of a build.

The flags of each file (include paths, definitions, the standard) come from
the build's compile_commands.json, so the check follows the build as it
changes. Generated sources (the ANTLR parser, embedded text) live in the build
tree and are skipped; headers outside compiler/ (the ANTLR runtime, the
generated parser headers, fmt, nlohmann) are passed as -isystem so that only
our code is judged. Debian's clang++ 14 rejects one ANTLR 4.9 runtime header:
--antlr-clang-include names the patched copy compiler/parse/CMakeLists.txt
makes for clang.

Usage: check_warnings.py --compile-commands build/compile_commands.json
         --source-root . --compiler clang++ [--antlr-include DIR
         --antlr-clang-include DIR] [--jobs N]
Exit status 0 when every file compiles without a warning, 1 otherwise (the
compiler's messages are printed), 2 on usage errors.
"""
import argparse
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys
import time

WARNING_FLAGS = ["-Wall", "-Wextra", "-Werror"]


def file_flags(entry, source_root, args):
    """The flags of one compile command that matter for a syntax-only check:
    include paths, definitions and the standard. Include paths outside
    compiler/ become -isystem (their warnings are not ours)."""
    words = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    compiler_dir = os.path.join(source_root, "compiler")
    flags = []
    i = 1  # words[0] is the compiler
    while i < len(words):
        w = words[i]
        i += 1
        if w.startswith("-std="):
            flags.append(w)
            continue
        kind = next((k for k in ("-isystem", "-I", "-D", "-U") if w.startswith(k)), None)
        if kind is None:
            continue
        value = w[len(kind):]
        if not value and i < len(words):  # `-I dir`: the value is the next word
            value = words[i]
            i += 1
        if kind in ("-D", "-U"):
            flags.append(kind + value)
            continue
        path = os.path.normpath(os.path.join(entry.get("directory", ""), value))
        if args.antlr_include and args.antlr_clang_include and path == os.path.normpath(args.antlr_include):
            path = args.antlr_clang_include
        ours = path == compiler_dir or path.startswith(compiler_dir + os.sep)
        flags += ["-I", path] if ours else ["-isystem", path]
    return flags


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--compile-commands", required=True)
    p.add_argument("--source-root", required=True)
    p.add_argument("--compiler", required=True)
    p.add_argument("--antlr-include", default="", help="the ANTLR runtime include dir of the build")
    p.add_argument("--antlr-clang-include", default="", help="its copy patched for clang")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = p.parse_args()

    source_root = os.path.realpath(args.source_root)
    compiler_dir = os.path.join(source_root, "compiler") + os.sep
    try:
        with open(args.compile_commands) as f:
            entries = json.load(f)
    except (OSError, ValueError) as e:
        print(f"check_warnings: cannot read {args.compile_commands}: {e}", file=sys.stderr)
        return 2

    jobs = []
    seen = set()
    for entry in entries:
        path = os.path.realpath(os.path.join(entry.get("directory", ""), entry["file"]))
        # Our sources only: generated files live in the build tree, not under compiler/.
        if not path.startswith(compiler_dir) or not path.endswith(".cpp") or path in seen:
            continue
        seen.add(path)
        cmd = [args.compiler, "-fsyntax-only"] + file_flags(entry, source_root, args) + WARNING_FLAGS + [path]
        jobs.append((os.path.relpath(path, source_root), cmd))
    if not jobs:
        print("check_warnings: no source of compiler/ in " + args.compile_commands, file=sys.stderr)
        return 2

    start = time.monotonic()

    def run(job):
        name, cmd = job
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return name, cmd, r.returncode, r.stdout

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for name, cmd, rc, out in pool.map(run, sorted(jobs)):
            if rc != 0 or out.strip():
                failed += 1
                print(f"== {name}: warnings or errors under {args.compiler}")
                print("   " + " ".join(shlex.quote(c) for c in cmd))
                print(out)
    elapsed = time.monotonic() - start
    print(f"{len(jobs)} files of compiler/ checked with {args.compiler} {' '.join(WARNING_FLAGS)} "
          f"in {elapsed:.1f} s: {failed} with warnings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
