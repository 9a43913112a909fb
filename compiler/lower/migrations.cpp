// compiler/lower/migrations.cpp: `migrate` bodies -> C++ (see migrations.hpp).
//
// Bodies are small expressions over one value, so this is a typed
// expression walker of its own (the method walker in methods.cpp works on
// documents and fields): each expression becomes a C++ expression of one of
// four value kinds, and anything else stops the lowering with the construct
// named, which the build reports as `not-compiled`.
#include "lower/migrations.hpp"

#include <fmt/format.h>

#include "ir/strategies.hpp"
#include "lower/naming.hpp"

namespace dolc::lower {

namespace {

using TK = ir::Type::Kind;
using EK = ir::Expr::Kind;

enum class Kind { Str, Int, Float, Bool, None };

const char* cpp_of(Kind k) {
  switch (k) {
    case Kind::Str: return "std::string";
    case Kind::Int: return "int64_t";
    case Kind::Float: return "double";
    case Kind::Bool: return "bool";
    case Kind::None: break;
  }
  return "void";
}

// The value kind a field type is handled as in a conversion.
Kind kind_of(const ir::Type& t) {
  switch (t.kind) {
    case TK::String: case TK::Identity: case TK::RichText: return Kind::Str;
    case TK::Int: case TK::Timestamp: return Kind::Int;
    case TK::Float: return Kind::Float;
    case TK::Bool: return Kind::Bool;
    default: return Kind::None;
  }
}

struct Value {
  std::string code;
  Kind kind = Kind::None;
};

struct Walker {
  const ir::ReplacedField& field;
  const ir::Type& old_type;
  const ir::Type& new_type;
  std::string failure;

  Value fail(const std::string& what) {
    if (failure.empty()) failure = what;
    return {};
  }

  Value call(const ir::Expr& e) {
    const std::string& fn = e.children.empty() ? std::string() : e.children[0].text;
    std::vector<Value> args;
    for (size_t i = 1; i < e.children.size(); ++i) args.push_back(lower(e.children[i]));
    if (!failure.empty()) return {};
    auto one = [&](Kind k) { return args.size() == 1 && (k == Kind::None || args[0].kind == k); };
    if ((fn == "from_text" || fn == "to_text") && one(Kind::Str)) return args[0];
    if (fn == "to_string" && one(Kind::None)) {
      switch (args[0].kind) {
        case Kind::Str: return args[0];
        case Kind::Int: return {"dolc_gen::decimal_of(" + args[0].code + ")", Kind::Str};
        case Kind::Float: return {"dolc_gen::json_value(" + args[0].code + ")", Kind::Str};
        case Kind::Bool: return {"std::string((" + args[0].code + ") ? \"true\" : \"false\")", Kind::Str};
        case Kind::None: break;
      }
    }
    if (fn == "parse_int" && one(Kind::Str)) return {"dolc_gen::parse_int(" + args[0].code + ", &ok_)", Kind::Int};
    if (fn == "default" && args.empty()) {
      switch (kind_of(new_type)) {
        case Kind::Str: return {"std::string()", Kind::Str};
        case Kind::Int: return {"int64_t{0}", Kind::Int};
        case Kind::Float: return {"0.0", Kind::Float};
        case Kind::Bool: return {"false", Kind::Bool};
        case Kind::None: break;
      }
    }
    return fail("the call `" + fn + "(...)`");
  }

  Value binary(const ir::Expr& e) {
    Value a = lower(e.children.at(0)), b = lower(e.children.at(1));
    if (!failure.empty()) return {};
    const std::string& op = e.text;
    std::string both = "(" + a.code + " " + op + " " + b.code + ")";
    if (a.kind != b.kind) return fail("`" + op + "` between values of different types");
    if (op == "+" && a.kind == Kind::Str) return {"(" + a.code + " + " + b.code + ")", Kind::Str};
    if ((op == "+" || op == "-" || op == "*") && a.kind == Kind::Int)
      // Wrapping, like the runtime's counters: no undefined overflow.
      return {fmt::format("static_cast<int64_t>(static_cast<uint64_t>({}) {} static_cast<uint64_t>({}))", a.code, op,
                          b.code),
              Kind::Int};
    if ((op == "+" || op == "-" || op == "*") && a.kind == Kind::Float) return {both, Kind::Float};
    if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") return {both, Kind::Bool};
    if ((op == "&&" || op == "||") && a.kind == Kind::Bool) return {both, Kind::Bool};
    return fail("the operator `" + op + "`");
  }

  Value lower(const ir::Expr& e) {
    if (!failure.empty()) return {};
    switch (e.kind) {
      case EK::Int: return {fmt::format("int64_t{{{}}}", e.int_value), Kind::Int};
      case EK::Float: return {e.text, Kind::Float};
      case EK::String: return {"std::string(" + cpp_string_literal(e.text) + ")", Kind::Str};
      case EK::Bool: return {e.text == "true" ? "true" : "false", Kind::Bool};
      case EK::Field:
        if (e.children.size() == 1 && e.children[0].ref == ir::Expr::Ref::OldValue &&
            (e.text == field.old_name || e.text == field.name))
          return {"old_", kind_of(old_type)};
        return fail("`" + (e.children.empty() ? std::string() : e.children[0].text) + "." + e.text +
                    "` (a conversion reads only the migrated field's old value)");
      case EK::Call: return call(e);
      case EK::Binary: return binary(e);
      case EK::Unary: {
        Value v = lower(e.children.at(0));
        if (e.text == "!" && v.kind == Kind::Bool) return {"(!" + v.code + ")", Kind::Bool};
        if (e.text == "-" && v.kind == Kind::Int)
          return {"static_cast<int64_t>(0 - static_cast<uint64_t>(" + v.code + "))", Kind::Int};
        if (e.text == "-" && v.kind == Kind::Float) return {"(-" + v.code + ")", Kind::Float};
        return fail("the operator `" + e.text + "`");
      }
      case EK::Block: {
        if (e.stmts.size() != 1 || e.stmts[0].kind != ir::Stmt::Kind::Expr || !e.stmts[0].expr)
          return fail("a block that is not a single expression");
        return lower(*e.stmts[0].expr);
      }
      case EK::If: {
        if (e.children.size() != 3) return fail("`if` without `else`");
        Value c = lower(e.children[0]), a = lower(e.children[1]), b = lower(e.children[2]);
        if (!failure.empty()) return {};
        if (c.kind != Kind::Bool || a.kind != b.kind) return fail("an `if` whose branches differ in type");
        return {"(" + c.code + " ? " + a.code + " : " + b.code + ")", a.kind};
      }
      default: return fail("this kind of expression");
    }
  }
};

std::string decode(const ir::Type& t) {
  switch (kind_of(t)) {
    case Kind::Str: return "dolc_gen::dec_string(in_)";
    case Kind::Int:
      return t.kind == TK::Int && !t.is_signed ? "static_cast<int64_t>(dolc_gen::dec_uint(in_))" : "dolc_gen::dec_int(in_)";
    case Kind::Float: return "dolc_gen::dec_float(in_)";
    case Kind::Bool: return "dolc_gen::dec_bool(in_)";
    case Kind::None: break;
  }
  return "";
}

std::string encode(const ir::Type& t, bool text, const std::string& x) {
  if (text) return "dolc_gen::Bytes(" + x + ".begin(), " + x + ".end())";
  switch (kind_of(t)) {
    case Kind::Str: return "dolc_gen::enc_string(" + x + ")";
    case Kind::Int:
      return t.kind == TK::Int && !t.is_signed ? "dolc_gen::enc_uint(static_cast<uint64_t>(" + x + "))"
                                               : "dolc_gen::enc_int(" + x + ")";
    case Kind::Float: return "dolc_gen::enc_float(" + x + ")";
    case Kind::Bool: return "dolc_gen::enc_bool(" + x + ")";
    case Kind::None: break;
  }
  return "";
}

}  // namespace

MigrationFunction lower_migration(const ir::Schema& schema, const ir::Gene& gene, const ir::ReplacedField& field,
                                  const std::string& name) {
  (void)schema;
  MigrationFunction out;
  const ir::Field* now = gene.field(field.name);
  if (!now) {
    out.unsupported = "the field it converts into is not in the gene";
    return out;
  }
  ir::Type old_type = field.old_type ? *field.old_type : now->type;
  bool to_text = now->strategy == ir::Strategy::Peritext;
  // strategies.def's HOLDS: a body's value is written whole into a One or
  // Many field, and only a One field's old value reads as one value (a field
  // without `@crdt` was lww).
  ir::Holds now_holds = ir::strategy_info(now->strategy).holds;
  bool to_register = now_holds == ir::Holds::One || now_holds == ir::Holds::Many;
  bool from_register = ir::strategy_info(field.old_strategy.value_or(ir::Strategy::Lww)).holds == ir::Holds::One;
  std::string pair = std::string("`") + (field.old_strategy ? ir::strategy_name(*field.old_strategy) : "lww") +
                     "` to `" + ir::strategy_name(now->strategy) + "`";
  const ir::StrategyChangeInfo* change =
      field.old_strategy ? ir::strategy_change(*field.old_strategy, now->strategy) : nullptr;
  if (change && change->converts == ir::Converts::Elements) {
    // Set -> list, element by element: the elements carry over as they are
    // (the body may only be `old.FIELD`; a gene element is not converted).
    const ir::Expr* body = field.migration ? &field.migration->body : nullptr;
    while (body && body->kind == EK::Block && body->stmts.size() == 1 && body->stmts[0].expr) body = &*body->stmts[0].expr;
    bool identity = !body || (body->kind == EK::Field && body->children.size() == 1 &&
                              body->children[0].ref == ir::Expr::Ref::OldValue &&
                              (body->text == field.old_name || body->text == field.name));
    bool same_elements = field.old_type && field.old_type->args.size() == 1 && now->type.args.size() == 1 &&
                         field.old_type->args[0] == now->type.args[0] && now->type.args[0].kind != TK::Gene;
    if (!identity) out.unsupported = "its `migrate` body does more than `old." + field.old_name + "`, which dolc build does not compile for a set becoming a list";
    else if (!same_elements) out.unsupported = "the list's elements are not the set's elements";
    return out;
  }
  if (!field.migration && to_register && field.old_type && now->type.kind == TK::Option &&
      now->type.args.size() == 1 && now->type.args[0] == *field.old_type) {
    // T -> Option<T> (safe, no body): every old value is Some(value).
    out.name = name;
    out.code = fmt::format(
        "// {}: `{}` became optional; a write of an earlier version is Some(value).\n"
        "static bool {}(const dolc_gen::Bytes& in_, dolc_gen::Bytes* out_) {{\n"
        "  *out_ = dolc_gen::enc_some(in_);\n"
        "  return true;\n"
        "}}\n\n",
        field.name, field.old_name, name);
    return out;
  }
  if (!from_register || !(to_text || to_register)) {
    out.unsupported = "converting " + pair + " at run time is not supported yet";
    return out;
  }
  Kind from = kind_of(old_type), to = to_text ? Kind::Str : kind_of(now->type);
  if (from == Kind::None || to == Kind::None) {
    out.unsupported = "converting values of type `" + old_type.canonical() + "` to `" + now->type.canonical() +
                      "` is not supported yet";
    return out;
  }
  Walker w{field, old_type, now->type, ""};
  Value v;
  if (!field.migration) {
    // No body (a change crdt.md calls safe): the bytes carry over when the
    // two encodings agree; a widened integer of other signedness is
    // re-encoded (unsigned and signed integers encode differently).
    if (from != to) {
      out.unsupported = "the change from `" + old_type.canonical() + "` needs a `migrate` body";
      return out;
    }
    bool same = to_text || to != Kind::Int ||
                (old_type.kind == now->type.kind && old_type.is_signed == now->type.is_signed);
    if (same) return out;
    v = {"old_", from};
  } else {
    v = w.lower(field.migration->body);
  }
  if (w.failure.empty() && v.kind == Kind::Int && to == Kind::Float) v = {"static_cast<double>(" + v.code + ")", to};
  if (w.failure.empty() && v.kind != to)
    w.failure = std::string("a result of another type than the field's (") + cpp_of(v.kind) + ")";
  if (!w.failure.empty()) {
    out.unsupported = "its `migrate` body uses " + w.failure + ", which dolc build does not compile";
    return out;
  }
  out.name = name;
  out.code = fmt::format(
      "// migrate {}: converts a write of `{}` (key \"{}\") by a replica of an earlier version.\n"
      "static bool {}(const dolc_gen::Bytes& in_, dolc_gen::Bytes* out_) {{\n"
      "  bool ok_ = true;\n"
      "  const {} old_ = {};\n"
      "  (void)old_;\n"
      "  const {} new_ = {};\n"
      "  if (!ok_) return false;\n"
      "  *out_ = {};\n"
      "  return true;\n"
      "}}\n\n",
      field.name, field.old_name, field.old_key, name, cpp_of(from), decode(old_type), cpp_of(to), v.code,
      encode(now->type, to_text, "new_"));
  return out;
}

}  // namespace dolc::lower
