// compiler/lsp: the JSON-RPC dispatcher and the document store (see server.hpp).
#include "lsp/server.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "driver/session.hpp"
#include "driver/version.hpp"
#include "lsp/document.hpp"
#include "lsp/navigate.hpp"
#include "lsp/transport.hpp"

namespace dolc::lsp {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// JSON-RPC and LSP error codes.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kServerNotInitialized = -32002;

struct RpcError {
  int code;
  std::string message;
};

class Server {
 public:
  Server(std::ostream& out, ServerOptions options) : out_(out), options_(std::move(options)) {}

  // Handles one frame body. Returns true when `exit` was received.
  bool handle(const std::string& body);
  int exit_code() const { return shutdown_ ? 0 : 1; }

 private:
  void send(const json& message) {
    // Replace invalid UTF-8 (binary documents) instead of throwing.
    write_frame(out_, message.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  void reply(const json& id, json result) { send({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}); }
  void reply_error(const json& id, int code, const std::string& message) {
    send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
  }
  void notify(const std::string& method, json params) {
    send({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
  }

  json request(const std::string& method, const json& params);
  void notification(const std::string& method, const json& params);

  json initialize_result();
  Document& document(const json& params);  // params.textDocument.uri, open; throws RpcError
  void open(const std::string& uri, std::string text, int64_t version);
  void refresh(const std::string& uri);     // re-check one document and publish
  void refresh_dependents(const std::string& path);  // re-check the open documents that read `path`
  void publish(const Document& doc);

  std::ostream& out_;
  ServerOptions options_;
  bool initialized_ = false;
  bool shutdown_ = false;
  std::map<std::string, Document> docs_;  // by URI
};

// -I and --stdlib directories, absolute: sema names the files it finds by
// directory + module, and only absolute names match the open buffers.
std::string absolute_dir(const std::string& dir) {
  std::error_code ec;
  fs::path a = fs::absolute(dir, ec);
  return ec ? dir : a.lexically_normal().string();
}

const json& member(const json& j, const char* key) {
  static const json null_json;
  if (!j.is_object()) return null_json;
  auto it = j.find(key);
  return it == j.end() ? null_json : *it;
}

std::string string_param(const json& j, const char* key) {
  const json& v = member(j, key);
  if (!v.is_string()) throw RpcError{kInvalidParams, std::string("`") + key + "` must be a string"};
  return v.get<std::string>();
}

Position position_param(const json& params) {
  const json& p = member(params, "position");
  const json& line = member(p, "line");
  const json& ch = member(p, "character");
  if (!line.is_number_unsigned() || !ch.is_number_unsigned())
    throw RpcError{kInvalidParams, "`position` must have non-negative integer `line` and `character`"};
  Position pos;
  pos.line = static_cast<uint32_t>(std::min<uint64_t>(line.get<uint64_t>(), UINT32_MAX));
  pos.character = static_cast<uint32_t>(std::min<uint64_t>(ch.get<uint64_t>(), UINT32_MAX));
  return pos;
}

bool Server::handle(const std::string& body) {
  json msg;
  try {
    msg = json::parse(body);
  } catch (const json::exception& e) {
    reply_error(nullptr, kParseError, std::string("invalid JSON: ") + e.what());
    return false;
  }
  if (!msg.is_object()) {
    reply_error(nullptr, kInvalidRequest, "a message must be a JSON object (batches are not used by LSP)");
    return false;
  }
  const json& id = member(msg, "id");
  bool has_id = msg.contains("id");
  bool id_ok = id.is_string() || id.is_number_integer();
  const json& method_j = member(msg, "method");
  if (!method_j.is_string()) {
    // A response to a request we never send, or garbage: nothing to do
    // unless it carries a usable id.
    if (has_id && id_ok && !msg.contains("result") && !msg.contains("error"))
      reply_error(id, kInvalidRequest, "a request needs a string `method`");
    return false;
  }
  if (has_id && !id_ok) {
    reply_error(nullptr, kInvalidRequest, "`id` must be a string or an integer");
    return false;
  }
  const std::string method = method_j.get<std::string>();
  const json& params = member(msg, "params");
  if (!has_id) {
    if (method == "exit") return true;
    try {
      notification(method, params);
    } catch (...) {
      // Notifications have no answer; a bad one is dropped (the spec's rule).
    }
    return false;
  }
  try {
    reply(id, request(method, params));
  } catch (const RpcError& e) {
    reply_error(id, e.code, e.message);
  } catch (const json::exception& e) {
    reply_error(id, kInvalidParams, std::string("invalid params: ") + e.what());
  } catch (const std::bad_alloc&) {
    reply_error(id, kInternalError, "out of memory");
  } catch (const std::exception& e) {
    reply_error(id, kInternalError, e.what());
  }
  return false;
}

json Server::request(const std::string& method, const json& params) {
  if (method == "initialize") {
    if (initialized_) throw RpcError{kInvalidRequest, "the server is already initialized"};
    initialized_ = true;
    // Editors without a command line to edit can pass the -I directories
    // and --require-docs here: {"includeDirs": [...], "requireDocs": true}.
    const json& init = member(params, "initializationOptions");
    const json& dirs = member(init, "includeDirs");
    if (dirs.is_array())
      for (const json& d : dirs)
        if (d.is_string()) options_.include_dirs.push_back(absolute_dir(d.get<std::string>()));
    if (member(init, "requireDocs").is_boolean()) options_.require_docs = member(init, "requireDocs").get<bool>();
    return initialize_result();
  }
  if (!initialized_) throw RpcError{kServerNotInitialized, "the server is not initialized: send `initialize` first"};
  if (shutdown_) throw RpcError{kInvalidRequest, "the server is shutting down: only `exit` is accepted"};
  if (method == "shutdown") {
    shutdown_ = true;
    return nullptr;
  }
  if (method == "textDocument/hover") {
    Document& d = document(params);
    return hover(*d.analysis, position_param(params));
  }
  if (method == "textDocument/definition") {
    Document& d = document(params);
    return definition(*d.analysis, position_param(params));
  }
  if (method == "textDocument/documentSymbol") return document_symbols(*document(params).analysis);
  if (method == "textDocument/completion") {
    Document& d = document(params);
    return completion(*d.analysis, position_param(params));
  }
  throw RpcError{kMethodNotFound, "unknown method `" + method + "`"};
}

void Server::notification(const std::string& method, const json& params) {
  if (!initialized_ || shutdown_) return;
  if (method == "textDocument/didOpen") {
    const json& td = member(params, "textDocument");
    const json& version = member(td, "version");
    open(string_param(td, "uri"), string_param(td, "text"), version.is_number_integer() ? version.get<int64_t>() : 0);
  } else if (method == "textDocument/didChange") {
    const json& td = member(params, "textDocument");
    auto it = docs_.find(string_param(td, "uri"));
    if (it == docs_.end()) return;
    const json& changes = member(params, "contentChanges");
    if (!changes.is_array()) return;
    std::string text = it->second.text;
    for (const json& c : changes) {
      std::string t = string_param(c, "text");
      const json& range = member(c, "range");
      if (range.is_object()) {  // a ranged change, for clients that send them anyway
        uint32_t b = offset_of(text, position_param({{"position", member(range, "start")}}));
        uint32_t e = offset_of(text, position_param({{"position", member(range, "end")}}));
        if (e < b) std::swap(b, e);
        text = text.substr(0, b) + t + text.substr(e);
      } else {
        text = std::move(t);
      }
    }
    const json& version = member(td, "version");
    open(it->first, std::move(text), version.is_number_integer() ? version.get<int64_t>() : it->second.version + 1);
  } else if (method == "textDocument/didClose") {
    std::string uri = string_param(member(params, "textDocument"), "uri");
    auto it = docs_.find(uri);
    if (it == docs_.end()) return;
    std::string path = it->second.path;
    docs_.erase(it);
    notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}});
    refresh_dependents(path);  // they read the buffer; now the disk again
  } else if (method == "textDocument/didSave") {
    std::string uri = string_param(member(params, "textDocument"), "uri");
    if (docs_.count(uri)) refresh(uri);
  } else if (method == "workspace/didChangeWatchedFiles") {
    // A file changed on disk (a `use`d one, a branch switch): what any open
    // document reads may have changed, so every open document is checked again.
    for (auto& entry : docs_) refresh(entry.first);
  }
  // initialized, $/cancelRequest, $/setTrace, other workspace/*...: nothing to do.
}

json Server::initialize_result() {
  return {{"capabilities",
           {{"positionEncoding", "utf-16"},
            {"textDocumentSync", {{"openClose", true}, {"change", 1 /*Full*/}, {"save", true}}},
            {"hoverProvider", true},
            {"definitionProvider", true},
            {"documentSymbolProvider", true},
            {"completionProvider", {{"triggerCharacters", json::array({"(", ",", " ", ":"})}}}}},
          {"serverInfo", {{"name", "dolc"}, {"version", DOLC_VERSION_STRING}}}};
}

Document& Server::document(const json& params) {
  std::string uri = string_param(member(params, "textDocument"), "uri");
  auto it = docs_.find(uri);
  if (it == docs_.end()) throw RpcError{kInvalidParams, "document `" + uri + "` is not open (send didOpen first)"};
  if (!it->second.analysis) throw RpcError{kInternalError, "document `" + uri + "` could not be checked"};
  return it->second;
}

void Server::open(const std::string& uri, std::string text, int64_t version) {
  Document& d = docs_[uri];
  d.uri = uri;
  d.version = version;
  d.text = std::move(text);
  std::string path = uri_to_path(uri);
  if (path.empty()) {
    // untitled:, or another scheme: a file in the working directory, so
    // that `use` finds modules next to where the editor was started.
    std::string name = uri.substr(uri.find_last_of("/:") + 1);
    path = (fs::current_path() / (name.empty() ? "untitled.dol" : name)).string();
  }
  d.path = fs::path(path).lexically_normal().string();
  refresh(uri);
  refresh_dependents(d.path);
}

void Server::refresh_dependents(const std::string& path) {
  // files_read lists every file a check parsed, imports of imports included.
  for (auto& [other_uri, other] : docs_) {
    if (other.path == path || !other.analysis) continue;
    const auto& read = other.analysis->fe.result.files_read;
    if (std::find(read.begin(), read.end(), path) != read.end()) refresh(other_uri);
  }
}

void Server::refresh(const std::string& uri) {
  Document& d = docs_.at(uri);
  d.analysis = analyze(d, docs_, options_);
  publish(d);
}

void Server::publish(const Document& doc) {
  json params = {{"uri", doc.uri}, {"diagnostics", diagnostics_json(*doc.analysis)}};
  params["version"] = doc.version;
  notify("textDocument/publishDiagnostics", std::move(params));
}

}  // namespace

int serve(std::istream& in, std::ostream& out, const std::vector<std::string>& include_dirs,
          const std::string& stdlib_dir, bool require_docs) {
  ServerOptions options;
  for (const auto& dir : include_dirs) options.include_dirs.push_back(absolute_dir(dir));
  options.stdlib_dir = absolute_dir(stdlib_dir);
  options.require_docs = require_docs;
  Server server(out, options);
  for (;;) {
    Frame frame = read_frame(in);
    if (frame.status == Frame::Status::End) return 1;  // the client went away without `exit`
    if (frame.status == Frame::Status::Bad) {
      json err = {{"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", kParseError}, {"message", frame.problem}}}};
      write_frame(out, err.dump());
      skip_body(in, frame.skip);
      continue;
    }
    if (server.handle(frame.body)) return server.exit_code();
  }
}

int run_lsp(const std::vector<std::string>& args) {
  std::vector<std::string> include_dirs;
  std::string stdlib_dir;
  if (const char* env = std::getenv("DOLC_STDLIB")) stdlib_dir = env;
  if (stdlib_dir.empty()) stdlib_dir = DOLC_DEFAULT_STDLIB_DIR;
  bool require_docs = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--stdio") continue;  // what editors pass; stdio is the only transport
    if (a == "--require-docs") {
      require_docs = true;
    } else if (a == "-I" && i + 1 < args.size()) {
      include_dirs.push_back(args[++i]);
    } else if (a == "--stdlib" && i + 1 < args.size()) {
      stdlib_dir = args[++i];
    } else if (a.rfind("-I", 0) == 0 && a.size() > 2) {
      include_dirs.push_back(a.substr(2));
    } else if (a.rfind("--stdlib=", 0) == 0) {
      stdlib_dir = a.substr(9);
    } else {
      driver::print_tool_error("unknown option '" + a + "'" +
                               driver::hint(a.substr(0, a.find('=')), {"--stdio", "-I", "--stdlib", "--require-docs"}) +
                               " (see 'dolc help lsp')");
      return driver::kExitUsage;
    }
  }
  // A client that closes its end makes writes fail, not kill the server;
  // it then ends at the end of its input like any other.
  std::signal(SIGPIPE, SIG_IGN);
  std::ios::sync_with_stdio(false);
  return serve(std::cin, std::cout, include_dirs, stdlib_dir, require_docs);
}

}  // namespace dolc::lsp
