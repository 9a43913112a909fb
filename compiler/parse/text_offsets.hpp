// compiler/parse: the text as ANTLR's input stream needs it, shared by the
// parser (parse.cpp) and the token layout (layout.cpp): valid UTF-8, and a
// table from ANTLR's code point indexes to the byte offsets dolc reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dolc {

// Code point index -> byte offset, one extra entry for the end of the text.
std::vector<uint32_t> code_point_offsets(const std::string& text);

// Replaces every byte of an invalid UTF-8 sequence by `?` (offsets unchanged)
// and returns the offset of the first one, or npos.
size_t sanitize_utf8(std::string& text);

}  // namespace dolc
