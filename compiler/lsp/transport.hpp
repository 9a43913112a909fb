// compiler/lsp: the byte stream of the Language Server Protocol.
//
// Messages are JSON texts framed by HTTP-like headers: `Content-Length: N`,
// an optional `Content-Type`, an empty line (`\r\n\r\n`), then exactly N
// bytes of UTF-8. This file only splits and joins frames; it never parses
// JSON (server.cpp does) so that a malformed body is a JSON-RPC error, not a
// lost stream. Limits keep a hostile or broken client from making the server
// read forever or allocate without bound.
#pragma once

#include <cstddef>
#include <istream>
#include <ostream>
#include <string>

namespace dolc::lsp {

// The largest body accepted. A document may be as large as the compiler's
// limit (kMaxSourceBytes, 64 MiB); JSON escapes can double that.
inline constexpr size_t kMaxBodyBytes = size_t{160} << 20;

struct Frame {
  enum class Status {
    Ok,        // body holds the message
    Bad,       // headers were unusable or the body too large; it was skipped: answer a ParseError
    End,       // end of input (the client went away)
  };
  Status status = Status::End;
  std::string body;
  std::string problem;  // for Bad: what was wrong, for the error message
  size_t skip = 0;       // for Bad: body bytes still to drop (skip_body) after answering
};

// Reads one frame. Never throws; blocks until a frame or the end of input.
Frame read_frame(std::istream& in);

// Drops the body of a frame refused as too large (up to the end of input).
void skip_body(std::istream& in, size_t bytes);

// Writes one frame and flushes.
void write_frame(std::ostream& out, const std::string& body);

}  // namespace dolc::lsp
