// runtime-wasm/seq: UTF-8 <-> code points for peritext. Text positions are
// code-point offsets; strings in and out are UTF-8. Decoding never fails:
// malformed bytes (bad lead, truncated or overlong sequence, surrogate, value
// above U+10FFFF) each become U+FFFD, so untrusted text cannot break the
// structure. (valid_utf8 tells whether that happened.)
#pragma once

#include <string>
#include <string_view>

namespace dolc::rt::seq {

std::u32string utf8_decode(std::string_view s);
bool valid_utf8(std::string_view s);
void utf8_append(std::string& out, char32_t c);
std::string utf8_encode(const char32_t* data, size_t n);

}  // namespace dolc::rt::seq
