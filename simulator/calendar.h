// Internal to simulator/: business time. Instants are UTC seconds; days are day numbers since
// 1970-01-01 in the business time zone. Business days are Monday to Friday, working hours
// 08:00–18:00 local.
#pragma once

#include <cstdint>
#include <string>

namespace gendan::sim::internal {

class Calendar {
 public:
  static constexpr int kOpenMinute = 8 * 60;
  static constexpr int kCloseMinute = 18 * 60;

  explicit Calendar(int utc_offset_minutes) : offset_s_(int64_t{utc_offset_minutes} * 60) {}

  int64_t Day(int64_t t) const;  // the local day of instant t
  static bool IsBusinessDay(int64_t day);
  static int64_t NextBusinessDay(int64_t day);  // `day` itself when it is one
  static int64_t AddBusinessDays(int64_t day, int n);
  // The instant at `minute` (0..1439) of local `day`.
  int64_t At(int64_t day, int minute) const { return day * 86400 + minute * 60 - offset_s_; }
  // Minute of the local day of t.
  int MinuteOf(int64_t t) const;
  // t plus `hours` of working time (only working hours of business days count).
  int64_t AddWorkHours(int64_t t, double hours) const;
  static std::string Date(int64_t day);  // "YYYY-MM-DD"
  // "YYYY-MM-DD" → day number; false when not a date.
  static bool ParseDate(const std::string& text, int64_t* day);

 private:
  int64_t offset_s_;
};

}  // namespace gendan::sim::internal
