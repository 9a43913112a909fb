// dolc_gen_abi.hpp: canonical-ABI helpers for dolc-generated modules.
//
// dolc writes this file next to the generated NAME.cpp (it is embedded in the
// dolc binary), and NAME.cpp includes it only in its wasm32 export section.
// It holds what every generated export needs: taking ownership of argument
// memory the host allocated through cabi_realloc, and a return area plus
// buffers that keep result strings and lists alive until the next export call
// (the host copies results out before it calls again, so no cabi_post_*
// functions are needed). Layouts follow the Component Model's
// CanonicalABI.md: strings and lists are (i32 pointer, i32 length), options
// and results a u8 discriminant followed by the payload at its alignment.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "dolc_gen_rt.hpp"

namespace dolc_gen_abi {

// Argument memory comes from cabi_realloc (malloc); a zero-length argument
// may carry a pointer the host never allocated, so it is never freed.
inline std::string take_string(int32_t ptr, int32_t len) {
  if (len <= 0) return std::string();
  void* p = reinterpret_cast<void*>(static_cast<uintptr_t>(static_cast<uint32_t>(ptr)));
  std::string s(static_cast<const char*>(p), static_cast<size_t>(len));
  std::free(p);
  return s;
}

inline std::vector<uint8_t> take_bytes(int32_t ptr, int32_t len) {
  if (len <= 0) return std::vector<uint8_t>();
  void* p = reinterpret_cast<void*>(static_cast<uintptr_t>(static_cast<uint32_t>(ptr)));
  const uint8_t* b = static_cast<const uint8_t*>(p);
  std::vector<uint8_t> v(b, b + len);
  std::free(p);
  return v;
}

// The return area and the buffers results point into, valid until the next call.
struct Results {
  alignas(8) uint8_t area[64];
  std::vector<std::vector<uint8_t>> buffers;
};

inline Results& results() {
  static Results r;
  return r;
}

// Starts a new result: drops the previous call's buffers, clears the area.
inline uint8_t* begin_result() {
  Results& r = results();
  r.buffers.clear();
  std::memset(r.area, 0, sizeof r.area);
  return r.area;
}

inline int32_t addr(const void* p) { return static_cast<int32_t>(reinterpret_cast<uintptr_t>(p)); }

// A buffer of `size` bytes (aligned 8) that lives until the next call.
inline uint8_t* keep(size_t size) {
  Results& r = results();
  r.buffers.emplace_back(size + 8, 0);
  uintptr_t p = reinterpret_cast<uintptr_t>(r.buffers.back().data());
  return reinterpret_cast<uint8_t*>((p + 7) & ~static_cast<uintptr_t>(7));
}

template <class T>
inline void put(uint8_t* at, T v) {
  std::memcpy(at, &v, sizeof v);
}

inline void put_bytes(uint8_t* at, const void* data, size_t len) {
  uint8_t* p = keep(len);
  if (len) std::memcpy(p, data, len);
  put<int32_t>(at, addr(p));
  put<int32_t>(at + 4, static_cast<int32_t>(len));
}

inline void put_string(uint8_t* at, const std::string& s) { put_bytes(at, s.data(), s.size()); }

// A list<string>: one out-of-line loop that every such export shares (a
// module has many sets of strings; inlined, each cost ~200 bytes).
__attribute__((noinline)) inline void put_strings(uint8_t* at, const std::vector<std::string>& v) {
  uint8_t* e = keep(v.size() * 8u);
  for (size_t i = 0; i < v.size(); ++i) put_string(e + i * 8, v[i]);
  put<int32_t>(at, addr(e));
  put<int32_t>(at + 4, static_cast<int32_t>(v.size()));
}

// ----- generic exports of field operations (runtime-wasm/src/field_ops.cpp)
// A field operation on plain scalar values is exported as a one-line thunk
// calling one of these, so that a module's size and clang's time grow by a
// thunk per exported operation, not by a lifted, typed and lowered body.
// Each takes the class's host (dolc_gen::FieldHost), the field (gene,
// index), its key and value kinds (dolc_gen::kinds), the export's core
// parameters `self` and the path (ptr, len), then the operation's own flat
// parameters: integers in order in slots a-f (a string takes two: pointer,
// length), a float value in x. It returns the export's core result (an
// integer, a return-area address, or an int64 counter value).
#define DOLC_GEN_FX(op)                                                                                              \
  int64_t fx_##op(const dolc_gen::FieldHost* host, const dolc_gen::GeneInfo* gene, uint32_t field, uint32_t kinds,  \
                  int32_t self, int32_t path_ptr, int32_t path_len, int64_t a, int64_t b, int64_t c, int64_t d,   \
                  int64_t e, int64_t f, double x)
DOLC_GEN_FX(reg_get);
DOLC_GEN_FX(reg_set);
DOLC_GEN_FX(mv_values);
DOLC_GEN_FX(mv_set);
DOLC_GEN_FX(set_has);
DOLC_GEN_FX(set_values);
DOLC_GEN_FX(set_size);
DOLC_GEN_FX(set_add);
DOLC_GEN_FX(set_remove);
DOLC_GEN_FX(map_has);
DOLC_GEN_FX(map_get);
DOLC_GEN_FX(map_keys);
DOLC_GEN_FX(map_set);
DOLC_GEN_FX(map_delete);
DOLC_GEN_FX(counter_value);
DOLC_GEN_FX(counter_increment);
DOLC_GEN_FX(counter_decrement);
DOLC_GEN_FX(list_length);
DOLC_GEN_FX(list_get);
DOLC_GEN_FX(list_insert);
DOLC_GEN_FX(list_append);
DOLC_GEN_FX(list_delete);
DOLC_GEN_FX(list_move);
DOLC_GEN_FX(text_length);
DOLC_GEN_FX(text_string);
DOLC_GEN_FX(text_insert);
DOLC_GEN_FX(text_delete);
DOLC_GEN_FX(text_mark);
DOLC_GEN_FX(text_unmark);
DOLC_GEN_FX(text_spans);
DOLC_GEN_FX(cursor);
DOLC_GEN_FX(cursor_position);
#undef DOLC_GEN_FX

// One thin export as a table row: the generated module keeps a row per
// export and one dispatcher per core signature, which calls `fn` with the
// row's field and the export's parameters (lower/cpp.hpp, ThinExport).
using FieldOp = int64_t (*)(const dolc_gen::FieldHost*, const dolc_gen::GeneInfo*, uint32_t, uint32_t, int32_t,
                            int32_t, int32_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, double);
struct FieldExport {
  FieldOp fn;
  const dolc_gen::FieldHost* host;
  const dolc_gen::GeneInfo* gene;
  uint32_t field;
  uint32_t kinds;
};

}  // namespace dolc_gen_abi
