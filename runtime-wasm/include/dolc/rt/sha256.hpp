// dolc/rt/sha256.hpp: SHA-256 (FIPS 180-4), the hash that identifies
// histories. An actor's chain digest in version() and in a snapshot's summary,
// and the digest of the forks a replica knows, are SHA-256 based (FORMAT.md,
// "Change identity"): peers that compare them to decide "we hold the same
// history" must not be fooled by a crafted collision, which the 64-bit FNV-1a
// used before could not promise. Written from the standard, small rather than
// fast: it runs once per change, lazily, when a version is asked for.
// Checked against the standard's test vectors in tests/runtime.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace dolc::rt {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256() { reset(); }

  void reset() {
    static constexpr uint32_t kInitial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    for (int i = 0; i < 8; ++i) state_[i] = kInitial[i];
    buffered_ = 0;
    length_ = 0;
  }

  // (Copies and padding as whole pieces, not byte by byte: every replica
  // hashes every change it holds, and byte loops were most of that time in
  // wasm modules, which are compiled for size.)
  void update(const uint8_t* data, size_t n) {
    length_ += n;
    while (n > 0) {
      size_t take = 64 - buffered_ < n ? 64 - buffered_ : n;
      std::memcpy(block_ + buffered_, data, take);
      buffered_ += take;
      data += take;
      n -= take;
      if (buffered_ == 64) {
        compress();
        buffered_ = 0;
      }
    }
  }

  Sha256Digest finish() {
    uint64_t bits = length_ * 8;
    block_[buffered_++] = 0x80;
    if (buffered_ > 56) {  // no room for the length: pad this block out, then a block of zeros
      std::memset(block_ + buffered_, 0, 64 - buffered_);
      compress();
      buffered_ = 0;
    }
    std::memset(block_ + buffered_, 0, 56 - buffered_);
    for (int i = 0; i < 8; ++i) block_[56 + i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
    compress();
    Sha256Digest out;
    for (int i = 0; i < 8; ++i)
      for (int b = 0; b < 4; ++b) out[4 * i + b] = static_cast<uint8_t>(state_[i] >> (24 - 8 * b));
    reset();
    return out;
  }

  static Sha256Digest of(const uint8_t* data, size_t n) {
    Sha256 h;
    h.update(data, n);
    return h.finish();
  }

 private:
  static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

  void compress() {
    static constexpr uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    uint32_t w[64];
    for (int i = 0; i < 16; ++i)
      w[i] = static_cast<uint32_t>(block_[4 * i]) << 24 | static_cast<uint32_t>(block_[4 * i + 1]) << 16 |
             static_cast<uint32_t>(block_[4 * i + 2]) << 8 | static_cast<uint32_t>(block_[4 * i + 3]);
    for (int i = 16; i < 64; ++i) {
      uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
    for (int i = 0; i < 64; ++i) {
      uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
      uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
    state_[5] += f;
    state_[6] += g;
    state_[7] += h;
  }

  uint32_t state_[8];
  uint8_t block_[64];
  size_t buffered_;
  uint64_t length_;
};

// An actor's chain digest (FORMAT.md, "Change identity"): the first 16 bytes
// of SHA-256(previous chain digest || SHA-256(the change's canonical bytes)),
// with the lowest bit of its first byte set, so that all zeros can mean "not
// known". 127 bits: a collision takes about 2^63 tries, out of reach.
using ChainDigest = std::array<uint8_t, 16>;

inline ChainDigest chain_link(const ChainDigest& previous, const Sha256Digest& change) {
  Sha256 h;
  h.update(previous.data(), previous.size());
  h.update(change.data(), change.size());
  Sha256Digest full = h.finish();
  ChainDigest out;
  for (size_t i = 0; i < out.size(); ++i) out[i] = full[i];
  out[0] |= 1;
  return out;
}

inline bool is_zero(const ChainDigest& d) {
  for (uint8_t b : d)
    if (b) return false;
  return true;
}

}  // namespace dolc::rt
