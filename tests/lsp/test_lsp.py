#!/usr/bin/env python3
"""tests/lsp: a scripted LSP client session against `dolc lsp`.

Usage: test_lsp.py PATH/TO/dolc CASE   (CASE: session, errors, lifecycle, imports)

Speaks LSP over the server's stdin/stdout with Content-Length framing, reads
replies on a thread with timeouts (a hung server fails the test, it never
blocks it), and asserts on every reply. Diagnostics are compared with what
`dolc check --error-format=json` reports for the same text, converted to LSP
ranges (0-based lines, UTF-16 columns) independently of the server.
"""
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading

DOLC = None
FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, file=sys.stderr)


class Client:
    def __init__(self, *args, cwd=None):
        self.proc = subprocess.Popen([DOLC, "lsp", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=cwd)
        self.inbox = queue.Queue()
        self.next_id = 1
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                line = line.decode("ascii").rstrip("\r\n")
                if not line:
                    break
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
            body = out.read(int(headers["content-length"]))
            self.inbox.put(json.loads(body))

    def send_raw(self, data: bytes):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg):
        body = json.dumps(msg).encode("utf-8")
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method, params=None):
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def request(self, method, params=None):
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self.wait(lambda m: m.get("id") == rid and "method" not in m)

    def wait(self, pred, timeout=30):
        """The next message satisfying pred; messages before it are dropped."""
        while True:
            try:
                m = self.inbox.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError("timed out waiting for a message from dolc lsp")
            if m is None:
                raise AssertionError("dolc lsp closed its output")
            if pred(m):
                return m

    def diagnostics(self, uri, timeout=30):
        m = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri,
                      timeout)
        return m["params"]["diagnostics"]

    def initialize(self):
        r = self.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
        self.notify("initialized", {})
        return r

    def open(self, uri, text, version=1):
        self.notify("textDocument/didOpen",
                    {"textDocument": {"uri": uri, "languageId": "dol", "version": version, "text": text}})

    def change(self, uri, text, version):
        self.notify("textDocument/didChange",
                    {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]})

    def finish(self):
        r = self.request("shutdown")
        check(r.get("result", "missing") is None and "error" not in r, "shutdown answers null: %r" % r)
        self.notify("exit")
        rc = self.proc.wait(timeout=30)
        check(rc == 0, "exit after shutdown gives status 0, got %r" % rc)


def uri_of(path):
    return "file://" + path


def utf16_col(line_text: str, byte_col0: int) -> int:
    """UTF-16 column of a 0-based byte column in a line."""
    prefix = line_text.encode("utf-8")[:byte_col0].decode("utf-8", errors="replace")
    return len(prefix.encode("utf-16-le")) // 2


def dolc_check_json(path):
    p = subprocess.run([DOLC, "check", path, "--error-format=json"], capture_output=True, text=True)
    return json.loads(p.stdout)


def expected_lsp_diagnostics(path, text):
    lines = text.split("\n")
    out = []
    for d in dolc_check_json(path):
        sl, el = d["line"] - 1, d["end_line"] - 1
        out.append({
            "code": d["rule"],
            "range": {"start": {"line": sl, "character": utf16_col(lines[sl], d["column"] - 1)},
                      "end": {"line": el, "character": utf16_col(lines[el], d["end_column"] - 1)}},
            "severity": {"error": 1, "warning": 2, "note": 3}[d["severity"]],
        })
    return out


def essentials(diags):
    return [{"code": d.get("code"), "range": d["range"], "severity": d["severity"]} for d in diags]


GOOD = """module shop @ 1.0.0

gen shop.item @ 1.0.0 {
  @crdt(immutable)
  has id: Uuid

  docs { A thing on sale. }
}

gen shop.cart @ 1.0.0 {
  // Prix en € — 🛒 panier partagé
  @crdt(pn_counter, min_value=0, max_value=100)
  has quantity: i64

  @crdt(peritext, formatting="markdown", max_length=500)
  has note: RichText

  @crdt(rga)
  has items: List<shop.item>

  docs {
    A shopping cart that several people fill at once.
  }
}
"""

# The same schema with a mistake on a line that has non-ASCII text before it.
BAD = GOOD.replace('  has note: RichText', '  has note: RichText\n\n  /* café 🍰 */ @crdt(pn_countr) has count: i64')


def pos_of(text, needle, delta=0):
    """LSP position (UTF-16) of the first occurrence of needle, plus delta characters."""
    i = text.index(needle)
    line = text.count("\n", 0, i)
    line_start = text.rfind("\n", 0, i) + 1
    col = len(text[line_start:i].encode("utf-16-le")) // 2
    return {"line": line, "character": col + delta}


def case_session(tmp):
    c = Client()
    init = c.initialize()
    caps = init["result"]["capabilities"]
    sync = caps["textDocumentSync"]
    check((sync if isinstance(sync, int) else sync.get("change")) == 1, "full text sync: %r" % sync)
    check(caps.get("hoverProvider") is True, "hoverProvider")
    check(caps.get("definitionProvider") is True, "definitionProvider")
    check(caps.get("documentSymbolProvider") is True, "documentSymbolProvider")
    check("completionProvider" in caps, "completionProvider")
    check(init["result"]["serverInfo"]["name"] == "dolc", "serverInfo")

    path = os.path.join(tmp, "cart.dol")
    with open(path, "w", encoding="utf-8") as f:
        f.write(BAD)
    uri = uri_of(path)
    c.open(uri, BAD)
    diags = c.diagnostics(uri)
    expected = expected_lsp_diagnostics(path, BAD)
    check(len(expected) == 1 and expected[0]["code"] == "crdt-unknown-strategy",
          "dolc check reports crdt-unknown-strategy once: %r" % expected)
    check(essentials(diags) == expected, "LSP diagnostics equal dolc check's:\n %r\n %r" % (essentials(diags), expected))
    # The range is in UTF-16 units: `  /* café 🍰 */ @crdt(` is 22 units (🍰 is 2), 25 bytes.
    want = pos_of(BAD, "pn_countr")
    check(want["character"] == 22, "test's own position arithmetic: %r" % want)
    check(diags and diags[0]["range"]["start"] == want, "range starts at the strategy: %r" % (diags and diags[0]["range"]))
    check(diags and diags[0]["range"]["end"] == pos_of(BAD, "pn_countr", 9), "range ends after it")
    check(diags and diags[0].get("source") == "dolc", "source is dolc")
    check(diags and "pn_counter" in diags[0]["message"], "message and its did-you-mean note: %r" % diags)

    c.change(uri, GOOD, 2)
    check(c.diagnostics(uri) == [], "diagnostics cleared after the fix")

    # Hover on a field: type, strategy and options in sentences.
    h = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": pos_of(GOOD, "quantity", 2)})
    text = h["result"]["contents"]["value"]
    for want in ["has quantity: i64", "shop.cart", "pn_counter", "increment and decrement", "min_value=0", "below 0",
                 "max_value=100", "above 100"]:
        check(want in text, "field hover mentions %r: %r" % (want, text))
    # ... and on its annotation.
    h = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": pos_of(GOOD, "peritext", 1)})
    text = h["result"]["contents"]["value"]
    for want in ["has note: RichText", "peritext", "formatting=markdown", "max_length=500"]:
        check(want in text, "annotation hover mentions %r: %r" % (want, text))
    # Hover on a gene, declared and used.
    h = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": pos_of(GOOD, "List<shop.item>", 8)})
    text = h["result"]["contents"]["value"]
    check("gen shop.item" in text and "A thing on sale." in text, "gene hover has its docs: %r" % text)
    h = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": pos_of(GOOD, "shop.cart @", 2)})
    check("several people fill" in h["result"]["contents"]["value"], "hover on a gene's declaration")
    # Positions in UTF-16 on a line with non-ASCII text: after 🛒🛒 (4 units,
    # 8 bytes) the cursor is on `shop.item`; read as bytes it would be on `List`.
    text5 = GOOD.replace("  has note: RichText",
                         "  has note: RichText\n\n  /* 🛒🛒 */ @crdt(rga) has more: List<shop.item>")
    c.change(uri, text5, 5)
    check([x["code"] for x in c.diagnostics(uri)] == [], "text5 clean")
    at = pos_of(text5, "shop.item>", 1)
    check(at["character"] == len("  /* 🛒🛒 */ @crdt(rga) has more: List<s".encode("utf-16-le")) // 2,
          "test's own arithmetic")
    d = c.request("textDocument/definition", {"textDocument": {"uri": uri}, "position": at})
    check(d["result"] and d["result"]["range"]["start"] == pos_of(text5, "shop.item @"),
          "definition after emoji: %r" % d)
    h = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": at})
    check(h["result"] and "gen shop.item" in h["result"]["contents"]["value"], "hover after emoji: %r" % h)
    c.change(uri, GOOD, 6)
    c.diagnostics(uri)
    # Hover on nothing in particular.
    h = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 0}})
    check(h.get("result") is None and "error" not in h, "hover on a blank line is null: %r" % h)

    # Definition of a gene used as a type.
    d = c.request("textDocument/definition",
                  {"textDocument": {"uri": uri}, "position": pos_of(GOOD, "List<shop.item>", 7)})
    loc = d["result"]
    check(loc and loc["uri"] == uri and loc["range"]["start"] == pos_of(GOOD, "shop.item @"),
          "definition of shop.item: %r" % loc)

    # Document symbols: genes and their fields.
    s = c.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})["result"]
    names = [(x["name"], [y["name"] for y in x.get("children", [])]) for x in s]
    check(("shop.cart", ["quantity", "note", "items"]) in names, "symbols: %r" % names)

    # Completion: strategies inside @crdt(, options after the strategy.
    text3 = GOOD.replace("  has note: RichText", "  has note: RichText\n  @crdt(")
    c.change(uri, text3, 7)
    c.diagnostics(uri)
    r = c.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": pos_of(text3, "  @crdt(\n", 8)})
    labels = [i["label"] for i in r["result"]]
    check(set(labels) == {"immutable", "lww", "mv_register", "or_set", "pn_counter", "rga", "peritext"},
          "strategy completion: %r" % labels)
    text4 = text3.replace("  @crdt(\n", "  @crdt(pn_counter, \n")
    c.change(uri, text4, 8)
    c.diagnostics(uri)
    r = c.request("textDocument/completion",
                  {"textDocument": {"uri": uri}, "position": pos_of(text4, "  @crdt(pn_counter, \n", 20)})
    labels = [i["label"] for i in r["result"]]
    check({"min_value", "max_value", "overflow_strategy"} <= set(labels), "option completion: %r" % labels)

    # The RFC dialect (fields without `has`): hover, and definition from
    # `constraint ... on` and `evo`, on the example as it is on disk.
    ledger_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "ledger.dol")
    ledger_path = os.path.realpath(ledger_path)
    with open(ledger_path, encoding="utf-8") as f:
        ledger = f.read()
    luri = uri_of(ledger_path)
    c.open(luri, ledger)
    check(c.diagnostics(luri) == [], "ledger.dol checks clean")
    h = c.request("textDocument/hover", {"textDocument": {"uri": luri}, "position": pos_of(ledger, "confirmed_balance: i64", 3)})
    text = h["result"]["contents"]["value"]
    for want in ["pn_counter", "min_value=-1000", "max_value=1000", "overflow_strategy=error", "refused"]:
        check(want in text, "ledger hover mentions %r: %r" % (want, text))
    # Fields named in expressions: a method body, a constraint on the gene.
    for needle, delta in [("this.confirmed_balance -= amount", 7), ("credit_limit always", 3),
                          ("self.display_name", 8)]:
        h = c.request("textDocument/hover", {"textDocument": {"uri": luri}, "position": pos_of(ledger, needle, delta)})
        name = needle.replace("this.", "").replace("self.", "").split()[0]
        check(h["result"] and ("has %s:" % name) in h["result"]["contents"]["value"],
              "hover on %r: %r" % (needle, h))
        d = c.request("textDocument/definition", {"textDocument": {"uri": luri}, "position": pos_of(ledger, needle, delta)})
        check(d["result"] and d["result"]["range"]["start"] == pos_of(ledger, "  %s:" % name, 2),
              "definition of the field in %r: %r" % (needle, d))
    h = c.request("textDocument/hover", {"textDocument": {"uri": luri}, "position": pos_of(ledger, "NamedAccount on", 3)})
    text = h["result"]["contents"]["value"] if h.get("result") else ""
    check("constraint NamedAccount" in text and "Every account has a display name." in text,
          "hover on a constraint: %r" % h)
    account = pos_of(ledger, "gen account @", 4)
    for needle in ["on account {", "evo account @ 1.2.0", "Map<string, account.entry>"]:
        delta = {"on account {": 4, "evo account @ 1.2.0": 5, "Map<string, account.entry>": 17}[needle]
        d = c.request("textDocument/definition", {"textDocument": {"uri": luri}, "position": pos_of(ledger, needle, delta)})
        want = pos_of(ledger, "account.entry @") if needle.startswith("Map") else account
        check(d["result"] and d["result"]["uri"] == luri and d["result"]["range"]["start"] == want,
              "definition from %r: %r" % (needle, d))

    # A trait from the standard library, and the module of a `use` line.
    mixed_path = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden",
                                               "dialects", "mixed.dol"))
    with open(mixed_path, encoding="utf-8") as f:
        mixed = f.read()
    muri = uri_of(mixed_path)
    c.open(muri, mixed)
    check(c.diagnostics(muri) == [], "mixed.dol checks clean")
    for needle, delta in [("is Syncable", 5), ("stdlib.sync.{", 8)]:
        d = c.request("textDocument/definition", {"textDocument": {"uri": muri}, "position": pos_of(mixed, needle, delta)})
        check(d["result"] and d["result"]["uri"].endswith("/stdlib-dol/stdlib/sync.dol"),
              "definition from %r into the standard library: %r" % (needle, d))

    c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    check(c.diagnostics(uri) == [], "close clears the document's diagnostics")
    c.finish()


def case_errors(tmp):
    c = Client()
    # A request before initialize: ServerNotInitialized; a notification is dropped.
    c.notify("textDocument/didOpen", {"textDocument": {"uri": "file:///x.dol", "version": 1, "text": "gen"}})
    r = c.request("textDocument/hover", {"textDocument": {"uri": "file:///x.dol"}, "position": {"line": 0, "character": 0}})
    check(r.get("error", {}).get("code") == -32002, "request before initialize: %r" % r)
    c.initialize()
    # Malformed JSON: ParseError with a null id, and the server goes on.
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json")
    r = c.wait(lambda m: "error" in m)
    check(r["error"]["code"] == -32700 and r["id"] is None, "bad JSON gives ParseError: %r" % r)
    # A frame without Content-Length: ParseError too.
    c.send_raw(b"Content-Type: application/vscode-jsonrpc\r\n\r\n")
    r = c.wait(lambda m: "error" in m)
    check(r["error"]["code"] == -32700, "missing Content-Length gives ParseError: %r" % r)
    # Invalid UTF-8 in a body.
    body = b'{"jsonrpc":"2.0","id":99,"method":"x","params":"\xff\xfe"}'
    c.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    r = c.wait(lambda m: "error" in m)
    check(r["error"]["code"] == -32700, "invalid UTF-8 gives ParseError: %r" % r)
    # Not an object; no method.
    c.send_raw(b"Content-Length: 2\r\n\r\n[]")
    r = c.wait(lambda m: "error" in m)
    check(r["error"]["code"] == -32600, "a batch array gives InvalidRequest: %r" % r)
    # Unknown method: MethodNotFound; unknown notification: nothing.
    c.notify("$/somethingNew", {})
    c.notify("workspace/unknownThing", {"x": 1})
    r = c.request("textDocument/frobnicate", {})
    check(r.get("error", {}).get("code") == -32601, "unknown method gives MethodNotFound: %r" % r)
    # Bad params.
    r = c.request("textDocument/hover", {"textDocument": {"uri": 42}})
    check(r.get("error", {}).get("code") == -32602, "bad params give InvalidParams: %r" % r)
    r = c.request("textDocument/hover", {"textDocument": {"uri": "file:///not/open.dol"}, "position": {"line": 0, "character": 0}})
    check(r.get("error", {}).get("code") == -32602, "a document not open gives InvalidParams: %r" % r)
    r = c.request("initialize", {})
    check(r.get("error", {}).get("code") == -32600, "a second initialize is refused: %r" % r)
    # A document with syntax errors, one with binary junk, a huge one: diagnostics, no crash.
    uri = uri_of(os.path.join(tmp, "broken.dol"))
    c.open(uri, "gen a.b @ 1.0.0 {\n  has x: \n  @crdt(\n")
    d = c.diagnostics(uri)
    check(d and all(x["code"] == "syntax-error" for x in d), "syntax errors reported: %r" % d)
    r = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 99, "character": 99}})
    check("error" not in r, "hover past the end of a broken document: %r" % r)
    r = c.request("textDocument/definition", {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 4}})
    check("error" not in r, "definition in a broken document: %r" % r)
    junk = "".join(chr(i) for i in range(0, 0x800)) + "\ud7ff\ue000\U0001f600" * 100
    uri2 = uri_of(os.path.join(tmp, "junk.dol"))
    c.open(uri2, junk)
    d = c.diagnostics(uri2)
    check(len(d) >= 1, "binary junk gets diagnostics")
    for x in d:
        ln = x["range"]["start"]["line"]
        check(0 <= ln < junk.count("\n") + 1, "ranges inside the junk document")
    big = GOOD + ("\n// " + "x" * 200) * 20000  # about 4 MB
    uri3 = uri_of(os.path.join(tmp, "big.dol"))
    c.open(uri3, big)
    check(c.diagnostics(uri3, timeout=60) == [], "a 4 MB document checks clean")
    r = c.request("textDocument/documentSymbol", {"textDocument": {"uri": uri3}})
    check(isinstance(r.get("result"), list) and len(r["result"]) == 2, "symbols of the big document")
    # A length over the limit: answered at once, then the body is skipped.
    c.send_raw(b"Content-Length: 99999999999\r\n\r\n")
    r = c.wait(lambda m: "error" in m)
    check(r["error"]["code"] == -32700 and "larger than the limit" in r["error"]["message"], "huge frame: %r" % r)
    c.proc.stdin.close()
    check(c.proc.wait(timeout=30) == 1, "end of input while skipping gives status 1")


def case_lifecycle(tmp):
    # exit without shutdown: status 1.
    c = Client()
    c.initialize()
    c.notify("exit")
    check(c.proc.wait(timeout=30) == 1, "exit without shutdown gives status 1")
    # After shutdown, requests are refused; exit then gives 0.
    c = Client()
    c.initialize()
    r = c.request("shutdown")
    check(r.get("result", "x") is None, "shutdown")
    r = c.request("textDocument/hover", {"textDocument": {"uri": "file:///a.dol"}, "position": {"line": 0, "character": 0}})
    check(r.get("error", {}).get("code") == -32600, "request after shutdown gives InvalidRequest: %r" % r)
    c.notify("exit")
    check(c.proc.wait(timeout=30) == 0, "exit after shutdown gives status 0")
    # End of input without exit: status 1, no hang.
    c = Client()
    c.initialize()
    c.proc.stdin.close()
    check(c.proc.wait(timeout=30) == 1, "end of input gives status 1")
    # Usage errors and help.
    p = subprocess.run([DOLC, "lsp", "--bogus"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    check(p.returncode == 2 and "unknown option" in p.stderr, "unknown option: %r" % p.stderr)
    p = subprocess.run([DOLC, "help", "lsp"], capture_output=True, text=True)
    check(p.returncode == 0 and "Language Server Protocol" in p.stdout, "dolc help lsp")
    p = subprocess.run([DOLC, "lps"], capture_output=True, text=True)
    check(p.returncode == 2 and "did you mean `lsp`" in p.stderr, "did-you-mean for lsp: %r" % p.stderr)


LIB = """module lib @ 1.0.0

gen lib.money @ 1.0.0 {
  @crdt(lww) has amount: i64
  docs { An amount in cents. }
}
"""

MAIN = """module app @ 1.0.0

use lib.*

gen app.order @ 1.0.0 {
  @crdt(lww) has price: lib.money
  @crdt(lww) has tip: lib.extra
}
"""


def case_imports(tmp):
    lib_path = os.path.join(tmp, "lib.dol")
    main_path = os.path.join(tmp, "main.dol")
    with open(lib_path, "w") as f:
        f.write(LIB)
    with open(main_path, "w") as f:
        f.write(MAIN)
    c = Client(cwd="/")
    c.initialize()
    main_uri, lib_uri = uri_of(main_path), uri_of(lib_path)
    c.open(main_uri, MAIN)
    d = c.diagnostics(main_uri)
    check(essentials(d) == expected_lsp_diagnostics(main_path, MAIN), "imports resolved next to the document: %r" % d)
    check([x["code"] for x in d] == ["unknown-type"], "lib.extra is unknown on disk: %r" % d)
    # Definition across files.
    r = c.request("textDocument/definition", {"textDocument": {"uri": main_uri}, "position": pos_of(MAIN, "lib.money", 5)})
    loc = r["result"]
    check(loc and loc["uri"] == lib_uri and loc["range"]["start"] == pos_of(LIB, "lib.money"),
          "definition in the used file: %r" % loc)
    r = c.request("textDocument/definition", {"textDocument": {"uri": main_uri}, "position": pos_of(MAIN, "use lib", 5)})
    check(r["result"] and r["result"]["uri"] == lib_uri, "definition of a used module: %r" % r)
    r = c.request("textDocument/hover", {"textDocument": {"uri": main_uri}, "position": pos_of(MAIN, "lib.money", 5)})
    check("An amount in cents." in r["result"]["contents"]["value"], "hover on an imported gene")
    # The unsaved buffer of lib.dol is used in preference to the disk, and the
    # document that uses it is checked again.
    lib2 = LIB + "\ngen lib.extra @ 1.0.0 {\n  @crdt(lww) has cents: i64\n}\n"
    c.open(lib_uri, lib2)
    check(c.diagnostics(lib_uri) == [], "lib buffer clean")
    check(c.diagnostics(main_uri) == [], "main re-checked against the lib buffer")
    r = c.request("textDocument/definition", {"textDocument": {"uri": main_uri}, "position": pos_of(MAIN, "lib.extra", 5)})
    check(r["result"] and r["result"]["uri"] == lib_uri and r["result"]["range"]["start"]["line"] == 7,
          "definition in the unsaved buffer: %r" % r)
    # Closing the buffer: the document that uses it reads the disk again.
    c.notify("textDocument/didClose", {"textDocument": {"uri": lib_uri}})
    check(c.diagnostics(lib_uri) == [], "closed lib cleared")
    d = c.diagnostics(main_uri)
    check([x["code"] for x in d] == ["unknown-type"], "main re-checked against the disk after close: %r" % d)
    # A used file changed on disk: the client says so, the document is checked again.
    with open(lib_path, "w") as f:
        f.write(lib2)
    c.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": lib_uri, "type": 2}]})
    check(c.diagnostics(main_uri) == [], "main re-checked after lib.dol changed on disk")
    with open(lib_path, "w") as f:
        f.write(LIB)
    c.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": lib_uri, "type": 2}]})
    check([x["code"] for x in c.diagnostics(main_uri)] == ["unknown-type"], "and again")
    # A finding in the used file shows on the `use` line, pointing at its place.
    lib3 = LIB.replace("@crdt(lww)", "@crdt(lwww)")
    c.open(lib_uri, lib3)
    c.diagnostics(lib_uri)
    d = c.diagnostics(main_uri)
    inlib = [x for x in d if x["code"] == "crdt-unknown-strategy"]
    check(len(inlib) == 1 and inlib[0]["range"]["start"] == pos_of(MAIN, "use lib"), "finding in lib on the use line: %r" % d)
    rel = inlib[0].get("relatedInformation", [{}])[0] if inlib else {}
    check(rel.get("location", {}).get("uri") == lib_uri and
          rel["location"]["range"]["start"] == pos_of(lib3, "lwww") if rel else False, "related information: %r" % rel)
    c.notify("textDocument/didClose", {"textDocument": {"uri": lib_uri}})
    c.diagnostics(main_uri)
    c.finish()

    # -I directories from the command line and from initializationOptions.
    inc = os.path.join(tmp, "inc")
    os.mkdir(inc)
    os.rename(lib_path, os.path.join(inc, "lib.dol"))
    for args, init in [(["-I", inc], {}), ([], {"includeDirs": [inc]})]:
        c = Client(*args)
        c.request("initialize", {"capabilities": {}, "initializationOptions": init})
        c.open(main_uri, MAIN)
        d = c.diagnostics(main_uri)
        check([x["code"] for x in d] == ["unknown-type"] and "lib.extra" in d[0]["message"],
              "lib found through %r %r: %r" % (args, init, d))
        c.finish()
    c = Client()
    c.initialize()
    c.open(main_uri, MAIN)
    d = c.diagnostics(main_uri)
    check("unknown-declaration" in [x["code"] for x in d], "without -I the module is missing: %r" % d)
    c.finish()
    # A relative -I, and the buffer of a file found through it.
    c = Client("-I", "inc", cwd=tmp)
    c.initialize()
    inc_lib_uri = uri_of(os.path.join(inc, "lib.dol"))
    c.open(inc_lib_uri, lib2)
    check(c.diagnostics(inc_lib_uri) == [], "lib buffer in inc/ clean")
    c.open(main_uri, MAIN)
    check(c.diagnostics(main_uri) == [], "the buffer of a file found through a relative -I is used")
    c.finish()


def case_fuzz(tmp):
    """Random messages, valid framing: the server answers every request and survives."""
    import random
    rnd = random.Random(11)
    methods = ["initialize", "initialized", "shutdown", "textDocument/didOpen", "textDocument/didChange",
               "textDocument/didClose", "textDocument/didSave", "textDocument/hover", "textDocument/definition",
               "textDocument/documentSymbol", "textDocument/completion", "$/cancelRequest", "x/unknown"]
    uris = [uri_of(os.path.join(tmp, "f%d.dol" % i)) for i in range(3)] + ["untitled:1", "", "file://", "http://x/y"]
    texts = [GOOD, BAD, LIB, MAIN, "", "gen", "\u00e9\U0001f600\n\r\n\t{", "}" * 50, "@crdt(" * 30]

    def value(depth=0):
        r = rnd.random()
        if depth > 2 or r < 0.3:
            return rnd.choice([None, True, 0, -1, 2 ** 40, 1.5, "", "x", rnd.choice(texts), rnd.choice(uris)])
        if r < 0.6:
            return [value(depth + 1) for _ in range(rnd.randint(0, 3))]
        return {rnd.choice(["uri", "text", "line", "character", "position", "textDocument", "range",
                            "contentChanges", "version", "start", "end"]): value(depth + 1)
                for _ in range(rnd.randint(0, 4))}

    def params():
        doc = {"uri": rnd.choice(uris), "version": rnd.randint(-2, 5), "text": rnd.choice(texts)}
        pos = {"line": rnd.randint(0, 40), "character": rnd.choice([0, 1, 5, 17, 200, 2 ** 31])}
        change = {"text": rnd.choice(texts)}
        if rnd.random() < 0.5:
            change["range"] = {"start": pos, "end": {"line": rnd.randint(0, 40), "character": rnd.randint(0, 80)}}
        return rnd.choice([value(), {"textDocument": doc, "position": pos},
                           {"textDocument": doc, "contentChanges": [change]}])

    c = Client()
    c.initialize()
    pending = []
    for i in range(400):
        r = rnd.random()
        if r < 0.05:
            c.send_raw(bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 40))))
            c.send_raw(b"\r\n\r\n")
            continue
        method = rnd.choice(methods)
        if method == "shutdown":
            continue  # ends the session's usefulness; covered by lsp.lifecycle
        msg = {"jsonrpc": "2.0", "method": method, "params": params()}
        if rnd.random() < 0.6:
            msg["id"] = 1000 + i
            pending.append(1000 + i)
        c.send(msg)
    # Every request got exactly one answer, and the server still works.
    c.send({"jsonrpc": "2.0", "id": "probe", "method": "textDocument/completion",
            "params": {"textDocument": {"uri": uris[0]}, "position": {"line": 0, "character": 0}}})
    answered = []
    while True:
        m = c.wait(lambda m: "id" in m and "method" not in m, timeout=60)
        if m["id"] == "probe":
            check("result" in m or "error" in m, "probe answered: %r" % m)
            break
        answered.append(m["id"])
    requests_answered = [x for x in answered if x is not None]
    print("fuzz: %d requests answered, %d errors without id" % (len(requests_answered), answered.count(None)))
    check(requests_answered == pending, "each request answered once, in order: %d of %d" %
          (len(requests_answered), len(pending)))
    c.finish()


def main():
    global DOLC
    DOLC = os.path.abspath(sys.argv[1])
    case = sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = os.path.realpath(tmp)
        try:
            {"session": case_session, "errors": case_errors, "lifecycle": case_lifecycle,
             "imports": case_imports, "fuzz": case_fuzz}[case](tmp)
        except AssertionError as e:
            FAILURES.append(str(e))
            print("FAIL:", e, file=sys.stderr)
    if FAILURES:
        print("%d failure(s) in lsp.%s" % (len(FAILURES), case), file=sys.stderr)
        sys.exit(1)
    print("lsp.%s: ok" % case)


if __name__ == "__main__":
    main()
