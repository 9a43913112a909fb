// compiler/ir/schema.cpp: small helpers on the checked schema: canonical type
// spellings (used in messages and in the schema JSON) and the names of
// strategies (from strategies.def) and of their options' values. Names here
// are a public contract (JSON, WIT).
#include "ir/schema.hpp"
#include "ir/strategies.hpp"

namespace dolc::ir {

std::string Type::canonical() const {
  auto join_args = [&](const char* sep) {
    std::string out;
    for (size_t i = 0; i < args.size(); ++i) {
      if (i) out += sep;
      out += args[i].canonical();
    }
    return out;
  };
  switch (kind) {
    case Kind::Error: return "<error>";
    case Kind::Unit: return "()";
    case Kind::Bool: return "bool";
    case Kind::Int: return std::string(is_signed ? "i" : "u") + std::to_string(bits);
    case Kind::Float: return "f" + std::to_string(bits);
    case Kind::String: return "string";
    case Kind::Uuid: return "Uuid";
    case Kind::Timestamp: return "Timestamp";
    case Kind::Identity: return "Identity";
    case Kind::Bytes: return "Bytes";
    case Kind::RichText: return "RichText";
    case Kind::Option: return "Option<" + join_args(", ") + ">";
    case Kind::Set: return "Set<" + join_args(", ") + ">";
    case Kind::List: return "List<" + join_args(", ") + ">";
    case Kind::Map: return "Map<" + join_args(", ") + ">";
    case Kind::Result: return "Result<" + join_args(", ") + ">";
    case Kind::Function: return "Fun<" + join_args(", ") + ">";
    case Kind::Tuple: return "(" + join_args(", ") + ")";
    case Kind::Enum: {
      if (!name.empty()) return name;
      std::string out = "enum { ";
      for (size_t i = 0; i < variants.size(); ++i) out += (i ? ", " : "") + variants[i];
      return out + " }";
    }
    case Kind::Gene:
    case Kind::TypeParam:
    case Kind::Opaque: return name;
    case Kind::Self: return "Self";
  }
  return "<error>";
}

bool Type::is_scalar() const {
  switch (kind) {
    case Kind::Bool: case Kind::Int: case Kind::Float: case Kind::String: case Kind::Uuid:
    case Kind::Timestamp: case Kind::Identity: case Kind::Bytes: case Kind::Enum:
      return true;
    default:
      return false;
  }
}

bool operator==(const Type& a, const Type& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == Type::Kind::Int) return a.bits == b.bits && a.is_signed == b.is_signed;
  if (a.kind == Type::Kind::Float) return a.bits == b.bits;
  if (a.kind == Type::Kind::Enum && a.name.empty() && b.name.empty()) return a.variants == b.variants;
  return a.name == b.name && a.args == b.args;
}

const char* strategy_name(Strategy s) { return strategy_info(s).name; }

std::optional<Strategy> strategy_from_name(const std::string& name) {
  for (const auto& r : strategies())
    if (name == r.name) return r.strategy;
  return std::nullopt;
}

const char* tie_break_name(TieBreak t) { return t == TieBreak::ActorId ? "actor_id" : "content_hash"; }

const char* overflow_name(Overflow o) {
  switch (o) {
    case Overflow::Saturate: return "saturate";
    case Overflow::Wrap: return "wrap";
    case Overflow::Error: return "error";
  }
  return "saturate";
}

const char* formatting_name(Formatting f) {
  switch (f) {
    case Formatting::Plain: return "plain";
    case Formatting::Markdown: return "markdown";
    case Formatting::Full: return "full";
  }
  return "full";
}

const char* violation_policy_name(ViolationPolicy p) {
  switch (p) {
    case ViolationPolicy::RejectOperation: return "reject_operation";
    case ViolationPolicy::FlagForReview: return "flag_for_review";
    case ViolationPolicy::AutoAdjust: return "auto_adjust";
  }
  return "reject_operation";
}

}  // namespace dolc::ir
