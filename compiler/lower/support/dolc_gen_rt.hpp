// dolc_gen_rt.hpp: the layer between dolc-generated code and the CRDT runtime.
//
// dolc writes this file next to the generated NAME.hpp/NAME.cpp (it is
// embedded in the dolc binary). Generated code talks only to what is
// declared here:
//  * Status / Result<T> / Failure: outcomes without exceptions (the wasm
//    build has none);
//  * GeneInfo / FieldInfo: the constant description of each gene that the
//    generated code emits (field names, strategies, options, nested genes);
//  * value codecs: typed values <-> the canonical bytes the runtime stores in
//    registers, sets, maps and lists (equal values <-> equal bytes);
//  * Doc: one replica of one document, with each field operation addressed
//    by (path of the object, gene expected there, field index);
//  * JSON helpers for toJSON.
// Everything that depends on the runtime's own API is in the second half of
// this file (`Doc`'s definition), so the generated code does not change when
// the runtime does.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace dolc_gen {

using Bytes = std::vector<uint8_t>;
inline const Bytes kRoot{};  // the path of a document's root object

struct Failure {
  std::string error;
};

struct Status {
  bool ok = true;
  std::string error;
  Status() = default;
  Status(Failure f) : ok(false), error(std::move(f.error)) {}  // NOLINT: implicit on purpose
};

template <class T>
struct Result {
  bool ok = true;
  T value{};
  std::string error;
  Result() = default;
  Result(T v) : value(std::move(v)) {}                          // NOLINT
  Result(Failure f) : ok(false), error(std::move(f.error)) {}  // NOLINT
};

// ----- descriptors ------------------------------------------------------------

enum class Strategy : uint8_t { Immutable, Lww, MvRegister, OrSet, OrMap, PnCounter, Rga, Peritext, Nested };
enum class Overflow : uint8_t { Saturate, Wrap, Error };

struct GeneInfo;

struct FieldInfo {
  const char* name = nullptr;
  Strategy strategy = Strategy::Lww;
  const GeneInfo* nested = nullptr;  // Nested fields, rga elements / or_set map values of gene type
  bool has_min = false;
  int64_t min = 0;
  bool has_max = false;
  int64_t max = 0;
  Overflow overflow = Overflow::Saturate;
  bool content_hash = false;         // lww tie_break = content_hash
  int64_t max_length = 0;            // peritext; 0 = unbounded
  // The field's stable identity in every byte format (null = `name`): its
  // name when it was introduced, kept through renames, new when a strategy
  // or type change gave its bytes a new meaning (runtime-wasm/FORMAT.md).
  const char* key = nullptr;
  // A field of an earlier schema version that a strategy or type change
  // replaced: not part of the generated API, kept so that writes from
  // replicas still on that version apply, and converted into field
  // `replaced_by` by `convert` (the evolution's `migrate` body; null =
  // the bytes carry over unchanged). A conversion that fails, or a pair of
  // strategies with no conversion, is listed by migration_conflicts().
  bool hidden = false;
  int32_t replaced_by = -1;
  bool (*convert)(const Bytes& old_value, Bytes* new_value) = nullptr;
  // ----- change events (Doc::take_events)
  // The field's name in event paths (its JS member, lowerCamelCase; null =
  // `name`), and its values and map keys as JSON (null: not reported).
  const char* api = nullptr;
  std::string (*value_json)(const Bytes& value) = nullptr;
  std::string (*key_json)(const Bytes& key) = nullptr;
  std::string (*default_json)() = nullptr;  // a register's value before any write (its default)
  // lww and mv_register fields with a default: its encoding (undo of a first
  // write writes it back; docs/generated-api.md, "Undo and redo").
  Bytes (*default_value)() = nullptr;
  // ----- strategy options added later (at the end: tables are positional)
  bool append_only = false;  // rga: only appends; a delete or move is refused, from a peer as malformed
  bool remove_wins = false;  // or_set bias = remove: a concurrent remove/delete beats an add/update
  bool escrow = false;       // pn_counter: bounded counter keeping `min` by per-actor rights
  // @personal (lww, immutable): values are sealed under the key of a subject
  // the host names (Doc::set_personal_key; FORMAT.md, "Personal values").
  bool personal = false;
};

// One version of a gene's layout (its set of field keys), as a document's
// bytes name it: a module accepts documents and changes of every version its
// `evo` chain describes, and of newer versions (whose unknown fields it keeps).
struct LayoutInfo {
  const char* version;
  uint32_t hash;
};

// The sequence strategies (rga, peritext) are linked into a module only if
// it uses them: a gene whose documents can hold such a field points
// `sequences` at kSequenceSupport (dolc's generated descriptors do), and that
// reference is what pulls the sequence code in. Documents whose root gene has
// no such pointer refuse sequence operations.
struct SequenceSupport;
extern const SequenceSupport kSequenceSupport;

// Likewise each other strategy's merge code (dolc_gen::Strategy order:
// immutable and lww share kRegisterSupport; rga, peritext and nested genes
// have none here): a module's descriptors point GeneInfo::strategies at a
// table holding the ones its fields use (hidden fields of earlier versions
// included), and only those are linked. An op on a field whose strategy
// the table lacks is refused (no descriptor dolc writes has such a field).
struct StrategySupport;
extern const StrategySupport kRegisterSupport;
extern const StrategySupport kMvRegisterSupport;
extern const StrategySupport kOrSetSupport;
extern const StrategySupport kOrMapSupport;
extern const StrategySupport kCounterSupport;

struct GeneInfo {
  const char* name;
  const FieldInfo* fields;
  uint32_t field_count;
  const SequenceSupport* sequences = nullptr;  // set when the gene's tree has rga/peritext fields
  const char* version = nullptr;               // the schema version ("1.1.0"); null = unversioned
  const LayoutInfo* layouts = nullptr;         // oldest first; the last is this version's
  uint32_t layout_count = 0;                   // 0: accept any layout of this gene name
  // Format 1 named fields by position: the keys of the fields, in that
  // order, of the oldest version the chain describes (format-1 bytes were
  // written before field keys existed). Null: format 1 cannot be read.
  const char* const* format1_keys = nullptr;
  uint32_t format1_key_count = 0;
  // Per Strategy, its support (above), or null when no field of the module
  // has it. Null table: natively every strategy (hand-written descriptors);
  // in wasm, none.
  const StrategySupport* const* strategies = nullptr;
};

// ----- value codecs -------------------------------------------------------------
// Canonical: ints as LEB128 (signed ones zigzag-encoded first), floats as 8
// little-endian bytes, strings/bytes raw, enums as LEB128 indexes, options
// as 0 or 1 + the value.

inline void put_varint(Bytes& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}
inline uint64_t get_varint(const Bytes& in, size_t* at) {
  uint64_t v = 0;
  for (int shift = 0; *at < in.size() && shift < 64; shift += 7) {
    uint8_t b = in[(*at)++];
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return v;
}

inline Bytes enc_bool(bool v) { return Bytes{static_cast<uint8_t>(v ? 1 : 0)}; }
inline Bytes enc_uint(uint64_t v) {
  Bytes b;
  put_varint(b, v);
  return b;
}
inline Bytes enc_int(int64_t v) {
  return enc_uint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
inline Bytes enc_float(double v) {
  if (v == 0) v = 0;  // -0.0 and 0.0 are one value
  uint64_t u;
  std::memcpy(&u, &v, 8);
  Bytes b(8);
  for (int i = 0; i < 8; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(u >> (8 * i));
  return b;
}
inline Bytes enc_string(const std::string& s) { return Bytes(s.begin(), s.end()); }
inline Bytes enc_bytes(const Bytes& b) { return b; }
inline Bytes enc_enum(uint32_t i) { return enc_uint(i); }
inline Bytes enc_none() { return Bytes{0}; }
inline Bytes enc_some(const Bytes& inner) {
  Bytes b{1};
  b.insert(b.end(), inner.begin(), inner.end());
  return b;
}

// A record: each field's encoding, length-prefixed.
inline Bytes enc_record(std::initializer_list<Bytes> fields) {
  Bytes out;
  for (const Bytes& f : fields) {
    put_varint(out, f.size());
    out.insert(out.end(), f.begin(), f.end());
  }
  return out;
}
// The `count` field encodings of a record (empty ones when the bytes are short).
inline std::vector<Bytes> dec_record(const Bytes& b, size_t count) {
  std::vector<Bytes> parts(count);
  size_t at = 0;
  for (size_t i = 0; i < count && at < b.size(); ++i) {
    uint64_t len = get_varint(b, &at);
    if (len > b.size() - at) break;
    parts[i].assign(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + len));
    at += static_cast<size_t>(len);
  }
  return parts;
}

inline bool dec_bool(const Bytes& b) { return !b.empty() && b[0] != 0; }
inline uint64_t dec_uint(const Bytes& b) {
  size_t at = 0;
  return get_varint(b, &at);
}
inline int64_t dec_int(const Bytes& b) {
  uint64_t u = dec_uint(b);
  return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
}
inline double dec_float(const Bytes& b) {
  uint64_t u = 0;
  for (size_t i = 0; i < 8 && i < b.size(); ++i) u |= static_cast<uint64_t>(b[i]) << (8 * i);
  double v;
  std::memcpy(&v, &u, 8);
  return v;
}
inline std::string dec_string(const Bytes& b) { return std::string(b.begin(), b.end()); }
// Values as strings (sets, map keys, concurrent values): one loop that every
// such field shares.
__attribute__((noinline)) inline std::vector<std::string> dec_strings(const std::vector<Bytes>& values) {
  std::vector<std::string> out;
  for (const Bytes& b : values) out.push_back(dec_string(b));
  return out;
}
inline Bytes dec_bytes(const Bytes& b) { return b; }
inline uint32_t dec_enum(const Bytes& b, size_t count) {
  uint64_t i = dec_uint(b);
  return i < count ? static_cast<uint32_t>(i) : 0;
}
template <class T, class F>
std::optional<T> dec_option(const Bytes& b, F&& inner) {
  if (b.empty() || b[0] == 0) return std::nullopt;
  return inner(Bytes(b.begin() + 1, b.end()));
}

// `parse_int(s)` in migrations: a decimal integer with an optional sign,
// nothing else; `*ok` becomes false otherwise (the write is then reported,
// not converted).
inline int64_t parse_int(const std::string& s, bool* ok) {
  if (s.empty()) {
    *ok = false;
    return 0;
  }
  size_t i = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  uint64_t v = 0;
  if (i == s.size()) *ok = false;
  for (; i < s.size() && *ok; ++i) {
    if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10) *ok = false;
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');
  }
  if (v > (s[0] == '-' ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1)) *ok = false;
  return s[0] == '-' ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
}

// Safe arithmetic for lowered method bodies: no trap on division by zero
// (the result is 0) or on INT_MIN / -1.
template <class T>
T divide(T a, T b) {
  if (b == 0) return T{};
  if constexpr (std::is_signed<T>::value && std::is_integral<T>::value)
    if (b == T(-1)) return static_cast<T>(T{} - a);
  return static_cast<T>(a / b);
}
template <class T>
T remainder(T a, T b) {
  if (b == 0 || (std::is_signed<T>::value && b == T(-1))) return T{};
  return static_cast<T>(a % b);
}

// A counter amount (of the counter's integer type) as the signed delta the
// runtime adds, negated for a decrement; false when there is none: a u64
// amount above INT64_MAX, or a decrement by INT64_MIN (static_cast would wrap
// them into a move the other way).
// A float counter (allowed with a warning) counts whole units: its amount
// must be finite and within int64.
template <class T>
bool counter_delta(T amount, bool negate, int64_t* delta) {
  int64_t v = 0;
  if constexpr (std::is_floating_point<T>::value) {
    if (!(amount >= -9223372036854775808.0 && amount < 9223372036854775808.0)) return false;
    v = static_cast<int64_t>(amount);
  } else {
    if (std::is_unsigned<T>::value && static_cast<uint64_t>(amount) > static_cast<uint64_t>(INT64_MAX)) return false;
    v = static_cast<int64_t>(amount);
  }
  if (negate && v == INT64_MIN) return false;
  *delta = negate ? -v : v;
  return true;
}

class Doc;
// Adds `amount` (negated for a decrement) to a counter, or refuses it when it
// has no signed delta (counter_delta); one out-of-line refusal for every site.
template <class T>
Status counter_add_amount(Doc& doc, const Bytes& path, const GeneInfo* gene, uint32_t field, T amount, bool negate);

// ----- invariants --------------------------------------------------------------

// The first invariant in `after` that is not in `before` (null: none). Each
// invariant is judged on its own: an operation is refused only for one that
// its own effect breaks, never because a merge already broke another.
inline const std::string* newly_broken(const std::vector<std::string>& before, const std::vector<std::string>& after) {
  for (const std::string& a : after) {
    bool known = false;
    for (const std::string& b : before) known = known || a == b;
    if (!known) return &a;
  }
  return nullptr;
}

// ----- JSON -------------------------------------------------------------------

inline std::string json_string(const std::string& s) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}
// The decimal digits of an integer, as std::to_string writes them, without
// libc++'s formatting tables (about 1 KB of every wasm module).
inline std::string decimal(uint64_t v) {
  char buf[20];
  int i = 20;
  do {
    buf[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  return std::string(buf + i, buf + 20);
}
inline std::string decimal(int64_t v) {
  return v < 0 ? "-" + decimal(0 - static_cast<uint64_t>(v)) : decimal(static_cast<uint64_t>(v));
}
template <class T>
typename std::enable_if<std::is_integral<T>::value, std::string>::type decimal_of(T v) {
  if (std::is_signed<T>::value) return decimal(static_cast<int64_t>(v));
  return decimal(static_cast<uint64_t>(v));
}
inline std::string json_value(const std::string& s) { return json_string(s); }
inline std::string json_value(bool v) { return v ? "true" : "false"; }
// A double as printf's "%.17g" writes it (17 significant digits: the value
// reads back exactly), computed here from the double's exact decimal
// expansion: in wasm, snprintf would pull in the stdio machinery, whose WASI
// imports no JS host provides, and a module with a float field would not load.
inline std::string json_value(double v) {
  if (v != v || v - v != 0) return "null";  // NaN / infinity are not JSON
  if (v == 0) return "0";
  std::string out = v < 0 ? "-" : "";
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  int exp2 = static_cast<int>((bits >> 52) & 0x7ff);
  uint64_t mant = bits & ((uint64_t{1} << 52) - 1);
  if (exp2 == 0) exp2 = 1;
  else mant |= uint64_t{1} << 52;
  exp2 -= 1075;  // |v| = mant * 2^exp2
  // |v| = n * 10^point10, n a big integer in base 10^9 limbs (least significant first).
  const uint32_t kBase = 1000000000;
  std::vector<uint32_t> n{static_cast<uint32_t>(mant % kBase), static_cast<uint32_t>(mant / kBase % kBase),
                          static_cast<uint32_t>(mant / kBase / kBase)};
  auto mul = [&](uint32_t k) {
    uint64_t carry = 0;
    for (uint32_t& x : n) {
      uint64_t t = uint64_t{x} * k + carry;
      x = static_cast<uint32_t>(t % kBase);
      carry = t / kBase;
    }
    for (; carry; carry /= kBase) n.push_back(static_cast<uint32_t>(carry % kBase));
  };
  int point10 = 0;
  for (int e = exp2; e > 0; e -= 29) mul(uint32_t{1} << (e < 29 ? e : 29));
  for (int e = -exp2; e > 0; e -= 13) {  // 2^-k = 5^k / 10^k
    int k = e < 13 ? e : 13;
    uint32_t p = 1;
    for (int i = 0; i < k; ++i) p *= 5;
    mul(p);
    point10 -= k;
  }
  while (n.size() > 1 && n.back() == 0) n.pop_back();
  std::string digits = decimal(uint64_t{n.back()});
  for (size_t i = n.size() - 1; i-- > 0;) {
    std::string limb = decimal(uint64_t{n[i]});
    digits += std::string(9 - limb.size(), '0') + limb;
  }
  int exp10 = static_cast<int>(digits.size()) - 1 + point10;  // |v| = d.ddd * 10^exp10
  if (digits.size() > 17) {  // round half to even on the exact digits
    bool rest = digits.find_first_not_of('0', 18) != std::string::npos;
    char next = digits[17];
    bool up = next > '5' || (next == '5' && (rest || (digits[16] - '0') % 2 == 1));
    digits.resize(17);
    for (size_t i = 17; up && i-- > 0;) {
      up = digits[i] == '9';
      digits[i] = up ? '0' : static_cast<char>(digits[i] + 1);
    }
    if (up) {
      digits.insert(digits.begin(), '1');
      digits.resize(17);
      ++exp10;
    }
  }
  digits.erase(digits.find_last_not_of('0') + 1);
  if (exp10 < -4 || exp10 >= 17) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    std::string e = decimal(uint64_t(exp10 < 0 ? -exp10 : exp10));
    return out + (exp10 < 0 ? "e-" : "e+") + (e.size() < 2 ? "0" : "") + e;
  }
  if (exp10 < 0) return out + "0." + std::string(static_cast<size_t>(-exp10 - 1), '0') + digits;
  size_t whole = static_cast<size_t>(exp10) + 1;
  if (digits.size() <= whole) return out + digits + std::string(whole - digits.size(), '0');
  return out + digits.substr(0, whole) + "." + digits.substr(whole);
}
inline std::string json_value(float v) { return json_value(static_cast<double>(v)); }
template <class T>
typename std::enable_if<std::is_integral<T>::value, std::string>::type json_value(T v) {
  return decimal_of(v);
}
// A JSON array of values (sets and registers' concurrent values).
template <class T>
std::string json_array(const std::vector<T>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ",";
    out += json_value(values[i]);
  }
  out += "]";
  return out;
}
inline std::string json_bytes(const Bytes& b) {
  std::string out = "[";
  for (size_t i = 0; i < b.size(); ++i) out += (i ? "," : "") + decimal(uint64_t{b[i]});
  return out + "]";
}
inline std::string json_enum(uint32_t i, std::initializer_list<const char*> names) {
  return i < names.size() ? json_string(names.begin()[i]) : std::string("null");
}
// A JSON object key from a value's JSON text (numbers and the like are quoted).
inline std::string json_key_text(const std::string& json) {
  return !json.empty() && json[0] == '"' ? json : json_string(json);
}

// ----- documents ------------------------------------------------------------------
// One replica of one document whose root object is a `root` gene. Field
// operations name the object by its path (kRoot, or bytes a *_child call
// returned), the gene the caller expects there (a path leading elsewhere is
// refused, or reads as empty) and the field's index in that gene. Implemented
// in dolc_gen_rt.cpp over the runtime library.
class Doc {
 public:
  Doc(const GeneInfo* root, uint64_t actor);
  ~Doc();
  Doc(const Doc&) = delete;
  Doc& operator=(const Doc&) = delete;

  uint64_t actor() const;
  Bytes version() const;
  Result<Bytes> changes_since(const Bytes& version) const;
  Status apply(const Bytes& changes);
  Status merge(const Bytes& saved);
  Bytes save() const;
  Status load(const Bytes& saved);
  // Writes of an older schema version that could not be converted to this
  // version's fields (kept in the log, not shown): a JSON array of
  // {"field": key, "lamport": n, "actor": "n"} (the actor as a decimal string:
  // JSON numbers lose 64-bit precision).
  std::string migration_conflicts() const;
  // Received changes that wait for changes that have not arrived, and forks
  // (changes that reuse an actor's seq with other content; FORMAT.md,
  // "Change identity"): {"held": [{"actor": "n", "seq": n, "waitsFor":
  // {"actor": "n", "seq": n}}], "forks": [{"actor": "n", "seq": n}]}.
  std::string pending() const;
  // Forgets every held change (they can be received again); returns how many.
  uint32_t drop_pending();
  // Ops replayed so far to rebuild the state (after refused applies, dropped
  // held changes, rollback(), forks): what refusals cost, for tests and benches.
  uint64_t replayed_ops() const;
  // Appends to `out` the counter bounds (min_value/max_value) and max_length
  // limits that the document's values break, in every object (nested ones,
  // list elements and map values included), each as
  // "gene.field[3].field >= -10" or "gene.title length <= 280". Local
  // operations keep them; merges of concurrent or remote operations may not,
  // and are reported, not refused.
  void broken_bounds(std::vector<std::string>* out) const;

  // Tentative local operations: rollback() restores the state at checkpoint().
  uint64_t checkpoint();
  void commit(uint64_t mark);
  void rollback(uint64_t mark);

  std::optional<Bytes> reg_get(const Bytes& path, const GeneInfo* gene, uint32_t field) const;
  Status reg_set(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value);
  std::vector<Bytes> mv_values(const Bytes& path, const GeneInfo* gene, uint32_t field) const;
  Status mv_set(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value);

  bool set_has(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value) const;
  std::vector<Bytes> set_values(const Bytes& path, const GeneInfo* gene, uint32_t field) const;
  uint32_t set_size(const Bytes& path, const GeneInfo* gene, uint32_t field) const;
  Status set_add(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value);
  Status set_remove(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value);

  bool map_has(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key) const;
  std::optional<Bytes> map_get(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key) const;
  std::vector<Bytes> map_keys(const Bytes& path, const GeneInfo* gene, uint32_t field) const;
  Status map_set(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key, const Bytes& value);
  Status map_delete(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key);
  Status map_set_new(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key);
  Result<Bytes> map_child(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key) const;

  int64_t counter_value(const Bytes& path, const GeneInfo* gene, uint32_t field) const;
  Status counter_add(const Bytes& path, const GeneInfo* gene, uint32_t field, int64_t delta);
  // escrow=true (crdt.md): this replica's rights, and a transfer of `amount`
  // (> 0) of them to actor `to` (an op that syncs; refused beyond the rights).
  int64_t counter_rights(const Bytes& path, const GeneInfo* gene, uint32_t field) const;
  Status counter_transfer(const Bytes& path, const GeneInfo* gene, uint32_t field, uint64_t to, int64_t amount);

  uint32_t list_length(const Bytes& path, const GeneInfo* gene, uint32_t field) const;
  std::optional<Bytes> list_get(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index) const;
  Status list_insert(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index, const Bytes& value);
  Status list_insert_new(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index);
  Result<Bytes> list_child(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index) const;
  Status list_delete(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index, uint32_t count);
  Status list_move(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t from, uint32_t to);

  uint32_t text_length(const Bytes& path, const GeneInfo* gene, uint32_t field) const;
  std::string text_string(const Bytes& path, const GeneInfo* gene, uint32_t field) const;
  Status text_insert(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t pos, const std::string& text);
  Status text_delete(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t pos, uint32_t count);
  Status text_mark(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t start, uint32_t end,
                   const std::string& name, const std::string& value);
  Status text_unmark(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t start, uint32_t end,
                     const std::string& name);
  std::string text_spans(const Bytes& path, const GeneInfo* gene, uint32_t field) const;  // JSON

  Bytes nested_child(const Bytes& path, const GeneInfo* gene, uint32_t field) const;

  // ----- @personal values (FORMAT.md, "Personal values")
  // Writes to @personal fields seal the value under the current subject's
  // key; reads open it with whichever key it names, and read as unset when
  // that key is not held (forgotten: erased) or the bytes were tampered with.
  // set_personal_key installs `subject`'s 32-byte key with 8 random bytes
  // from the host that start its nonces; the first key set also becomes the
  // current subject. forget_personal_key wipes a key (false: not held).
  Status set_personal_key(const std::string& subject, const Bytes& key, const Bytes& nonce_seed);
  bool forget_personal_key(const std::string& subject);
  // The subject whose key seals this replica's next writes ("" = none yet).
  Status set_personal_subject(const std::string& subject);
  std::string personal_subject() const;

  // ----- change events
  // Returns the changes recorded since the previous call (a JSON array, ""
  // when there are none) and clears them; `listen` turns recording on or
  // off (off by default: nothing is recorded, and it costs a flag check).
  // Each entry: {"path": [API names, list indexes, map keys], "kind": ...}
  // with, per kind: "text" {"at", "insert": "..." | "delete": n |
  // "retain": n, "attributes": {name: value | null}}; "list" {"at",
  // "insert": [values] (gene elements: null each) | "delete": n}; "register"
  // {"value"}; "mv" {"values"}; "counter" {"value"}; "set" {"added" |
  // "removed": value}; "map" {"key", "op": "add" | "update" | "delete"};
  // "reset" (the whole state was replaced: load, a replay; re-read it).
  // Positions are those of the state at the moment each op applied.
  std::string take_events(bool listen);
  // ----- cursors (docs/generated-api.md, "Cursors") on text and list fields:
  // a position anchored to an element's id, as a short string: "R<lamport>.<actor>"
  // (just before that element), "L<lamport>.<actor>" (just after it), "R" (the
  // end), "L" (the start). `stick_left`: anchor to the element left of `pos`.
  Result<std::string> cursor(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t pos,
                             bool stick_left) const;
  // The cursor's current index; nullopt when its element has not arrived (or
  // the cursor is malformed). A deleted element's cursor is where it was.
  std::optional<uint32_t> cursor_position(const Bytes& path, const GeneInfo* gene, uint32_t field,
                                          const std::string& cursor) const;

  // ----- undo and redo (docs/generated-api.md, "Undo and redo") of this
  // replica's own local operations, as new operations. Nothing is recorded
  // until undo_manager(max_steps > 0); undo_manager(0) stops and forgets.
  void undo_manager(uint32_t max_steps);
  void undo_stop_capturing();  // ends the current step (a no-op without a manager)
  bool undo();
  bool redo();
  bool can_undo() const;
  bool can_redo() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ----- generic field operations (runtime-wasm/src/field_ops.cpp) ----------------
// A schema with thousands of fields must not cost thousands of copies of the
// same code: every field operation whose values are plain scalars is one
// generic routine, given the field (gene, index) and the kinds of its values,
// and the generated code per field shrinks to table rows and one-line
// exports (dolc_gen_abi.hpp declares the exported side).

// A scalar value type of the generated API: how a thin operation lifts,
// encodes, decodes and lowers it (the same conversions the typed C++ API
// makes; docs/generated-api.md).
enum class ValueKind : uint8_t { None, Bool, S8, S16, S32, S64, U8, U16, U32, U64, F32, F64, String };
// A map's key and value kinds in one constant (key in the high byte).
constexpr uint32_t kinds(ValueKind key, ValueKind value) {
  return (static_cast<uint32_t>(key) << 8) | static_cast<uint32_t>(value);
}

// How generic operations reach a generated class's document: its Doc, and
// its guard (invariants judged around one write, transactions, gene methods).
struct FieldHost {
  Doc& (*doc)(void* self);
  Status (*guarded)(void* self, Status (*op)(void* ctx), void* ctx);
};

// toJSON of fields [from, to) of `gene` (each `,"name":value`, the comma only
// after a member), read from the object at `path`: registers and mv-registers
// without defaults, sets, maps and lists of values, text, int64 counters
// (the generator sends only those; FieldInfo::value_json / key_json render
// the values, as change events do).
void json_fields(std::string& out, const Doc& doc, const Bytes& path, const GeneInfo* gene, uint32_t from, uint32_t to);

Status counter_amount_refused();  // "amount out of range" (dolc_gen_rt.cpp)
template <class T>
Status counter_add_amount(Doc& doc, const Bytes& path, const GeneInfo* gene, uint32_t field, T amount, bool negate) {
  int64_t delta = 0;
  if (!counter_delta(amount, negate, &delta)) return counter_amount_refused();
  return doc.counter_add(path, gene, field, delta);
}
template <class T>
Status counter_transfer_amount(Doc& doc, const Bytes& path, const GeneInfo* gene, uint32_t field, uint64_t to,
                               T amount) {
  int64_t n = 0;
  if (!counter_delta(amount, false, &n)) return counter_amount_refused();
  return doc.counter_transfer(path, gene, field, to, n);
}

}  // namespace dolc_gen
