// compiler/lsp: hover sentences for strategies, options, fields and genes
// (see explain.hpp).
#include "lsp/explain.hpp"

#include "ir/strategies.hpp"

namespace dolc::lsp {

std::string docs_markdown(const std::string& docs) {
  std::string out, line;
  size_t i = 0;
  while (i <= docs.size()) {
    size_t nl = docs.find('\n', i);
    if (nl == std::string::npos) nl = docs.size();
    line = docs.substr(i, nl - i);
    size_t b = line.find_first_not_of(" \t");
    out += (b == std::string::npos ? "" : line.substr(b)) + "\n";
    i = nl + 1;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  size_t b = out.find_first_not_of('\n');
  return b == std::string::npos ? "" : out.substr(b);
}

// The table's summary (ir/strategies.def).
std::string explain_strategy(ir::Strategy s) { return ir::strategy_info(s).summary; }

namespace {

std::string code(const std::string& s) { return "`" + s + "`"; }

}  // namespace

// One line per option the field's strategy takes (ir/strategies.def's
// DOLC_OPTION rows, in table order), for the options worth explaining on this
// field. The switch is over the option, not the strategy, so a new option
// (or a new strategy's options) shows up here through -Wswitch.
std::string explain_options(const ir::Field& f) {
  const ir::CrdtOptions& o = f.options;
  std::string out;
  auto line = [&](const std::string& opt, const std::string& text) { out += "- " + code(opt) + ": " + text + "\n"; };
  // What a local change past a counter's bound does (crdt.md: refused, or saturated per overflow_strategy).
  auto past = [&](const char* dir, int64_t bound) {
    std::string b = std::to_string(bound);
    std::string local = o.overflow_strategy == ir::Overflow::Saturate
                            ? std::string("a local change that would take the value ") + dir + " " + b +
                                  " stops at " + b
                            : std::string("a local change that would take the value ") + dir + " " + b +
                                  " is refused";
    return local + "; concurrent changes merged from other replicas can still cross it (a constraint "
                   "violation, handled by the gene's constraints).";
  };
  for (const ir::OptionInfo* info : ir::options_of(f.strategy)) {
    switch (info->option) {
      case ir::CrdtOption::TieBreak:
        if (o.tie_break_set) {
          if (o.tie_break == ir::TieBreak::ContentHash)
            line("tie_break=content_hash",
                 "when two writes carry the same Lamport stamp, the one whose value hashes higher wins (then the "
                 "actor), so the winner does not depend on which replica wrote it.");
          else
            line("tie_break=actor_id", "when two writes carry the same Lamport stamp, the larger actor id wins.");
        }
        break;
      case ir::CrdtOption::MinValue:
        // An escrow is explained before the floor it keeps (Escrow adds nothing of its own).
        if (o.escrow && o.min_value)
          line("escrow=true",
               "a bounded counter: an increment gives its author rights of the same amount, a decrement spends this "
               "replica's own rights (refused beyond them), transfer(actor, n) moves rights, rights() reads them. "
               "The value never goes below " + std::to_string(*o.min_value) +
                   " on any replica, whatever merges; its starting slack belongs to nobody.");
        if (o.min_value && o.escrow)
          line("min_value=" + std::to_string(*o.min_value), "kept by the escrow on every replica (see escrow=true).");
        else if (o.min_value) line("min_value=" + std::to_string(*o.min_value), past("below", *o.min_value));
        break;
      case ir::CrdtOption::MaxValue:
        if (o.max_value) line("max_value=" + std::to_string(*o.max_value), past("above", *o.max_value));
        break;
      case ir::CrdtOption::OverflowStrategy:
        if (o.overflow_strategy_set || o.min_value || o.max_value) {
          std::string name = std::string("overflow_strategy=") + ir::overflow_name(o.overflow_strategy);
          switch (o.overflow_strategy) {
            case ir::Overflow::Saturate:
              line(name, std::string(o.overflow_strategy_set ? "" : "(the default) ") +
                             "a change past a bound or the integer's range stops at the bound.");
              break;
            case ir::Overflow::Wrap: line(name, "a change past the integer's range wraps around (two's complement)."); break;
            case ir::Overflow::Error: line(name, "a local change past a bound is refused with an error."); break;
          }
        }
        break;
      case ir::CrdtOption::Escrow: break;  // explained with min_value, which it needs
      case ir::CrdtOption::Bias:
        if (o.remove_wins)
          line("bias=remove",
               "remove-wins: a remove (or a map delete) concurrent with an add (or an update of the value under that "
               "key) wins; an add made after seeing the remove brings the element back.");
        break;
      case ir::CrdtOption::AppendOnly:
        if (o.append_only)
          line("append_only=true",
               "elements are only appended at the end (as this replica sees it; concurrent appends merge in rga "
               "order); deletes, moves and inserts in the middle are refused, and a peer's change holding one is "
               "refused as malformed.");
        break;
      case ir::CrdtOption::Formatting: {
        std::string name = std::string("formatting=") + ir::formatting_name(o.formatting);
        std::string def = o.formatting_set ? "" : "(the default) ";
        switch (o.formatting) {
          case ir::Formatting::Plain: line(name, def + "plain text: formatting marks are refused."); break;
          case ir::Formatting::Markdown: line(name, def + "the marks Markdown can express (bold, italic, code, links)."); break;
          case ir::Formatting::Full: line(name, def + "every kind of mark, including ones Markdown cannot express."); break;
        }
        break;
      }
      case ir::CrdtOption::MaxLength:
        if (o.max_length)
          line("max_length=" + std::to_string(*o.max_length),
               "a local edit that would make the text longer than " + std::to_string(*o.max_length) +
                   " characters is refused; concurrent inserts merged from other replicas can still exceed it.");
        break;
    }
  }
  return out;
}

std::string field_hover(const ir::Gene& gene, const ir::Field& f) {
  std::string out = "```dol\nhas " + f.name + ": " + f.type.canonical() + "\n```\n";
  out += "Field of gene " + code(gene.name);
  if (!f.inherited_from.empty()) out += " (inherited from " + code(f.inherited_from) + ")";
  out += ".\n\n";
  if (f.nested_gene && !f.strategy_explicit) {
    out += "No `@crdt`: the nested " + code(f.type.canonical()) +
           " merges field by field, each by its own strategy.\n";
  } else {
    out += "**" + std::string(ir::strategy_name(f.strategy)) + "**";
    if (!f.strategy_explicit) out += " (no `@crdt`: the default)";
    out += ": " + explain_strategy(f.strategy) + "\n";
  }
  std::string opts = explain_options(f);
  if (!opts.empty()) out += "\n" + opts;
  if (f.personal) out += "\n`@personal`: stored encrypted with a per-subject key; forgetting the key erases it everywhere.\n";
  if (!f.docs.empty()) out += "\n" + docs_markdown(f.docs) + "\n";
  return out;
}

std::string gene_hover(const ir::Gene& g) {
  std::string out = "```dol\ngen " + g.name;
  if (g.version.present()) out += " @ " + g.version.text;
  if (!g.extends.empty()) out += " extends " + g.extends;
  out += "\n```\n";
  size_t own = 0;
  for (const auto& f : g.fields)
    if (f.inherited_from.empty()) ++own;
  out += "Gene with " + std::to_string(g.fields.size()) + " field" + (g.fields.size() == 1 ? "" : "s");
  if (own != g.fields.size()) out += " (" + std::to_string(g.fields.size() - own) + " inherited)";
  if (!g.methods.empty()) out += " and " + std::to_string(g.methods.size()) + " method" + (g.methods.size() == 1 ? "" : "s");
  out += ".\n";
  if (!g.docs.empty()) out += "\n" + docs_markdown(g.docs) + "\n";
  return out;
}

}  // namespace dolc::lsp
