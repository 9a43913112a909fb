// compiler/emit/wit.cpp: NAME.wit from the export table. Every function here
// is one entry of ExportTable, so the WIT names and signatures match the core
// module's exports (`pkg/iface@ver#[method]document.label`) one for one.
#include <algorithm>

#include <fmt/format.h>

#include "emit/emit.hpp"
#include "lower/naming.hpp"

namespace dolc::emit {

using lower::wit_ident;

// A docs line as WIT tooling accepts it: wasm-tools (and so jco) refuses
// bidirectional-override characters in comments (the "Trojan Source"
// check), and control characters or line separators would end or corrupt a
// `///` line. Those are written as `\u{202e}` instead; everything else, other
// UTF-8 included, is kept (the source is valid UTF-8 after parsing).
static std::string wit_doc_text(const std::string& line) {
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (i + len > line.size()) len = 1;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(line[i + k]) & 0x3F);
    bool unsafe = (cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
                  cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
                  cp == 0xFEFF;
    if (unsafe) out += fmt::format("\\u{{{:x}}}", cp);
    else out.append(line, i, len);
    i += len;
  }
  return out;
}

static void write_docs(std::string& out, const std::string& docs, const char* indent) {
  if (docs.empty()) return;
  size_t start = 0;
  while (start <= docs.size()) {
    size_t nl = docs.find('\n', start);
    std::string line = docs.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    line.erase(0, line.find_first_not_of(" \t") == std::string::npos ? line.size() : line.find_first_not_of(" \t"));
    out += fmt::format("{}///{}{}\n", indent, line.empty() ? "" : " ", wit_doc_text(line));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

// ----- Traits (docs/generated-api.md, "Traits") -----------------------------
// Every trait lives in the package `dol:traits@VERSION`, written after the
// module's own package as a nested `package ... { }` block: the same
// interface, byte for byte, in every schema that uses the trait, so a
// component of one schema can stand in for another's wherever only the
// trait is needed. Its resource `object` is one implementing document seen
// through the trait; a gene's `document` hands one out with
// `as-<trait>`, and a trait's `object` hands out the traits it uses the same way.

// The name a trait's `object` resource is known by where it is `use`d.
static std::string trait_object(const std::string& label) { return label + "-object"; }

// `dol:traits/<label>@V` as WIT text (a label that is a WIT keyword gets `%`).
static std::string trait_path(const lower::ApiTrait& t) {
  size_t at = t.package.find('@');
  return t.package.substr(0, at) + "/" + wit_ident(t.label) + t.package.substr(at);
}

static void write_as_trait(std::string& out, const lower::ApiTrait& t, const char* indent) {
  out += fmt::format("{}/// The same document seen as a `{}` (trait).\n", indent, t.trait->name);
  out += fmt::format("{}{}: func() -> {};\n", indent, wit_ident("as-" + t.label), wit_ident(trait_object(t.label)));
}

static std::string wit_params(const lower::ApiFunction& fn) {
  std::string params;
  for (const auto& p : fn.params) {
    if (!params.empty()) params += ", ";
    params += wit_ident(p.label) + ": " + p.type.wit();
  }
  return params;
}

static void write_trait_packages(std::string& out, const lower::ExportTable& table) {
  std::vector<std::string> packages;  // in first-use order
  for (const auto& t : table.traits)
    if (std::find(packages.begin(), packages.end(), t.package) == packages.end()) packages.push_back(t.package);
  for (const auto& pkg : packages) {
    out += fmt::format("\npackage {} {{\n", pkg);
    bool first = true;
    for (const auto& t : table.traits) {
      if (t.package != pkg) continue;
      if (!first) out += "\n";
      first = false;
      write_docs(out, t.trait->docs, "  ");
      out += fmt::format("  interface {} {{\n", wit_ident(t.label));
      for (const auto& u : t.uses) {
        const lower::ApiTrait* ut = table.find_trait(u);
        std::string path = ut->package == t.package ? wit_ident(u) : trait_path(*ut);  // (another version: its package)
        out += fmt::format("    use {}.{{object as {}}};\n", path, wit_ident(trait_object(u)));
      }
      out += fmt::format("    /// One document, of any schema, that is a `{}`.\n", t.trait->name);
      out += "    resource object {\n";
      for (const auto& fn : t.functions) {
        write_docs(out, fn.method->docs, "      ");
        out += fmt::format("      {}: func({}) -> {};\n", wit_ident(fn.op_label), wit_params(fn), fn.result.wit());
      }
      for (const auto& u : t.uses) write_as_trait(out, *table.find_trait(u), "      ");
      out += "    }\n  }\n";
    }
    out += "}\n";
  }
}

std::string emit_wit(const lower::ExportTable& table) {
  std::string out;
  out += "// Generated by dolc from the schema of module `" + table.module_name + "`. Do not edit.\n";
  out += "// Describes exactly the exports of " + table.module_name +
         ".wasm (canonical ABI); `path` arguments are runtime\n"
         "// paths of nested objects (empty = the document's root object), as returned by `*-child`.\n";
  out += fmt::format("package {};\n", table.package);
  for (const auto& iface : table.interfaces) {
    out += "\n";
    write_docs(out, iface.gene->docs, "");
    out += fmt::format("interface {} {{\n", wit_ident(iface.label));
    for (const auto& label : iface.traits)
      out += fmt::format("  use {}.{{object as {}}};\n", trait_path(*table.find_trait(label)),
                         wit_ident(trait_object(label)));
    if (!iface.traits.empty()) out += "\n";
    for (const auto& e : iface.enums) {
      out += fmt::format("  enum {} {{\n", wit_ident(e.label));
      for (size_t i = 0; i < e.cases.size(); ++i)
        out += fmt::format("    {}{}\n", wit_ident(e.cases[i]), i + 1 < e.cases.size() ? "," : "");
      out += "  }\n\n";
    }
    for (const auto& r : iface.records) {
      out += fmt::format("  /// A `{}` value.\n  record {} {{\n", r.gene ? r.gene->name : r.label, wit_ident(r.label));
      for (size_t i = 0; i < r.type.args.size(); ++i)
        out += fmt::format("    {}: {}{}\n", wit_ident(r.type.cases[i]), r.type.args[i].wit(),
                           i + 1 < r.type.args.size() ? "," : "");
      out += "  }\n\n";
    }
    out += fmt::format("  /// One replica of one `{}` document.\n", iface.gene->name);
    out += "  resource document {\n";
    for (const auto& fn : iface.functions) {
      std::string params;
      for (const auto& p : fn.params) {
        if (!params.empty()) params += ", ";
        params += wit_ident(p.label) + ": " + p.type.wit();
      }
      switch (fn.kind) {
        case lower::ApiFunction::Kind::Constructor:
          out += fmt::format("    constructor({});\n", params);
          break;
        case lower::ApiFunction::Kind::Destructor:
          break;  // implicit in WIT
        case lower::ApiFunction::Kind::Method:
          if (fn.method) write_docs(out, fn.method->docs, "    ");
          out += fmt::format("    {}: func({}){};\n", wit_ident(fn.label), params,
                             fn.has_result ? " -> " + fn.result.wit() : "");
          break;
      }
    }
    for (const auto& label : iface.traits) write_as_trait(out, *table.find_trait(label), "    ");
    out += "  }\n}\n";
  }
  out += fmt::format("\nworld {} {{\n", wit_ident(table.world));
  for (const auto& t : table.traits) out += fmt::format("  export {};\n", trait_path(t));
  for (const auto& iface : table.interfaces) out += fmt::format("  export {};\n", wit_ident(iface.label));
  out += "}\n";
  write_trait_packages(out, table);
  return out;
}

}  // namespace dolc::emit
