// compiler/parse: code_point_offsets() and sanitize_utf8() (text_offsets.hpp).
#include "parse/text_offsets.hpp"

namespace dolc {

// Code point index -> byte offset, so spans are byte offsets although ANTLR
// counts code points. One extra entry for the end of the text.
std::vector<uint32_t> code_point_offsets(const std::string& text) {
  std::vector<uint32_t> out;
  out.reserve(text.size() + 1);
  for (uint32_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) out.push_back(i);
  out.push_back(static_cast<uint32_t>(text.size()));
  return out;
}

// Replaces every byte of an invalid UTF-8 sequence by `?` (one byte for one
// byte, so offsets are unchanged) and returns the offset of the first one,
// or npos. ANTLR's input stream throws on invalid UTF-8.
size_t sanitize_utf8(std::string& text) {
  size_t first_bad = std::string::npos;
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= text.size();
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; ok && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid too.
    if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
               (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF))
      ok = false;
    if (!ok) {
      if (first_bad == std::string::npos) first_bad = i;
      text[i] = '?';
      ++i;
      continue;
    }
    i += len;
  }
  return first_bad;
}

}  // namespace dolc
