// compiler/lsp: Content-Length framing (see transport.hpp).
#include "lsp/transport.hpp"

#include <algorithm>
#include <cctype>

namespace dolc::lsp {

namespace {

// One header line without its line ending; false at the end of input.
// Lines longer than 8 KiB are truncated (the rest is read and dropped).
bool read_header_line(std::istream& in, std::string* line) {
  line->clear();
  bool any = false;
  for (;;) {
    int c = in.get();
    if (c == std::char_traits<char>::eof()) return any;
    any = true;
    if (c == '\n') break;
    if (line->size() < 8192) line->push_back(static_cast<char>(c));
  }
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return true;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

Frame read_frame(std::istream& in) {
  Frame frame;
  for (;;) {  // skip blank lines between frames, read one header block
    std::string line;
    bool have_length = false, bad_length = false;
    size_t length = 0;
    bool saw_header = false;
    for (;;) {
      if (!read_header_line(in, &line)) {
        frame.status = Frame::Status::End;
        return frame;
      }
      if (line.empty()) {
        if (saw_header) break;
        continue;  // stray blank line before a frame
      }
      saw_header = true;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;  // not a header: ignored
      std::string name = lower(trim(line.substr(0, colon)));
      std::string value = trim(line.substr(colon + 1));
      if (name == "content-length") {
        have_length = true;
        if (value.empty() || value.size() > 18 ||
            !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          bad_length = true;
        } else {
          length = std::stoull(value);
        }
      }
    }
    if (!have_length || bad_length) {
      // Without a length the body cannot be found: the next header block is
      // the best place to resynchronise.
      frame.status = Frame::Status::Bad;
      frame.problem = have_length ? "invalid Content-Length header" : "missing Content-Length header";
      return frame;
    }
    if (length > kMaxBodyBytes) {
      // Answered first, then skipped: a client that lied about the length
      // learns why the server stops answering instead of waiting blindly.
      frame.skip = length;
      frame.status = Frame::Status::Bad;
      frame.problem = "message of " + std::to_string(length) + " bytes is larger than the limit of " +
                      std::to_string(kMaxBodyBytes >> 20) + " MiB";
      return frame;
    }
    frame.body.resize(length);
    in.read(frame.body.data(), static_cast<std::streamsize>(length));
    if (static_cast<size_t>(in.gcount()) != length) {
      frame.status = Frame::Status::End;  // truncated: the client went away mid-message
      return frame;
    }
    frame.status = Frame::Status::Ok;
    return frame;
  }
}

void skip_body(std::istream& in, size_t bytes) {
  char buf[65536];
  while (bytes > 0 && in) {
    in.read(buf, static_cast<std::streamsize>(std::min(bytes, sizeof buf)));
    if (in.gcount() == 0) break;
    bytes -= static_cast<size_t>(in.gcount());
  }
}

void write_frame(std::ostream& out, const std::string& body) {
  out << "Content-Length: " << body.size() << "\r\n\r\n" << body;
  out.flush();
}

}  // namespace dolc::lsp
