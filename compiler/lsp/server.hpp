// compiler/lsp: `dolc lsp`, a Language Server Protocol server over stdio.
//
// The JSON-RPC side: the lifecycle (initialize, initialized, shutdown,
// exit), the document notifications (didOpen, didChange with full or ranged
// changes, didClose, didSave), the requests (hover, definition,
// documentSymbol, completion) and every way a message can be wrong
// (unparsable JSON, a request before `initialize` or after `shutdown`, an
// unknown method, bad params): each gets the JSON-RPC error the protocol
// names, notifications are dropped, and nothing stops the server but `exit`
// or the end of its input. Diagnostics are pushed (publishDiagnostics)
// after every open and change of a document and of the documents that `use` it.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace dolc::lsp {

// `dolc lsp [--stdio] [-I DIR]... [--stdlib DIR] [--require-docs]`. Returns
// the exit status: 0 after shutdown + exit, 1 on exit without shutdown or
// the end of input, 2 on a usage problem.
int run_lsp(const std::vector<std::string>& args);

// The server loop on any streams (run_lsp uses stdin and stdout).
int serve(std::istream& in, std::ostream& out, const std::vector<std::string>& include_dirs,
          const std::string& stdlib_dir, bool require_docs);

}  // namespace dolc::lsp
