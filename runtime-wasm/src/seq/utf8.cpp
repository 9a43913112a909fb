// runtime-wasm/seq: UTF-8 helpers for peritext (contract in utf8.hpp).
#include "dolc/rt/seq/utf8.hpp"

namespace dolc::rt::seq {

namespace {
// Decodes one code point at s[i]; returns its length in bytes (>= 1) and
// stores U+FFFD into *cp when the sequence is malformed.
size_t decode_one(std::string_view s, size_t i, char32_t* cp, bool* bad) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t need;
  char32_t v, min;
  if ((c & 0xE0) == 0xC0) { need = 1; v = c & 0x1F; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { need = 2; v = c & 0x0F; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { need = 3; v = c & 0x07; min = 0x10000; }
  else { *cp = 0xFFFD; *bad = true; return 1; }
  if (i + need >= s.size()) { *cp = 0xFFFD; *bad = true; return 1; }
  for (size_t k = 1; k <= need; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) { *cp = 0xFFFD; *bad = true; return k; }
    v = (v << 6) | (cc & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) { *cp = 0xFFFD; *bad = true; return need + 1; }
  *cp = v;
  return need + 1;
}
}  // namespace

std::u32string utf8_decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  bool bad = false;
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    i += decode_one(s, i, &cp, &bad);
    out.push_back(cp);
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  bool bad = false;
  for (size_t i = 0; i < s.size() && !bad;) {
    char32_t cp;
    i += decode_one(s, i, &cp, &bad);
  }
  return !bad;
}

void utf8_append(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string utf8_encode(const char32_t* data, size_t n) {
  std::string out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) utf8_append(out, data[i]);
  return out;
}

}  // namespace dolc::rt::seq
