// runtime-wasm/src/columns.hpp: the column codec of the compact format
// (format 3, FORMAT.md "Change columns"). A column is a sequence of unsigned
// integers written as groups:
//
//   varint header; header & 1 = a run: (header >> 1) copies of one value,
//                  which follows once; else (header >> 1) literal values follow.
//
// Runs are what make a typing session, 100,000 increments of one counter or
// the field column of a one-field document cost a few bytes: the values that
// repeat are stored once. Signed quantities (deltas) are zigzagged by the
// caller; byte strings go into raw columns, their lengths into a column. Readers take untrusted bytes: a group of zero values, a value past
// the column's end, or a column with values left over fails (`ok() == false`).
#pragma once

#include <cstdint>
#include <vector>

#include "dolc/rt/encoding.hpp"

namespace dolc::rt {

inline uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t unzigzag(uint64_t u) { return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1)); }

class ColumnWriter {
 public:
  void put(uint64_t v) {
    if (run_len_ && v == run_value_) {
      ++run_len_;
      return;
    }
    close_run();
    run_value_ = v;
    run_len_ = 1;
  }
  // The column's bytes (the writer is spent afterwards).
  Bytes finish() {
    close_run();
    flush_literals();
    return out_.take();
  }

 private:
  // A run of one value joins the pending literals; longer runs are written
  // as runs (a run of two costs what two literals cost, and ends a group).
  void close_run() {
    if (run_len_ == 1) {
      if (literals_.capacity() == 0) literals_.reserve(8);  // (one allocation for most columns of a change)
      literals_.push_back(run_value_);
    }
    if (run_len_ >= 2) {
      flush_literals();
      out_.varint(run_len_ << 1 | 1);
      out_.varint(run_value_);
    }
    run_len_ = 0;
  }
  void flush_literals() {
    if (literals_.empty()) return;
    out_.reserve_more(10 * (literals_.size() + 1));
    out_.varint(uint64_t{literals_.size()} << 1);
    for (uint64_t v : literals_) out_.varint(v);
    literals_.clear();
  }

  Writer out_;
  uint64_t run_value_ = 0;
  uint64_t run_len_ = 0;
  std::vector<uint64_t> literals_;
};

// Reads a column written by ColumnWriter. `next` returns the next value, or
// 0 (latching failure: `ok() == false`) when the column has no more values
// or is malformed, so a decoder can read a structure and test once.
class ColumnReader {
 public:
  ColumnReader() : r_(nullptr, 0) {}
  ColumnReader(const uint8_t* data, size_t size) : r_(data, size) {}

  bool ok() const { return r_.ok(); }
  // Every value read and nothing left over.
  bool done() const { return r_.ok() && left_ == 0 && r_.at_end(); }

  uint64_t next() {
    if (left_ == 0) {
      if (r_.at_end()) r_.fail();
      uint64_t header = r_.varint();
      left_ = header >> 1;
      run_ = header & 1;
      if (run_) run_value_ = r_.varint();
      if (left_ == 0) r_.fail();
      if (!r_.ok()) return 0;
    }
    --left_;
    return run_ ? run_value_ : r_.varint();
  }

 private:
  Reader r_;
  uint64_t left_ = 0;
  bool run_ = false;
  uint64_t run_value_ = 0;
};

}  // namespace dolc::rt
