// compiler/ir/strategies.hpp: the strategy table (strategies.def) as C++:
// the option and field-shape enums, the info rows every phase reads, and
// typed access to an option's value inside ir::CrdtOptions.
//
// ir::Strategy itself is declared in schema.hpp (from the same table). What
// a phase needs to know about a strategy — its name, the types it fits, its
// options, the shape and operations of its generated API, its runtime kind
// and JS class — it asks here rather than switching on the strategy, so that
// a new row reaches every phase; the switches that remain (genuinely
// different code per strategy, option or shape) have no `default:` arm, so
// that -Wswitch names each of them when a row is added.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/schema.hpp"

namespace dolc::ir {

enum class CrdtOption {
#define DOLC_OPTION(e, strategy, name, kind, values, def, json, example, detail) e,
#include "ir/strategies.def"
};

// What a field becomes in the generated API (strategy, type and options
// decide; see field_shape).
enum class FieldShape {
#define DOLC_SHAPE(e, strategy, runtime, js_class, key, value, objects, ops) e,
#include "ir/strategies.def"
};

enum class OptionKind { Word, Bool, Bound, Length };
enum class OptionJson { Always, IfChanged };
// Where a shape's key and value types come from.
enum class ShapeType { None, Field, Element, MapKey, MapValue };

// How a strategy holds a field's value (strategies.def, HOLDS).
enum class Holds { One, Many, Parts };

struct StrategyInfo {
  Strategy strategy;
  const char* name;
  uint64_t fits;         // bit (1 << Type::Kind) per type kind it can merge
  const char* writes;    // family of operations written; equal = same ops, same bytes
  Holds holds;
  bool once;             // set once, later writes refused
  bool adds;             // concurrent changes add up: a bound on the value needs coordination
  bool sequence;         // orders elements by position (runtime sequence code, cursors)
  const char* summary;   // hover / completion text
};

// How a module converts a write of a field's old strategy (CONVERTS).
enum class Converts { Value, Elements };

// A strategy change that is not unsafe (strategies.def, DOLC_STRATEGY_CHANGE).
struct StrategyChangeInfo {
  Strategy from, to;
  EvolutionChange::Safety safety;
  Converts converts;
};

// A rule relating two options, or an option and the field's type.
enum class OptionCheck { Above, Needs, NotFloat };
struct OptionCheckInfo {
  CrdtOption option;
  OptionCheck check;
  CrdtOption other;
  const char* why;
  const char* hint;
};

struct OptionInfo {
  CrdtOption option;
  Strategy strategy;
  const char* name;
  OptionKind kind;
  const char* values;        // Word: "a|b|c"
  const char* default_text;  // "" = none
  OptionJson json;
  const char* example;       // a valid value other than the default
  const char* detail;        // completion text
  std::vector<std::string> words() const;  // Word: the values, in order
};

struct ShapeInfo {
  FieldShape shape;
  const char* name;       // the enumerator, for messages and tests
  const char* strategy;   // "" for a nested gene's field-by-field merge
  const char* runtime;    // dolc_gen::Strategy enumerator of the generated descriptor
  const char* js_class;   // prelude class of the JS accessor; "" for a nested object
  ShapeType key, value;
  bool objects;           // values are nested objects of a gene, reached by path
};

// Every strategy, in the order messages list them.
const std::vector<StrategyInfo>& strategies();
const StrategyInfo& strategy_info(Strategy s);
// Names in listing order ("immutable, lww, ...").
std::vector<std::string> strategy_names();

// Whether `s` can merge a field of type `t` (errors and type parameters fit
// everything: they were reported, or are decided at instantiation).
bool strategy_fits(Strategy s, const Type& t);

// Whether fields of `a` and `b` write the same operations with the same
// bytes (same "writes" column): changing one into the other keeps the data.
bool same_writes(Strategy a, Strategy b);

// The DOLC_STRATEGY_CHANGE rows, in table order.
const std::vector<StrategyChangeInfo>& strategy_changes();
// The row of a change from `from` to `to`; nullptr when the change is unsafe.
const StrategyChangeInfo* strategy_change(Strategy from, Strategy to);

// The DOLC_OPTION_CHECK rows, in table order.
const std::vector<OptionCheckInfo>& option_checks();

const std::vector<OptionInfo>& crdt_options();
const OptionInfo& option_info(CrdtOption o);
std::vector<const OptionInfo*> options_of(Strategy s);  // in table order
const OptionInfo* find_option(Strategy s, const std::string& name);

// An option's value as the table sees it. `present`: the schema wrote it (for
// Bound / Length: it has a value); `word`, `number`, `flag` hold the value
// per kind (a Word's effective value even when not written).
struct OptionValue {
  bool present = false;
  std::string word;
  int64_t number = 0;
  bool flag = false;
};
OptionValue get_option(const CrdtOptions& options, CrdtOption o);
// Stores a value (Word: one of words(), anything else reads as the default).
void set_option(CrdtOptions& options, CrdtOption o, const OptionValue& v);
// Whether the value differs from the option's default.
bool option_changed(const CrdtOptions& options, CrdtOption o);

// How a method body's call of a field operation is lowered (DOLC_BODY_OP).
enum class BodyLowering { Write, Query, Length, KeyCount, Empty, NewObject, AppendOnly, NotLowered };

// An operation a method body may call on a field of `shape` (DOLC_BODY_OP).
struct BodyOpInfo {
  FieldShape shape;
  std::vector<std::string> names;  // the spellings a body may use; {"*"}: any other name
  size_t min_args, max_args;
  const char* usage;               // `usage` of the arity message
  BodyLowering lowering;
  const char* op;                  // the field op's ApiOp enumerator; "None"
  const char* label;               // its label (DOLC_FIELD_OP); "" for None
  const char* op_params;           // its WIT parameters (DOLC_FIELD_OP); "" for None
  const char* args;                // the op's arguments, in the table's small language
  std::vector<std::string> arg_list() const;  // `args` split at ", "
};

// Every DOLC_BODY_OP row, in table order.
const std::vector<BodyOpInfo>& body_ops();
// The row a body's `.name(..)` on a field of `shape` reads: the row naming
// it, else the shape's "*" row; nullptr when neither (no such operation).
const BodyOpInfo* find_body_op(FieldShape shape, const std::string& name);

const std::vector<ShapeInfo>& shapes();
const ShapeInfo& shape_info(FieldShape s);
// The shape of a field's generated API. Total: a field whose type does not
// suit its shape (only in schemas with errors, or an evolution's old field
// whose type the chain does not say) gets the strategy's plain shape.
FieldShape field_shape(const Field& f);

}  // namespace dolc::ir
