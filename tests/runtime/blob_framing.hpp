// tests/runtime/blob_framing.hpp: frames a hand-written body of format 2
// rows as a changes blob (FORMAT.md, "Framing": magic, version 2, the body,
// its checksum), for the runtime tests that write such bytes by hand to
// reach cases no writer of this runtime makes (clocks at their bound,
// reused op ids).
#pragma once

#include <cstdint>

#include "dolc/rt/encoding.hpp"
#include "dolc_gen_rt.hpp"

inline dolc_gen::Bytes framed_changes_v2(const dolc::rt::Writer& body) {
  dolc::rt::Writer w;
  w.u8('D');
  w.u8('C');
  w.u8(2);
  w.raw(body.buffer().data(), body.size());
  uint32_t sum = dolc::rt::checksum32(body.buffer().data(), body.size());
  for (int i = 0; i < 4; ++i) w.u8(static_cast<uint8_t>(sum >> (8 * i)));
  return w.take();
}
