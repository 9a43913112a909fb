// compiler/lower: the one place that turns DOL names into target names.
//
// Every generator (C++ lowering, WIT, JS, .d.ts) names things through these
// functions so that an export the WIT file declares is the symbol the C++
// defines and the function the JS calls. Rules:
//  * WIT: kebab-case labels (`created_at` -> `created-at`, `message.chat` ->
//    `message-chat`, `likeCount` -> `like-count`); a fragment that would start
//    with a digit is glued to the previous one (`item_2` -> `item2`) because
//    WIT words must start with a letter; WIT keywords get a `%` prefix.
//  * C++: identifiers with `.`/`-` turned into `_`, C++ keywords and reserved
//    spellings get a trailing `_`.
//  * JS: lowerCamelCase members and UpperCamelCase classes derived from the
//    WIT label, so JS and WIT always agree on word boundaries; parameters
//    that are reserved words get a trailing `_`.
// Names these rules would merge, or that the generated API already uses,
// are refused at check (name_check.hpp).
#pragma once

#include <string>
#include <vector>

namespace dolc::lower {

// Words of a DOL name: split at `.`, `_`, `-`, and lower->upper case changes;
// all lower-cased. `message.chat` -> {message, chat}; `likeCount` -> {like, count}.
std::vector<std::string> name_words(const std::string& name);

// A WIT label without `%` escaping (for building composite names).
std::string wit_label(const std::string& name);
// A WIT identifier as it must be written in a .wit file (`%` before keywords).
std::string wit_ident(const std::string& label);
bool is_wit_keyword(const std::string& label);

// WIT label -> JS names.
std::string js_member(const std::string& wit_label);  // created-at -> createdAt
std::string js_class(const std::string& wit_label);   // message-chat -> MessageChat
// A JS parameter name: js_member, with a trailing `_` when it is a reserved
// word (`class` -> `class_`); parameters are positional, so the escape
// changes no API. Member names need no escape (`doc.delete` is valid JS).
std::string js_param(const std::string& wit_label);

// Any DOL name -> a valid, non-keyword C++ identifier.
std::string cpp_ident(const std::string& name);

// A string as a C++ / JS string literal (quotes included, non-ASCII escaped).
std::string cpp_string_literal(const std::string& s);
std::string js_string_literal(const std::string& s);

}  // namespace dolc::lower
