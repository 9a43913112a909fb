#!/usr/bin/env python3
"""tests/gen/random_schemas.py: random valid schemas through `dolc check` and `dolc build`.

Issue 10, item 4: every schema the checker accepts must build. This program
writes random schemas that use every merge strategy and today's options
(tie_break, min_value/max_value/overflow_strategy, formatting/max_length,
append_only, bias="remove", escrow, @personal),
genes nested in genes, rga lists and or_set maps of genes, gene values under
lww, methods (assignments, +=/-=, push/insert/remove on lists, set and map
operations, text edits, if/else, let, returns, calls of other methods, struct
literals in both spellings) and constraints (sentence, require and inline
forms with reject_operation / flag_for_review / auto_adjust). Each schema is
checked (errors: the schema is counted as rejected and skipped; too many
rejections mean the generator is wrong and fail the run), then built (clang
to wasm); any build failure prints the schema and fails the run.

Deterministic: schema i of seed S depends only on (S, i).

  random_schemas.py --dolc build/dolc [--seed 1] [--count 24] [--jobs 2]
                    [--out DIR] [--keep]
DOLC_RANDOM_SCHEMAS in the environment (e.g. 300 for a long run) overrides
--count, so that a long run needs no change to the ctest command.
"""

import argparse
import concurrent.futures
import os
import random
import shutil
import subprocess
import sys
import tempfile

SCALARS = ["string", "i64", "i32", "u32", "u64", "bool", "f64", "Uuid", "Timestamp"]
INTS = ["i64", "i32", "u32", "u64"]
FIELD_WORDS = ["name", "title", "count", "level", "score", "memo", "owner", "status", "amount", "label",
               "total", "note", "flag", "kind", "size", "weight", "rank", "stamp", "tag", "value"]
# Names that are keywords in WIT, C++ or JS (escaped by every output).
ODD_WORDS = ["type", "state", "delete", "class", "new", "this_one", "from", "result"]


class Gene:
    def __init__(self, name, lit_name):
        self.name = name          # as declared
        self.lit_name = lit_name  # as written in a struct literal
        self.fields = []          # (name, kind, info) with kind in the Schema.* helpers below
        self.methods = []
        self.rules = []
        self.value_ok = True      # usable as a value (every field a value type)


class Schema:
    """One random schema; text() is the .dol source."""

    def __init__(self, rng, index):
        self.rng = rng
        self.index = index
        self.enums = []
        self.genes = []
        self.constraints = []
        self.leafs = []
        self.counter = 0
        # The later options (append_only, bias, escrow, @personal) are drawn
        # from their own generator, so that adding them left the structure of
        # every earlier schema (its fields, methods and constraints) as it was.
        self.orng = random.Random(index * 7919 + 17)

    def fresh(self, words):
        self.counter += 1
        return f"{self.rng.choice(words)}_{self.counter}"

    # ----- values --------------------------------------------------------------

    def scalar(self):
        r = self.rng.random()
        if r < 0.1 and self.enums:
            return self.rng.choice(self.enums)[0]
        if r < 0.18:
            return f"Option<{self.rng.choice(['string', 'i64', 'bool'])}>"
        return self.rng.choice(SCALARS)

    def literal(self, t):
        """A literal of scalar type t, or None when the type has none."""
        rng = self.rng
        if t == "string":
            return rng.choice(['"a"', '"hello"', '""', '"x y"', '"\\u{e9}t\\u{e9}"'])
        if t in ("i64", "i32"):
            return str(rng.choice([0, 1, 7, 42, 1000, -3]))
        if t in ("u32", "u64"):
            return str(rng.choice([0, 1, 9, 500]))
        if t == "bool":
            return rng.choice(["true", "false"])
        if t == "f64":
            return rng.choice(["1.5", "0.25", "3.0"])
        for name, variants in self.enums:
            if t == name:
                return f"{name}::{rng.choice(variants)}"
        if t.startswith("Option<"):
            inner = t[len("Option<"):-1]
            return "None" if rng.random() < 0.4 else f"Some({self.literal(inner)})"
        return None

    # ----- declarations ----------------------------------------------------------

    def crdt(self, strategy, opts):
        return f"@crdt({', '.join([strategy] + opts)})" if opts else f"@crdt({strategy})"

    def counter_opts(self):
        rng = self.rng
        opts = []
        lo = hi = None
        if rng.random() < 0.5:
            lo = rng.choice([-100, 0, 1])
            opts.append(f"min_value={lo}")
        if rng.random() < 0.5:
            hi = rng.choice([10, 1000, 100000])
            opts.append(f"max_value={hi}")
        if rng.random() < 0.4:
            opts.append(f'overflow_strategy="{rng.choice(["saturate", "wrap", "error"])}"')
        return opts, lo

    def leaf_gene(self, depth):
        """A gene used nested: its fields are value types (so it can be a value too)."""
        rng = self.rng
        n = len(self.genes)
        if rng.random() < 0.5:
            g = Gene(f"g{self.index}.part{n}", f"g{self.index}.part{n}")
        else:
            g = Gene(f"Part{self.index}x{n}", f"Part{self.index}x{n}")
        for _ in range(rng.randint(1, 4)):
            self.add_value_field(g)
        if depth < 2 and self.leafs and rng.random() < 0.3:
            inner = rng.choice(self.leafs)
            g.fields.append((self.fresh(FIELD_WORDS), "nested", inner))
        self.genes.append(g)
        self.leafs.append(g)
        return g

    def add_value_field(self, g):
        rng = self.rng
        name = self.fresh(ODD_WORDS if rng.random() < 0.08 else FIELD_WORDS)
        r = rng.random()
        if r < 0.45:
            t = self.scalar()
            opts = [f'tie_break="{rng.choice(["actor_id", "content_hash"])}"'] if rng.random() < 0.3 else []
            g.fields.append((name, "lww", (t, opts)))
        elif r < 0.6:
            g.fields.append((name, "immutable", (self.scalar(), [])))
        elif r < 0.72:
            g.fields.append((name, "mv", (rng.choice(["string", "i64", "bool"]), [])))
        elif r < 0.88:
            opts, lo = self.counter_opts()
            g.fields.append((name, "counter", (rng.choice(["i64", "i32"]), opts, lo)))
        else:
            g.fields.append((name, "text", ("string", self.text_opts())))

    def text_opts(self):
        rng = self.rng
        opts = []
        if rng.random() < 0.5:
            opts.append(f'formatting="{rng.choice(["plain", "markdown", "full"])}"')
        if rng.random() < 0.3:
            opts.append(f"max_length={rng.choice([1, 50, 20000])}")
        return opts

    def root_gene(self, k):
        rng = self.rng
        g = Gene(f"g{self.index}.root{k}", f"g{self.index}.root{k}")
        for _ in range(rng.randint(2, 4)):
            self.add_value_field(g)
        extra = rng.sample(["set", "map", "list", "text", "listg", "mapg", "nested", "geneval"], rng.randint(2, 6))
        for kind in extra:
            name = self.fresh(FIELD_WORDS)
            if kind == "set":
                g.fields.append((name, "set", rng.choice(["string", "i64", "u32", "Uuid"])))
            elif kind == "map":
                g.fields.append((name, "map", (rng.choice(["string", "i64"]), rng.choice(["string", "i64", "bool"]))))
            elif kind == "list":
                g.fields.append((name, "list", rng.choice(["string", "i64", "bool"])))
            elif kind == "text":
                g.fields.append((name, "text", (rng.choice(["RichText", "string"]), self.text_opts())))
            elif kind == "listg":
                g.fields.append((name, "listg", self.pick_leaf()))
            elif kind == "mapg":
                g.fields.append((name, "mapg", self.pick_leaf()))
            elif kind == "nested":
                g.fields.append((name, "nested", self.pick_leaf()))
            elif kind == "geneval":
                g.fields.append((name, "geneval", self.pick_leaf()))
        g.value_ok = False
        self.genes.append(g)
        return g

    def pick_leaf(self):
        if self.leafs and self.rng.random() < 0.6:
            return self.rng.choice(self.leafs)
        return self.leaf_gene(1)

    # ----- expressions -------------------------------------------------------------

    def readable(self, g, t):
        """Field reads of type t on g's root object."""
        out = []
        for name, kind, info in g.fields:
            if kind in ("lww", "immutable") and info[0] == t:
                out.append(f"this.{name}")
            if kind == "counter" and info[0] == t:
                out.append(f"this.{name}")
        return out

    def expr(self, g, t, params, depth=0):
        rng = self.rng
        choices = [p for p, pt in params if pt == t]
        choices += self.readable(g, t)
        lit = self.literal(t)
        if lit is not None:
            choices.append(lit)
        if not choices:
            return None
        e = rng.choice(choices)
        if t in ("i64", "i32") and depth < 2 and rng.random() < 0.3:
            other = self.expr(g, t, params, depth + 1)
            if other is not None:
                e = f"({e} {rng.choice(['+', '-', '*'])} {other})"
        return e

    def cond(self, g, params):
        rng = self.rng
        t = rng.choice(["i64", "i32", "bool", "string"])
        a = self.expr(g, t, params)
        b = self.expr(g, t, params)
        if a is None or b is None:
            return "true"
        if t == "bool":
            return rng.choice([a, f"!{a}", f"{a} == {b}", f"{a} && {b}", f"{a} || {b}"])
        if t == "string":
            return f"{a} {rng.choice(['==', '!='])} {b}"
        return f"{a} {rng.choice(['<', '<=', '>', '>=', '==', '!='])} {b}"

    def gene_value(self, g, leaf, params, depth=0):
        """A struct literal of leaf (some fields named), or a parameter of its type."""
        rng = self.rng
        for p, pt in params:
            if pt == leaf.name and rng.random() < 0.5:
                return p
        parts = []
        for name, kind, info in leaf.fields:
            # Some fields left at their defaults; a lower-case dotted name needs
            # one `name:` after its brace to read as a literal (language.md).
            if rng.random() < 0.25 and (parts or leaf.lit_name[0].isupper()):
                continue
            if kind == "nested":
                if depth > 2:
                    return None
                v = self.gene_value(g, info, params, depth + 1)
            else:
                # Values from the method's own gene (`this.`), its parameters or literals.
                v = self.expr(g, info[0], params)
            if v is None:
                return None
            parts.append(f"{name}: {v}")
        return f"{leaf.lit_name} {{ {', '.join(parts)} }}"

    def statement(self, g, params, depth):
        """One method statement over a random field of g (None when it has nothing to offer)."""
        rng = self.rng
        name, kind, info = rng.choice(g.fields)
        if kind == "immutable":  # a method may not change it (constraint-crdt-conflict)
            return None
        if kind in ("lww", "mv"):
            v = self.expr(g, info[0], params)
            if v is None:
                return None
            if kind == "lww" and info[0] in ("i64", "i32") and rng.random() < 0.4:
                return f"this.{name} {rng.choice(['+=', '-='])} {self.expr(g, info[0], params) or '1'}"
            return f"this.{name} = {v}"
        if kind == "counter":
            amount = self.expr(g, info[0], params) or "1"
            return rng.choice([f"this.{name} += {amount}", f"this.{name} -= {amount}",
                               f"this.{name}.increment({amount})", f"this.{name}.decrement()"])
        if kind == "text":
            s = self.expr(g, "string", params) or '"t"'
            return rng.choice([f"this.{name}.insert(0, {s})",
                               f"if this.{name}.len() > 0 {{\n{self.pad(depth + 1)}this.{name}.delete(0, 1)\n{self.pad(depth)}}}"])
        if kind == "set":
            v = self.expr(g, info, params)
            if v is None:
                return None
            return rng.choice([f"this.{name}.insert({v})", f"this.{name}.remove({v})",
                               f"if !this.{name}.contains({v}) {{\n{self.pad(depth + 1)}this.{name}.insert({v})\n{self.pad(depth)}}}"])
        if kind == "map":
            k = self.expr(g, info[0], params)
            v = self.expr(g, info[1], params)
            if k is None or v is None:
                return None
            return rng.choice([f"this.{name}.insert({k}, {v})", f"this.{name}.remove({k})"])
        if kind == "list":
            v = self.expr(g, info, params)
            if v is None:
                return None
            return rng.choice([f"this.{name}.push({v})", f"this.{name}.insert(0, {v})",
                               f"if this.{name}.len() > 0 {{\n{self.pad(depth + 1)}this.{name}.remove(0)\n{self.pad(depth)}}}"])
        if kind in ("listg", "mapg", "geneval"):
            v = self.gene_value(g, info, params)
            if v is None:
                return None
            if kind == "listg":
                return rng.choice([f"this.{name}.push({v})", f"this.{name}.insert(0, {v})",
                                   f"if this.{name}.len() > 1 {{\n{self.pad(depth + 1)}this.{name}.remove(1)\n{self.pad(depth)}}}"])
            if kind == "mapg":
                k = self.literal("string")
                return rng.choice([f"this.{name}.insert({k}, {v})", f"this.{name}.remove({k})"])
            return f"this.{name} = {v}"
        return None

    def pad(self, depth):
        return "    " + "  " * depth

    def block(self, g, params, depth, n):
        out = []
        rng = self.rng
        for _ in range(n):
            r = rng.random()
            if r < 0.15 and depth < 2:
                then = self.block(g, params, depth + 1, rng.randint(1, 2))
                s = f"if {self.cond(g, params)} {{\n{then}{self.pad(depth)}}}"
                if rng.random() < 0.5:
                    s += f" else {{\n{self.block(g, params, depth + 1, 1)}{self.pad(depth)}}}"
                out.append(s)
            elif r < 0.22:
                t = rng.choice(["i64", "string", "bool"])
                v = self.expr(g, t, params)
                if v is not None:
                    local = self.fresh(["tmp", "local"])
                    out.append(f"let {local} = {v}")
                    params = params + [(local, t)]
            elif r < 0.3 and g.methods:
                callee, cparams = rng.choice(g.methods)
                args = [self.expr(g, t, params) for _, t in cparams]
                if all(a is not None for a in args):
                    out.append(f"this.{callee}({', '.join(args)})")
            else:
                s = self.statement(g, params, depth)
                if s is not None:
                    out.append(s)
        return "".join(f"{self.pad(depth)}{s}\n" for s in out)

    def method(self, g):
        rng = self.rng
        name = self.fresh(["update", "apply", "touch", "record", "reset", "bump"])
        params = []
        for _ in range(rng.randint(0, 3)):
            t = rng.choice(["i64", "string", "bool", "i32"] + [l.name for l in self.leafs if l.value_ok][:2])
            params.append((self.fresh(["p", "arg", "amount", "who"]), t))
        sig = ", ".join(f"{p}: {t}" for p, t in params)
        body = self.block(g, params, 0, rng.randint(1, 5))
        r = rng.random()
        ret = ""
        if r < 0.2:
            v = self.expr(g, "i64", params)
            if v is not None:
                ret = " -> i64"
                body += f"{self.pad(0)}return {v}\n"
        elif r < 0.35:
            ret = " -> Result<i64, string>"
            body = (f"{self.pad(0)}if {self.cond(g, params)} {{\n{self.pad(1)}return Err(\"refused\")\n"
                    f"{self.pad(0)}}}\n" + body + f"{self.pad(0)}return Ok({self.expr(g, 'i64', params) or '0'})\n")
        g.methods.append((name, params if not ret else [(p, t) for p, t in params]))
        if ret:
            g.methods.pop()  # only unit methods are called as statements
        return f"  fun {name}({sig}){ret} {{\n{body}  }}\n"

    def constraints_for(self, g):
        rng = self.rng
        out = []
        ints = [(n, k, i) for n, k, i in g.fields if k in ("counter", "lww") and i[0] in INTS + ["i64", "i32"]]
        strs = [(n, k, i) for n, k, i in g.fields if k == "lww" and i[0] == "string"]
        imm = [n for n, k, _ in g.fields if k == "immutable"]
        policy = lambda: rng.choice(["reject_operation", "flag_for_review", "auto_adjust"])
        for _ in range(rng.randint(0, 3)):
            self.counter += 1
            cname = f"g{self.index}.rule{self.counter}"
            form = rng.random()
            if ints and form < 0.45:
                f, _, info = rng.choice(ints)
                lo = 0 if info[0].startswith("u") else rng.choice([-10, 0, 5])
                op, bound = rng.choice([(">=", lo), ("<=", 1000), (">", lo), ("<", 100000)])
                out.append(f"constraint {cname} on {g.name} {{\n  {f} always {op} {bound}\n"
                           f"  on_violation: {policy()}\n}}\n")
            elif (ints or strs) and form < 0.8:
                if strs and (not ints or rng.random() < 0.4):
                    f = rng.choice(strs)[0]
                    req = f'self.{f} != "forbidden"'
                else:
                    f = rng.choice(ints)[0]
                    req = f"self.{f} >= 0 || self.{f} < 0"
                out.append(f"constraint {cname} on {g.name} {{\n  require: {req}\n"
                           f"  on_violation: {policy()}\n}}\n")
            elif imm:
                out.append(f"constraint {cname} on {g.name} {{\n  {g.name.split('.')[-1]} never changes {rng.choice(imm)}\n}}\n")
        if ints and rng.random() < 0.3:
            f = rng.choice(ints)[0]
            g.rules.append(f"  rule positive_{self.counter} {{ this.{f} >= 0 || this.{f} < 0 }}\n")
        return out

    # ----- text ----------------------------------------------------------------------

    def build(self):
        rng = self.rng
        if rng.random() < 0.5:
            self.enums.append((f"Mood{self.index}", ["Calm", "Busy", "Away"][: rng.randint(1, 3)]))
        for _ in range(rng.randint(0, 2)):
            self.leaf_gene(0)
        roots = [self.root_gene(k) for k in range(rng.randint(1, 2))]
        for g in roots + [l for l in self.leafs if rng.random() < 0.3]:
            method_text = [self.method(g) for _ in range(rng.randint(1, 4))]
            g.method_text = method_text
            self.constraints += self.constraints_for(g)

    def maybe(self, p, text):
        return text if self.orng.random() < p else None

    def field_text(self, name, kind, info):
        personal = " @personal" if self.orng.random() < 0.12 else ""
        if kind == "lww":
            return f"  {self.crdt('lww', info[1])}{personal}\n  has {name}: {info[0]}\n"
        if kind == "immutable":
            return f"  @crdt(immutable){personal}\n  has {name}: {info[0]}\n"
        if kind == "mv":
            return f"  @crdt(mv_register)\n  has {name}: {info[0]}\n"
        if kind == "counter":
            # escrow needs a lower bound (crdt.md); counters here are integers.
            escrow = ["escrow=true"] if info[2] is not None and self.orng.random() < 0.3 else []
            return f"  {self.crdt('pn_counter', info[1] + escrow)}\n  has {name}: {info[0]}\n"
        if kind == "text":
            return f"  {self.crdt('peritext', info[1])}\n  has {name}: {info[0]}\n"
        bias = [self.maybe(0.25, 'bias="remove"')] if kind in ("set", "map", "mapg") else []
        append_only = [self.maybe(0.25, "append_only=true")] if kind in ("list", "listg") else []
        opts = [o for o in bias + append_only if o]
        if kind == "set":
            return f"  {self.crdt('or_set', opts)}\n  has {name}: Set<{info}>\n"
        if kind == "map":
            return f"  {self.crdt('or_set', opts)}\n  has {name}: Map<{info[0]}, {info[1]}>\n"
        if kind == "list":
            return f"  {self.crdt('rga', opts)}\n  has {name}: List<{info}>\n"
        if kind == "listg":
            return f"  {self.crdt('rga', opts)}\n  has {name}: List<{info.name}>\n"
        if kind == "mapg":
            return f"  {self.crdt('or_set', opts)}\n  has {name}: Map<string, {info.name}>\n"
        if kind == "nested":
            return f"  has {name}: {info.name}\n"
        if kind == "geneval":
            return f"  @crdt(lww)\n  has {name}: {info.name}\n"
        raise ValueError(kind)

    def text(self):
        out = [f"// random schema {self.index}\nmodule g{self.index} @ 0.1.0\n\n"]
        for name, variants in self.enums:
            out.append(f"type {name} = enum {{ {', '.join(variants)} }}\n\n")
        for g in self.genes:
            out.append(f"gen {g.name} @ 0.1.0 {{\n")
            out += [self.field_text(*f) + "\n" for f in g.fields]
            out += g.rules
            out += getattr(g, "method_text", [])
            out.append("}\n\n")
        out += [c + "\n" for c in self.constraints]
        return "".join(out)


def generate(seed, index):
    s = Schema(random.Random(seed * 1_000_003 + index), index)
    s.build()
    return s.text()


def run_one(dolc, seed, index, workdir, timeout):
    """Returns (index, status, text, log): status in clean/warned/rejected/failed."""
    text = generate(seed, index)
    d = os.path.join(workdir, f"s{index}")
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, f"g{index}.dol")
    with open(src, "w") as f:
        f.write(text)
    chk = subprocess.run([dolc, "check", src], capture_output=True, text=True, timeout=timeout)
    if chk.returncode != 0:
        return index, "rejected", text, chk.stdout + chk.stderr
    try:
        bld = subprocess.run([dolc, "build", src, "-o", os.path.join(d, "out")], capture_output=True, text=True,
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        return index, "failed", text, "dolc build timed out"
    log = bld.stdout + bld.stderr
    if bld.returncode != 0 or "error" in log.replace("[not-compiled]", ""):
        return index, "failed", text, log
    ok = os.path.exists(os.path.join(d, "out", f"g{index}.wasm"))
    return index, ("warned" if "warning" in log else "clean") if ok else "failed", text, log


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dolc", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=6)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--max-rejected", type=float, default=0.1, help="largest fraction the checker may reject")
    ap.add_argument("--out", help="work directory (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--print", type=int, metavar="I", help="print schema I and exit")
    ap.add_argument("--timeout", type=int, default=600)
    a = ap.parse_args()
    if os.environ.get("DOLC_RANDOM_SCHEMAS"):  # a long run without editing the ctest command
        a.count = int(os.environ["DOLC_RANDOM_SCHEMAS"])
    if a.print is not None:
        sys.stdout.write(generate(a.seed, a.print))
        return 0
    workdir = a.out or tempfile.mkdtemp(prefix="dolc-random-")
    os.makedirs(workdir, exist_ok=True)
    counts = {"clean": 0, "warned": 0, "rejected": 0, "failed": 0}
    failures = []
    rejected = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = [pool.submit(run_one, a.dolc, a.seed, i, workdir, a.timeout) for i in range(a.count)]
        for fut in futures:
            index, status, text, log = fut.result()
            counts[status] += 1
            if status == "failed":
                failures.append((index, text, log))
            elif status == "rejected":
                rejected.append((index, log))
    for index, text, log in failures:
        print(f"==== schema {index} (seed {a.seed}) checks clean but does not build:\n{text}\n---- dolc build:\n{log}")
    for index, log in rejected[:3]:
        print(f"---- schema {index} (seed {a.seed}) rejected by the checker:\n{log}")
    print(f"seed {a.seed}, {a.count} schemas: {counts['clean']} clean, {counts['warned']} with warnings, "
          f"{counts['rejected']} rejected by the checker, {counts['failed']} failed to build")
    if not a.keep and not a.out:
        shutil.rmtree(workdir, ignore_errors=True)
    if failures:
        return 1
    if counts["rejected"] > a.max_rejected * a.count:
        print(f"more than {a.max_rejected:.0%} of the schemas were rejected: the generator writes invalid schemas")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
