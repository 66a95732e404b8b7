// The fuzzed entry points, shared by the libFuzzer targets (tests/fuzz/*_fuzzer.cc, built with
// clang by tests/fuzz/run.sh) and by fuzz_regression_test, which replays the committed corpus
// and every crash ever found through the same code in the normal g++ build.
//
//   std::string broken = FuzzEngine(bytes);   // "" when every invariant held
//
// Each takes arbitrary bytes and returns a description of the first broken invariant, or "".
// A crash, hang or sanitizer report is a finding too.
#pragma once

#include <string>
#include <string_view>

namespace gendan::fuzz {

// Byte 0 picks a starting state of order ORD-1 (low 7 bits: none, PLACED ... CLOSED, held,
// CANCELLED) and whether the record has key "ORD-1" (high bit) or none; the rest is the
// record's value, run through ParseRecord, Decide and, when accepted, Evolve.
// Invariants: every refusal has a real reason and a message that survives protobuf (valid
// UTF-8, bounded); the Rejection the engine would publish round-trips; an accepted event has
// version + 1, round-trips as an OrderEvent, and deciding it again is a Duplicate.
std::string FuzzEngine(std::string_view data);

// Byte 0 picks a route (/v1/orders, /v1/kpis, /v1/alerts, an order id segment); the rest is a
// raw query string, decoded by httplib as the server does and parsed by consumers/query_params.
// Invariants: an error has a 400 code and a message that serializes as JSON; a parsed query is
// within the documented bounds.
std::string FuzzQueryParams(std::string_view data);

}  // namespace gendan::fuzz
