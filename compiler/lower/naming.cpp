// compiler/lower/naming.cpp: see naming.hpp for the rules.
#include "lower/naming.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

namespace dolc::lower {

std::vector<std::string> name_words(const std::string& name) {
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(cur);
    cur.clear();
  };
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c)) {  // `.`, `_`, `-` and anything else separate words
      flush();
      continue;
    }
    bool upper = std::isupper(c) != 0;
    if (upper && !cur.empty()) {
      unsigned char prev = static_cast<unsigned char>(name[i - 1]);
      bool next_lower = i + 1 < name.size() && std::islower(static_cast<unsigned char>(name[i + 1]));
      // likeCount -> like|count ; HTTPServer -> http|server
      if (std::islower(prev) || std::isdigit(prev) || (std::isupper(prev) && next_lower)) flush();
    }
    cur.push_back(static_cast<char>(std::tolower(c)));
  }
  flush();
  return words;
}

std::string wit_label(const std::string& name) {
  std::vector<std::string> words = name_words(name);
  std::string out;
  for (const auto& w : words) {
    if (out.empty()) {
      out = std::isdigit(static_cast<unsigned char>(w[0])) ? "x" + w : w;
    } else if (std::isdigit(static_cast<unsigned char>(w[0]))) {
      out += w;  // WIT words start with a letter: glue digits to the previous word
    } else {
      out += "-" + w;
    }
  }
  return out.empty() ? std::string("x") : out;
}

bool is_wit_keyword(const std::string& label) {
  static const std::set<std::string> keywords = {
      "as", "async", "bool", "borrow", "char", "constructor", "enum", "export", "f32", "f64", "flags",
      "float32", "float64", "from", "func", "future", "import", "include", "interface", "list", "own",
      "option", "package", "record", "resource", "result", "s16", "s32", "s64", "s8", "static", "stream",
      "string", "tuple", "type", "u16", "u32", "u64", "u8", "use", "variant", "with", "world", "error-context"};
  return keywords.count(label) != 0;
}

std::string wit_ident(const std::string& label) { return is_wit_keyword(label) ? "%" + label : label; }

std::string js_member(const std::string& label) {
  std::string out;
  bool upper_next = false;
  for (char c : label) {
    if (c == '-') {
      upper_next = true;
      continue;
    }
    out.push_back(upper_next ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper_next = false;
  }
  return out;
}

std::string js_class(const std::string& label) {
  std::string m = js_member(label);
  if (!m.empty()) m[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(m[0])));
  return m;
}

std::string js_param(const std::string& label) {
  // ES2015+ reserved words, strict-mode ones and the two names strict mode
  // forbids as bindings (modules are strict).
  static const std::set<std::string> reserved = {
      "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
      "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "implements", "import",
      "in", "instanceof", "interface", "let", "new", "null", "package", "private", "protected", "public",
      "return", "static", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while",
      "with", "yield", "arguments", "eval"};
  std::string m = js_member(label);
  return reserved.count(m) ? m + "_" : m;
}

std::string cpp_ident(const std::string& name) {
  static const std::set<std::string> keywords = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case",
      "catch", "char", "char16_t", "char32_t", "class", "compl", "const", "constexpr", "const_cast",
      "continue", "decltype", "default", "delete", "do", "double", "dynamic_cast", "else", "enum",
      "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if", "inline", "int",
      "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or",
      "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "return", "short",
      "signed", "sizeof", "static", "static_assert", "static_cast", "struct", "switch", "template",
      "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename", "union",
      "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "main",
      "errno", "assert", "NULL", "EOF", "stdin", "stdout", "stderr"};
  std::string out;
  for (char c : name) out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "x" + out;
  // Leading underscores + capital or double underscores are reserved in C++.
  if (out[0] == '_' || out.find("__") != std::string::npos || keywords.count(out)) out += "_";
  if (out[0] == '_') out = "x" + out;
  return out;
}

static std::string escaped_literal(const std::string& s, bool js) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          // C++: octal escapes never swallow following hex digits; JS: \xNN is a
          // code unit, so UTF-8 is only passed through for C++.
          if (js && c >= 0x80) out.push_back(static_cast<char>(c));
          else out += js ? fmt::format("\\x{:02x}", c) : fmt::format("\\{:03o}", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

std::string cpp_string_literal(const std::string& s) { return escaped_literal(s, false); }
std::string js_string_literal(const std::string& s) { return escaped_literal(s, true); }

}  // namespace dolc::lower
