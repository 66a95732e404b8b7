#include "simulator/calendar.h"

#include <chrono>
#include <cstdio>

namespace gendan::sim::internal {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

int64_t Calendar::Day(int64_t t) const { return FloorDiv(t + offset_s_, 86400); }

int Calendar::MinuteOf(int64_t t) const {
  return static_cast<int>((t + offset_s_ - Day(t) * 86400) / 60);
}

// 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays.
bool Calendar::IsBusinessDay(int64_t day) { return ((day % 7 + 7 + 3) % 7) < 5; }

int64_t Calendar::NextBusinessDay(int64_t day) {
  while (!IsBusinessDay(day)) ++day;
  return day;
}

int64_t Calendar::AddBusinessDays(int64_t day, int n) {
  day = NextBusinessDay(day);
  for (; n > 0; --n) day = NextBusinessDay(day + 1);
  return day;
}

int64_t Calendar::AddWorkHours(int64_t t, double hours) const {
  int64_t left = static_cast<int64_t>(hours * 3600);
  int64_t day = Day(t);
  int64_t at = t;
  for (;;) {
    if (!IsBusinessDay(day)) {
      day = NextBusinessDay(day);
      at = At(day, kOpenMinute);
    }
    int64_t open = At(day, kOpenMinute), close = At(day, kCloseMinute);
    if (at < open) at = open;
    if (at < close && at + left <= close) return at + left;
    if (at < close) left -= close - at;
    day = NextBusinessDay(day + 1);
    at = At(day, kOpenMinute);
  }
}

std::string Calendar::Date(int64_t day) {
  std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(day))};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

bool Calendar::ParseDate(const std::string& text, int64_t* day) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3)
    return false;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok() || y < 1) return false;
  *day = std::chrono::sys_days(ymd).time_since_epoch().count();
  return true;
}

}  // namespace gendan::sim::internal
