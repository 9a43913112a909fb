// runtime-wasm/src/field_ops.cpp: field operations shared by every field of a
// kind, so that generated code does not repeat them per field.
//
// A generated module used to carry, per field operation, a typed C++ member
// and an export lifting its arguments and lowering its result: ~1.7 KB of
// C++ and ~50 ms of clang per field. Here each operation on plain scalar
// values (dolc_gen::ValueKind) is written once, parameterised by the field
// (gene, index) and its value kinds: the generator emits one-line export
// thunks calling the fx_* functions (declared in dolc_gen_abi.hpp, wasm32
// only) and one json_fields() call per run of fields in toJSON (both
// builds). The conversions are exactly those of the typed API the generator
// writes for other fields (compiler/lower/cpp.cpp: lift, enc, dec, store), so
// the exports behave byte for byte as before.
#include <cstdint>
#include <string>
#include <vector>

#include "dolc_gen_rt.hpp"
#if defined(__wasm__)
#include "dolc_gen_abi.hpp"
#endif

namespace dolc_gen {

namespace {

// One field's value, as toJSON shows it: `value_json` of the stored bytes,
// or "null" for a register never written (no default: those are generated).
std::string value_or_null(const FieldInfo& f, const std::optional<Bytes>& b) {
  return b && f.value_json ? f.value_json(*b) : std::string("null");
}

std::string json_list(const FieldInfo& f, const std::vector<Bytes>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ",";
    out += f.value_json ? f.value_json(values[i]) : std::string("null");
  }
  return out + "]";
}

}  // namespace

void json_fields(std::string& out, const Doc& doc, const Bytes& path, const GeneInfo* gene, uint32_t from, uint32_t to) {
  for (uint32_t i = from; i < to && i < gene->field_count; ++i) {
    const FieldInfo& f = gene->fields[i];
    if (out.empty() || out.back() != '{') out += ",";
    out += json_string(f.name);
    out += ":";
    switch (f.strategy) {
      case Strategy::Immutable: case Strategy::Lww: out += value_or_null(f, doc.reg_get(path, gene, i)); break;
      case Strategy::MvRegister: out += json_list(f, doc.mv_values(path, gene, i)); break;
      case Strategy::OrSet: out += json_list(f, doc.set_values(path, gene, i)); break;
      case Strategy::PnCounter: out += json_value(doc.counter_value(path, gene, i)); break;
      case Strategy::Peritext: out += json_value(doc.text_string(path, gene, i)); break;
      case Strategy::Rga: {
        out += "[";
        for (uint32_t k = 0, n = doc.list_length(path, gene, i); k < n; ++k) {
          if (k) out += ",";
          out += value_or_null(f, doc.list_get(path, gene, i, k));
        }
        out += "]";
        break;
      }
      case Strategy::OrMap: {
        out += "{";
        bool first = true;
        for (const Bytes& key : doc.map_keys(path, gene, i)) {
          if (!first) out += ",";
          first = false;
          out += json_key_text(f.key_json ? f.key_json(key) : std::string("null"));
          out += ":";
          out += value_or_null(f, doc.map_get(path, gene, i, key));
        }
        out += "}";
        break;
      }
      case Strategy::Nested: out += "null"; break;  // never sent here: nested objects have generated JSON
    }
  }
}

}  // namespace dolc_gen

#if defined(__wasm__)
namespace dolc_gen_abi {

namespace {

using dolc_gen::Bytes;
using dolc_gen::ValueKind;

ValueKind key_kind(uint32_t kinds) { return static_cast<ValueKind>(kinds >> 8); }
ValueKind value_kind(uint32_t kinds) { return static_cast<ValueKind>(kinds & 0xff); }

// The export's flat parameters after the path: integer slots in order, and
// the float value if the operation has one.
struct Args {
  int64_t slot[6];
  double x;
  size_t next = 0;
  int64_t take() { return next < 6 ? slot[next++] : 0; }
  uint32_t u32() { return static_cast<uint32_t>(take()); }
  bool flag() { return static_cast<int32_t>(take()) != 0; }
  std::string text() {
    int32_t ptr = static_cast<int32_t>(take());
    int32_t len = static_cast<int32_t>(take());
    return take_string(ptr, len);
  }
  // A value of kind k, lifted as the typed export does and encoded as enc() does.
  Bytes value(ValueKind k) {
    switch (k) {
      case ValueKind::Bool: return dolc_gen::enc_bool(flag());
      case ValueKind::S8: return dolc_gen::enc_int(static_cast<int8_t>(take()));
      case ValueKind::S16: return dolc_gen::enc_int(static_cast<int16_t>(take()));
      case ValueKind::S32: return dolc_gen::enc_int(static_cast<int32_t>(take()));
      case ValueKind::S64: return dolc_gen::enc_int(take());
      case ValueKind::U8: return dolc_gen::enc_uint(static_cast<uint8_t>(take()));
      case ValueKind::U16: return dolc_gen::enc_uint(static_cast<uint16_t>(take()));
      case ValueKind::U32: return dolc_gen::enc_uint(static_cast<uint32_t>(take()));
      case ValueKind::U64: return dolc_gen::enc_uint(static_cast<uint64_t>(take()));
      case ValueKind::F32: case ValueKind::F64: return dolc_gen::enc_float(x);
      case ValueKind::String: return dolc_gen::enc_string(text());
      case ValueKind::None: break;
    }
    return Bytes();
  }
};

// Canonical-ABI size (= alignment, except strings: 8 bytes aligned 4) of a kind.
uint32_t abi_size(ValueKind k) {
  switch (k) {
    case ValueKind::Bool: case ValueKind::S8: case ValueKind::U8: return 1;
    case ValueKind::S16: case ValueKind::U16: return 2;
    case ValueKind::S32: case ValueKind::U32: case ValueKind::F32: return 4;
    default: return 8;
  }
}
uint32_t abi_align(ValueKind k) { return k == ValueKind::String ? 4 : abi_size(k); }

// Decodes stored bytes `b` (validated by the runtime) as dec() does and
// stores the value at `at` as store() does.
void lower(uint8_t* at, ValueKind k, const Bytes& b) {
  switch (k) {
    case ValueKind::Bool: put<uint8_t>(at, dolc_gen::dec_bool(b) ? 1 : 0); break;
    case ValueKind::S8: put<int8_t>(at, static_cast<int8_t>(dolc_gen::dec_int(b))); break;
    case ValueKind::S16: put<int16_t>(at, static_cast<int16_t>(dolc_gen::dec_int(b))); break;
    case ValueKind::S32: put<int32_t>(at, static_cast<int32_t>(dolc_gen::dec_int(b))); break;
    case ValueKind::S64: put<int64_t>(at, dolc_gen::dec_int(b)); break;
    case ValueKind::U8: put<uint8_t>(at, static_cast<uint8_t>(dolc_gen::dec_uint(b))); break;
    case ValueKind::U16: put<uint16_t>(at, static_cast<uint16_t>(dolc_gen::dec_uint(b))); break;
    case ValueKind::U32: put<uint32_t>(at, static_cast<uint32_t>(dolc_gen::dec_uint(b))); break;
    case ValueKind::U64: put<uint64_t>(at, dolc_gen::dec_uint(b)); break;
    case ValueKind::F32: put<float>(at, static_cast<float>(dolc_gen::dec_float(b))); break;
    case ValueKind::F64: put<double>(at, dolc_gen::dec_float(b)); break;
    case ValueKind::String: put_bytes(at, b.data(), b.size()); break;
    case ValueKind::None: break;
  }
}

int32_t lower_option(ValueKind k, const std::optional<Bytes>& b) {
  uint8_t* at = begin_result();
  if (b) {
    put<uint8_t>(at, 1);
    lower(at + abi_align(k), k, *b);
  }
  return addr(at);
}

int32_t lower_list(ValueKind k, const std::vector<Bytes>& values) {
  uint8_t* at = begin_result();
  uint32_t size = abi_size(k);
  uint8_t* e = keep(values.size() * size);
  for (size_t i = 0; i < values.size(); ++i) lower(e + i * size, k, values[i]);
  put<int32_t>(at, addr(e));
  put<int32_t>(at + 4, static_cast<int32_t>(values.size()));
  return addr(at);
}

int32_t lower_status(const dolc_gen::Status& r) {
  uint8_t* at = begin_result();
  if (!r.ok) {
    put<uint8_t>(at, 1);
    put_string(at + 4, r.error);
  }
  return addr(at);
}

int32_t lower_string(const std::string& s) {
  uint8_t* at = begin_result();
  put_string(at, s);
  return addr(at);
}

void* object(int32_t self) { return reinterpret_cast<void*>(static_cast<uintptr_t>(static_cast<uint32_t>(self))); }

// Runs a write through the class's guard, as the typed member's guarded_ does.
template <class F>
int32_t write(const dolc_gen::FieldHost* host, int32_t self, F&& op) {
  dolc_gen::Status r = host->guarded(object(self), [](void* ctx) { return (*static_cast<F*>(ctx))(); }, &op);
  return lower_status(r);
}

}  // namespace

// The parameters every fx_* function receives (DOLC_GEN_FX in dolc_gen_abi.hpp).
#define FX_PARAMS                                                                                                    \
  const dolc_gen::FieldHost *host, const dolc_gen::GeneInfo *gene, uint32_t field, uint32_t kinds, int32_t self,    \
      int32_t path_ptr, int32_t path_len, int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, double x
// The object's document, its path and the operation's arguments, lifted in
// the typed export's order (path first; it frees the host's argument memory).
#define FX_PROLOGUE                                                 \
  dolc_gen::Doc& doc = host->doc(object(self));                     \
  Bytes path = take_bytes(path_ptr, path_len);                      \
  Args args{{a, b, c, d, e, f}, x};                                 \
  (void)doc;                                                        \
  (void)args;                                                       \
  (void)kinds

// The operations that write one value (registers, sets): lift and encode it,
// then the Doc call under the guard; and those that list a field's values.
#define FX_VALUE_WRITE(op)                                                                  \
  int64_t fx_##op(FX_PARAMS) {                                                              \
    FX_PROLOGUE;                                                                            \
    Bytes v = args.value(value_kind(kinds));                                                \
    return write(host, self, [&] { return doc.op(path, gene, field, v); });                 \
  }
#define FX_VALUES_READ(op)                                                                  \
  int64_t fx_##op(FX_PARAMS) {                                                              \
    FX_PROLOGUE;                                                                            \
    return lower_list(value_kind(kinds), doc.op(path, gene, field));                        \
  }
FX_VALUE_WRITE(reg_set)
FX_VALUE_WRITE(mv_set)
FX_VALUE_WRITE(set_add)
FX_VALUE_WRITE(set_remove)
FX_VALUES_READ(mv_values)
FX_VALUES_READ(set_values)
// Sequence writes of two positions (index and count, or from and to).
#define FX_POSITIONS_WRITE(op)                                                              \
  int64_t fx_##op(FX_PARAMS) {                                                              \
    FX_PROLOGUE;                                                                            \
    uint32_t first = args.u32();                                                            \
    uint32_t second = args.u32();                                                           \
    return write(host, self, [&] { return doc.op(path, gene, field, first, second); });     \
  }
FX_POSITIONS_WRITE(list_delete)
FX_POSITIONS_WRITE(list_move)
FX_POSITIONS_WRITE(text_delete)
#undef FX_VALUE_WRITE
#undef FX_VALUES_READ
#undef FX_POSITIONS_WRITE

int64_t fx_reg_get(FX_PARAMS) {
  FX_PROLOGUE;
  return lower_option(value_kind(kinds), doc.reg_get(path, gene, field));
}
int64_t fx_set_has(FX_PARAMS) {
  FX_PROLOGUE;
  Bytes v = args.value(value_kind(kinds));
  return doc.set_has(path, gene, field, v) ? 1 : 0;
}
int64_t fx_set_size(FX_PARAMS) {
  FX_PROLOGUE;
  return static_cast<int32_t>(doc.set_size(path, gene, field));
}
int64_t fx_map_has(FX_PARAMS) {
  FX_PROLOGUE;
  Bytes k = args.value(key_kind(kinds));
  return doc.map_has(path, gene, field, k) ? 1 : 0;
}
int64_t fx_map_get(FX_PARAMS) {
  FX_PROLOGUE;
  Bytes k = args.value(key_kind(kinds));
  return lower_option(value_kind(kinds), doc.map_get(path, gene, field, k));
}
int64_t fx_map_keys(FX_PARAMS) {
  FX_PROLOGUE;
  return lower_list(key_kind(kinds), doc.map_keys(path, gene, field));
}
int64_t fx_map_set(FX_PARAMS) {
  FX_PROLOGUE;
  Bytes k = args.value(key_kind(kinds));
  Bytes v = args.value(value_kind(kinds));
  return write(host, self, [&] { return doc.map_set(path, gene, field, k, v); });
}
int64_t fx_map_delete(FX_PARAMS) {
  FX_PROLOGUE;
  Bytes k = args.value(key_kind(kinds));
  return write(host, self, [&] { return doc.map_delete(path, gene, field, k); });
}
// Counters: int64 values only (the generator sends no other), and amounts
// whose kind converts to a delta exactly (an int64 decrement of INT64_MIN
// is refused, as the typed member does).
int64_t fx_counter_value(FX_PARAMS) {
  FX_PROLOGUE;
  return doc.counter_value(path, gene, field);
}
namespace {
int64_t counter_amount(ValueKind k, int64_t slot) {
  switch (k) {
    case ValueKind::S8: return static_cast<int8_t>(slot);
    case ValueKind::S16: return static_cast<int16_t>(slot);
    case ValueKind::S32: return static_cast<int32_t>(slot);
    case ValueKind::U8: return static_cast<uint8_t>(slot);
    case ValueKind::U16: return static_cast<uint16_t>(slot);
    case ValueKind::U32: return static_cast<uint32_t>(slot);
    default: return slot;
  }
}
}  // namespace
int64_t fx_counter_increment(FX_PARAMS) {
  FX_PROLOGUE;
  int64_t amount = counter_amount(value_kind(kinds), args.take());
  return write(host, self, [&] { return doc.counter_add(path, gene, field, amount); });
}
int64_t fx_counter_decrement(FX_PARAMS) {
  FX_PROLOGUE;
  int64_t amount = counter_amount(value_kind(kinds), args.take());
  return write(host, self, [&] {
    if (amount == INT64_MIN) return dolc_gen::counter_amount_refused();
    return doc.counter_add(path, gene, field, -amount);
  });
}
int64_t fx_list_length(FX_PARAMS) {
  FX_PROLOGUE;
  return static_cast<int32_t>(doc.list_length(path, gene, field));
}
int64_t fx_list_get(FX_PARAMS) {
  FX_PROLOGUE;
  uint32_t index = args.u32();
  return lower_option(value_kind(kinds), doc.list_get(path, gene, field, index));
}
int64_t fx_list_insert(FX_PARAMS) {
  FX_PROLOGUE;
  uint32_t index = args.u32();
  Bytes v = args.value(value_kind(kinds));
  return write(host, self, [&] { return doc.list_insert(path, gene, field, index, v); });
}
int64_t fx_list_append(FX_PARAMS) {
  FX_PROLOGUE;
  Bytes v = args.value(value_kind(kinds));
  return write(host, self, [&] { return doc.list_insert(path, gene, field, doc.list_length(path, gene, field), v); });
}
int64_t fx_text_length(FX_PARAMS) {
  FX_PROLOGUE;
  return static_cast<int32_t>(doc.text_length(path, gene, field));
}
int64_t fx_text_string(FX_PARAMS) {
  FX_PROLOGUE;
  return lower_string(doc.text_string(path, gene, field));
}
int64_t fx_text_insert(FX_PARAMS) {
  FX_PROLOGUE;
  uint32_t pos = args.u32();
  std::string text = args.text();
  return write(host, self, [&] { return doc.text_insert(path, gene, field, pos, text); });
}
int64_t fx_text_mark(FX_PARAMS) {
  FX_PROLOGUE;
  uint32_t start = args.u32();
  uint32_t end = args.u32();
  std::string name = args.text();
  std::string value = args.text();
  return write(host, self, [&] { return doc.text_mark(path, gene, field, start, end, name, value); });
}
int64_t fx_text_unmark(FX_PARAMS) {
  FX_PROLOGUE;
  uint32_t start = args.u32();
  uint32_t end = args.u32();
  std::string name = args.text();
  return write(host, self, [&] { return doc.text_unmark(path, gene, field, start, end, name); });
}
int64_t fx_text_spans(FX_PARAMS) {
  FX_PROLOGUE;
  return lower_string(doc.text_spans(path, gene, field));
}
int64_t fx_cursor(FX_PARAMS) {
  FX_PROLOGUE;
  uint32_t pos = args.u32();
  bool stick_left = args.flag();
  dolc_gen::Result<std::string> r = doc.cursor(path, gene, field, pos, stick_left);
  uint8_t* at = begin_result();
  if (r.ok) {
    put_string(at + 4, r.value);
  } else {
    put<uint8_t>(at, 1);
    put_string(at + 4, r.error);
  }
  return addr(at);
}
int64_t fx_cursor_position(FX_PARAMS) {
  FX_PROLOGUE;
  std::string cursor = args.text();
  std::optional<uint32_t> r = doc.cursor_position(path, gene, field, cursor);
  uint8_t* at = begin_result();
  if (r) {
    put<uint8_t>(at, 1);
    put<uint32_t>(at + 4, *r);
  }
  return addr(at);
}

#undef FX_PROLOGUE
#undef FX_PARAMS

}  // namespace dolc_gen_abi
#endif  // __wasm__
