// compiler/lsp: hover, definition, symbols and completion (see navigate.hpp).
#include "lsp/navigate.hpp"

#include <algorithm>
#include <cctype>

#include "ir/strategies.hpp"
#include "lsp/explain.hpp"

namespace dolc::lsp {

using nlohmann::json;

namespace {

bool contains(const Span& s, FileId file, uint32_t offset) {
  return s.valid() && s.file == file && s.begin <= offset && offset <= s.end && s.end > s.begin;
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

// The dotted name under (or just before) the cursor; "" when none.
std::string word_at(const std::string& text, uint32_t offset, uint32_t* begin_out = nullptr) {
  size_t b = std::min<size_t>(offset, text.size()), e = b;
  while (b > 0 && word_char(text[b - 1])) --b;
  while (e < text.size() && word_char(text[e])) ++e;
  while (b < e && text[b] == '.') ++b;
  while (e > b && text[e - 1] == '.') --e;
  if (begin_out) *begin_out = static_cast<uint32_t>(b);
  return text.substr(b, e - b);
}

struct Target {
  std::string kind;  // "gene", "trait", "enum", "alias", "system", "constraint"
  Span span;
  const ir::Gene* gene = nullptr;
  std::string name;  // as declared
  std::string docs;
};

// A declaration the name refers to: exact names first, then a name written
// without its module (`chat` for `message.chat` is never guessed; only a
// qualified `chat.message.chat` -> `message.chat` by suffix).
std::optional<Target> resolve(const ir::Schema& s, const std::string& name) {
  if (name.empty()) return std::nullopt;
  auto pick = [&](auto matches) -> std::optional<Target> {
    for (const auto& g : s.genes)
      if (matches(g.name)) return Target{"gene", g.name_span.valid() ? g.name_span : g.span, &g, g.name, g.docs};
    for (const auto& t : s.traits)
      if (matches(t.name)) return Target{"trait", t.span, nullptr, t.name, t.docs};
    for (const auto& e : s.enums)
      if (matches(e.name)) return Target{"enum", e.span, nullptr, e.name, e.docs};
    for (const auto& al : s.aliases)
      if (matches(al.name)) return Target{"alias", al.span, nullptr, al.name, al.docs};
    for (const auto& sy : s.systems)
      if (matches(sy.name)) return Target{"system", sy.span, nullptr, sy.name, sy.docs};
    for (const auto& c : s.constraints)
      if (matches(c.name)) return Target{"constraint", c.span, nullptr, c.name, c.docs};
    return std::nullopt;
  };
  if (auto t = pick([&](const std::string& n) { return n == name; })) return t;
  return pick([&](const std::string& n) {
    return name.size() > n.size() && name.compare(name.size() - n.size(), n.size(), n) == 0 &&
           name[name.size() - n.size() - 1] == '.';
  });
}

// A field named in an expression: `this.f`, `self.f`, `old.f` or a bare `f`
// inside its gene, a constraint on the gene or an evolution of it.
std::pair<const ir::Gene*, const ir::Field*> field_in_expression(const Analysis& a, uint32_t offset,
                                                                 std::string word) {
  for (const char* prefix : {"this.", "self.", "old."})
    if (word.rfind(prefix, 0) == 0) word = word.substr(std::string(prefix).size());
  if (word.empty() || word.find('.') != std::string::npos) return {nullptr, nullptr};
  const ir::Schema& s = a.fe.result.schema;
  const ir::Gene* owner = nullptr;
  for (const auto& g : s.genes)
    if (contains(g.span, a.root, offset)) owner = &g;
  for (const auto& c : s.constraints)
    if (!owner && contains(c.span, a.root, offset)) owner = s.find_gene(c.gene);
  for (const auto& ev : s.evolutions)
    if (!owner && contains(ev.span, a.root, offset)) owner = s.find_gene(ev.gene);
  if (!owner) return {nullptr, nullptr};
  const ir::Field* f = owner->field(word);
  return {f ? owner : nullptr, f};
}

json location(const Analysis& a, const Span& span) {
  if (!span.valid() || span.file >= a.fe.sources.size()) return nullptr;
  const SourceFile& f = a.fe.sources.file(span.file);
  return {{"uri", path_to_uri(f.path())}, {"range", range_json(f, span.begin, span.end)}};
}

json markup(const std::string& md) { return {{"contents", {{"kind", "markdown"}, {"value", md}}}}; }

}  // namespace

json hover(const Analysis& a, Position pos) {
  const std::string& text = a.fe.sources.file(a.root).text();
  uint32_t offset = offset_of(text, pos);
  const ir::Schema& s = a.fe.result.schema;
  // A field: its name, its `@crdt(...)` or the whole `has` line.
  for (const auto& g : s.genes)
    for (const auto& f : g.fields)
      if (f.inherited_from.empty() &&
          (contains(f.name_span, a.root, offset) || contains(f.annotation_span, a.root, offset)))
        return markup(field_hover(g, f));
  // A name: a gene's declaration or a use of it.
  uint32_t wb = 0;
  std::string word = word_at(text, offset, &wb);
  if (auto t = resolve(s, word)) {
    if (t->gene) {
      json h = markup(gene_hover(*t->gene));
      h["range"] = range_json(a.fe.sources.file(a.root), wb, wb + static_cast<uint32_t>(word.size()));
      return h;
    }
  }
  for (const auto& g : s.genes)
    for (const auto& f : g.fields)
      if (f.inherited_from.empty() && contains(f.span, a.root, offset) && !contains(f.type_span, a.root, offset))
        return markup(field_hover(g, f));
  if (auto [g, f] = field_in_expression(a, offset, word); f) return markup(field_hover(*g, *f));
  if (auto t = resolve(s, word)) {
    std::string docs = docs_markdown(t->docs);
    return markup("```dol\n" + t->kind + " " + t->name + "\n```\n" + (docs.empty() ? "" : "\n" + docs + "\n"));
  }
  return nullptr;
}

json definition(const Analysis& a, Position pos) {
  const std::string& text = a.fe.sources.file(a.root).text();
  std::string word = word_at(text, offset_of(text, pos));
  // The module named on a `use` line (`use lib.*`, `use shop.common.{ X }`):
  // the file of the loaded module of that name (sema's rule: the whole path,
  // then without its last part).
  const auto& modules = a.fe.result.schema.modules;
  for (const auto& m : modules) {
    if (!m.is_root || word.empty()) continue;
    for (const auto& u : m.uses) {
      if (u.path != word && u.path.rfind(word + ".", 0) != 0) continue;
      for (const std::string& name : {word, word.substr(0, word.rfind('.'))})
        for (const auto& target : modules)
          if (!target.name.empty() && target.name == name && !target.is_root)
            return {{"uri", path_to_uri(target.file)},
                    {"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}}}};
    }
  }
  auto t = resolve(a.fe.result.schema, word);
  if (!t) {
    auto [g, f] = field_in_expression(a, offset_of(text, pos), word);
    return f ? location(a, f->name_span.valid() ? f->name_span : f->span) : json(nullptr);
  }
  return location(a, t->span);
}

json document_symbols(const Analysis& a) {
  const SourceFile& text = a.fe.sources.file(a.root);
  const ir::Schema& s = a.fe.result.schema;
  json out = json::array();
  auto symbol = [&](const std::string& name, int kind, Span whole, Span sel, const std::string& detail) -> json {
    if (!sel.valid()) sel = whole;
    if (!whole.valid() || whole.file != sel.file || sel.begin < whole.begin || sel.end > whole.end) whole = sel;
    json j = {{"name", name.empty() ? "?" : name},
              {"kind", kind},
              {"range", range_json(text, whole.begin, whole.end)},
              {"selectionRange", range_json(text, sel.begin, sel.end)}};
    if (!detail.empty()) j["detail"] = detail;
    return j;
  };
  auto mine = [&](const Span& sp) { return sp.valid() && sp.file == a.root; };
  for (const auto& g : s.genes) {
    if (!mine(g.span)) continue;
    json gj = symbol(g.name, 5 /*Class*/, g.span, g.name_span, g.version.text);
    json children = json::array();
    for (const auto& f : g.fields)
      if (f.inherited_from.empty() && mine(f.span))
        children.push_back(symbol(f.name, 8 /*Field*/, f.span, f.name_span,
                                  f.type.canonical() + " @" + ir::strategy_name(f.strategy)));
    for (const auto& m : g.methods)
      if (mine(m.span)) children.push_back(symbol(m.name, 6 /*Method*/, m.span, m.name_span, ""));
    gj["children"] = children;
    out.push_back(gj);
  }
  for (const auto& t : s.traits)
    if (mine(t.span)) out.push_back(symbol(t.name, 11 /*Interface*/, t.span, t.span, t.version.text));
  for (const auto& e : s.enums)
    if (mine(e.span)) out.push_back(symbol(e.name, 10 /*Enum*/, e.span, e.span, ""));
  for (const auto& al : s.aliases)
    if (mine(al.span)) out.push_back(symbol(al.name, 26 /*TypeParameter*/, al.span, al.span, al.target.canonical()));
  for (const auto& c : s.constraints)
    if (mine(c.span) && !c.is_inline) out.push_back(symbol(c.name, 14 /*Constant*/, c.span, c.span, "on " + c.gene));
  for (const auto& sy : s.systems)
    if (mine(sy.span)) out.push_back(symbol(sy.name, 2 /*Module*/, sy.span, sy.span, sy.version.text));
  for (const auto& ev : s.evolutions)
    if (mine(ev.span)) out.push_back(symbol(ev.name.empty() ? ev.gene : ev.name, 24 /*Event*/, ev.span, ev.span, ev.gene));
  return out;
}

json completion(const Analysis& a, Position pos) {
  const std::string& text = a.fe.sources.file(a.root).text();
  uint32_t offset = offset_of(text, pos);
  size_t ls = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  ls = (ls == std::string::npos || offset == 0) ? 0 : ls + 1;
  std::string before = text.substr(ls, offset - ls);
  json items = json::array();
  auto item = [&](const std::string& label, int kind, const std::string& detail) {
    items.push_back({{"label", label}, {"kind", kind}, {"detail", detail}});
  };
  size_t at = before.rfind("@crdt(");
  if (at != std::string::npos && before.find(')', at) == std::string::npos) {
    std::string inside = before.substr(at + 6);
    size_t comma = inside.find(',');
    if (comma == std::string::npos) {
      // In enum order (the completion list editors show has always been so).
      std::vector<ir::Strategy> all;
      for (const auto& row : ir::strategies()) all.push_back(row.strategy);
      std::sort(all.begin(), all.end());
      for (auto st : all) item(ir::strategy_name(st), 20 /*EnumMember*/, explain_strategy(st));
    } else {
      std::string strategy = inside.substr(0, comma);
      while (!strategy.empty() && std::isspace(static_cast<unsigned char>(strategy.back()))) strategy.pop_back();
      while (!strategy.empty() && std::isspace(static_cast<unsigned char>(strategy.front()))) strategy.erase(0, 1);
      auto st = ir::strategy_from_name(strategy);
      if (st)
        for (const ir::OptionInfo* o : ir::options_of(*st)) item(o->name, 10 /*Property*/, o->detail);
    }
    return items;
  }
  for (const char* t : {"bool", "string", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "Uuid",
                        "Timestamp", "Identity", "Bytes", "RichText", "Option", "Set", "List", "Vec", "Map"})
    item(t, 25 /*TypeParameter*/, "built-in type");
  const ir::Schema& s = a.fe.result.schema;
  for (const auto& g : s.genes)
    if (!g.from_stdlib) item(g.name, 7 /*Class*/, "gene");
  for (const auto& e : s.enums) item(e.name, 13 /*Enum*/, "enum");
  for (const auto& al : s.aliases) item(al.name, 25, "type alias");
  return items;
}

}  // namespace dolc::lsp
