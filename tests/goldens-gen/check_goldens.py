#!/usr/bin/env python3
"""tests/goldens-gen/check_goldens.py: checked-in goldens of generated code.

For every examples/*.dol, runs `dolc build FILE -o TMP --emit=wit,cpp` and
compares the generated NAME.wit, NAME.hpp and NAME.cpp with
tests/goldens-gen/NAME/ (the fixed dolc_gen_* support files are not kept:
they do not depend on the schema). A change to the generators shows in review
as a diff of real output.

  check_goldens.py --dolc build/dolc            # compare; prints a unified diff on mismatch
  check_goldens.py --dolc build/dolc --update   # rewrite the goldens from the current dolc
  check_goldens.py --dolc build/dolc --only chat
"""
import argparse
import difflib
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDENS = pathlib.Path(__file__).resolve().parent
KEPT = (".wit", ".hpp", ".cpp")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dolc", required=True)
    ap.add_argument("--examples", default=str(ROOT / "examples"))
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--only", default=None, help="one example stem")
    args = ap.parse_args()
    args.dolc = str(pathlib.Path(args.dolc).resolve())

    examples = sorted(pathlib.Path(args.examples).glob("*.dol"))
    if args.only:
        examples = [e for e in examples if e.stem == args.only]
    if not examples:
        print(f"no examples found in {args.examples}", file=sys.stderr)
        return 1
    failures = 0
    for example in examples:
        name = example.stem
        with tempfile.TemporaryDirectory() as tmp:
            run = subprocess.run([args.dolc, "build", str(example), "-o", tmp, "--emit=wit,cpp"],
                                 capture_output=True, text=True, cwd=example.parent)
            if run.returncode != 0:
                print(f"FAIL {name}: dolc build exited {run.returncode}\n{run.stderr}")
                failures += 1
                continue
            produced = {p.name: p.read_text() for p in pathlib.Path(tmp).iterdir()
                        if p.name.startswith(name + ".") and p.suffix in KEPT}
        golden_dir = GOLDENS / name
        if args.update:
            if golden_dir.exists():
                shutil.rmtree(golden_dir)
            golden_dir.mkdir(parents=True)
            for file, text in sorted(produced.items()):
                (golden_dir / file).write_text(text)
            print(f"updated {name}: {', '.join(sorted(produced))}")
            continue
        expected = {p.name: p.read_text() for p in golden_dir.glob("*")} if golden_dir.exists() else {}
        if not expected:
            print(f"FAIL {name}: no goldens in {golden_dir} (run with --update)")
            failures += 1
            continue
        for file in sorted(set(expected) | set(produced)):
            a = expected.get(file, "").splitlines(keepends=True)
            b = produced.get(file, "").splitlines(keepends=True)
            if a != b:
                failures += 1
                print(f"FAIL {name}/{file} differs from the golden:")
                sys.stdout.writelines(difflib.unified_diff(a, b, f"golden/{name}/{file}", f"generated/{file}"))
            else:
                print(f"ok   {name}/{file}")
    if failures:
        print(f"{failures} golden mismatch(es); if the change is intended: "
              f"tests/goldens-gen/check_goldens.py --dolc {args.dolc} --update")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
