// Intake: an inbound Kafka record's bytes and key, before Decide — the MALFORMED step.
//
//   v1::InboundEvent inbound;
//   if (auto refused = ParseRecord(value, key, options, &inbound)) {
//     Reject(refused->parsed ? inbound : raw bytes, refused->rejected);
//   } else {
//     Decision d = Decide(state_of(inbound.order_id()), inbound, options);
//   }
//
// Pure: no clock, no I/O; thread-safe. Whatever the bytes, it returns (never throws, never
// crashes) and every message it builds is valid UTF-8 of bounded length, so a Rejection that
// quotes it always serializes and parses again.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/decide.h"

namespace gendan {

struct RecordRefusal {
  Rejected rejected;
  // True when the bytes parsed (the refusal carries the InboundEvent); false when they did not
  // or were not even tried (the refusal carries the raw bytes).
  bool parsed = false;
};

// Parses a record of gendan.inbound into *inbound. nullopt when it is an InboundEvent ready for
// Decide; otherwise the refusal:
//   - larger than options.max_record_bytes      INVALID_EVENT (not parsed)
//   - not an InboundEvent (bad wire format, truncated, invalid UTF-8 in a string field)
//                                               MALFORMED
//   - a key (when given) that differs from a non-empty order_id
//                                               INVALID_EVENT (a stray key splits an order's
//                                               history over partitions)
// Bytes of another message type that happen to parse are an InboundEvent with missing fields:
// Decide refuses those as INVALID_EVENT.
std::optional<RecordRefusal> ParseRecord(std::string_view value,
                                         std::optional<std::string_view> key,
                                         const DecideOptions& options, v1::InboundEvent* inbound);

// `bytes` as text safe to put in a message, a log line or a protobuf string: valid UTF-8 kept,
// every other byte (and control characters) written as \xNN, cut at a character boundary after
// at most `limit` bytes of input with "..." appended.
std::string PrintableText(std::string_view bytes, size_t limit = 64);

}  // namespace gendan
