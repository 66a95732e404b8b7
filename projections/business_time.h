// Business time: the fixed UTC offset every KPI date and period is in (DOMAIN.md §5).
//
//   auto tz = UtcOffset::Parse("+08:00");           // Result<UtcOffset>
//   Date d = BusinessDate(occurred_at_seconds, *tz);  // the business date of an instant
//   BucketStart(d, Bucket::kWeek);                   // the Monday of d's ISO week
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace gendan {

// A calendar date, stored as days since 1970-01-01 so it orders and subtracts cheaply.
using Date = std::chrono::sys_days;

enum class Bucket { kDay, kWeek, kMonth };

class UtcOffset {
 public:
  UtcOffset() = default;
  // Accepts "+HH:MM", "-HH:MM" and "Z"; anything else is InvalidArgument.
  static Result<UtcOffset> Parse(std::string_view text);
  static UtcOffset FromMinutes(int minutes) { return UtcOffset(minutes); }
  int minutes() const { return minutes_; }
  std::string ToString() const;  // "+08:00"

 private:
  explicit UtcOffset(int minutes) : minutes_(minutes) {}
  int minutes_ = 0;
};

// The business date of an instant given as seconds since the Unix epoch.
Date BusinessDate(int64_t epoch_seconds, UtcOffset offset);

// Parses "YYYY-MM-DD" (a real calendar date); nullopt otherwise.
std::optional<Date> ParseDate(std::string_view text);
std::string FormatDate(Date d);

// The first date of the bucket holding d: itself, its ISO week's Monday, or its month's 1st.
Date BucketStart(Date d, Bucket bucket);
// The first date of the bucket after the one starting at start.
Date NextBucketStart(Date start, Bucket bucket);

std::optional<Bucket> ParseBucket(std::string_view text);  // "day" | "week" | "month"
std::string_view BucketName(Bucket bucket);

}  // namespace gendan
