// runtime-wasm: the byte format versions the runtime writes and reads
// (runtime-wasm/FORMAT.md). One place for them: the runtime frames its
// blobs with these, and `dolc --version` prints them, so that a user can
// tell which bytes the modules of a given dolc write (and which they read).
#pragma once

#include <cstdint>

namespace dolc::rt {

// Saves (`DS`) and changes (`DC`): the schema header, then columns.
inline constexpr uint8_t kDocumentFormat = 3;
// Changes (`DC`) as dolc writes them since: format 3's schema header, then
// the changes in columns or, for a few changes, in rows (smaller).
inline constexpr uint8_t kChangesFormat = 4;
// The oldest `DS`/`DC` format still read (1: positional field indexes).
inline constexpr uint8_t kOldestDocumentFormat = 1;
// Version vectors (`DV`) with SHA-256 chain digests (16 bytes per actor);
// 2 (64-bit FNV-1a chain digests) and 1 (none) are still read.
inline constexpr uint8_t kVersionVectorFormat = 3;

}  // namespace dolc::rt
