// compiler/lower/methods.cpp: gene method bodies -> C++ (see methods.hpp).
//
// One walker serves both questions: method_lowerable() runs it and keeps only
// the first unsupported construct; lower_method_body() runs it and keeps the
// text. Field operations become calls of the generated class's own field
// methods on the path of the object they belong to (`kRoot` for the root
// object, the method's `a_path` for a nested one, or a child path reached
// through `this.f`, `this.map[key]` or `this.list[i]`), whose names come from
// the same labels the export table uses (`[<gene>-]<field>-<op>`). A child
// reached through a map key or list index is looked up in a statement of its
// own before the statement that uses it (`hoisted`), so a missing entry ends
// the method with an error (the caller then rolls everything back).
#include "lower/methods.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "ir/strategies.hpp"
#include "lower/naming.hpp"

namespace dolc::lower {

std::string cpp_enum_name(const std::string& wit_label) { return js_class(wit_label); }

std::string cpp_type(const WitType& t) {
  using K = WitType::Kind;
  switch (t.kind) {
    case K::Bool: return "bool";
    case K::S8: return "int8_t";
    case K::S16: return "int16_t";
    case K::S32: return "int32_t";
    case K::S64: return "int64_t";
    case K::U8: return "uint8_t";
    case K::U16: return "uint16_t";
    case K::U32: return "uint32_t";
    case K::U64: return "uint64_t";
    case K::F32: return "float";
    case K::F64: return "double";
    case K::String: return "std::string";
    case K::List: return "std::vector<" + cpp_type(t.args[0]) + ">";
    case K::Option: return "std::optional<" + cpp_type(t.args[0]) + ">";
    case K::Result: return t.args.empty() ? "dolc_gen::Status" : "dolc_gen::Result<" + cpp_type(t.args[0]) + ">";
    case K::Enum: return cpp_enum_name(t.name);
    case K::Record: return cpp_enum_name(t.name) + "Value";  // the document class has the plain name
  }
  return "void";
}

namespace {

using EK = ir::Expr::Kind;
using SK = ir::Stmt::Kind;
using TK = ir::Type::Kind;

// How deep gene methods may call each other (hoist_call): far more than a
// schema's own call chains need, and little enough of the wasm stack.
constexpr int kMaxCallDepth = 16;

// An object of the document a body reaches: its gene, the label prefix of
// its gene's field methods and the C++ expression of its runtime path.
struct Obj {
  const ir::Gene* gene = nullptr;
  std::string path;
};

struct Walker {
  const ir::Schema& schema;
  const ir::Gene& gene;
  const ir::Method& method;
  std::string failure;  // first unsupported construct
  int indent = 1;
  int temp = 0;
  // The interface's root gene (its fields' methods have no prefix; every
  // other gene's carry its label), and the path of the object the body runs on.
  const ir::Gene* root = nullptr;
  std::string self_path = "kRoot";
  // Statements that must run before the statement being lowered (child
  // lookups); false where there is no statement to put them before.
  std::string hoisted{};  // (initialisers: Walker is built as an aggregate, Walker{schema, gene, method, {}})
  bool can_hoist = true;
  // Locals bound to a nested object (`let acc = this.accounts[k]`, `for it
  // in this.items` over nested objects): the C++ variable holding its path.
  // Scoped like the locals themselves (block() restores it).
  std::map<std::string, Obj> objects{};
  // Gene methods the body calls (when the caller wants them: the export
  // table keeps a caller only while its callees are compiled).
  std::vector<MethodCallee>* calls = nullptr;

  void fail(const std::string& what) {
    if (failure.empty()) failure = what;
  }

  std::string pad() const { return std::string(static_cast<size_t>(indent) * 2, ' '); }

  std::string value_type(const ir::Type& t) {
    WitType w;
    std::string why;
    if (t.kind == TK::Unit) return "void";
    if (!wit_value_type(schema, t, wit_label(gene.name) + "-" + wit_label(method.name), &w, &why)) {
      fail("a value of type `" + t.canonical() + "`");
      return "int";
    }
    return cpp_type(w);
  }

  std::string prefix_of(const ir::Gene* g) const {
    return g == root ? std::string() : wit_label(g->name);
  }

  // The field a name or field access denotes, and the object it belongs to:
  // `this.f` / `self.f` / a bare `f` on the method's own object, or `X.f`
  // where X is a nested object (object_of).
  const ir::Field* field_of(const ir::Expr& e, Obj* owner = nullptr) {
    if (e.ref != ir::Expr::Ref::GeneField || e.field_index < 0) return nullptr;
    Obj o{&gene, self_path};
    if (e.kind == EK::Field && !(e.children.size() == 1 && e.children[0].ref == ir::Expr::Ref::SelfValue)) {
      if (e.children.size() != 1) return nullptr;
      std::optional<Obj> recv = object_of(e.children[0]);
      if (!recv) return nullptr;
      o = *recv;
    }
    if (static_cast<size_t>(e.field_index) >= o.gene->fields.size()) return nullptr;
    if (owner) *owner = o;
    return &o.gene->fields[static_cast<size_t>(e.field_index)];
  }

  // A nested object as a value of gene type: `this` / `self`, a field of
  // gene type, `this.map[key]` (an or_set map of genes), `this.list[i]`
  // (an rga list of genes) or a local bound to one of these. Lookups that
  // can miss are hoisted: the method fails with a message naming the field
  // and key, and changes nothing.
  std::optional<Obj> object_of(const ir::Expr& e) {
    if (e.ref == ir::Expr::Ref::SelfValue) return Obj{&gene, self_path};
    if (e.kind == EK::Name && e.ref == ir::Expr::Ref::Local) {
      auto it = objects.find(e.text);
      if (it == objects.end()) return std::nullopt;
      return it->second;
    }
    if (e.type.kind != TK::Gene) return std::nullopt;
    const ir::Gene* g = schema.find_gene(e.type.name);
    if (!g) return std::nullopt;
    if (e.kind == EK::Field || e.kind == EK::Name) {
      Obj owner;
      const ir::Field* f = field_of(e, &owner);
      if (!f || !f->nested_gene || f->type.kind != TK::Gene) return std::nullopt;
      return Obj{g, fcall(owner, *f, "child")};
    }
    if (e.kind == EK::Index && e.children.size() == 2) {
      Obj owner;
      const ir::Field* f = field_of(e.children[0], &owner);
      if (!f) return std::nullopt;
      // Fields whose values are nested objects, reached by key or position.
      const ir::ShapeInfo& shape = ir::shape_info(ir::field_shape(*f));
      bool map = shape.objects && shape.key == ir::ShapeType::MapKey;
      bool list = shape.objects && shape.value == ir::ShapeType::Element;
      if (!map && !list) return std::nullopt;
      if (!can_hoist) {
        fail("`" + f->name + "[..]` here (a lookup that can fail needs a statement of its own)");
        return std::nullopt;
      }
      std::string key = expr(e.children[1]);
      std::string k = fmt::format("k{}_", temp), p = fmt::format("o{}_", temp);
      ++temp;
      std::string shown = map ? "dolc_gen::json_value(" + k + ")" : "std::to_string(" + k + ")";
      hoisted += fmt::format("{}const auto {} = {};\n", pad(), k, list ? "static_cast<int64_t>(" + key + ")" : key);
      std::string lookup = fcall(owner, *f, "child", list ? "static_cast<uint32_t>(" + k + ")" : k);
      if (list)
        lookup = fmt::format("{} < 0 ? dolc_gen::Result<dolc_gen::Bytes>(dolc_gen::Failure{{\"\"}}) : {}", k, lookup);
      hoisted += fmt::format("{}auto {} = {};\n", pad(), p, lookup);
      hoisted += fmt::format("{}if (!{}.ok) return dolc_gen::Failure{{std::string({}) + {} + \"]` does not exist\"}};\n",
                             pad(), p, cpp_string_literal("`" + f->name + "["), shown);
      return Obj{g, p + ".value"};
    }
    return std::nullopt;
  }

  std::string fcall(const Obj& o, const ir::Field& f, const std::string& op, const std::string& args = "") {
    WitType probe;
    std::string why;
    const ir::Type& t = f.type;
    // Fields the export table leaves out have no methods to call.
    const ir::ShapeInfo& shape = ir::shape_info(ir::field_shape(f));
    const ir::Type* value = &t;
    if ((shape.value == ir::ShapeType::Element || shape.value == ir::ShapeType::MapValue) && !t.args.empty())
      value = &t.args.back();
    // Lists and maps of nested objects have their ops whatever the
    // elements' fields (api.cpp: the elements are objects, not records);
    // text ops take no value of the field's type.
    if (shape.value != ir::ShapeType::None && !f.nested_gene && !shape.objects && op != "child" &&
        !wit_value_type(schema, *value, wit_label(o.gene->name) + "-" + wit_label(f.name), &probe, &why))
      fail("field `" + f.name + "` (" + why + ")");
    // A map's key must cross the boundary too (its `child` takes it).
    if (f.type.kind == TK::Map && !f.type.args.empty() &&
        !wit_value_type(schema, f.type.args[0], wit_label(o.gene->name) + "-" + wit_label(f.name), &probe, &why))
      fail("field `" + f.name + "` (" + why + ")");
    // The member cpp.cpp declares: cpp_ident of the whole WIT label
    // (`class-set` -> `class_set`), not of the field alone (`class_` + `_set`).
    std::string prefix = prefix_of(o.gene);
    return fmt::format("this->{}({}{}{})", cpp_ident((prefix.empty() ? "" : prefix + "-") + wit_label(f.name) + "-" + op),
                       o.path, args.empty() ? "" : ", ", args);
  }

  // Whether object_of(e) succeeds, without keeping what it hoists or
  // reports (to choose between an object and a record value first).
  bool denotes_object(const ir::Expr& e) {
    if (e.ref != ir::Expr::Ref::SelfValue && e.type.kind != TK::Gene) return false;
    std::string saved_hoisted = hoisted, saved_failure = failure;
    int saved_temp = temp;
    bool saved_can_hoist = can_hoist;
    can_hoist = true;
    bool ok = object_of(e).has_value();
    hoisted = std::move(saved_hoisted);
    failure = std::move(saved_failure);
    temp = saved_temp;
    can_hoist = saved_can_hoist;
    return ok;
  }

  // `this.m(args)`, `self.m(args)` or a bare `m(args)`: another method of
  // the same gene; `x.m(args)` where `x` has a gene type with a method `m`:
  // a method of that gene (called on the object `x` names, hoist_call).
  // nullptr for anything else; `*owner`: the callee's gene.
  const ir::Method* callee_of(const ir::Expr& e, const ir::Gene** owner = nullptr) const {
    std::string name;
    const ir::Gene* g = &gene;
    if (e.kind == EK::MethodCall && !e.children.empty() && e.children[0].ref == ir::Expr::Ref::SelfValue) {
      name = e.text;
    } else if (e.kind == EK::MethodCall && !e.children.empty() && e.children[0].type.kind == TK::Gene) {
      // A register holding a whole gene value (`@crdt(lww)`) is a field
      // with ops (`.set(..)`), not an object with methods.
      const ir::Expr& recv = e.children[0];
      if (recv.ref == ir::Expr::Ref::GeneField && recv.field_index >= 0) {
        const ir::Gene* owner_of_field = &gene;
        if (recv.kind == EK::Field && recv.children.size() == 1 && recv.children[0].ref != ir::Expr::Ref::SelfValue)
          owner_of_field = schema.find_gene(recv.children[0].type.name);
        if (!owner_of_field || static_cast<size_t>(recv.field_index) >= owner_of_field->fields.size() ||
            !owner_of_field->fields[static_cast<size_t>(recv.field_index)].nested_gene)
          return nullptr;
      }
      name = e.text;
      g = schema.find_gene(recv.type.name);
      if (!g) return nullptr;
    } else if (e.kind == EK::Call && !e.children.empty() && e.children[0].kind == EK::Name &&
               (e.children[0].ref == ir::Expr::Ref::None || e.children[0].ref == ir::Expr::Ref::Method)) {
      name = e.children[0].text;  // (not a local or builtin of that name)
    } else {
      return nullptr;
    }
    for (const auto& m : g->methods)
      if (m.name == name) {
        if (owner) *owner = g;
        return &m;
      }
    return nullptr;
  }

  // An argument of a call as the C++ value of the callee's parameter type:
  // numbers convert (an integer parameter takes no float), anything else
  // must already be a value of the same C++ type.
  std::string argument(const ir::Expr& a, const ir::Param& p, const ir::Gene& owner, const ir::Method& callee) {
    std::string x = expr(a);
    WitType to, from;
    std::string why;
    // A parameter type that does not cross leaves the callee out of the
    // export table, and the caller with it (build_export_table).
    if (!wit_value_type(schema, p.type, wit_label(owner.name) + "-" + wit_label(callee.name) + "-" + wit_label(p.name),
                        &to, &why))
      return x;
    if (p.type.is_numeric() && a.type.is_numeric()) {
      if (p.type.is_integer() && !a.type.is_integer()) fail("passing a float as the integer parameter `" + p.name +
                                                            "` of `" + callee.name + "`");
      return "static_cast<" + cpp_type(to) + ">(" + x + ")";
    }
    if (p.type.kind == TK::Option && a.type.kind == TK::Option && a.type.args.empty()) return x;  // `None`
    if (!wit_value_type(schema, a.type, wit_label(gene.name) + "-" + wit_label(method.name), &from, &why) ||
        cpp_type(from) != cpp_type(to))
      fail("passing a `" + a.type.canonical() + "` as the parameter `" + p.name + "` of `" + callee.name +
           "` (a `" + p.type.canonical() + "`)");
    return x;
  }

  // A call of another gene method, hoisted into a statement of its own:
  // the callee's writes join this method's (it runs inside this method's
  // checkpoint, so nothing of it is judged or committed alone), and its
  // failure ends this method with the same error, which rolls back
  // everything both wrote. Returns the C++ variable holding the callee's
  // Status / Result. Calls nest at most kMaxCallDepth deep (the generated
  // class counts them in call_depth_): recursion fails cleanly instead of
  // running out of wasm stack.
  //
  // Called on another object (`acc.m(..)`, `this.accounts[k].m(..)`), the
  // receiver's lookup is hoisted first (a missing one fails the same way).
  // The generated method of a nested object's gene takes its path; the
  // interface's root gene's methods take none and run on the root, so a
  // call on another object of the root's gene cannot be expressed: refused
  // here when that gene is the method's own, else by the export table
  // (MethodCallee::other_object).
  std::string hoist_call(const ir::Expr& e, const ir::Method& callee) {
    if (!can_hoist) {
      fail("the call of `" + callee.name + "` here (a call needs a statement of its own)");
      return "c_";
    }
    const ir::Gene* owner = &gene;
    (void)callee_of(e, &owner);
    bool other = e.kind == EK::MethodCall && e.children[0].ref != ir::Expr::Ref::SelfValue;
    Obj target{&gene, self_path};
    if (other) {
      std::optional<Obj> o = object_of(e.children[0]);
      if (!o) {
        fail("the call of `" + callee.name + "` on a `" + owner->name + "` that is not an object of the document");
        return "c_";
      }
      target = *o;
    }
    size_t given = e.children.size() - 1;  // args follow the receiver (or the callee's name)
    if (given != callee.params.size())
      fail(fmt::format("the call of `{}` with {} argument{} (it takes {})", callee.name, given, given == 1 ? "" : "s",
                       callee.params.size()));
    std::string prefix = prefix_of(target.gene);
    if (other && prefix.empty())
      fail("the call of `" + callee.name + "` on another `" + target.gene->name + "` object");
    std::string args = prefix.empty() ? "" : target.path;  // a nested gene's methods take the object's path first
    for (size_t i = 0; i < given && i < callee.params.size(); ++i)
      args += (args.empty() ? "" : ", ") + argument(e.children[i + 1], callee.params[i], *target.gene, callee);
    if (calls) calls->push_back({target.gene, &callee, other});
    std::string c = fmt::format("c{}_", temp++);
    hoisted += fmt::format("{0}if (call_depth_ == {1}) return dolc_gen::Failure{{{2}}};\n", pad(), kMaxCallDepth,
                           cpp_string_literal(fmt::format("method `{}` not called: gene methods call each other at "
                                                          "most {} deep", callee.name, kMaxCallDepth)));
    hoisted += pad() + "++call_depth_;\n";
    hoisted += fmt::format("{}auto {} = this->{}({});\n", pad(), c,
                           cpp_ident((prefix.empty() ? "" : prefix + "-") + "call-" + wit_label(callee.name)), args);
    hoisted += pad() + "--call_depth_;\n";
    hoisted += fmt::format("{0}if (!{1}.ok) return dolc_gen::Failure{{{1}.error}};\n", pad(), c);
    return c;
  }

  // The value of a call of a gene method used as a whole value (a `let`,
  // the right side of an assignment, an `if` condition, a `return`): the
  // callee's plain result. Its `Result` is not a value the lowering has
  // (there is no `match` on it); `return` passes one through (ret()).
  std::string call_value(const ir::Expr& e, const ir::Method& callee) {
    if (callee.result.kind == TK::Unit || callee.result.kind == TK::Result) {
      fail("the result of `" + callee.name + "` used as a value");
      return "0";
    }
    return hoist_call(e, callee) + ".value";
  }

  // A whole value: a call of another method, or any other expression.
  std::string whole_value(const ir::Expr& e) {
    if (const ir::Method* callee = callee_of(e)) return call_value(e, *callee);
    return expr(e);
  }

  std::string literal_default(const ir::Type& t) {
    std::string ct = value_type(t);
    return ct + "{}";
  }

  // Reading a field's current value as a plain value.
  std::string read_field(const Obj& o, const ir::Field& f) {
    switch (f.strategy) {
      case ir::Strategy::Immutable:
      case ir::Strategy::Lww:
        return fcall(o, f, "get") + ".value_or(" + literal_default(f.type) + ")";
      case ir::Strategy::PnCounter: return fcall(o, f, "value");
      case ir::Strategy::Peritext: return fcall(o, f, "text");
      // Collections and multi-values have no single plain value.
      case ir::Strategy::MvRegister:
      case ir::Strategy::OrSet:
      case ir::Strategy::Rga: break;
    }
    fail("reading the whole of `" + f.name + "` (" + ir::strategy_name(f.strategy) + ") as a value");
    return "0";
  }

  std::string try_status(const std::string& call) {
    return fmt::format("{}if (dolc_gen::Status s_ = {}; !s_.ok) return dolc_gen::Failure{{s_.error}};\n", pad(), call);
  }

  // A CRDT operation on a field as a statement, or a query as an expression.
  std::string field_method(const ir::Expr& e, const Obj& o, const ir::Field& f, bool as_statement) {
    const std::string& m = e.text;
    // A struct literal is lowered where it is used: written field by field
    // into a new nested object it never becomes a record (whose type may not
    // exist: a gene with a set field), elsewhere it does (arg()).
    std::vector<std::string> args;
    for (size_t i = 1; i < e.children.size(); ++i)
      args.push_back(e.children[i].kind == EK::StructLit ? std::string() : expr(e.children[i]));
    auto arg = [&](size_t i) {
      if (i >= args.size()) return (fail("`" + m + "` without arguments"), std::string("0"));
      if (args[i].empty()) args[i] = expr(e.children[i + 1]);
      return args[i];
    };
    // What the call lowers to is its DOLC_BODY_OP row (strategies.def), the
    // same row sema/calls.cpp checked the number of arguments against.
    std::string call;
    bool mutating = true;
    ir::FieldShape shape = ir::field_shape(f);
    const ir::BodyOpInfo* row = ir::find_body_op(shape, m);
    // The op's arguments: `$N` (the N-th argument), `u32($N)`, `$N?1`, a
    // number or `@label` (another op's value), as the table writes them.
    auto op_arg = [&](const std::string& token) -> std::string {
      if (token[0] == '@') return fcall(o, f, token.substr(1));
      if (token.rfind("u32($", 0) == 0) return "static_cast<uint32_t>(" + arg(std::stoul(token.substr(5)) - 1) + ")";
      if (token[0] != '$') return token;
      if (token.size() > 2 && token.compare(2, 2, "?1") == 0 && args.empty()) return "1";
      return arg(std::stoul(token.substr(1)) - 1);
    };
    auto op_args = [&] {
      std::string out;
      for (const std::string& token : row->arg_list()) out += (out.empty() ? "" : ", ") + op_arg(token);
      return out;
    };
    // A query's value as the body sees it: `@` stands for the op's call.
    std::string query;
    if (row) {
      switch (row->lowering) {
        case ir::BodyLowering::Write: call = fcall(o, f, row->label, op_args()); break;
        case ir::BodyLowering::Query: query = "@"; break;
        case ir::BodyLowering::Length: query = "static_cast<int64_t>(@)"; break;
        case ir::BodyLowering::KeyCount: query = "static_cast<int64_t>(@.size())"; break;
        case ir::BodyLowering::Empty: query = "(@ == 0)"; break;
        case ir::BodyLowering::NewObject: {
          // A gene value into a field of nested objects: a new object
          // (row->label creates it), then its fields set one by one.
          const ir::Gene* g = f.type.args.empty() || f.type.args.back().kind != TK::Gene
                                  ? nullptr
                                  : schema.find_gene(f.type.args.back().name);
          std::vector<std::string> where_value = row->arg_list();
          if (!g || where_value.size() != 2) break;
          if (!as_statement) fail(fmt::format("`.{}()` on `{}` used as a value", m, f.name));
          std::string where = op_arg(where_value[0]);
          size_t vi = std::stoul(where_value[1].substr(1));  // the value's index in e.children
          const ir::Expr* source = vi < e.children.size() ? &e.children[vi] : nullptr;
          std::string value = source && source->kind == EK::StructLit ? "" : arg(vi - 1);
          if (ir::shape_info(shape).key == ir::ShapeType::MapKey)
            return insert_map_gene_value(o, f, *g, row->label, where, value, source);
          return insert_gene_value(o, f, *g, row->label, *row->op_params != '\0', where, value, source);
        }
        case ir::BodyLowering::AppendOnly:
          fail(fmt::format("`.{}()` on the append-only list `{}`", m, f.name));
          return "";
        case ir::BodyLowering::NotLowered: break;
      }
    }
    if (!query.empty()) {
      call = query.replace(query.find('@'), 1, fcall(o, f, row->label, op_args()));
      mutating = false;
    }
    if (call.empty()) {
      fail(fmt::format("`.{}()` on field `{}` ({})", m, f.name, ir::strategy_name(f.strategy)));
      return "0";
    }
    if (mutating && !as_statement) fail(fmt::format("`.{}()` on `{}` used as a value", m, f.name));
    return as_statement && mutating ? try_status(call) : call;
  }

  // The gene of an rga field's elements when they are nested objects.
  const ir::Gene* element_gene(const ir::Field& f) {
    if (f.type.args.empty() || f.type.args[0].kind != TK::Gene) return nullptr;
    return schema.find_gene(f.type.args[0].name);
  }

  // Statements inserting the gene value `value` at `at` into the rga field
  // `f` (elements of gene `eg`): a new element (the op `create`, which takes
  // the position when `create_at`; an append-only list's appends, and `at`
  // is its length), then its fields written from the value's record, inside
  // the method's checkpoint (a failure rolls the whole method back).
  std::string insert_gene_value(const Obj& o, const ir::Field& f, const ir::Gene& eg, const std::string& create,
                                bool create_at, const std::string& at, const std::string& value,
                                const ir::Expr* source) {
    std::string n = std::to_string(temp++);
    std::string out = pad() + "{\n";
    ++indent;
    out += fmt::format("{}uint32_t at{}_ = {};\n", pad(), n, at);
    out += try_status(create_at ? fcall(o, f, create, "at" + n + "_") : fcall(o, f, create));
    out += fmt::format("{}auto c{}_ = {};\n", pad(), n, fcall(o, f, "child", "at" + n + "_"));
    out += fmt::format("{0}if (!c{1}_.ok) return dolc_gen::Failure{{c{1}_.error}};\n", pad(), n);
    out += write_value_into(eg, "c" + n + "_.value", n, value, source);
    --indent;
    return out + pad() + "}\n";
  }

  // The same for an or_set map of nested objects: a fresh value under `key`
  // (the op `create`: set-new), then its fields written from the record.
  std::string insert_map_gene_value(const Obj& o, const ir::Field& f, const ir::Gene& vg, const std::string& create,
                                    const std::string& key, const std::string& value, const ir::Expr* source) {
    std::string n = std::to_string(temp++);
    std::string out = pad() + "{\n";
    ++indent;
    out += fmt::format("{}const auto& k{}_ = {};\n", pad(), n, key);
    out += try_status(fcall(o, f, create, "k" + n + "_"));
    out += fmt::format("{}auto c{}_ = {};\n", pad(), n, fcall(o, f, "child", "k" + n + "_"));
    out += fmt::format("{0}if (!c{1}_.ok) return dolc_gen::Failure{{c{1}_.error}};\n", pad(), n);
    out += write_value_into(vg, "c" + n + "_.value", n, value, source);
    --indent;
    return out + pad() + "}\n";
  }

  // The fields of a new nested object at `path` written from the gene
  // value `value` (a record), or from the struct literal `source` field by
  // field: only the fields it names (the others keep the new object's
  // defaults), and no record of the gene is needed.
  std::string write_value_into(const ir::Gene& g, const std::string& path, const std::string& n,
                               const std::string& value, const ir::Expr* source) {
    if (source && source->kind == EK::StructLit) return write_gene_value(g, path, "", 0, source);
    std::string out = fmt::format("{}const auto& e{}_ = {};\n", pad(), n, value);
    return out + write_gene_value(g, path, "e" + n + "_", 0);
  }

  // Writes each field of the record `rec` (a value of gene `g`), or each
  // field the struct literal `literal` names, into the object at `path`
  // through the nested gene's field ops (prefix: the gene's label, as api.cpp
  // names them; none for the root gene itself).
  std::string write_gene_value(const ir::Gene& g, const std::string& path, const std::string& rec, int depth,
                               const ir::Expr* literal = nullptr) {
    if (depth > 8) {
      fail("a gene value nested this deeply");
      return "";
    }
    std::string prefix = prefix_of(&g);
    auto op = [&](const ir::Field& gf, const std::string& o, const std::string& args) {
      std::string label = (prefix.empty() ? "" : prefix + "-") + wit_label(gf.name) + "-" + o;
      return fmt::format("this->{}({}{}{})", cpp_ident(label), path, args.empty() ? "" : ", ", args);
    };
    std::string out;
    if (literal)
      for (const auto& name : literal->arg_names)
        if (!g.field(name)) fail("the field `" + name + "` in a struct literal");
    for (const auto& gf : g.fields) {
      std::string member = rec + "." + cpp_ident(wit_label(gf.name));
      if (literal) {
        auto named = std::find(literal->arg_names.begin(), literal->arg_names.end(), gf.name);
        size_t i = static_cast<size_t>(named - literal->arg_names.begin());
        if (named == literal->arg_names.end() || i >= literal->children.size()) continue;
        // Each value evaluated once (a counter's is compared, then added),
        // in the gene's order of fields: the values only read, so the order
        // does not show.
        member = fmt::format("m{}_", temp++);
        out += fmt::format("{}const auto {} = {};\n", pad(), member, expr(literal->children[i]));
      }
      if (gf.nested_gene && gf.type.kind == TK::Gene) {
        const ir::Gene* sub = schema.find_gene(gf.type.name);
        if (!sub) {
          fail("the nested gene `" + gf.type.name + "`");
          continue;
        }
        std::string p = fmt::format("p{}_", temp++);
        out += fmt::format("{}auto {} = {};\n", pad(), p, op(gf, "child", ""));
        out += write_gene_value(*sub, p, member, depth + 1);
        continue;
      }
      WitType probe;
      std::string why;
      if (ir::shape_info(ir::field_shape(gf)).value != ir::ShapeType::None &&
          !wit_value_type(schema, gf.type, wit_label(g.name) + "-" + wit_label(gf.name), &probe, &why)) {
        fail("field `" + gf.name + "` of a pushed `" + g.name + "` (" + why + ")");
        continue;
      }
      switch (gf.strategy) {
        case ir::Strategy::Lww: case ir::Strategy::Immutable: case ir::Strategy::MvRegister:
          out += try_status(op(gf, "set", member));
          break;
        case ir::Strategy::PnCounter:
          if (gf.type.kind != TK::Int) {
            fail("the counter `" + gf.name + "` of a pushed `" + g.name + "`");
            break;
          }
          // The counter starts at zero: the value is one increment (or decrement).
          out += fmt::format("{}if ({} > 0) {{\n", pad(), member);
          ++indent;
          out += try_status(op(gf, "increment", member));
          --indent;
          if (gf.type.is_signed) {
            out += fmt::format("{}}} else if ({} < 0) {{\n", pad(), member);
            ++indent;
            out += try_status(op(gf, "decrement", "static_cast<" + cpp_type(probe) + ">(0 - " + member + ")"));
            --indent;
          }
          out += pad() + "}\n";
          break;
        case ir::Strategy::Peritext:
          out += fmt::format("{}if (!{}.empty()) {{\n", pad(), member);
          ++indent;
          out += try_status(op(gf, "insert", "0, " + member));
          --indent;
          out += pad() + "}\n";
          break;
        // A collection inside a pushed value would need one op per element.
        case ir::Strategy::OrSet:
        case ir::Strategy::Rga:
          fail(fmt::format("field `{}` ({}) of a pushed `{}`", gf.name, ir::strategy_name(gf.strategy), g.name));
          break;
      }
    }
    return out;
  }

  // `for x in this.f`: per shape, what the loop reads (a set's values, a
  // list's elements by position, or the nested objects of a list of them).
  // The shapes it does not loop over fail the method.
  std::string loop_over_field(const ir::Stmt& s, const std::string& var, const Obj& o, const ir::Field& f) {
    using S = ir::FieldShape;
    const ir::Gene* eg = nullptr;
    switch (ir::field_shape(f)) {
      case S::Set: {
        std::string out = pad() + "for (const auto& " + var + " : " + fcall(o, f, "values") + ") {\n";
        ++indent;
        out += block(s.body, false);
        --indent;
        return out + pad() + "}\n";
      }
      case S::ObjectList:
      case S::AppendObjectList: eg = element_gene(f); break;
      case S::List:
      case S::AppendList: break;
      case S::Nested:
      case S::ImmutableRegister:
      case S::LwwRegister:
      case S::MultiValue:
      case S::Map:
      case S::ObjectMap:
      case S::Counter:
      case S::EscrowCounter:
      case S::Text:
        fail("`for` over this kind of value");
        return "";
    }
    if (eg) {
      // Each element is a nested object (no op reads one as a record):
      // the loop variable names it like `let x = this.items[i]`. The
      // length is read again each time, as for lists of values.
      std::string i = fmt::format("i{}_", temp), c = fmt::format("c{}_", temp);
      ++temp;
      std::string out = fmt::format("{0}for (uint32_t {1} = 0; {1} < {2}; ++{1}) {{\n", pad(), i, fcall(o, f, "length"));
      ++indent;
      out += fmt::format("{}auto {} = {};\n", pad(), c, fcall(o, f, "child", i));
      out += fmt::format("{0}if (!{1}.ok) return dolc_gen::Failure{{{1}.error}};\n", pad(), c);
      out += fmt::format("{}[[maybe_unused]] const dolc_gen::Bytes {} = {}.value;\n", pad(), var, c);
      objects[s.name] = Obj{eg, var};  // (until the loop ends: the caller restores)
      out += block(s.body, false);
      --indent;
      return out + pad() + "}\n";
    }
    std::string i = fmt::format("i{}_", temp++);
    std::string elem = value_type(f.type.args[0]);
    std::string out = fmt::format("{0}for (uint32_t {1} = 0; {1} < {2}; ++{1}) {{\n", pad(), i, fcall(o, f, "length"));
    ++indent;
    out += fmt::format("{}{} {} = {}.value_or({}{{}});\n", pad(), elem == "auto" ? "auto" : elem, var,
                       fcall(o, f, "get", i), elem);
    out += block(s.body, false);
    --indent;
    return out + pad() + "}\n";
  }

  std::string binary(const ir::Expr& e) {
    static const char* ops[] = {"+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||"};
    bool known = false;
    for (const char* o : ops) known = known || e.text == o;
    if (!known || e.children.size() != 2) {
      fail("operator `" + e.text + "`");
      return "0";
    }
    std::string l = expr(e.children[0]);
    std::string r = e.text == "&&" || e.text == "||" ? unhoisted(e.children[1]) : expr(e.children[1]);
    const ir::Type& lt = e.children[0].type;
    const ir::Type& rt = e.children[1].type;
    if (e.text == "/" || e.text == "%") {
      if (!e.type.is_integer() && e.text == "%") fail("`%` on non-integers");
      std::string t = value_type(e.type);
      return fmt::format("dolc_gen::{}<{}>({}, {})", e.text == "/" ? "divide" : "remainder", t, l, r);
    }
    if (lt.is_numeric() && rt.is_numeric() && lt != rt) {
      // Mixed widths/signedness: compute in the wider of the two declared types.
      std::string t = value_type(e.children[e.children[0].kind == EK::Int ? 1 : 0].type);
      l = "static_cast<" + t + ">(" + l + ")";
      r = "static_cast<" + t + ">(" + r + ")";
    }
    return "(" + l + " " + e.text + " " + r + ")";
  }

  std::string expr(const ir::Expr& e) {
    switch (e.kind) {
      case EK::Int: return fmt::format("static_cast<int64_t>({}LL)", e.int_value);
      case EK::Float: return "static_cast<double>(" + e.text + ")";
      case EK::String: return "std::string(" + cpp_string_literal(e.text) + ")";
      case EK::Bool: return e.text == "true" ? "true" : "false";
      case EK::Name:
      case EK::Field:
        if (Obj o; const ir::Field* f = field_of(e, &o)) return read_field(o, *f);
        if (e.kind == EK::Name && e.ref == ir::Expr::Ref::Local && objects.count(e.text)) {
          // Its variable holds a path, not a record of the object's values.
          fail("the nested object `" + e.text + "` used as a whole value");
          return "0";
        }
        // A field of a gene value (a parameter or local of gene type, a
        // struct literal): a member of its record.
        if (e.kind == EK::Field && e.ref == ir::Expr::Ref::GeneField && e.children.size() == 1 &&
            e.children[0].type.kind == TK::Gene && !denotes_object(e.children[0])) {
          std::string rec = expr(e.children[0]);
          (void)value_type(e.children[0].type);  // the record exists (else: not compiled, with the reason)
          return "(" + rec + ")." + cpp_ident(wit_label(e.text));
        }
        if (e.ref == ir::Expr::Ref::Param || e.ref == ir::Expr::Ref::Local) return "v_" + cpp_ident(e.text);
        if (e.kind == EK::Name && e.ref == ir::Expr::Ref::Local) return "v_" + cpp_ident(e.text);
        if (e.kind == EK::Name && e.text == "None") return "std::nullopt";
        if (e.kind == EK::Name) {
          for (const auto& p : method.params)
            if (p.name == e.text) return "v_" + cpp_ident(e.text);
        }
        if (e.ref == ir::Expr::Ref::EnumVariant) break;
        fail("the name `" + e.text + "`");
        return "0";
      case EK::Path: break;
      case EK::Unary:
        if (e.text == "!" || e.text == "-") return "(" + e.text + expr(e.children[0]) + ")";
        fail("operator `" + e.text + "`");
        return "0";
      case EK::Binary: return binary(e);
      case EK::MethodCall:
        if (const ir::Method* callee = callee_of(e)) {
          // Hoisted before the statement it would run before the rest of
          // the expression: only a whole value may be a call (whole_value).
          fail("the call of `" + callee->name + "` inside an expression (bind its result with `let` first)");
          return "0";
        }
        if (!e.children.empty())
          if (Obj o; const ir::Field* f = field_of(e.children[0], &o)) return field_method(e, o, *f, false);
        fail("the method call `." + e.text + "()`");
        return "0";
      case EK::StructLit: {
        // `Reaction { emoji: e, user_id: u }`: a record value; unnamed fields keep their defaults.
        std::string t = value_type(e.type);
        const ir::Gene* g = e.type.kind == TK::Gene ? schema.find_gene(e.type.name) : nullptr;
        if (!g) {
          fail("the struct literal `" + e.text + "`");
          return "0";
        }
        // (not `r_`: the enclosing method's result is `r_`, and -Wshadow
        // reports a lambda's local of that name)
        std::string out = "[&] { " + t + " lit_{}; ";
        for (size_t i = 0; i < e.children.size() && i < e.arg_names.size(); ++i) {
          if (!g->field(e.arg_names[i])) fail("the field `" + e.arg_names[i] + "` in a struct literal");
          out += "lit_." + cpp_ident(wit_label(e.arg_names[i])) + " = " + expr(e.children[i]) + "; ";
        }
        return out + "return lit_; }()";
      }
      case EK::Call:
        if (const ir::Method* callee = callee_of(e)) {
          fail("the call of `" + callee->name + "` inside an expression (bind its result with `let` first)");
          return "0";
        }
        if (!e.children.empty() && e.children[0].kind == EK::Name && e.children.size() == 2 &&
            e.children[0].text == "Some") {
          return "std::make_optional(" + expr(e.children[1]) + ")";
        }
        fail(e.children.empty() ? std::string("a call") : "the call of `" + e.children[0].text + "`");
        return "0";
      default: break;
    }
    if (e.ref == ir::Expr::Ref::EnumVariant) {
      std::string variant = e.text.substr(e.text.rfind(':') == std::string::npos ? 0 : e.text.rfind(':') + 1);
      return value_type(e.type) + "::" + cpp_ident(variant);
    }
    fail(fmt::format("this kind of expression (`{}`)", static_cast<int>(e.kind)));
    return "0";
  }

  // How `return X` is written: the method returns Status or Result<T>.
  std::string ret(const ir::Expr* value) {
    bool is_result = method.result.kind == TK::Result;
    if (const ir::Method* callee = value ? callee_of(*value) : nullptr) {
      // `return this.m(..)`: a failure of the callee has ended this method
      // already (hoist_call); what is left is its value.
      if (callee->result.kind == TK::Result || is_result) {
        if (!(callee->result == method.result)) {
          fail("returning the result of `" + callee->name + "` (a `" + callee->result.canonical() + "`) from `" +
               method.name + "` (a `" + method.result.canonical() + "`)");
          return "return dolc_gen::Failure{\"\"};";
        }
        std::string c = hoist_call(*value, *callee);
        bool unit = method.result.args.empty() || method.result.args[0].kind == TK::Unit;
        return unit ? "return dolc_gen::Status{};" : "return " + c + ".value;";
      }
      if (method.result.kind == TK::Unit) {
        (void)hoist_call(*value, *callee);
        return "return dolc_gen::Status{};";
      }
      return "return " + call_value(*value, *callee) + ";";
    }
    if (value && value->kind == EK::Call && !value->children.empty() && value->children[0].kind == EK::Name) {
      const std::string& callee = value->children[0].text;
      if (callee == "Ok") {
        if (value->children.size() < 2 || value->children[1].kind == EK::TupleLit) return "return dolc_gen::Status{};";
        return "return " + expr(value->children[1]) + ";";
      }
      if (callee == "Err") {
        if (value->children.size() < 2 || value->children[1].type.kind != TK::String) {
          fail("`Err` with a value that is not a string");
          return "return dolc_gen::Failure{\"\"};";
        }
        return "return dolc_gen::Failure{" + expr(value->children[1]) + "};";
      }
    }
    if (is_result && value) fail("returning a `Result` that is not `Ok(..)`/`Err(..)`");
    if (!value || method.result.kind == TK::Unit) return "return dolc_gen::Status{};";
    return "return " + expr(*value) + ";";
  }

  std::string assign(const ir::Expr& e) {
    const ir::Expr& target = e.children[0];
    std::string value = whole_value(e.children[1]);
    if (Obj o; const ir::Field* f = field_of(target, &o)) {
      // `+=` / `-=` on a field whose body ops increment and decrement (a
      // counter): that op, by the value.
      if (e.text == "+=" || e.text == "-=")
        if (const ir::BodyOpInfo* row = ir::find_body_op(ir::field_shape(*f), e.text == "+=" ? "increment" : "decrement");
            row && row->lowering == ir::BodyLowering::Write)
          return try_status(fcall(o, *f, row->label, value));
      // A field holding its value whole (HOLDS One or Many) is written by
      // `set`; a compound assignment reads it first, which needs one value.
      ir::Holds holds = ir::strategy_info(f->strategy).holds;
      if (holds == ir::Holds::One || holds == ir::Holds::Many) {
        std::string t = value_type(f->type);
        if (holds == ir::Holds::Many && e.text != "=")
          fail("`" + e.text + "` on an " + ir::strategy_name(f->strategy));
        std::string v = e.text == "=" ? value
                                      : "static_cast<" + t + ">(" + read_field(o, *f) + " " + e.text.substr(0, 1) +
                                            " " + value + ")";
        return try_status(fcall(o, *f, "set", "static_cast<" + t + ">(" + v + ")"));
      }
      fail("assigning to field `" + f->name + "` (" + ir::strategy_name(f->strategy) + ")");
      return "";
    }
    if (target.ref == ir::Expr::Ref::Local && target.kind == EK::Name)
      return fmt::format("{}v_{} {} {};\n", pad(), cpp_ident(target.text), e.text, value);
    fail("assigning to `" + target.text + "`");
    return "";
  }

  // One statement's text preceded by the lookups its expressions hoisted.
  template <class F>
  std::string hoisting(F&& make) {
    std::string saved = std::move(hoisted);
    hoisted.clear();
    std::string text = make();
    std::string out = hoisted + text;
    hoisted = std::move(saved);
    return out;
  }

  std::string block(const std::vector<ir::Stmt>& stmts, bool tail) {
    std::map<std::string, Obj> outer = objects;  // the block's `let`s end with it
    std::string out;
    for (size_t i = 0; i < stmts.size(); ++i)
      out += hoisting([&] { return stmt(stmts[i], tail && i + 1 == stmts.size()); });
    objects = std::move(outer);
    return out;
  }

  std::string nested_block(const ir::Expr& e, bool tail) {
    ++indent;
    std::string out = e.kind == EK::Block ? block(e.stmts, tail) : hoisting([&] { return expr_stmt(e, tail); });
    --indent;
    return out;
  }

  // An expression evaluated where hoisted lookups would run at the wrong
  // time (a loop condition, the right side of `&&`/`||`).
  std::string unhoisted(const ir::Expr& e) {
    bool saved = can_hoist;
    can_hoist = false;
    std::string out = expr(e);
    can_hoist = saved;
    return out;
  }

  // An expression in statement position; `tail`: its value is the method's result.
  std::string expr_stmt(const ir::Expr& e, bool tail) {
    if (const ir::Method* callee = callee_of(e)) {
      if (tail && method.result.kind != TK::Unit) return pad() + ret(&e) + "\n";
      (void)hoist_call(e, *callee);  // its value, if any, is not used
      return "";
    }
    switch (e.kind) {
      case EK::Assign: return assign(e);
      case EK::If: {
        std::string out = pad() + "if (" + whole_value(e.children[0]) + ") {\n" + nested_block(e.children[1], tail);
        if (e.children.size() > 2) out += pad() + "} else {\n" + nested_block(e.children[2], tail);
        return out + pad() + "}\n";
      }
      case EK::Block: {
        std::string out = pad() + "{\n" + nested_block(e, tail);
        return out + pad() + "}\n";
      }
      case EK::MethodCall:
        if (!e.children.empty())
          if (Obj o; const ir::Field* f = field_of(e.children[0], &o)) {
            if (tail && method.result.kind != TK::Unit) return pad() + "return " + field_method(e, o, *f, false) + ";\n";
            return field_method(e, o, *f, true);
          }
        fail("the method call `." + e.text + "()`");
        return "";
      default:
        if (tail && method.result.kind != TK::Unit) return pad() + ret(&e) + "\n";
        // `Ok(..)` / `Err(..)` as a statement returns; any other call is
        // an expression (which fails above when it does not lower).
        if (e.kind == EK::Call && !e.children.empty() && e.children[0].kind == EK::Name &&
            (e.children[0].text == "Ok" || e.children[0].text == "Err"))
          return pad() + ret(&e) + "\n";
        return pad() + "(void)" + expr(e) + ";\n";
    }
  }

  std::string stmt(const ir::Stmt& s, bool tail) {
    switch (s.kind) {
      case SK::Let: {
        if (!s.expr) {
          fail("`let` without a value");
          return "";
        }
        if (s.expr->type.kind == TK::Gene && denotes_object(*s.expr)) {
          // `let acc = this.accounts[k]`: the local names the object itself
          // (reads and writes through it reach the document), held as its
          // path; a missing entry ends the method here (object_of).
          if (s.declared_type && !(*s.declared_type == s.expr->type))
            fail("`let " + s.name + ": " + s.declared_type->canonical() + "` bound to a `" +
                 s.expr->type.canonical() + "`");
          std::optional<Obj> o = object_of(*s.expr);
          if (!o) return "";
          std::string var = "v_" + cpp_ident(s.name);
          objects[s.name] = Obj{o->gene, var};
          return fmt::format("{}[[maybe_unused]] const dolc_gen::Bytes {} = {};\n", pad(), var, o->path);
        }
        objects.erase(s.name);  // a value now, whatever the name held before
        std::string t = s.declared_type ? value_type(*s.declared_type) : "auto";
        return fmt::format("{}[[maybe_unused]] {} v_{} = {};\n", pad(), t, cpp_ident(s.name), whole_value(*s.expr));
      }
      case SK::Expr: return s.expr ? expr_stmt(*s.expr, tail) : "";
      case SK::Return: return pad() + ret(s.expr ? &*s.expr : nullptr) + "\n";
      case SK::Break: return pad() + "break;\n";
      case SK::Continue: return pad() + "continue;\n";
      case SK::While: {
        std::string out = pad() + "while (" + unhoisted(*s.expr) + ") {\n";
        ++indent;
        out += block(s.body, false);
        --indent;
        return out + pad() + "}\n";
      }
      case SK::Loop: {
        std::string out = pad() + "for (;;) {\n";
        ++indent;
        out += block(s.body, false);
        --indent;
        return out + pad() + "}\n";
      }
      case SK::For: {
        const ir::Expr& it = *s.expr;
        std::string var = "v_" + cpp_ident(s.name);
        // Inside the loop the name is the loop's value, not an object a
        // `let` bound before (restored after the loop).
        std::map<std::string, Obj> outer = objects;
        objects.erase(s.name);
        struct Restore {
          std::map<std::string, Obj>& objects;
          std::map<std::string, Obj> saved;
          ~Restore() { objects = std::move(saved); }
        } restore{objects, std::move(outer)};
        std::string head;
        Obj o;
        if (it.kind == EK::Binary && (it.text == ".." || it.text == "..=")) {
          head = fmt::format("for (int64_t {0} = {1}; {0} {3} {2}; ++{0})", var, expr(it.children[0]),
                             expr(it.children[1]), it.text == ".." ? "<" : "<=");
        } else if (const ir::Field* f = field_of(it, &o)) {
          return loop_over_field(s, var, o, *f);
        } else {
          fail("`for` over this kind of value");
          return "";
        }
        std::string out = pad() + head + " {\n";
        ++indent;
        out += block(s.body, false);
        --indent;
        return out + pad() + "}\n";
      }
    }
    return "";
  }

  std::string body() {
    if (method.is_extern || !method.body) {
      fail("a method without a body");
      return "";
    }
    for (const auto& tp : method.type_params) fail("the type parameter `" + tp + "`");
    const ir::Expr& b = *method.body;
    std::string out = b.kind == EK::Block ? block(b.stmts, true) : hoisting([&] { return expr_stmt(b, true); });
    // Falling off the end of a unit method succeeds; a method with a value
    // that gets here had no `return` on that path.
    const ir::Type& r = method.result.kind == TK::Result && !method.result.args.empty() ? method.result.args[0]
                                                                                         : method.result;
    out += pad() + (r.kind == TK::Unit ? "return dolc_gen::Status{};\n"
                                       : "return dolc_gen::Failure{\"method `" + method.name + "` ended without a value\"};\n");
    return out;
  }
};

}  // namespace

bool method_lowerable(const ir::Schema& schema, const ir::Gene& gene, const ir::Method& method, std::string* why,
                      std::vector<MethodCallee>* calls) {
  Walker w{schema, gene, method, {}};
  w.root = &gene;  // (names do not matter here, only what lowers)
  w.calls = calls;
  w.body();
  if (w.failure.empty()) return true;
  *why = "the C++ lowering does not handle " + w.failure + " yet";
  return false;
}

bool lower_invariant(const ir::Schema& schema, const ir::Gene& root, const ir::Gene& gene, const std::string& path,
                     const ir::Expr& expr, std::string* cpp, std::string* why) {
  ir::Method none;
  none.name = "invariant";
  Walker w{schema, gene, none, {}};
  w.root = &root;
  w.self_path = path;
  w.can_hoist = false;  // an invariant is one boolean expression
  *cpp = w.expr(expr);
  if (w.failure.empty()) return true;
  *why = "the C++ lowering does not handle " + w.failure + " yet";
  return false;
}

std::string lower_method_body(const ir::Schema& schema, const ApiInterface& iface, const ApiFunction& fn) {
  Walker w{schema, *fn.gene, *fn.method, {}};
  w.root = iface.gene;
  // A nested gene's method runs on the object at its `path` parameter.
  w.self_path = fn.gene_prefix.empty() ? "kRoot" : "a_path";
  return w.body();
}

}  // namespace dolc::lower
