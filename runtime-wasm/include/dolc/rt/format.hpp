// runtime-wasm: the byte format versions the runtime writes and reads
// (runtime-wasm/FORMAT.md). One place for them: the runtime frames its
// blobs with these, and `dolc --version` prints them, so that a user can
// tell which bytes the modules of a given dolc write (and which they read).
#pragma once

#include <cstdint>

namespace dolc::rt {

// Saves (`DS`): the schema header, then columns, with the value columns
// (format 5; saves of formats 1, 2 and 3 are still read).
inline constexpr uint8_t kDocumentFormat = 5;
// Changes (`DC`): the schema header, then the changes in columns or, for a
// few changes, in rows (smaller), with the value columns (format 5; 4 is
// the same without them, 3 without the choice of rows; both still read).
inline constexpr uint8_t kChangesFormat = 5;
// The oldest `DS`/`DC` format still read (1: positional field indexes).
inline constexpr uint8_t kOldestDocumentFormat = 1;
// Version vectors (`DV`) with SHA-256 chain digests (16 bytes per actor);
// 2 (64-bit FNV-1a chain digests) and 1 (none) are still read.
inline constexpr uint8_t kVersionVectorFormat = 3;

}  // namespace dolc::rt
