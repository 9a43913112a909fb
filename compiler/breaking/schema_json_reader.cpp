// compiler/breaking: reads NAME.schema.json (written by compiler/ir/json.cpp,
// shape in compiler/ir/SCHEMA_JSON.md) back into an ir::Schema, so that
// `dolc breaking --against gen/app.schema.json` runs the same rules as
// `--against old/app.dol`.
//
// Only what the rules compare is read: genes (name, module, version, stdlib),
// their fields (name, type, strategy, options) and methods (name, params,
// result). Evolutions of the old schema are not read: identity is decided by
// the NEW schema's `evo` chain. The file is untrusted input: every value is
// type-checked, a wrong shape is one error message, never an exception.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "breaking/breaking.hpp"
#include "ir/strategies.hpp"

namespace dolc::breaking {

namespace {

using nlohmann::json;

// Thrown inside this file only, caught by read_schema_json.
struct Malformed {
  std::string what;
};

const json& member(const json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) throw Malformed{where + " has no `" + key + "`"};
  return object.at(key);
}

// `nullable`: null or a missing key read as "" (optional values).
std::string string_member(const json& object, const char* key, const std::string& where, bool nullable = false) {
  if (nullable && (!object.is_object() || !object.contains(key))) return "";
  const json& v = member(object, key, where);
  if (nullable && v.is_null()) return "";
  if (!v.is_string()) throw Malformed{"`" + std::string(key) + "` of " + where + " is not a string"};
  return v.get<std::string>();
}

const json& array_member(const json& object, const char* key, const std::string& where) {
  const json& v = member(object, key, where);
  if (!v.is_array()) throw Malformed{"`" + std::string(key) + "` of " + where + " is not an array"};
  return v;
}

bool bool_member(const json& object, const char* key, bool fallback) {
  if (!object.is_object() || !object.contains(key) || !object.at(key).is_boolean()) return fallback;
  return object.at(key).get<bool>();
}

std::optional<int64_t> optional_int(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return std::nullopt;
  const json& v = object.at(key);
  if (v.is_number_integer()) return v.get<int64_t>();
  return std::nullopt;
}

ir::Version parse_version(const std::string& text) {
  ir::Version v;
  v.text = text;
  unsigned long parts[3] = {0, 0, 0};
  size_t part = 0;
  for (char c : text) {
    if (c == '.') {
      if (++part >= 3) break;
    } else if (c >= '0' && c <= '9') {
      parts[part] = parts[part] * 10 + static_cast<unsigned long>(c - '0');
      if (parts[part] > UINT32_MAX) parts[part] = UINT32_MAX;
    }
  }
  v.major = static_cast<uint32_t>(parts[0]);
  v.minor = static_cast<uint32_t>(parts[1]);
  v.patch = static_cast<uint32_t>(parts[2]);
  return v;
}

ir::Version version_member(const json& object, const char* key, const std::string& where) {
  return parse_version(string_member(object, key, where, /*nullable=*/true));
}

ir::Type read_type(const json& j, const std::string& where, int depth = 0) {
  using K = ir::Type::Kind;
  if (depth > 64) throw Malformed{"the types of " + where + " nest too deeply"};
  static const std::pair<const char*, K> kKinds[] = {
      {"error", K::Error},         {"unit", K::Unit},         {"bool", K::Bool},
      {"int", K::Int},             {"float", K::Float},       {"string", K::String},
      {"uuid", K::Uuid},           {"timestamp", K::Timestamp}, {"identity", K::Identity},
      {"bytes", K::Bytes},         {"richtext", K::RichText}, {"option", K::Option},
      {"set", K::Set},             {"list", K::List},         {"map", K::Map},
      {"enum", K::Enum},           {"gene", K::Gene},         {"tuple", K::Tuple},
      {"result", K::Result},       {"function", K::Function}, {"type_param", K::TypeParam},
      {"self", K::Self},           {"opaque", K::Opaque}};
  std::string kind = string_member(j, "kind", "a type in " + where);
  ir::Type t;
  bool known = false;
  for (const auto& [name, k] : kKinds)
    if (kind == name) t.kind = k, known = true;
  if (!known) throw Malformed{"unknown type kind `" + kind + "` in " + where};
  if (auto bits = optional_int(j, "bits")) t.bits = static_cast<int>(*bits);
  t.is_signed = bool_member(j, "signed", true);
  std::string name = j.contains("name") && j.at("name").is_string() ? j.at("name").get<std::string>() : "";
  // The writer stores the canonical spelling; only named kinds keep it as
  // their name (an inline enum's canonical form is `enum { A, B }`).
  if (t.kind == K::Gene || t.kind == K::TypeParam || t.kind == K::Opaque) t.name = name;
  if (t.kind == K::Enum) {
    if (name.rfind("enum {", 0) != 0) t.name = name;
    if (j.contains("variants") && j.at("variants").is_array())
      for (const auto& v : j.at("variants"))
        if (v.is_string()) t.variants.push_back(v.get<std::string>());
  }
  if (j.contains("args") && j.at("args").is_array())
    for (const auto& a : j.at("args")) t.args.push_back(read_type(a, where, depth + 1));
  return t;
}

ir::Field read_field(const json& j, const std::string& gene) {
  std::string where = "a field of gene `" + gene + "`";
  ir::Field f;
  f.name = string_member(j, "name", where);
  where = "field `" + gene + "." + f.name + "`";
  f.type = read_type(member(j, "type", where), where);
  std::string strategy = string_member(j, "strategy", where);
  auto s = ir::strategy_from_name(strategy);
  if (!s) throw Malformed{"unknown strategy `" + strategy + "` in " + where};
  f.strategy = *s;
  f.strategy_explicit = bool_member(j, "strategy_explicit", true);
  f.nested_gene = bool_member(j, "nested_gene", false);
  f.personal = bool_member(j, "personal", false);
  if (j.contains("inherited_from") && j.at("inherited_from").is_string())
    f.inherited_from = j.at("inherited_from").get<std::string>();
  const json empty = json::object();
  const json& o = j.contains("options") && j.at("options").is_object() ? j.at("options") : empty;
  auto option_string = [&](const char* key) {
    return o.contains(key) && o.at(key).is_string() ? o.at(key).get<std::string>() : std::string();
  };
  // Every option of the table (ir/strategies.def) by its KIND; options_json
  // wrote only the strategy's own, so the others read as absent.
  for (const ir::OptionInfo& info : ir::crdt_options()) {
    ir::OptionValue v;
    switch (info.kind) {
      case ir::OptionKind::Word:
        v.word = option_string(info.name);
        if (!v.word.empty()) ir::set_option(f.options, info.option, v);
        break;
      case ir::OptionKind::Bool:
        v.flag = o.contains(info.name) && o.at(info.name).is_boolean() && o.at(info.name).get<bool>();
        if (v.flag) ir::set_option(f.options, info.option, v);
        break;
      case ir::OptionKind::Bound:
      case ir::OptionKind::Length:
        if (auto n = optional_int(o, info.name)) {
          v.number = *n;
          ir::set_option(f.options, info.option, v);
        }
        break;
    }
  }
  return f;
}

ir::Method read_method(const json& j, const std::string& gene) {
  std::string where = "a method of gene `" + gene + "`";
  ir::Method m;
  m.name = string_member(j, "name", where);
  where = "method `" + gene + "." + m.name + "`";
  for (const auto& p : array_member(j, "params", where)) {
    ir::Param param;
    param.name = string_member(p, "name", "a parameter of " + where);
    param.type = read_type(member(p, "type", "parameter `" + param.name + "` of " + where), where);
    m.params.push_back(std::move(param));
  }
  m.result = read_type(member(j, "result", where), where);
  m.is_sex = bool_member(j, "sex", false);
  m.is_extern = bool_member(j, "extern", false);
  if (j.contains("from_impl") && j.at("from_impl").is_string()) m.from_impl = j.at("from_impl").get<std::string>();
  return m;
}

void read_schema(const json& root, ir::Schema* out) {
  if (!root.is_object()) throw Malformed{"the top level is not an object"};
  if (string_member(root, "format", "the top level") != "dolc-schema")
    throw Malformed{"`format` is not \"dolc-schema\""};
  const json& version = member(root, "format_version", "the top level");
  if (!version.is_number_integer() || version.get<int64_t>() != 1)
    throw Malformed{"`format_version` is " + version.dump() + "; this dolc reads format version 1"};
  for (const auto& g : array_member(root, "genes", "the top level")) {
    ir::Gene gene;
    gene.name = string_member(g, "name", "a gene");
    std::string where = "gene `" + gene.name + "`";
    gene.module = string_member(g, "module", where, /*nullable=*/true);
    gene.version = version_member(g, "version", where);
    gene.from_stdlib = bool_member(g, "stdlib", false);
    gene.extends = g.contains("extends") && g.at("extends").is_string() ? g.at("extends").get<std::string>() : "";
    for (const auto& f : array_member(g, "fields", where)) gene.fields.push_back(read_field(f, gene.name));
    for (const auto& m : array_member(g, "methods", where)) gene.methods.push_back(read_method(m, gene.name));
    out->genes.push_back(std::move(gene));
  }
}

}  // namespace

bool read_schema_json(const std::string& text, ir::Schema* out, std::string* error) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    *error = "not valid JSON";
    return false;
  }
  try {
    read_schema(root, out);
  } catch (const Malformed& m) {
    *error = m.what;
    return false;
  } catch (const std::exception& e) {  // nlohmann type errors on shapes the checks above missed
    *error = std::string("unexpected shape: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace dolc::breaking
