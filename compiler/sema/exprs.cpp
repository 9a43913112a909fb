// compiler/sema/exprs.cpp: expressions and statements -> typed ir::Expr.
//
// The expression language is large (language.md, "The rest of DOL") and most
// of it is only checked, never compiled, so typing is deliberately cheap: what
// a back end needs (field references, literal types, arithmetic, comparisons,
// calls of the built-ins and of the gene's own methods, struct literals) is
// typed; anything else gets Type::Error, which means "unknown" and fits
// everything, so the checker never reports a mismatch it cannot prove.
#include <algorithm>

#include "sema/checker.hpp"

namespace dolc::sema {

namespace {

using K = ir::Type::Kind;

bool unknown(const ir::Type& t) {
  return t.kind == K::Error || t.kind == K::TypeParam || t.kind == K::Opaque || t.kind == K::Self;
}

bool is_int_literal(const ir::Expr& e) {
  if (e.kind == ir::Expr::Kind::Int) return true;
  return e.kind == ir::Expr::Kind::Unary && e.text == "-" && !e.children.empty() && is_int_literal(e.children[0]);
}

// Fields whose methods change a CRDT value (for Method::mutated_fields). By
// name, on any receiver: it covers every DOLC_BODY_OP row of strategies.def
// that changes a field (tests/sema checks), and more.
const char* const kMutatingMethods[] = {"insert", "remove", "push", "add", "delete", "set", "increment",
                                        "decrement", "clear", "move", "mark", "unmark", "append", "pop"};

}  // namespace

// The exact value of an integer literal as written (`0x..`, `0b..`, `_`
// separators), or nullopt when it does not fit 64 bits unsigned. The AST's
// int_value is 64-bit and wraps past i64, so ranges are judged on the text.
std::optional<__int128> int_literal_value(const std::string& text) {
  unsigned __int128 v = 0;
  int base = 10;
  size_t i = 0;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) base = 16, i = 2;
  else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) base = 2, i = 2;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_') continue;
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0 || d >= base) break;
    v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    if (v > static_cast<unsigned __int128>(UINT64_MAX)) return std::nullopt;
  }
  return static_cast<__int128>(v);
}

namespace {

std::string int128_text(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

// The value of `literal` or `-literal` (nested minus signs included), or
// nullopt when `e` is neither or its magnitude passes 64 bits.
std::optional<__int128> literal_value(const ir::Expr& e) {
  if (e.kind == ir::Expr::Kind::Int) return int_literal_value(e.text);
  if (e.kind == ir::Expr::Kind::Unary && e.text == "-" && !e.children.empty()) {
    auto inner = literal_value(e.children[0]);
    if (inner) return -*inner;
  }
  return std::nullopt;
}

}  // namespace

std::pair<__int128, __int128> int_type_range(const ir::Type& t) {
  int bits = t.bits > 0 && t.bits <= 64 ? t.bits : 64;
  if (t.is_signed) {
    __int128 max = (static_cast<__int128>(1) << (bits - 1)) - 1;
    return {-max - 1, max};
  }
  return {0, (static_cast<__int128>(1) << bits) - 1};
}

bool Checker::check_int_range(const ir::Expr& e, const ir::Type& want, const std::string& what) {
  const ir::Type* t = &want;
  if (t->kind == K::Option && !t->args.empty()) t = &t->args[0];
  if (t->kind != K::Int || !is_int_literal(e)) return true;
  auto value = literal_value(e);
  if (!value) return true;  // past 64 bits: check_expr reported the literal itself
  auto [lo, hi] = int_type_range(*t);
  if (*value >= lo && *value <= hi) return true;
  diags_.report(Rule::IntegerOutOfRange, e.span,
                what + " is `" + int128_text(*value) + "`, outside the range of `" + t->canonical() + "`",
                {"`" + t->canonical() + "` holds " + int128_text(lo) + " to " + int128_text(hi) +
                 "; use a value in that range, or a wider type"});
  return false;
}

bool Checker::assignable(const ir::Type& from, const ir::Type& to, const ir::Expr* expr) const {
  if (unknown(from) || unknown(to)) return true;
  if (expr && is_int_literal(*expr) && (to.kind == K::Int || to.kind == K::Float || to.kind == K::Timestamp))
    return true;
  if (expr && expr->kind == ir::Expr::Kind::String &&
      (to.kind == K::String || to.kind == K::RichText || to.kind == K::Identity || to.kind == K::Uuid ||
       to.kind == K::Bytes || to.kind == K::Timestamp))
    return true;
  switch (to.kind) {
    case K::Option:
      if (from.kind == K::Option)
        return from.args.empty() || to.args.empty() || assignable(from.args[0], to.args[0]);
      return !to.args.empty() && assignable(from, to.args[0], expr);  // implicit Some
    case K::Int: return from.kind == K::Int || from.kind == K::Timestamp;
    case K::Float: return from.kind == K::Float || from.kind == K::Int;
    case K::Timestamp: return from.kind == K::Timestamp || from.kind == K::Int;
    case K::RichText: return from.kind == K::RichText || from.kind == K::String;
    case K::Identity: return from.kind == K::Identity || from.kind == K::String;
    case K::Enum:
      if (from.kind != K::Enum) return false;
      if (!to.name.empty() && !from.name.empty()) return to.name == from.name;
      return from.variants == to.variants || from.variants.empty();
    case K::Gene: return from.kind == K::Gene && descends_from(from.name, to.name);
    case K::List:
    case K::Set:
    case K::Map:
    case K::Tuple:
    case K::Result:
      if (from.kind != to.kind) return false;
      if (from.args.size() != to.args.size()) return from.args.empty();
      for (size_t i = 0; i < from.args.size(); ++i)
        if (!assignable(from.args[i], to.args[i])) return false;
      return true;
    default: return from == to;
  }
}

void Checker::expect_type(const ir::Expr& e, const ir::Type& want, const std::string& what) {
  if (assignable(e.type, want, &e)) {
    check_int_range(e, want, what);
    return;
  }
  diags_.report(Rule::TypeMismatch, e.span,
                what + " has type `" + e.type.canonical() + "`, expected `" + want.canonical() + "`",
                {"change the expression, or the declared type"});
}

namespace {

struct BuiltinFn {
  const char* name;
  K result;
};
const BuiltinFn kBuiltinFns[] = {
    {"now", K::Timestamp}, {"uuid", K::Uuid},       {"random", K::Float},     {"env", K::String},
    {"from_text", K::RichText}, {"to_text", K::String}, {"to_string", K::String}, {"parse_int", K::Int},
    {"default", K::Error}, {"Some", K::Option},     {"Ok", K::Result},        {"Err", K::Result},
    {"len", K::Int},       {"min", K::Error},       {"max", K::Error},        {"abs", K::Error},
};

const BuiltinFn* find_builtin_fn(const std::string& name) {
  for (const auto& b : kBuiltinFns)
    if (name == b.name) return &b;
  return nullptr;
}

}  // namespace

// ----- the IR's own kinds -------------------------------------------------
//
// ir/schema.hpp does not borrow the AST's enums (back ends must not depend on
// the parser's tree), so each kind is mapped here, one to one. The switches
// name every enumerator and have no default: a kind added to the AST and not
// here is a -Wswitch error, not a silent mismatch.

namespace {

ir::Expr::Kind ir_expr_kind(ast::Expr::Kind k) {
  using A = ast::Expr::Kind;
  using I = ir::Expr::Kind;
  switch (k) {
    case A::Int: return I::Int;
    case A::Float: return I::Float;
    case A::String: return I::String;
    case A::Bool: return I::Bool;
    case A::Name: return I::Name;
    case A::Path: return I::Path;
    case A::Field: return I::Field;
    case A::Call: return I::Call;
    case A::MethodCall: return I::MethodCall;
    case A::Index: return I::Index;
    case A::Unary: return I::Unary;
    case A::Binary: return I::Binary;
    case A::Assign: return I::Assign;
    case A::If: return I::If;
    case A::Match: return I::Match;
    case A::Block: return I::Block;
    case A::StructLit: return I::StructLit;
    case A::ListLit: return I::ListLit;
    case A::MapLit: return I::MapLit;
    case A::TupleLit: return I::TupleLit;
    case A::Closure: return I::Closure;
    case A::Cast: return I::Cast;
    case A::Try: return I::Try;
    case A::Quantifier: return I::Quantifier;
    case A::Opaque: return I::Opaque;
  }
  return I::Opaque;  // (not reached: every kind is named above)
}

ir::Stmt::Kind ir_stmt_kind(ast::Stmt::Kind k) {
  using A = ast::Stmt::Kind;
  using I = ir::Stmt::Kind;
  switch (k) {
    case A::Let: return I::Let;
    case A::Expr: return I::Expr;
    case A::Return: return I::Return;
    case A::Break: return I::Break;
    case A::Continue: return I::Continue;
    case A::For: return I::For;
    case A::While: return I::While;
    case A::Loop: return I::Loop;
  }
  return I::Expr;  // (not reached)
}

ir::Pattern ir_pattern(const ast::Pattern& p) {
  using A = ast::Pattern::Kind;
  using I = ir::Pattern::Kind;
  ir::Pattern out;
  switch (p.kind) {
    case A::Wildcard: out.kind = I::Wildcard; break;
    case A::Literal: out.kind = I::Literal; break;
    case A::Binding: out.kind = I::Binding; break;
    case A::Variant: out.kind = I::Variant; break;
    case A::Tuple: out.kind = I::Tuple; break;
  }
  out.text = p.text;
  out.span = p.span;
  for (const auto& sub : p.sub) out.sub.push_back(ir_pattern(sub));
  return out;
}

}  // namespace

// ----- expressions: a dispatcher and one handler per kind -------------------

ir::Expr Checker::check_expr(const ast::Expr& e, Scope& scope) {
  using EK = ast::Expr::Kind;
  ir::Expr out;
  out.kind = ir_expr_kind(e.kind);
  out.span = e.span;
  out.text = e.text;
  out.int_value = e.int_value;
  out.arg_names = e.arg_names;
  out.params = e.params;
  if (e.type) out.cast_type = resolve_type(*e.type, scope.gene ? scope.gene->type_params : std::vector<std::string>{});

  switch (e.kind) {
    case EK::Int: check_int_literal(e, out); break;
    case EK::Float: out.type = ir::Type::floating(64); break;
    case EK::String: out.type = ir::Type::make(K::String); break;
    case EK::Bool: out.type = ir::Type::make(K::Bool); break;
    case EK::Name: check_name(e, scope, out); break;
    case EK::Path: check_path(e, out); break;
    case EK::Field: check_field_access(e, scope, out); break;
    case EK::Call: check_call(e, scope, out); break;
    case EK::MethodCall: check_method_call(e, scope, out); break;
    case EK::Index: check_index(e, scope, out); break;
    case EK::Unary: check_unary(e, scope, out); break;
    case EK::Binary: check_binary(e, scope, out); break;
    case EK::Assign: check_assign(e, scope, out); break;
    case EK::If: check_if(e, scope, out); break;
    case EK::Match: check_match(e, scope, out); break;
    case EK::Block: check_block(e, scope, out); break;
    case EK::StructLit: check_struct_lit(e, scope, out); break;
    case EK::ListLit:
    case EK::MapLit:
    case EK::TupleLit: check_collection_lit(e, scope, out); break;
    case EK::Closure:
    case EK::Quantifier: check_binder(e, scope, out); break;
    case EK::Cast:
      check_children(e, scope, out);
      if (out.cast_type) out.type = *out.cast_type;
      break;
    case EK::Try: check_children(e, scope, out); break;
    case EK::Opaque: break;
  }
  return out;
}

void Checker::check_children(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  for (const auto& c : e.children) out.children.push_back(check_expr(c, scope));
}

bool Checker::field_ref(ir::Expr& node, const ir::Gene* g, const std::string& name, Span span, bool report,
                        const Scope& scope) {
  if (!g) return false;
  for (size_t i = 0; i < g->fields.size(); ++i)
    if (g->fields[i].name == name) {
      node.ref = ir::Expr::Ref::GeneField;
      node.field = name;
      node.field_index = static_cast<int>(i);
      node.type = g->fields[i].type;
      return true;
    }
  if (scope.extra_fields && scope.extra_fields->count(name)) {
    node.ref = ir::Expr::Ref::GeneField;
    node.field = name;
    return true;
  }
  if (report && !incomplete_genes_.count(g->name)) {  // its syntax error was reported already
    std::vector<std::string> names;
    for (const auto& f : g->fields) names.push_back(f.name);
    std::vector<std::string> notes = did_you_mean(name, names);
    notes.push_back("fields of `" + g->name + "`: " + (names.empty() ? "(none)" : join(names, ", ")));
    diags_.report(Rule::UnknownField, span, "gene `" + g->name + "` has no field `" + name + "`", notes);
  }
  return false;
}

void Checker::check_int_literal(const ast::Expr& e, ir::Expr& out) {
  out.type = ir::Type::integer(64, true);
  // Past 64 bits no integer type holds it, whatever the context.
  if (!int_literal_value(e.text))
    diags_.report(Rule::IntegerOutOfRange, e.span, "the integer literal `" + e.text + "` does not fit 64 bits",
                  {"integers are at most 18446744073709551615 (`u64`) or 9223372036854775807 (`i64`)"});
}

// A bare name: a local, `this`/`self`, `old` in a migration, `None`, a field
// of the gene, a const or a built-in, in that order.
void Checker::check_name(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  const std::string& n = e.text;
  if (const ir::Type* local = scope.lookup(n)) {
    out.ref = ir::Expr::Ref::Local;
    out.type = *local;
  } else if (n == "this" || n == "self") {
    out.ref = ir::Expr::Ref::SelfValue;
    if (scope.gene) out.type = ir::Type::gene(scope.gene->name);
  } else if (n == "old" && scope.in_migration) {
    out.ref = ir::Expr::Ref::OldValue;
    if (scope.gene) out.type = ir::Type::gene(scope.gene->name);
  } else if (n == "None") {
    out.ref = ir::Expr::Ref::Builtin;
    out.type = ir::Type::make(K::Option);
  } else if (field_ref(out, scope.gene, n, e.span, false, scope)) {
  } else if (consts_.count(n)) {
    out.ref = ir::Expr::Ref::Const;
  } else if (find_builtin_fn(n)) {
    out.ref = ir::Expr::Ref::Builtin;
  } else if (scope.bare_names_are_fields && scope.gene && !gene_by_name(n) && !lookup(n, "")) {
    field_ref(out, scope.gene, n, e.span, true, scope);
  }
}

// `Enum::Variant`.
void Checker::check_path(const ast::Expr& e, ir::Expr& out) {
  auto sep = e.text.rfind("::");
  if (sep == std::string::npos) return;
  std::string enum_name = e.text.substr(0, sep), variant = e.text.substr(sep + 2);
  ast::TypeRef ref;
  ref.name = enum_name;
  ref.span = e.span;
  ir::Type t = resolve_type(ref, {}, false);
  if (t.kind != K::Enum) return;
  out.ref = ir::Expr::Ref::EnumVariant;
  out.enum_name = t.name;
  if (std::find(t.variants.begin(), t.variants.end(), variant) == t.variants.end()) {
    std::vector<std::string> notes = did_you_mean(variant, t.variants);
    notes.push_back("variants of `" + t.canonical() + "`: " + join(t.variants, ", "));
    diags_.report(Rule::TypeMismatch, e.span, "enum `" + t.canonical() + "` has no variant `" + variant + "`", notes);
  } else {
    out.type = t;
  }
}

// `recv.f`: a field of a gene value.
void Checker::check_field_access(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  out.children.push_back(check_expr(e.children.at(0), scope));
  const ir::Expr& recv = out.children[0];
  if (recv.type.kind != K::Gene) return;
  const ir::Gene* g = gene_by_name(recv.type.name);
  bool on_self = recv.ref == ir::Expr::Ref::SelfValue || recv.ref == ir::Expr::Ref::OldValue;
  // old.f may name a field of the previous version (an evolution's extra_fields).
  if (!(on_self && scope.extra_fields && scope.extra_fields->count(e.text))) {
    field_ref(out, g, e.text, e.span, true, scope);
  } else {
    out.ref = ir::Expr::Ref::GeneField;
    out.field = e.text;
    field_ref(out, g, e.text, e.span, false, scope);
  }
}

// `f(args)`: a built-in, or a method of the gene.
void Checker::check_call(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  check_children(e, scope, out);
  const ast::Expr& callee = e.children.at(0);
  if (callee.kind != ast::Expr::Kind::Name) return;
  if (const BuiltinFn* b = find_builtin_fn(callee.text); b && !scope.lookup(callee.text)) {
    out.ref = ir::Expr::Ref::Builtin;
    out.children[0].ref = ir::Expr::Ref::Builtin;
    if (b->result == K::Option) {
      out.type = ir::Type::make(K::Option);
      if (out.children.size() > 1) out.type.args.push_back(out.children[1].type);
    } else if (b->result == K::Int) {
      out.type = ir::Type::integer(64, true);
    } else if (b->result == K::Float) {
      out.type = ir::Type::floating(64);
    } else if (b->result != K::Result) {
      out.type = ir::Type::make(b->result);
    }
  } else if (scope.gene) {
    for (const auto& m : scope.gene->methods)
      if (m.name == callee.text) {
        out.ref = ir::Expr::Ref::Method;
        out.type = m.result;
      }
  }
}

// `recv.m(args)`: records the fields a method changes; types the gene's own
// methods and the collection queries every strategy has.
void Checker::check_method_call(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  check_children(e, scope, out);
  const ir::Expr& recv = out.children.at(0);
  if (recv.ref == ir::Expr::Ref::GeneField && scope.mutated &&
      std::find(std::begin(kMutatingMethods), std::end(kMutatingMethods), e.text) != std::end(kMutatingMethods) &&
      std::find(scope.mutated->begin(), scope.mutated->end(), recv.field) == scope.mutated->end())
    scope.mutated->push_back(recv.field);
  if (recv.ref == ir::Expr::Ref::SelfValue && scope.gene) {
    for (const auto& m : scope.gene->methods)
      if (m.name == e.text) {
        out.ref = ir::Expr::Ref::Method;
        out.type = m.result;
      }
  }
  if (e.text == "len" || e.text == "length" || e.text == "size" || e.text == "count")
    out.type = ir::Type::integer(64, true);
  if (e.text == "contains" || e.text == "has" || e.text == "is_empty" || e.text == "is_some" || e.text == "is_none")
    out.type = ir::Type::make(K::Bool);
}

void Checker::check_index(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  check_children(e, scope, out);
  const ir::Type& t = out.children.at(0).type;
  if ((t.kind == K::List || t.kind == K::Option) && !t.args.empty()) out.type = t.args[0];
  if (t.kind == K::Map && t.args.size() == 2) out.type = t.args[1];
}

void Checker::check_unary(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  out.children.push_back(check_expr(e.children.at(0), scope));
  const ir::Type& t = out.children[0].type;
  if (e.text == "!") {
    if (!unknown(t) && t.kind != K::Bool) expect_type(out.children[0], ir::Type::make(K::Bool), "the operand of `!`");
    out.type = ir::Type::make(K::Bool);
  } else {
    out.type = t;
  }
}

// Logic, membership, comparisons and arithmetic.
void Checker::check_binary(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  check_children(e, scope, out);
  if (out.children.size() != 2) return;
  const ir::Expr& l = out.children[0];
  const ir::Expr& r = out.children[1];
  const std::string& op = e.text;
  if (op == "&&" || op == "||" || op == "implies") {
    expect_type(l, ir::Type::make(K::Bool), "the left side of `" + op + "`");
    expect_type(r, ir::Type::make(K::Bool), "the right side of `" + op + "`");
    out.type = ir::Type::make(K::Bool);
  } else if (op == "in") {  // `x in [a, b]`, `x in this.items`: membership
    out.type = ir::Type::make(K::Bool);
  } else if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
    if (!assignable(r.type, l.type, &r) && !assignable(l.type, r.type, &l))
      diags_.report(Rule::TypeMismatch, e.span,
                    "cannot compare `" + l.type.canonical() + "` with `" + r.type.canonical() + "`",
                    {"both sides of `" + op + "` must have the same type"});
    // A constant compared with a field must be a value of the field's type
    // (`count <= 300` on a `u8` is always true, and lowered it would wrap).
    else if (is_int_literal(r) && !is_int_literal(l))
      check_int_range(r, l.type, "the constant compared with `" + std::string(sources_.text(l.span)) + "`");
    else if (is_int_literal(l) && !is_int_literal(r))
      check_int_range(l, r.type, "the constant compared with `" + std::string(sources_.text(r.span)) + "`");
    out.type = ir::Type::make(K::Bool);
  } else if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") {
    bool l_num = l.type.is_numeric() || l.type.kind == K::Timestamp;
    bool r_num = r.type.is_numeric() || r.type.kind == K::Timestamp;
    if (op == "+" && l.type.kind == K::String && (r.type.kind == K::String || unknown(r.type))) {
      out.type = l.type;
    } else if ((l_num || unknown(l.type)) && (r_num || unknown(r.type))) {
      out.type = is_int_literal(l) && !unknown(r.type) ? r.type : l.type;
    } else {
      diags_.report(Rule::TypeMismatch, e.span,
                    "`" + op + "` needs numbers, found `" + l.type.canonical() + "` and `" + r.type.canonical() + "`",
                    {"arithmetic applies to integer and float values"});
    }
  }
}

// `target = value` and the compound forms; records the field a method changes.
void Checker::check_assign(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  out.children.push_back(check_expr(e.children.at(0), scope));
  out.children.push_back(check_expr(e.children.at(1), scope));
  const ir::Expr& target = out.children[0];
  if (target.ref == ir::Expr::Ref::GeneField && scope.mutated &&
      std::find(scope.mutated->begin(), scope.mutated->end(), target.field) == scope.mutated->end())
    scope.mutated->push_back(target.field);
  if (e.text == "=") {
    expect_type(out.children[1], target.type, "the value assigned to `" + std::string(sources_.text(target.span)) + "`");
  } else if (!unknown(target.type) && !target.type.is_numeric() && target.type.kind != K::String) {
    diags_.report(Rule::TypeMismatch, e.span,
                  "`" + e.text + "` needs a number, `" + std::string(sources_.text(target.span)) + "` has type `" +
                      target.type.canonical() + "`",
                  {"use a method of the field's strategy instead"});
  }
  out.type = ir::Type::make(K::Unit);
}

void Checker::check_if(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  for (size_t i = 0; i < e.children.size(); ++i) {
    out.children.push_back(check_expr(e.children[i], scope));
    if (i == 0) expect_type(out.children[0], ir::Type::make(K::Bool), "the `if` condition");
  }
  if (out.children.size() == 3) out.type = out.children[1].type;
}

// Each arm's pattern bindings are locals of that arm only.
void Checker::check_match(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  out.children.push_back(check_expr(e.children.at(0), scope));
  for (const auto& arm : e.arms) {
    size_t mark = scope.locals.size();
    scope.bind(arm.pattern);
    ir::MatchArm a{ir_pattern(arm.pattern), std::nullopt, check_expr(arm.body, scope), arm.span};
    if (arm.guard) a.guard = check_expr(*arm.guard, scope);
    scope.locals.resize(mark);
    out.arms.push_back(std::move(a));
  }
}

// A block's value is its last expression statement's.
void Checker::check_block(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  size_t mark = scope.locals.size();
  for (const auto& s : e.stmts) out.stmts.push_back(check_stmt(s, scope));
  if (!out.stmts.empty() && out.stmts.back().kind == ir::Stmt::Kind::Expr && out.stmts.back().expr)
    out.type = out.stmts.back().expr->type;
  else
    out.type = ir::Type::make(K::Unit);
  scope.locals.resize(mark);
}

// `Gene { f: v, ... }`: each value against its field's type.
void Checker::check_struct_lit(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  check_children(e, scope, out);
  ast::TypeRef ref;
  ref.name = e.text;
  ref.span = e.span;
  ir::Type t = resolve_type(ref, {}, true);
  if (t.kind == K::Gene) {
    const ir::Gene* g = gene_by_name(t.name);
    for (size_t i = 0; i < out.children.size() && i < e.arg_names.size() && g; ++i) {
      const ir::Field* f = g->field(e.arg_names[i]);
      if (!f) {
        ir::Expr probe;
        field_ref(probe, g, e.arg_names[i], e.children[i].span, true, scope);
        continue;
      }
      expect_type(out.children[i], f->type, "field `" + f->name + "` of `" + g->name + "`");
    }
  }
  out.type = t;
}

// List, map and tuple literals, typed by their elements (the first ones for
// lists and maps).
void Checker::check_collection_lit(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  check_children(e, scope, out);
  const auto& c = out.children;
  switch (e.kind) {
    case ast::Expr::Kind::ListLit:
      out.type = ir::Type::of(K::List, {c.empty() ? ir::Type::make(K::Error) : c[0].type});
      break;
    case ast::Expr::Kind::MapLit:
      out.type = ir::Type::of(K::Map, {c.size() >= 2 ? c[0].type : ir::Type::make(K::Error),
                                       c.size() >= 2 ? c[1].type : ir::Type::make(K::Error)});
      break;
    default:  // TupleLit
      out.type = ir::Type::make(c.empty() ? K::Unit : K::Tuple);
      for (const auto& x : c) out.type.args.push_back(x.type);
      break;
  }
}

// Closures and quantifiers bind their parameters for their body only; a
// quantifier's variable has the declared type and its value is a bool.
void Checker::check_binder(const ast::Expr& e, Scope& scope, ir::Expr& out) {
  bool quantifier = e.kind == ast::Expr::Kind::Quantifier;
  size_t mark = scope.locals.size();
  for (const auto& p : e.params)
    scope.locals.emplace_back(p, quantifier ? (out.cast_type ? *out.cast_type : ir::Type()) : ir::Type::make(K::Error));
  check_children(e, scope, out);
  scope.locals.resize(mark);
  if (quantifier) out.type = ir::Type::make(K::Bool);
}

// A destructuring `let`/`for`: the C++ lowering has no destructuring, so the
// value becomes opaque to it and `dolc build` reports the method not-compiled.
static void hide_from_lowering(ir::Stmt& out) {
  if (!out.expr) return;
  ir::Expr opaque;
  opaque.kind = ir::Expr::Kind::Opaque;
  opaque.span = out.expr->span;
  opaque.text = "destructuring";  // no source offset: the schema JSON must not change with layout
  out.expr = std::move(opaque);
}

ir::Stmt Checker::check_stmt(const ast::Stmt& s, Scope& scope) {
  using SK = ast::Stmt::Kind;
  ir::Stmt out;
  out.kind = ir_stmt_kind(s.kind);
  out.span = s.span;
  out.name = s.name;
  out.is_mut = s.is_mut;
  std::vector<std::string> tparams = scope.gene ? scope.gene->type_params : std::vector<std::string>{};
  if (s.type) out.declared_type = resolve_type(*s.type, tparams);
  if (s.expr) out.expr = check_expr(*s.expr, scope);
  switch (s.kind) {
    case SK::Let: {
      if (s.pattern) {
        // `let (a, b) = e`
        scope.bind(*s.pattern);
        hide_from_lowering(out);
        break;
      }
      ir::Type t = out.expr ? out.expr->type : ir::Type();
      if (out.declared_type) {
        if (out.expr) expect_type(*out.expr, *out.declared_type, "the value of `" + s.name + "`");
        t = *out.declared_type;
      }
      scope.locals.emplace_back(s.name, t);
      break;
    }
    case SK::Return:
      if (out.expr && scope.return_type) expect_type(*out.expr, *scope.return_type, "the returned value");
      break;
    case SK::While:
      if (out.expr) expect_type(*out.expr, ir::Type::make(K::Bool), "the `while` condition");
      [[fallthrough]];
    case SK::For:
    case SK::Loop: {
      size_t mark = scope.locals.size();
      if (s.kind == SK::For && s.pattern) {
        // `for (k, v) in m`
        scope.bind(*s.pattern);
        hide_from_lowering(out);
      } else if (s.kind == SK::For) {
        ir::Type elem;
        if (out.expr && (out.expr->type.kind == K::List || out.expr->type.kind == K::Set) &&
            !out.expr->type.args.empty())
          elem = out.expr->type.args[0];
        scope.locals.emplace_back(s.name, elem);
      }
      for (const auto& b : s.body) out.body.push_back(check_stmt(b, scope));
      scope.locals.resize(mark);
      break;
    }
    default: break;
  }
  return out;
}

}  // namespace dolc::sema
