// runtime-wasm: the byte-level building blocks of dolc's sync format.
//
// Writer appends LEB128 varints, zigzag integers, length-prefixed bytes and
// fixed-width words to a growable buffer. Reader consumes them from untrusted
// input: every read checks bounds, and the first failure latches `ok() ==
// false` (later reads return zero values), so decoders can read a whole
// structure and test once, without exceptions (the wasm build has none).
// The format built from these pieces is documented in runtime-wasm/FORMAT.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dolc::rt {

using Bytes = std::vector<uint8_t>;

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<uint8_t>(v) | 0x80);
      v >>= 7;
    }
    out_.push_back(static_cast<uint8_t>(v));
  }
  void svarint(int64_t v) { varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void fixed64(uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void f64(double v) {
    uint64_t bits;
    static_assert(sizeof bits == sizeof v, "double is 64-bit");
    __builtin_memcpy(&bits, &v, sizeof bits);
    fixed64(bits);
  }
  void bytes(const uint8_t* data, size_t n) {
    varint(n);
    out_.insert(out_.end(), data, data + n);
  }
  void str(std::string_view s) { bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
  void raw(const uint8_t* data, size_t n) { out_.insert(out_.end(), data, data + n); }
  // Room for `n` more bytes, growing geometrically (so that reserving before
  // each piece never makes appends quadratic): one allocation instead of the
  // vector's doublings from one byte, for the many small buffers encoders fill.
  void reserve_more(size_t n) {
    if (out_.capacity() - out_.size() < n) out_.reserve(out_.size() + (n > out_.size() ? n : out_.size()));
  }
  Bytes& buffer() { return out_; }
  const Bytes& buffer() const { return out_; }
  Bytes take() { return std::move(out_); }
  size_t size() const { return out_.size(); }

 private:
  Bytes out_;
};

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  explicit Reader(const Bytes& b) : Reader(b.data(), b.size()) {}

  bool ok() const { return ok_; }
  bool at_end() const { return p_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* position() const { return p_; }
  void fail() { ok_ = false; p_ = end_; }

  uint8_t u8() {
    if (p_ >= end_) { fail(); return 0; }
    return *p_++;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) { fail(); return 0; }
      uint8_t b = *p_++;
      // The 10th byte may only carry the top bit; anything else overflows.
      if (shift == 63 && b > 1) { fail(); return 0; }
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    fail();
    return 0;
  }
  int64_t svarint() {
    uint64_t u = varint();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  uint64_t fixed64() {
    if (remaining() < 8) { fail(); return 0; }
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p_[i]) << (8 * i);
    p_ += 8;
    return v;
  }
  double f64() {
    uint64_t bits = fixed64();
    double v;
    __builtin_memcpy(&v, &bits, sizeof v);
    return v;
  }
  // A count that will drive an allocation: refused when it exceeds what the
  // remaining bytes could possibly encode (each item >= min_item_bytes), so a
  // hostile count cannot make the decoder allocate gigabytes.
  uint64_t count(size_t min_item_bytes = 1) {
    uint64_t n = varint();
    if (min_item_bytes == 0) min_item_bytes = 1;
    if (n > remaining() / min_item_bytes) { fail(); return 0; }
    return n;
  }
  std::string_view bytes_view() {
    uint64_t n = varint();
    if (n > remaining()) { fail(); return {}; }
    std::string_view s(reinterpret_cast<const char*>(p_), static_cast<size_t>(n));
    p_ += n;
    return s;
  }
  std::string str() { return std::string(bytes_view()); }
  void skip(size_t n) {
    if (n > remaining()) { fail(); return; }
    p_ += n;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

// FNV-1a 32-bit: the checksum trailing every encoded blob. Not cryptographic:
// it catches corruption and truncation; authenticity is the transport's job.
inline uint32_t checksum32(const uint8_t* data, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i) {
    h ^= data[i];
    h *= 16777619u;
  }
  return h;
}

// FNV-1a 64-bit, continuing from `h`: the content digest of a change and of
// an actor's chain of changes (FORMAT.md, "Change identity"). It tells
// forks apart (two changes with one actor and seq) and orders them the same
// way on every replica; it is not a signature (see FORMAT.md).
inline uint64_t digest64(const uint8_t* data, size_t n, uint64_t h = 14695981039346656037ull) {
  for (size_t i = 0; i < n; ++i) {
    h ^= data[i];
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace dolc::rt
