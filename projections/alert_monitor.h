// Alert monitor: keeps each order's open alerts (DOMAIN.md §6) in step with its status and the
// clock, and emits one RAISED record when a rule starts to hold and one CLEARED record when it
// stops (projections/risk.h has the rules).
//
//   AlertMonitor::Evaluate(status, now, options, &set, &next_sequence, &records);
//
// Pure; thread-safe. The projector calls it after every event of an order and, through the
// schedule index, at each order's NextChange instant, so a clock tick never scans every order.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "gendan/v1/alert.pb.h"
#include "gendan/v1/status.pb.h"
#include "projections/risk.h"

namespace gendan {

class AlertMonitor {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // Re-evaluates one order at `now`: updates `set` (its open alerts) and appends the RAISED and
  // CLEARED records to `records`, numbering them from *next_sequence (which it advances).
  // `records` may be null: the numbers are taken all the same, the records not built.
  // Returns when to evaluate it again (NextChange), none when no change is coming.
  // `memo`, when given, is the caller's to keep with the set: the keys this function left open
  // in it last time (empty: not known; the caller empties it when it reads or changes the set
  // otherwise). The open alerts are compared and diffed against the memo, a few contiguous bytes,
  // instead of against the set's records, which after every event cost more than the rules.
  static std::optional<TimePoint> Evaluate(const v1::OrderStatus& status, TimePoint now,
                                           const RiskOptions& options, v1::AlertSet* set,
                                           int64_t* next_sequence, std::vector<v1::Alert>* records,
                                           std::string* memo = nullptr);
  // The same, for a caller that keeps the set serialized between evaluations: `set` is called
  // (once) only when the memo cannot answer, i.e. when an alert is raised or cleared or the memo
  // is not known.
  static std::optional<TimePoint> Evaluate(const v1::OrderStatus& status, TimePoint now,
                                           const RiskOptions& options,
                                           absl::FunctionRef<v1::AlertSet*()> set,
                                           int64_t* next_sequence, std::vector<v1::Alert>* records,
                                           std::string* memo);
};

}  // namespace gendan
