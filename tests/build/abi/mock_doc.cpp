// tests/build/abi/mock_doc.cpp: a TEST DOUBLE of dolc_gen::Doc for the ABI test.
//
// It keeps one replica's values in plain maps (no CRDT, no sync), so that the
// generated canonical-ABI exports and the generated JS glue can be tested on
// their own, before and independently of the runtime: every parameter and
// result shape (strings, bytes, options, results, lists, enums, 64-bit
// integers, nested paths) crosses the boundary and comes back unchanged, and
// errors come back as thrown Errors. The real Doc is dolc_gen_rt.cpp.
#include <algorithm>
#include <map>

#include "dolc_gen_rt.hpp"

namespace dolc_gen {

// Generated descriptors of genes with rga/peritext fields point here; the
// mock keeps its sequences in plain containers and needs nothing from it.
struct SequenceSupport {};
const SequenceSupport kSequenceSupport{};
// Likewise the other strategies' tables (GeneInfo::strategies).
struct StrategySupport {};
const StrategySupport kRegisterSupport{};
const StrategySupport kMvRegisterSupport{};
const StrategySupport kOrSetSupport{};
const StrategySupport kOrMapSupport{};
const StrategySupport kCounterSupport{};

using Key = std::pair<Bytes, uint32_t>;  // (object path, field index)

struct Doc::Impl {
  uint64_t actor = 0;
  std::map<Key, Bytes> regs;
  std::map<Key, std::vector<Bytes>> sets;  // sorted, unique
  std::map<Key, std::map<Bytes, Bytes>> maps;
  std::map<Key, int64_t> counters;
  std::map<Key, std::vector<Bytes>> lists;
  std::map<Key, std::string> texts;
  std::map<Key, std::vector<std::string>> marks;
};

static Key key(const Bytes& p, uint32_t f) { return {p, f}; }
static Bytes child(const Bytes& p, uint32_t f, const Bytes& id) {
  Bytes c = p;
  c.push_back(static_cast<uint8_t>(f));
  c.push_back(static_cast<uint8_t>(id.size()));
  c.insert(c.end(), id.begin(), id.end());
  return c;
}

Doc::Doc(const GeneInfo*, uint64_t actor) : impl_(new Impl) { impl_->actor = actor; }
Doc::~Doc() = default;
uint64_t Doc::actor() const { return impl_->actor; }
Bytes Doc::version() const { return Bytes{1, 2, 3}; }
Result<Bytes> Doc::changes_since(const Bytes& v) const {
  if (v.size() == 1 && v[0] == 0xee) return Failure{"mock: malformed version"};
  return Bytes{9, 8, 7};
}
Status Doc::apply(const Bytes& c) {
  if (!c.empty() && c[0] == 0xff) return Failure{"mock: malformed changes"};
  return Status{};
}
Status Doc::merge(const Bytes& s) { return apply(s); }
Bytes Doc::save() const { return Bytes{0, 1, 2, 255}; }
Status Doc::load(const Bytes& s) { return apply(s); }
std::string Doc::migration_conflicts() const { return "[]"; }
std::string Doc::pending() const { return "{\"held\":[],\"forks\":[]}"; }
uint32_t Doc::drop_pending() { return 0; }
void Doc::broken_bounds(std::vector<std::string>*) const {}
Status counter_amount_refused() { return Failure{"amount out of range"}; }
uint64_t Doc::checkpoint() { return 0; }
void Doc::commit(uint64_t) {}
void Doc::rollback(uint64_t) {}

std::optional<Bytes> Doc::reg_get(const Bytes& p, const GeneInfo*, uint32_t f) const {
  auto it = impl_->regs.find(key(p, f));
  if (it == impl_->regs.end()) return std::nullopt;
  return it->second;
}
Status Doc::reg_set(const Bytes& p, const GeneInfo* g, uint32_t f, const Bytes& v) {
  if (g->fields[f].strategy == Strategy::Immutable && impl_->regs.count(key(p, f)))
    return Failure{"mock: immutable field already set"};
  impl_->regs[key(p, f)] = v;
  return Status{};
}
std::vector<Bytes> Doc::mv_values(const Bytes& p, const GeneInfo*, uint32_t f) const {
  auto it = impl_->regs.find(key(p, f));
  if (it == impl_->regs.end()) return {};
  return {it->second};
}
Status Doc::mv_set(const Bytes& p, const GeneInfo*, uint32_t f, const Bytes& v) {
  impl_->regs[key(p, f)] = v;
  return Status{};
}
bool Doc::set_has(const Bytes& p, const GeneInfo*, uint32_t f, const Bytes& v) const {
  auto it = impl_->sets.find(key(p, f));
  return it != impl_->sets.end() && std::binary_search(it->second.begin(), it->second.end(), v);
}
std::vector<Bytes> Doc::set_values(const Bytes& p, const GeneInfo*, uint32_t f) const {
  auto it = impl_->sets.find(key(p, f));
  return it == impl_->sets.end() ? std::vector<Bytes>{} : it->second;
}
uint32_t Doc::set_size(const Bytes& p, const GeneInfo* g, uint32_t f) const {
  return static_cast<uint32_t>(set_values(p, g, f).size());
}
Status Doc::set_add(const Bytes& p, const GeneInfo*, uint32_t f, const Bytes& v) {
  auto& s = impl_->sets[key(p, f)];
  auto it = std::lower_bound(s.begin(), s.end(), v);
  if (it == s.end() || *it != v) s.insert(it, v);
  return Status{};
}
Status Doc::set_remove(const Bytes& p, const GeneInfo*, uint32_t f, const Bytes& v) {
  auto& s = impl_->sets[key(p, f)];
  s.erase(std::remove(s.begin(), s.end(), v), s.end());
  return Status{};
}
bool Doc::map_has(const Bytes& p, const GeneInfo*, uint32_t f, const Bytes& k) const {
  auto it = impl_->maps.find(key(p, f));
  return it != impl_->maps.end() && it->second.count(k);
}
std::optional<Bytes> Doc::map_get(const Bytes& p, const GeneInfo*, uint32_t f, const Bytes& k) const {
  auto it = impl_->maps.find(key(p, f));
  if (it == impl_->maps.end() || !it->second.count(k)) return std::nullopt;
  return it->second.at(k);
}
std::vector<Bytes> Doc::map_keys(const Bytes& p, const GeneInfo*, uint32_t f) const {
  std::vector<Bytes> out;
  auto it = impl_->maps.find(key(p, f));
  if (it != impl_->maps.end())
    for (const auto& kv : it->second) out.push_back(kv.first);
  return out;
}
Status Doc::map_set(const Bytes& p, const GeneInfo*, uint32_t f, const Bytes& k, const Bytes& v) {
  impl_->maps[key(p, f)][k] = v;
  return Status{};
}
Status Doc::map_delete(const Bytes& p, const GeneInfo*, uint32_t f, const Bytes& k) {
  impl_->maps[key(p, f)].erase(k);
  return Status{};
}
Status Doc::map_set_new(const Bytes& p, const GeneInfo*, uint32_t f, const Bytes& k) {
  impl_->maps[key(p, f)].emplace(k, Bytes{});
  return Status{};
}
Result<Bytes> Doc::map_child(const Bytes& p, const GeneInfo* g, uint32_t f, const Bytes& k) const {
  if (!map_has(p, g, f, k)) return Failure{"mock: no such key"};
  return child(p, f, k);
}
int64_t Doc::counter_value(const Bytes& p, const GeneInfo*, uint32_t f) const {
  auto it = impl_->counters.find(key(p, f));
  return it == impl_->counters.end() ? 0 : it->second;
}
Status Doc::counter_add(const Bytes& p, const GeneInfo* g, uint32_t f, int64_t d) {
  int64_t v = counter_value(p, g, f) + d;
  if (g->fields[f].has_min && v < g->fields[f].min) return Failure{"mock: below min_value"};
  impl_->counters[key(p, f)] = v;
  return Status{};
}
// escrow: the mock keeps no rights (the ABI tests only check the calls link and marshal).
int64_t Doc::counter_rights(const Bytes&, const GeneInfo*, uint32_t) const { return 0; }
Status Doc::counter_transfer(const Bytes&, const GeneInfo*, uint32_t, uint64_t, int64_t) {
  return Failure{"mock: no rights to transfer"};
}
uint32_t Doc::list_length(const Bytes& p, const GeneInfo*, uint32_t f) const {
  auto it = impl_->lists.find(key(p, f));
  return it == impl_->lists.end() ? 0 : static_cast<uint32_t>(it->second.size());
}
std::optional<Bytes> Doc::list_get(const Bytes& p, const GeneInfo* g, uint32_t f, uint32_t i) const {
  if (i >= list_length(p, g, f)) return std::nullopt;
  return impl_->lists.at(key(p, f))[i];
}
Status Doc::list_insert(const Bytes& p, const GeneInfo*, uint32_t f, uint32_t i, const Bytes& v) {
  auto& l = impl_->lists[key(p, f)];
  if (i > l.size()) return Failure{"mock: index out of range"};
  l.insert(l.begin() + i, v);
  return Status{};
}
Status Doc::list_insert_new(const Bytes& p, const GeneInfo* g, uint32_t f, uint32_t i) {
  static uint8_t next = 0;
  return list_insert(p, g, f, i, Bytes{++next});
}
Result<Bytes> Doc::list_child(const Bytes& p, const GeneInfo* g, uint32_t f, uint32_t i) const {
  auto v = list_get(p, g, f, i);
  if (!v) return Failure{"mock: index out of range"};
  return child(p, f, *v);
}
Status Doc::list_delete(const Bytes& p, const GeneInfo*, uint32_t f, uint32_t i, uint32_t n) {
  auto& l = impl_->lists[key(p, f)];
  if (i + n > l.size()) return Failure{"mock: range out of bounds"};
  l.erase(l.begin() + i, l.begin() + i + n);
  return Status{};
}
Status Doc::list_move(const Bytes& p, const GeneInfo*, uint32_t f, uint32_t from, uint32_t to) {
  auto& l = impl_->lists[key(p, f)];
  if (from >= l.size() || to >= l.size()) return Failure{"mock: index out of range"};
  Bytes v = l[from];
  l.erase(l.begin() + from);
  l.insert(l.begin() + to, v);
  return Status{};
}
uint32_t Doc::text_length(const Bytes& p, const GeneInfo* g, uint32_t f) const {
  return static_cast<uint32_t>(text_string(p, g, f).size());
}
std::string Doc::text_string(const Bytes& p, const GeneInfo*, uint32_t f) const {
  auto it = impl_->texts.find(key(p, f));
  return it == impl_->texts.end() ? std::string() : it->second;
}
Status Doc::text_insert(const Bytes& p, const GeneInfo*, uint32_t f, uint32_t pos, const std::string& t) {
  auto& s = impl_->texts[key(p, f)];
  if (pos > s.size()) return Failure{"mock: position out of range"};
  s.insert(pos, t);
  return Status{};
}
Status Doc::text_delete(const Bytes& p, const GeneInfo*, uint32_t f, uint32_t pos, uint32_t n) {
  auto& s = impl_->texts[key(p, f)];
  if (pos + n > s.size()) return Failure{"mock: range out of bounds"};
  s.erase(pos, n);
  return Status{};
}
Status Doc::text_mark(const Bytes& p, const GeneInfo*, uint32_t f, uint32_t start, uint32_t end,
                      const std::string& name, const std::string& value) {
  impl_->marks[key(p, f)].push_back(std::to_string(start) + "-" + std::to_string(end) + ":" + name + "=" + value);
  return Status{};
}
Status Doc::text_unmark(const Bytes& p, const GeneInfo*, uint32_t f, uint32_t start, uint32_t end,
                        const std::string& name) {
  impl_->marks[key(p, f)].push_back(std::to_string(start) + "-" + std::to_string(end) + ":" + name + "=");
  return Status{};
}
std::string Doc::text_spans(const Bytes& p, const GeneInfo* g, uint32_t f) const {
  std::string marks;
  auto it = impl_->marks.find(key(p, f));
  if (it != impl_->marks.end())
    for (const auto& m : it->second) marks += (marks.empty() ? "" : ",") + json_string(m) + ":\"\"";
  return "[{\"text\":" + json_string(text_string(p, g, f)) + ",\"marks\":{" + marks + "}}]";
}
Bytes Doc::nested_child(const Bytes& p, const GeneInfo*, uint32_t f) const { return child(p, f, Bytes{}); }

// ----- change events: the double records none.
std::string Doc::take_events(bool) { return std::string(); }
// Cursors and undo/redo: stubs (the runtime implements them; tests/runtime/undo_cursor_test.cpp).
// (No std::to_string / stoul: the wasm build of the mock has no stdio.)
Result<std::string> Doc::cursor(const Bytes&, const GeneInfo*, uint32_t, uint32_t pos, bool stick_left) const {
  return std::string(stick_left ? "L" : "R") + decimal(uint64_t{pos});
}
std::optional<uint32_t> Doc::cursor_position(const Bytes&, const GeneInfo*, uint32_t, const std::string& c) const {
  if (c.size() < 2) return std::nullopt;
  uint32_t v = 0;
  for (size_t i = 1; i < c.size(); ++i) v = v * 10 + static_cast<uint32_t>(c[i] - '0');
  return v;
}
// @personal: the mock stores values in the clear (the ABI test checks only
// that the calls cross the boundary; the runtime's seal is tested elsewhere).
Status Doc::set_personal_key(const std::string&, const Bytes& key, const Bytes&) {
  if (key.size() != 32) return Failure{"a personal key is 32 bytes"};
  return {};
}
bool Doc::forget_personal_key(const std::string&) { return false; }
Status Doc::set_personal_subject(const std::string&) { return {}; }
std::string Doc::personal_subject() const { return {}; }
void Doc::undo_manager(uint32_t) {}
void Doc::undo_stop_capturing() {}
bool Doc::undo() { return false; }
bool Doc::redo() { return false; }
bool Doc::can_undo() const { return false; }
bool Doc::can_redo() const { return false; }

}  // namespace dolc_gen
