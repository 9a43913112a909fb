// compiler/lower/field_ops.cpp: strategies.def's DOLC_SHAPE op lists and
// DOLC_FIELD_OP signatures, parsed once (see field_ops.hpp).
#include "lower/field_ops.hpp"

#include <map>
#include <stdexcept>

namespace dolc::lower {

namespace {

// The shape rows' op lists name ApiOp enumerators bare: one constant per
// DOLC_FIELD_OP row makes `(RegisterGet, RegisterSet)` a list of ApiOps (an
// op missing from the table is a compile error here).
namespace ops {
#define DOLC_FIELD_OP(e, label, params, result) [[maybe_unused]] constexpr ApiOp e = ApiOp::e;
#include "ir/strategies.def"
}  // namespace ops
#define DOLC_OP_LIST(...) __VA_ARGS__

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "index: u32, value: V" -> {("index", "u32"), ("value", "V")}
std::vector<std::pair<std::string, std::string>> parse_params(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t comma = text.find(',', at);
    std::string item = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    size_t colon = item.find(':');
    if (colon == std::string::npos) throw std::logic_error("strategies.def: parameter without a type: " + item);
    out.emplace_back(trim(item.substr(0, colon)), trim(item.substr(colon + 1)));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

}  // namespace

const std::vector<FieldOpSpec>& field_op_specs() {
  static const std::vector<FieldOpSpec> rows = {
#define DOLC_FIELD_OP(e, label, params, result) {ApiOp::e, label, parse_params(params), result},
#include "ir/strategies.def"
  };
  return rows;
}

const std::vector<const FieldOpSpec*>& shape_ops(ir::FieldShape shape) {
  static const std::vector<std::vector<const FieldOpSpec*>> by_shape = [] {
    std::map<ApiOp, const FieldOpSpec*> spec;
    for (const auto& s : field_op_specs()) spec[s.op] = &s;
    using namespace ops;
    const std::vector<std::vector<ApiOp>> lists = {
#define DOLC_SHAPE(e, strategy, runtime, js_class, key, value, objects, op_list) {DOLC_OP_LIST op_list},
#include "ir/strategies.def"
    };
    std::vector<std::vector<const FieldOpSpec*>> out;
    for (const auto& l : lists) {
      out.emplace_back();
      for (ApiOp op : l) out.back().push_back(spec.at(op));
    }
    return out;
  }();
  return by_shape[static_cast<size_t>(shape)];
}

WitType wit_of(const std::string& text, const WitType& v, const WitType& k) {
  using W = WitType::Kind;
  size_t lt = text.find('<');
  std::string head = lt == std::string::npos ? text : text.substr(0, lt);
  std::string inner = lt == std::string::npos ? "" : text.substr(lt + 1, text.size() - lt - 2);
  if (head == "V") return v;
  if (head == "K") return k;
  if (head == "path") return WitType::bytes();
  if (head == "u32") return WitType::of(W::U32);
  if (head == "u64") return WitType::of(W::U64);
  if (head == "s64") return WitType::of(W::S64);
  if (head == "bool") return WitType::of(W::Bool);
  if (head == "string") return WitType::of(W::String);
  if (head == "option") return WitType::of(W::Option, {wit_of(inner, v, k)});
  if (head == "list") return WitType::of(W::List, {wit_of(inner, v, k)});
  if (head == "result") return inner.empty() ? WitType::result_unit() : WitType::of(W::Result, {wit_of(inner, v, k)});
  throw std::logic_error("strategies.def: unknown type `" + text + "`");
}

}  // namespace dolc::lower
