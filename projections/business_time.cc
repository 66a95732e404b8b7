#include "projections/business_time.h"

#include <cstdio>

namespace gendan {
namespace {

bool TwoDigits(std::string_view s, size_t at, int* out) {
  if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') {
    return false;
  }
  *out = (s[at] - '0') * 10 + (s[at + 1] - '0');
  return true;
}

// Floor division, so instants before the epoch land on the right day.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

Result<UtcOffset> UtcOffset::Parse(std::string_view text) {
  if (text == "Z") return UtcOffset(0);
  int hours = 0, minutes = 0;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':' ||
      !TwoDigits(text, 1, &hours) || !TwoDigits(text, 4, &minutes) || hours > 14 || minutes > 59) {
    return Status::InvalidArgument("time-zone offset must look like +08:00 or -05:30, got '" +
                                   std::string(text) + "'");
  }
  int total = hours * 60 + minutes;
  return UtcOffset(text[0] == '-' ? -total : total);
}

std::string UtcOffset::ToString() const {
  char buf[16];
  int m = minutes_ < 0 ? -minutes_ : minutes_;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", minutes_ < 0 ? '-' : '+', m / 60, m % 60);
  return buf;
}

Date BusinessDate(int64_t epoch_seconds, UtcOffset offset) {
  int64_t local = epoch_seconds + int64_t{offset.minutes()} * 60;
  return Date(std::chrono::days(FloorDiv(local, 86400)));
}

std::optional<Date> ParseDate(std::string_view text) {
  int c = 0, y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !TwoDigits(text, 0, &c) ||
      !TwoDigits(text, 2, &y) || !TwoDigits(text, 5, &m) || !TwoDigits(text, 8, &d)) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(c * 100 + y), std::chrono::month(m),
                                  std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return Date(ymd);
}

std::string FormatDate(Date d) {
  std::chrono::year_month_day ymd(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()));
  return buf;
}

Date BucketStart(Date d, Bucket bucket) {
  switch (bucket) {
    case Bucket::kDay: return d;
    case Bucket::kWeek: {
      std::chrono::weekday wd(d);  // Sunday = 0; ISO weeks start on Monday
      int back = (wd.c_encoding() + 6) % 7;
      return d - std::chrono::days(back);
    }
    case Bucket::kMonth: {
      std::chrono::year_month_day ymd(d);
      return Date(ymd.year() / ymd.month() / std::chrono::day(1));
    }
  }
  return d;
}

Date NextBucketStart(Date start, Bucket bucket) {
  switch (bucket) {
    case Bucket::kDay: return start + std::chrono::days(1);
    case Bucket::kWeek: return BucketStart(start, Bucket::kWeek) + std::chrono::days(7);
    case Bucket::kMonth: {
      std::chrono::year_month_day ymd(start);
      // year_month arithmetic carries into the year; month arithmetic alone would wrap.
      std::chrono::year_month next = ymd.year() / ymd.month() + std::chrono::months(1);
      return Date(next / std::chrono::day(1));
    }
  }
  return start;
}

std::optional<Bucket> ParseBucket(std::string_view text) {
  if (text == "day") return Bucket::kDay;
  if (text == "week") return Bucket::kWeek;
  if (text == "month") return Bucket::kMonth;
  return std::nullopt;
}

std::string_view BucketName(Bucket bucket) {
  switch (bucket) {
    case Bucket::kDay: return "day";
    case Bucket::kWeek: return "week";
    case Bucket::kMonth: return "month";
  }
  return "day";
}

}  // namespace gendan
