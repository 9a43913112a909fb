// runtime-wasm/src/personal.cpp: AES-256-GCM and the per-subject keyring
// behind `@personal` fields (personal.hpp says what is sealed, and why).
//
// A plain byte-oriented AES (FIPS 197) and the bitwise GHASH multiply of SP
// 800-38D, Algorithm 1: personal values are short (an email address, a
// phone number), so clarity and a small module beat table-driven speed. The
// S-box is computed once from its definition (multiplicative inverse in
// GF(2^8), then the affine map) rather than typed in; the NIST/McGrew-Viega
// test vectors in tests/runtime/personal_test.cpp pin the result, and the
// end-to-end test opens the module's bytes with WebCrypto.
#include "personal.hpp"

#include <cstring>
#include <map>

namespace dolc_gen {
namespace internal {
namespace {

uint8_t gf_mul(uint8_t a, uint8_t b) {  // GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1
  uint8_t p = 0;
  for (int i = 0; i < 8; ++i) {
    if (b & 1) p ^= a;
    a = static_cast<uint8_t>((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
    b >>= 1;
  }
  return p;
}

// Filled on first use. A plain global rather than a function-local static:
// the wasm build links no C++ runtime for static guards, and a module is
// single-threaded (so are the runtime's native users of one Doc).
uint8_t g_sbox[256];
bool g_sbox_ready = false;

const uint8_t* sbox() {
  if (g_sbox_ready) return g_sbox;
  for (int x = 0; x < 256; ++x) {
    // The inverse is x^254 (0 maps to 0).
    uint8_t inv = 1, base = static_cast<uint8_t>(x);
    for (int e = 254; e > 0; e >>= 1) {
      if (e & 1) inv = gf_mul(inv, base);
      base = gf_mul(base, base);
    }
    if (x == 0) inv = 0;
    auto rotl = [](uint8_t v, int n) { return static_cast<uint8_t>((v << n) | (v >> (8 - n))); };
    g_sbox[x] = static_cast<uint8_t>(inv ^ rotl(inv, 1) ^ rotl(inv, 2) ^ rotl(inv, 3) ^ rotl(inv, 4) ^ 0x63);
  }
  g_sbox_ready = true;
  return g_sbox;
}

uint8_t xtime(uint8_t v) { return static_cast<uint8_t>((v << 1) ^ ((v & 0x80) ? 0x1b : 0)); }

class Aes256 {
 public:
  explicit Aes256(const uint8_t key[32]) {
    const uint8_t* s = sbox();
    std::memcpy(rk_, key, 32);
    uint8_t rcon = 1;
    for (int i = 8; i < 60; ++i) {
      uint8_t t[4];
      std::memcpy(t, rk_ + 4 * (i - 1), 4);
      if (i % 8 == 0) {
        uint8_t first = t[0];
        t[0] = static_cast<uint8_t>(s[t[1]] ^ rcon);
        t[1] = s[t[2]];
        t[2] = s[t[3]];
        t[3] = s[first];
        rcon = xtime(rcon);
      } else if (i % 8 == 4) {
        for (uint8_t& b : t) b = s[b];
      }
      for (int j = 0; j < 4; ++j) rk_[4 * i + j] = static_cast<uint8_t>(rk_[4 * (i - 8) + j] ^ t[j]);
    }
  }
  ~Aes256() { wipe(rk_, sizeof rk_); }

  void encrypt(const uint8_t in[16], uint8_t out[16]) const {
    const uint8_t* s = sbox();
    uint8_t st[16];
    for (int i = 0; i < 16; ++i) st[i] = static_cast<uint8_t>(in[i] ^ rk_[i]);
    for (int round = 1; round <= 14; ++round) {
      uint8_t t[16];
      // SubBytes and ShiftRows: byte r of column c comes from column c + r.
      for (int c = 0; c < 4; ++c)
        for (int r = 0; r < 4; ++r) t[4 * c + r] = s[st[4 * ((c + r) % 4) + r]];
      if (round < 14) {  // MixColumns, except in the last round
        for (int c = 0; c < 4; ++c) {
          uint8_t* col = t + 4 * c;
          uint8_t a0 = col[0], a1 = col[1], a2 = col[2], a3 = col[3], all = static_cast<uint8_t>(a0 ^ a1 ^ a2 ^ a3);
          col[0] = static_cast<uint8_t>(a0 ^ all ^ xtime(static_cast<uint8_t>(a0 ^ a1)));
          col[1] = static_cast<uint8_t>(a1 ^ all ^ xtime(static_cast<uint8_t>(a1 ^ a2)));
          col[2] = static_cast<uint8_t>(a2 ^ all ^ xtime(static_cast<uint8_t>(a2 ^ a3)));
          col[3] = static_cast<uint8_t>(a3 ^ all ^ xtime(static_cast<uint8_t>(a3 ^ a0)));
        }
      }
      for (int i = 0; i < 16; ++i) st[i] = static_cast<uint8_t>(t[i] ^ rk_[16 * round + i]);
    }
    std::memcpy(out, st, 16);
  }

  static void wipe(void* p, size_t n) {
    // volatile: a wipe of memory about to be freed must not be optimized away.
    volatile uint8_t* v = static_cast<volatile uint8_t*>(p);
    while (n--) *v++ = 0;
  }

 private:
  uint8_t rk_[240];
};

// A 128-bit GHASH block, bytes 0..7 and 8..15 big-endian.
struct Block {
  uint64_t hi = 0, lo = 0;
};

Block load_block(const uint8_t* p, size_t n) {  // n <= 16; zero-padded
  uint8_t b[16] = {};
  std::memcpy(b, p, n);
  Block x;
  for (int i = 0; i < 8; ++i) x.hi = (x.hi << 8) | b[i];
  for (int i = 8; i < 16; ++i) x.lo = (x.lo << 8) | b[i];
  return x;
}

void store_block(Block x, uint8_t out[16]) {
  for (int i = 7; i >= 0; --i, x.hi >>= 8) out[i] = static_cast<uint8_t>(x.hi);
  for (int i = 15; i >= 8; --i, x.lo >>= 8) out[i] = static_cast<uint8_t>(x.lo);
}

// X * Y in GF(2^128) with GCM's bit order (SP 800-38D, Algorithm 1).
Block gf128_mul(Block x, Block y) {
  Block z, v = y;
  for (int i = 0; i < 128; ++i) {
    uint64_t bit = i < 64 ? (x.hi >> (63 - i)) & 1 : (x.lo >> (127 - i)) & 1;
    if (bit) z.hi ^= v.hi, z.lo ^= v.lo;
    bool carry = v.lo & 1;
    v.lo = (v.lo >> 1) | (v.hi << 63);
    v.hi >>= 1;
    if (carry) v.hi ^= 0xe100000000000000ULL;
  }
  return z;
}

class Ghash {
 public:
  explicit Ghash(Block h) : h_(h) {}
  void absorb(const uint8_t* p, size_t n) {  // whole blocks, the last one zero-padded
    for (size_t at = 0; at < n; at += 16) {
      Block b = load_block(p + at, n - at < 16 ? n - at : 16);
      x_.hi ^= b.hi, x_.lo ^= b.lo;
      x_ = gf128_mul(x_, h_);
    }
  }
  Block finish(size_t aad_size, size_t text_size) {
    x_.hi ^= static_cast<uint64_t>(aad_size) * 8;
    x_.lo ^= static_cast<uint64_t>(text_size) * 8;
    return gf128_mul(x_, h_);
  }

 private:
  Block h_, x_;
};

// CTR mode from counter block inc32(J0), J0 = nonce || 00000001.
void gcm_ctr(const Aes256& aes, const uint8_t nonce[12], const uint8_t* in, size_t n, uint8_t* out) {
  uint8_t counter[16], stream[16];
  std::memcpy(counter, nonce, 12);
  uint32_t c = 2;
  for (size_t at = 0; at < n; at += 16, ++c) {
    counter[12] = static_cast<uint8_t>(c >> 24), counter[13] = static_cast<uint8_t>(c >> 16);
    counter[14] = static_cast<uint8_t>(c >> 8), counter[15] = static_cast<uint8_t>(c);
    aes.encrypt(counter, stream);
    for (size_t i = 0; i < 16 && at + i < n; ++i) out[at + i] = static_cast<uint8_t>(in[at + i] ^ stream[i]);
  }
}

void gcm_tag(const Aes256& aes, const uint8_t nonce[12], const uint8_t* aad, size_t aad_size, const uint8_t* cipher,
             size_t size, uint8_t tag[16]) {
  uint8_t zero[16] = {}, h[16], j0[16], ej0[16];
  aes.encrypt(zero, h);
  Ghash g(load_block(h, 16));
  g.absorb(aad, aad_size);
  g.absorb(cipher, size);
  Block s = g.finish(aad_size, size);
  std::memcpy(j0, nonce, 12);
  j0[12] = j0[13] = j0[14] = 0, j0[15] = 1;
  aes.encrypt(j0, ej0);
  store_block(s, tag);
  for (int i = 0; i < 16; ++i) tag[i] ^= ej0[i];
}

class Keyring final : public PersonalKeys {
 public:
  ~Keyring() override {
    for (auto& [subject, k] : keys_) Aes256::wipe(k.key, sizeof k.key);
  }
  void set(const std::string& subject, const uint8_t* key, const uint8_t* seed) override {
    Key& k = keys_[subject];
    std::memcpy(k.key, key, kPersonalKeyBytes);
    std::memcpy(k.seed, seed, kPersonalSeedBytes);
    k.used = 0;
  }
  bool forget(const std::string& subject) override {
    auto it = keys_.find(subject);
    if (it == keys_.end()) return false;
    Aes256::wipe(it->second.key, sizeof it->second.key);
    keys_.erase(it);
    return true;
  }
  bool has(const std::string& subject) const override { return keys_.count(subject) != 0; }
  std::optional<Bytes> seal(const std::string& subject, const Bytes& aad, const Bytes& plain) override {
    auto it = keys_.find(subject);
    if (it == keys_.end() || subject.empty() || subject.size() > kMaxSubjectBytes) return std::nullopt;
    Key& k = it->second;
    if (k.used > 0xffffffffULL) return std::nullopt;
    uint32_t n = static_cast<uint32_t>(k.used++);
    Bytes out{kSealedMarker};
    size_t len = subject.size();  // varint of 1..255
    if (len < 0x80) {
      out.push_back(static_cast<uint8_t>(len));
    } else {
      out.push_back(static_cast<uint8_t>(len | 0x80));
      out.push_back(1);
    }
    out.insert(out.end(), subject.begin(), subject.end());
    size_t nonce_at = out.size();
    out.insert(out.end(), k.seed, k.seed + kPersonalSeedBytes);
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(n >> shift));
    size_t body_at = out.size();
    out.resize(body_at + plain.size() + kSealedTag);
    aes256_gcm_seal(k.key, out.data() + nonce_at, aad.data(), aad.size(), plain.data(), plain.size(),
                    out.data() + body_at);
    return out;
  }
  std::optional<Bytes> open(const Bytes& aad, const Bytes& sealed) const override {
    SealedParts parts;
    if (!read_sealed(sealed, &parts)) return std::nullopt;
    auto it = keys_.find(std::string(parts.subject));
    if (it == keys_.end()) return std::nullopt;
    Bytes plain(parts.body_size - kSealedTag);
    if (!aes256_gcm_open(it->second.key, parts.nonce, aad.data(), aad.size(), parts.body, parts.body_size,
                         plain.data()))
      return std::nullopt;
    return plain;
  }

 private:
  struct Key {
    uint8_t key[kPersonalKeyBytes];
    uint8_t seed[kPersonalSeedBytes];
    uint64_t used = 0;  // nonces taken since set()
  };
  std::map<std::string, Key> keys_;
};

}  // namespace

void aes256_gcm_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t* aad, size_t aad_size,
                     const uint8_t* plain, size_t size, uint8_t* out) {
  Aes256 aes(key);
  gcm_ctr(aes, nonce, plain, size, out);
  gcm_tag(aes, nonce, aad, aad_size, out, size, out + size);
}

bool aes256_gcm_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t* aad, size_t aad_size,
                     const uint8_t* sealed, size_t size, uint8_t* out) {
  if (size < kSealedTag) return false;
  size_t n = size - kSealedTag;
  Aes256 aes(key);
  uint8_t tag[16];
  gcm_tag(aes, nonce, aad, aad_size, sealed, n, tag);
  uint8_t diff = 0;  // compared in constant time
  for (size_t i = 0; i < kSealedTag; ++i) diff |= static_cast<uint8_t>(tag[i] ^ sealed[n + i]);
  if (diff != 0) {
    if (n > 0) std::memset(out, 0, n);
    return false;
  }
  gcm_ctr(aes, nonce, sealed, n, out);
  return true;
}

std::unique_ptr<PersonalKeys> make_personal_keys() { return std::make_unique<Keyring>(); }

}  // namespace internal
}  // namespace dolc_gen
