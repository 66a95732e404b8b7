// Internal to engine/: the checks of an inbound event that need no order state (step 1 of
// Decide, INVALID_EVENT) and the clock check (step 2, FUTURE_EVENT).
#pragma once

#include <chrono>
#include <string_view>

#include "engine/decide.h"
#include "engine/reject.h"

namespace gendan::internal {

// Envelope and payload fields against DOMAIN.md §2–§3 and the size limits of `options`.
Check ValidateFields(const v1::InboundEvent& inbound, const DecideOptions& options);

// occurred_at at most options.max_clock_skew after options.now.
Check CheckClock(const v1::InboundEvent& inbound, const DecideOptions& options);

// The instant as a protobuf Timestamp (floored to whole nanoseconds).
google::protobuf::Timestamp ToTimestamp(std::chrono::system_clock::time_point t);

// A real calendar date spelled "YYYY-MM-DD".
bool IsDate(std::string_view text);

}  // namespace gendan::internal
