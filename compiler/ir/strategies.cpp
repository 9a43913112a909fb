// compiler/ir/strategies.cpp: the rows of strategies.def as info tables, the
// type-kind bits of the FITS column, typed option access and field shapes
// (see strategies.hpp). The switches here are the ones a new option or
// strategy must extend; none has a `default:` arm.
#include "ir/strategies.hpp"

#include <sstream>

// The FITS column's vocabulary: one bit per Type::Kind, and the groups the
// table uses. Outside dolc::ir, where `Gene` or `Enum` would also name the
// schema's structs.
namespace dolc_strategy_fit {
using K = dolc::ir::Type::Kind;
constexpr uint64_t bit(K k) { return uint64_t{1} << static_cast<int>(k); }
constexpr uint64_t Bool = bit(K::Bool), Int = bit(K::Int), Float = bit(K::Float), String = bit(K::String),
                   Uuid = bit(K::Uuid), Timestamp = bit(K::Timestamp), Identity = bit(K::Identity),
                   Bytes = bit(K::Bytes), RichText = bit(K::RichText), Option = bit(K::Option), Set = bit(K::Set),
                   List = bit(K::List), Map = bit(K::Map), Enum = bit(K::Enum), Gene = bit(K::Gene),
                   Tuple = bit(K::Tuple), Opaque = bit(K::Opaque);
// Type::is_scalar(): replaced as a whole.
constexpr uint64_t Scalar = Bool | Int | Float | String | Uuid | Timestamp | Identity | Bytes | Enum;
// Every type a field can hold: not functions, results, `()` or `Self`.
constexpr uint64_t AnyValue = ~(bit(K::Function) | bit(K::Result) | bit(K::Unit) | bit(K::Self));
// Each row's FITS, in row order.
constexpr uint64_t kFits[] = {
#define DOLC_STRATEGY(e, id, name, fits, writes, holds, once, adds, sequence, summary) (fits),
#include "ir/strategies.def"
};
}  // namespace dolc_strategy_fit

namespace dolc::ir {

const std::vector<StrategyInfo>& strategies() {
  static const std::vector<StrategyInfo> rows = [] {
    std::vector<StrategyInfo> out = {
#define DOLC_STRATEGY(e, id, name, fits, writes, holds, once, adds, sequence, summary) \
  {Strategy::e, name, 0, writes, Holds::holds, once, adds, sequence, summary},
#include "ir/strategies.def"
    };
    for (size_t i = 0; i < out.size(); ++i) out[i].fits = dolc_strategy_fit::kFits[i];
    return out;
  }();
  return rows;
}

const StrategyInfo& strategy_info(Strategy s) {
  for (const auto& r : strategies())
    if (r.strategy == s) return r;
  return strategies().front();  // unreachable: every enumerator has a row
}

std::vector<std::string> strategy_names() {
  std::vector<std::string> out;
  for (const auto& r : strategies()) out.push_back(r.name);
  return out;
}

bool strategy_fits(Strategy s, const Type& t) {
  if (t.kind == Type::Kind::Error || t.kind == Type::Kind::TypeParam) return true;  // reported / generic
  return (strategy_info(s).fits & dolc_strategy_fit::bit(t.kind)) != 0;
}

bool same_writes(Strategy a, Strategy b) {
  return std::string(strategy_info(a).writes) == strategy_info(b).writes;
}

const std::vector<StrategyChangeInfo>& strategy_changes() {
  static const std::vector<StrategyChangeInfo> rows = {
#define DOLC_STRATEGY_CHANGE(from, to, safety, converts) \
  {Strategy::from, Strategy::to, EvolutionChange::Safety::safety, Converts::converts},
#include "ir/strategies.def"
  };
  return rows;
}

const StrategyChangeInfo* strategy_change(Strategy from, Strategy to) {
  for (const auto& r : strategy_changes())
    if (r.from == from && r.to == to) return &r;
  return nullptr;
}

const std::vector<OptionCheckInfo>& option_checks() {
  static const std::vector<OptionCheckInfo> rows = {
#define DOLC_OPTION_CHECK(option, check, other, why, hint) \
  {CrdtOption::option, OptionCheck::check, CrdtOption::other, why, hint},
#include "ir/strategies.def"
  };
  return rows;
}

std::vector<std::string> OptionInfo::words() const {
  std::vector<std::string> out;
  std::stringstream in(values);
  for (std::string w; std::getline(in, w, '|');) out.push_back(w);
  return out;
}

const std::vector<OptionInfo>& crdt_options() {
  static const std::vector<OptionInfo> rows = {
#define DOLC_OPTION(e, strategy, name, kind, values, def, json, example, detail) \
  {CrdtOption::e, Strategy::strategy, name, OptionKind::kind, values, def, OptionJson::json, example, detail},
#include "ir/strategies.def"
  };
  return rows;
}

const OptionInfo& option_info(CrdtOption o) { return crdt_options()[static_cast<size_t>(o)]; }

std::vector<const OptionInfo*> options_of(Strategy s) {
  std::vector<const OptionInfo*> out;
  for (const auto& o : crdt_options())
    if (o.strategy == s) out.push_back(&o);
  return out;
}

const OptionInfo* find_option(Strategy s, const std::string& name) {
  for (const auto* o : options_of(s))
    if (name == o->name) return o;
  return nullptr;
}

// Where each option lives in CrdtOptions: the one place that maps the
// table's generic values to the typed members.
OptionValue get_option(const CrdtOptions& x, CrdtOption o) {
  OptionValue v;
  auto number = [&](const std::optional<int64_t>& n) {
    v.present = n.has_value();
    v.number = n.value_or(0);
  };
  switch (o) {
    case CrdtOption::TieBreak: v.present = x.tie_break_set; v.word = tie_break_name(x.tie_break); break;
    case CrdtOption::Bias: v.present = x.remove_wins; v.word = x.remove_wins ? "remove" : "add"; break;
    case CrdtOption::MinValue: number(x.min_value); break;
    case CrdtOption::MaxValue: number(x.max_value); break;
    case CrdtOption::OverflowStrategy:
      v.present = x.overflow_strategy_set;
      v.word = overflow_name(x.overflow_strategy);
      break;
    case CrdtOption::Escrow: v.present = v.flag = x.escrow; break;
    case CrdtOption::AppendOnly: v.present = v.flag = x.append_only; break;
    case CrdtOption::Formatting: v.present = x.formatting_set; v.word = formatting_name(x.formatting); break;
    case CrdtOption::MaxLength: number(x.max_length); break;
  }
  return v;
}

void set_option(CrdtOptions& x, CrdtOption o, const OptionValue& v) {
  const std::string& w = v.word;
  switch (o) {
    case CrdtOption::TieBreak:
      x.tie_break = w == "content_hash" ? TieBreak::ContentHash : TieBreak::ActorId;
      x.tie_break_set = true;
      break;
    case CrdtOption::Bias: x.remove_wins = w == "remove"; break;
    case CrdtOption::MinValue: x.min_value = v.number; break;
    case CrdtOption::MaxValue: x.max_value = v.number; break;
    case CrdtOption::OverflowStrategy:
      x.overflow_strategy = w == "wrap" ? Overflow::Wrap : w == "error" ? Overflow::Error : Overflow::Saturate;
      x.overflow_strategy_set = true;
      break;
    case CrdtOption::Escrow: x.escrow = v.flag; break;
    case CrdtOption::AppendOnly: x.append_only = v.flag; break;
    case CrdtOption::Formatting:
      x.formatting = w == "plain" ? Formatting::Plain : w == "markdown" ? Formatting::Markdown : Formatting::Full;
      x.formatting_set = true;
      break;
    case CrdtOption::MaxLength: x.max_length = v.number; break;
  }
}

bool option_changed(const CrdtOptions& x, CrdtOption o) {
  const OptionInfo& info = option_info(o);
  OptionValue v = get_option(x, o);
  switch (info.kind) {
    case OptionKind::Word: return v.word != info.default_text;
    case OptionKind::Bool: return v.flag != (std::string(info.default_text) == "true");
    case OptionKind::Bound:
    case OptionKind::Length: return v.present;
  }
  return false;
}

namespace {
// A DOLC_FIELD_OP row as the body-op rows refer to it (by enumerator name).
struct FieldOpRow {
  const char* op;
  const char* label;
  const char* params;
};
const FieldOpRow* field_op_row(const std::string& op) {
  static const FieldOpRow rows[] = {
#define DOLC_FIELD_OP(op, label, params, result) {#op, label, params},
#include "ir/strategies.def"
  };
  for (const auto& r : rows)
    if (op == r.op) return &r;
  return nullptr;
}

std::vector<std::string> split(const std::string& text, const std::string& separator) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  for (size_t at = 0;;) {
    size_t end = text.find(separator, at);
    out.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos) return out;
    at = end + separator.size();
  }
}
}  // namespace

std::vector<std::string> BodyOpInfo::arg_list() const { return split(args, ", "); }

const std::vector<BodyOpInfo>& body_ops() {
  static const std::vector<BodyOpInfo> rows = [] {
    std::vector<BodyOpInfo> out = {
#define DOLC_BODY_OP(shape, names, min_args, max_args, usage, lowering, op, args) \
  {FieldShape::shape, split(names, "|"), min_args, max_args, usage, BodyLowering::lowering, #op, "", "", args},
#include "ir/strategies.def"
    };
    // The op's label and parameters from its DOLC_FIELD_OP row (None has
    // none; tests/sema checks that every other op names a row of the shape).
    for (auto& r : out)
      if (const FieldOpRow* f = field_op_row(r.op)) {
        r.label = f->label;
        r.op_params = f->params;
      }
    return out;
  }();
  return rows;
}

const BodyOpInfo* find_body_op(FieldShape shape, const std::string& name) {
  const BodyOpInfo* any = nullptr;
  for (const auto& r : body_ops()) {
    if (r.shape != shape) continue;
    for (const auto& n : r.names) {
      if (n == name) return &r;
      if (n == "*") any = &r;
    }
  }
  return any;
}

const std::vector<ShapeInfo>& shapes() {
  static const std::vector<ShapeInfo> rows = {
#define DOLC_SHAPE(e, strategy, runtime, js_class, key, value, objects, ops) \
  {FieldShape::e, #e, strategy, #runtime, js_class, ShapeType::key, ShapeType::value, objects},
#include "ir/strategies.def"
  };
  return rows;
}

const ShapeInfo& shape_info(FieldShape s) { return shapes()[static_cast<size_t>(s)]; }

FieldShape field_shape(const Field& f) {
  using K = Type::Kind;
  if (f.nested_gene && f.type.kind == K::Gene) return FieldShape::Nested;
  const Type& t = f.type;
  switch (f.strategy) {
    case Strategy::Immutable: return FieldShape::ImmutableRegister;
    case Strategy::Lww: return FieldShape::LwwRegister;
    case Strategy::MvRegister: return FieldShape::MultiValue;
    case Strategy::OrSet:
      if (t.kind == K::Map) return t.args.size() == 2 && t.args[1].kind == K::Gene ? FieldShape::ObjectMap : FieldShape::Map;
      return FieldShape::Set;
    case Strategy::PnCounter: return f.options.escrow ? FieldShape::EscrowCounter : FieldShape::Counter;
    case Strategy::Rga: {
      bool objects = !t.args.empty() && t.args[0].kind == K::Gene;
      if (f.options.append_only) return objects ? FieldShape::AppendObjectList : FieldShape::AppendList;
      return objects ? FieldShape::ObjectList : FieldShape::List;
    }
    case Strategy::Peritext: return FieldShape::Text;
  }
  return FieldShape::LwwRegister;  // unreachable: the switch covers every strategy
}

}  // namespace dolc::ir
