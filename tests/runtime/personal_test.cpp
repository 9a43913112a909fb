// tests/runtime/personal_test.cpp: `@personal` values (issue 12, crdt.md,
// FORMAT.md "Personal values"), natively through dolc_gen::Doc.
//
// What a user relies on: a @personal value is stored and synced sealed
// (no plaintext in saves or change bytes), reads back on every replica that
// holds its subject's key, reads as unset where the key is missing or was
// forgotten (crypto-erasure) while the rest of the document keeps syncing;
// values sealed under a wrong key, or bytes that are not sealed at all, never
// read as data. The cipher itself is pinned by the AES-256-GCM test vectors of
// McGrew and Viega's GCM specification (test cases 13, 14 and 16).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../../runtime-wasm/src/personal.hpp"
#include "dolc_gen_rt.hpp"

namespace {

using namespace dolc_gen;

FieldInfo field(const char* name, Strategy s, bool personal) {
  FieldInfo f;
  f.name = name;
  f.strategy = s;
  f.personal = personal;
  return f;
}

// member: name (lww), email (lww, @personal), phone (immutable, @personal), visits (pn_counter)
const FieldInfo kMemberFields[] = {field("name", Strategy::Lww, false), field("email", Strategy::Lww, true),
                                   field("phone", Strategy::Immutable, true),
                                   field("visits", Strategy::PnCounter, false)};
const GeneInfo kMember = {"people.member", kMemberFields, 4};
// The same gene as a schema without @personal would have it (a plaintext writer).
const FieldInfo kPlainMemberFields[] = {field("name", Strategy::Lww, false), field("email", Strategy::Lww, false),
                                        field("phone", Strategy::Immutable, false),
                                        field("visits", Strategy::PnCounter, false)};
const GeneInfo kPlainMember = {"people.member", kPlainMemberFields, 4};

Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }
Bytes hex(const std::string& h) {
  Bytes out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}
std::string text(const std::optional<Bytes>& v) { return v ? std::string(v->begin(), v->end()) : "<unset>"; }
bool contains(const Bytes& hay, const std::string& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

const Bytes kAliceKey = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const Bytes kBobKey = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f");
const Bytes kSeedA = hex("0101010101010101");
const Bytes kSeedB = hex("0202020202020202");

void sync(Doc& from, Doc& to) {
  auto delta = from.changes_since(to.version());
  ASSERT_TRUE(delta.ok) << delta.error;
  Status st = to.apply(delta.value);
  ASSERT_TRUE(st.ok) << st.error;
}

TEST(PersonalCipher, AesGcmMatchesTheSpecificationsTestVectors) {
  struct Vector {
    const char *key, *nonce, *plain, *aad, *cipher, *tag;
  } vectors[] = {
      {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", "", "", "",
       "530f8afbc74536b9a963b4f1c4cb738b"},
      {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
       "00000000000000000000000000000000", "", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
      {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
       "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
       "feedfacedeadbeeffeedfacedeadbeefabaddad2",
       "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
       "76fc6ece0f4e1768cddf8853bb2d551b"},
  };
  for (const Vector& v : vectors) {
    Bytes key = hex(v.key), nonce = hex(v.nonce), plain = hex(v.plain), aad = hex(v.aad);
    Bytes expected = hex(v.cipher), tag = hex(v.tag);
    expected.insert(expected.end(), tag.begin(), tag.end());
    Bytes sealed(plain.size() + 16);
    internal::aes256_gcm_seal(key.data(), nonce.data(), aad.data(), aad.size(), plain.data(), plain.size(),
                              sealed.data());
    EXPECT_EQ(sealed, expected) << v.tag;
    Bytes opened(plain.size());
    ASSERT_TRUE(internal::aes256_gcm_open(key.data(), nonce.data(), aad.data(), aad.size(), sealed.data(),
                                          sealed.size(), opened.data()));
    EXPECT_EQ(opened, plain);
    // Any flipped bit, in the ciphertext or the tag, is refused.
    for (size_t i = 0; i < sealed.size(); i += 7) {
      Bytes bad = sealed;
      bad[i] ^= 0x10;
      EXPECT_FALSE(internal::aes256_gcm_open(key.data(), nonce.data(), aad.data(), aad.size(), bad.data(),
                                             bad.size(), opened.data()))
          << "byte " << i;
    }
  }
}

TEST(PersonalCipher, ASealedValueIsBoundToItsField) {
  auto keys = internal::make_personal_keys();
  keys->set("alice", kAliceKey.data(), kSeedA.data());
  auto sealed = keys->seal("alice", internal::sealed_aad("people.member", "email"), b("a@example.org"));
  ASSERT_TRUE(sealed);
  EXPECT_EQ(text(keys->open(internal::sealed_aad("people.member", "email"), *sealed)), "a@example.org");
  EXPECT_FALSE(keys->open(internal::sealed_aad("people.member", "phone"), *sealed));
  EXPECT_FALSE(keys->open(internal::sealed_aad("people.other", "email"), *sealed));
  // Two seals of one value differ (fresh nonces), and both open.
  auto again = keys->seal("alice", internal::sealed_aad("people.member", "email"), b("a@example.org"));
  ASSERT_TRUE(again);
  EXPECT_NE(*sealed, *again);
}

TEST(PersonalDoc, ValuesAreSealedInEveryByteAndReadWithTheKeyOnly) {
  Doc a(&kMember, 1), b_(&kMember, 2);
  ASSERT_TRUE(a.set_personal_key("alice", kAliceKey, kSeedA).ok);
  EXPECT_EQ(a.personal_subject(), "alice");
  ASSERT_TRUE(a.reg_set(kRoot, &kMember, 0, b("Alice")).ok);
  ASSERT_TRUE(a.reg_set(kRoot, &kMember, 1, b("alice@example.org")).ok);
  ASSERT_TRUE(a.reg_set(kRoot, &kMember, 2, b("+44 20 7946 0000")).ok);
  EXPECT_EQ(text(a.reg_get(kRoot, &kMember, 1)), "alice@example.org");

  Bytes saved = a.save();
  Bytes changes = a.changes_since(Bytes{}).value;
  for (const Bytes* bytes : {&saved, &changes}) {
    EXPECT_TRUE(contains(*bytes, "Alice"));  // not personal: in the clear
    EXPECT_FALSE(contains(*bytes, "alice@example.org"));
    EXPECT_FALSE(contains(*bytes, "7946"));
  }

  sync(a, b_);  // b holds no key: the document syncs, personal values read as unset
  EXPECT_EQ(text(b_.reg_get(kRoot, &kMember, 0)), "Alice");
  EXPECT_EQ(text(b_.reg_get(kRoot, &kMember, 1)), "<unset>");
  EXPECT_EQ(text(b_.reg_get(kRoot, &kMember, 2)), "<unset>");
  Bytes b_before = b_.save();
  Status no_key = b_.reg_set(kRoot, &kMember, 1, b("x@example.org"));
  EXPECT_FALSE(no_key.ok);
  EXPECT_NE(no_key.error.find("setPersonalKey"), std::string::npos) << no_key.error;
  EXPECT_EQ(b_.save(), b_before);  // the refusal changed nothing

  ASSERT_TRUE(b_.set_personal_key("alice", kAliceKey, kSeedB).ok);
  EXPECT_EQ(text(b_.reg_get(kRoot, &kMember, 1)), "alice@example.org");
  EXPECT_EQ(text(b_.reg_get(kRoot, &kMember, 2)), "+44 20 7946 0000");

  // A reload keeps the sealed bytes; the key is the host's to give again.
  Doc c(&kMember, 3);
  ASSERT_TRUE(c.load(saved).ok);
  EXPECT_EQ(text(c.reg_get(kRoot, &kMember, 1)), "<unset>");
  ASSERT_TRUE(c.set_personal_key("alice", kAliceKey, kSeedB).ok);
  EXPECT_EQ(text(c.reg_get(kRoot, &kMember, 1)), "alice@example.org");
}

TEST(PersonalDoc, ForgettingAKeyErasesItsValuesAndTheDocumentKeepsSyncing) {
  Doc a(&kMember, 1), b_(&kMember, 2);
  ASSERT_TRUE(a.set_personal_key("alice", kAliceKey, kSeedA).ok);
  ASSERT_TRUE(a.set_personal_key("bob", kBobKey, kSeedA).ok);
  ASSERT_TRUE(b_.set_personal_key("alice", kAliceKey, kSeedB).ok);
  ASSERT_TRUE(b_.set_personal_key("bob", kBobKey, kSeedB).ok);
  ASSERT_TRUE(a.reg_set(kRoot, &kMember, 1, b("alice@example.org")).ok);  // alice: the first subject set
  ASSERT_TRUE(a.set_personal_subject("bob").ok);
  ASSERT_TRUE(a.reg_set(kRoot, &kMember, 2, b("bob's phone")).ok);
  sync(a, b_);
  EXPECT_EQ(text(b_.reg_get(kRoot, &kMember, 1)), "alice@example.org");
  EXPECT_EQ(text(b_.reg_get(kRoot, &kMember, 2)), "bob's phone");

  // Alice asks to be forgotten: every replica drops her key.
  EXPECT_TRUE(a.forget_personal_key("alice"));
  EXPECT_TRUE(b_.forget_personal_key("alice"));
  EXPECT_FALSE(b_.forget_personal_key("alice"));
  for (Doc* d : {&a, &b_}) {
    EXPECT_EQ(text(d->reg_get(kRoot, &kMember, 1)), "<unset>");
    EXPECT_EQ(text(d->reg_get(kRoot, &kMember, 2)), "bob's phone");  // another subject's value stays
  }
  // Everything else goes on: edits on both sides converge.
  ASSERT_TRUE(a.reg_set(kRoot, &kMember, 0, b("renamed")).ok);
  ASSERT_TRUE(b_.counter_add(kRoot, &kMember, 3, 5).ok);
  sync(a, b_);
  sync(b_, a);
  for (Doc* d : {&a, &b_}) {
    EXPECT_EQ(text(d->reg_get(kRoot, &kMember, 0)), "renamed");
    EXPECT_EQ(d->counter_value(kRoot, &kMember, 3), 5);
    EXPECT_EQ(text(d->reg_get(kRoot, &kMember, 1)), "<unset>");
  }
  // A write for a forgotten subject is refused, and changes nothing.
  ASSERT_TRUE(a.set_personal_subject("alice").ok);
  Bytes before = a.save();
  Status st = a.reg_set(kRoot, &kMember, 1, b("again@example.org"));
  EXPECT_FALSE(st.ok);
  EXPECT_NE(st.error.find("not held"), std::string::npos) << st.error;
  EXPECT_EQ(a.save(), before);
}

TEST(PersonalDoc, AValueSealedUnderAnotherKeyNeverReadsAsData) {
  // c believes it holds alice's key but has another: what it seals is
  // refused by the tag everywhere else, and reads as unset there.
  Doc a(&kMember, 1), c(&kMember, 3);
  ASSERT_TRUE(a.set_personal_key("alice", kAliceKey, kSeedA).ok);
  ASSERT_TRUE(c.set_personal_key("alice", kBobKey, kSeedB).ok);
  ASSERT_TRUE(c.reg_set(kRoot, &kMember, 1, b("forged@example.org")).ok);
  sync(c, a);
  EXPECT_EQ(text(a.reg_get(kRoot, &kMember, 1)), "<unset>");
}

TEST(PersonalDoc, PlaintextFromAPeerIsRefusedAndChangesNothing) {
  // A replica whose schema lacks @personal writes the field in the clear:
  // its change does not have the shape of a sealed value and is refused.
  Doc plain(&kPlainMember, 7), sealed(&kMember, 1);
  ASSERT_TRUE(sealed.set_personal_key("alice", kAliceKey, kSeedA).ok);
  ASSERT_TRUE(sealed.reg_set(kRoot, &kMember, 0, b("kept")).ok);
  ASSERT_TRUE(plain.reg_set(kRoot, &kPlainMember, 1, b("clear@example.org")).ok);
  Bytes before = sealed.save();
  Status st = sealed.apply(plain.changes_since(Bytes{}).value);
  EXPECT_FALSE(st.ok);
  EXPECT_EQ(sealed.save(), before);
  EXPECT_EQ(text(sealed.reg_get(kRoot, &kMember, 1)), "<unset>");
}

TEST(PersonalDoc, UndoRestoresThePreviousValueSealedAgain) {
  Doc a(&kMember, 1);
  ASSERT_TRUE(a.set_personal_key("alice", kAliceKey, kSeedA).ok);
  a.undo_manager(100);
  ASSERT_TRUE(a.reg_set(kRoot, &kMember, 1, b("old@example.org")).ok);
  a.undo_stop_capturing();
  ASSERT_TRUE(a.reg_set(kRoot, &kMember, 1, b("new@example.org")).ok);
  ASSERT_TRUE(a.undo());
  EXPECT_EQ(text(a.reg_get(kRoot, &kMember, 1)), "old@example.org");
  EXPECT_FALSE(contains(a.save(), "old@example.org"));
}

TEST(PersonalDoc, KeysAndSubjectsAreChecked) {
  Doc a(&kMember, 1);
  EXPECT_FALSE(a.set_personal_key("alice", Bytes(16, 1), kSeedA).ok);
  EXPECT_FALSE(a.set_personal_key("", kAliceKey, kSeedA).ok);
  EXPECT_FALSE(a.set_personal_key(std::string(256, 'x'), kAliceKey, kSeedA).ok);
  EXPECT_FALSE(a.set_personal_key("alice", kAliceKey, Bytes(3, 0)).ok);
  EXPECT_FALSE(a.set_personal_subject("").ok);
  EXPECT_EQ(a.personal_subject(), "");
  // A 200-byte subject (two-byte varint length) seals and opens.
  std::string long_subject(200, 's');
  ASSERT_TRUE(a.set_personal_key(long_subject, kAliceKey, kSeedA).ok);
  ASSERT_TRUE(a.reg_set(kRoot, &kMember, 1, b("long@example.org")).ok);
  Doc b_(&kMember, 2);
  sync(a, b_);
  ASSERT_TRUE(b_.set_personal_key(long_subject, kAliceKey, kSeedB).ok);
  EXPECT_EQ(text(b_.reg_get(kRoot, &kMember, 1)), "long@example.org");
}

}  // namespace
