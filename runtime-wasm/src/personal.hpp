// runtime-wasm/src/personal.hpp: `@personal` values, sealed under per-subject keys.
//
// A `@personal` field (crdt.md) stores its value sealed with AES-256-GCM
// under a key that belongs to a *subject* (the person the data is about) and
// that the host supplies; the CRDT metadata around it (op ids, stamps, the
// log) stays in the clear, so documents merge and sync whoever holds which
// keys. Forgetting a subject's key (on every replica, or at the key's one
// source) makes every value sealed under it unreadable: crypto-erasure, which
// a log-based document needs because it never forgets bytes itself.
//
// The sealed bytes are the register's value (FORMAT.md, "Personal values"):
//
//   0xD0  varint subject_len (1..255)  subject  nonce[12]  ciphertext  tag[16]
//
// with the gene name and the field's key as additional data, so a sealed
// value cannot be moved to another field. AES-GCM is what WebCrypto offers in
// every browser and Node, so a host can open the bytes without the module.
//
// The cipher is reached only through `PersonalKeys`' virtual functions, whose
// implementation is created by Doc::set_personal_key: a module without
// `@personal` fields never calls that, and its linker drops the cipher.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dolc_gen {
namespace internal {

using Bytes = std::vector<uint8_t>;

inline constexpr uint8_t kSealedMarker = 0xD0;
inline constexpr size_t kSealedNonce = 12;
inline constexpr size_t kSealedTag = 16;
inline constexpr size_t kPersonalKeyBytes = 32;
inline constexpr size_t kPersonalSeedBytes = 8;
inline constexpr size_t kMaxSubjectBytes = 255;

// The parts of a sealed value, pointing into its bytes.
struct SealedParts {
  std::string_view subject;
  const uint8_t* nonce = nullptr;
  const uint8_t* body = nullptr;  // ciphertext then tag
  size_t body_size = 0;           // >= kSealedTag
};

// Whether `v` has the shape of a sealed value (says nothing of its key or tag).
inline bool read_sealed(const Bytes& v, SealedParts* out) {
  if (v.size() < 2 || v[0] != kSealedMarker) return false;
  size_t n = v[1];  // a varint below 128 is its one byte; 128..255 take two
  size_t at = 2;
  if (n & 0x80) {
    if (v.size() < 3 || v[2] != 1) return false;  // 128..255 only, in their shortest form
    n = (n & 0x7f) | 0x80;
    at = 3;
  }
  if (n == 0 || v.size() - at < n + kSealedNonce + kSealedTag) return false;
  out->subject = std::string_view(reinterpret_cast<const char*>(v.data() + at), n);
  out->nonce = v.data() + at + n;
  out->body = out->nonce + kSealedNonce;
  out->body_size = v.size() - at - n - kSealedNonce;
  return true;
}

// The additional data a field's sealed values are bound to.
inline Bytes sealed_aad(std::string_view gene, std::string_view field_key) {
  static constexpr char kDomain[] = "dolc personal 1";
  Bytes aad(kDomain, kDomain + sizeof(kDomain));  // with its NUL: a separator
  aad.insert(aad.end(), gene.begin(), gene.end());
  aad.push_back(0);
  aad.insert(aad.end(), field_key.begin(), field_key.end());
  return aad;
}

// The keys one document holds, by subject.
class PersonalKeys {
 public:
  virtual ~PersonalKeys() = default;
  // Installs or replaces `subject`'s key. `seed` (kPersonalSeedBytes random
  // bytes from the host) starts this key's nonces: nonce = seed || counter,
  // so nonces never repeat across sessions that use one key.
  virtual void set(const std::string& subject, const uint8_t* key, const uint8_t* seed) = 0;
  // Forgets (and wipes) `subject`'s key; false when it was not held.
  virtual bool forget(const std::string& subject) = 0;
  virtual bool has(const std::string& subject) const = 0;
  // Seals `plain` for `subject`; nullopt when its key is not held or its
  // nonces are used up (2^32 per set(): set the key again to renew them).
  virtual std::optional<Bytes> seal(const std::string& subject, const Bytes& aad, const Bytes& plain) = 0;
  // Opens a sealed value; nullopt when it is malformed, its subject's key is
  // not held, or the tag does not match (tampered, or another field's).
  virtual std::optional<Bytes> open(const Bytes& aad, const Bytes& sealed) const = 0;
};

std::unique_ptr<PersonalKeys> make_personal_keys();

// AES-256-GCM (NIST SP 800-38D) with a 96-bit nonce and a 128-bit tag; out
// receives the ciphertext then the tag (size + 16 bytes). Exposed for tests.
void aes256_gcm_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t* aad, size_t aad_size,
                     const uint8_t* plain, size_t size, uint8_t* out);
// Opens ciphertext || tag (`size` >= 16) into out (size - 16 bytes); false,
// with out wiped, when the tag does not match.
bool aes256_gcm_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t* aad, size_t aad_size,
                     const uint8_t* sealed, size_t size, uint8_t* out);

}  // namespace internal
}  // namespace dolc_gen
