#include "projections/business_time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace gendan {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// The date as written; fails the test (and returns the epoch) when it does not parse.
Date D(const std::string& text) {
  std::optional<Date> d = ParseDate(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Date{});
}

// Seconds since the epoch of a UTC wall-clock time.
int64_t Utc(const std::string& date, int hh, int mm, int ss) {
  return (D(date).time_since_epoch() + hours(hh) + minutes(mm) + seconds(ss)) / seconds(1);
}

UtcOffset Offset(const std::string& text) {
  Result<UtcOffset> offset = UtcOffset::Parse(text);
  EXPECT_TRUE(offset.ok()) << text << ": " << offset.status().ToString();
  return offset.ok() ? *offset : UtcOffset();
}

std::string BusinessDay(int64_t epoch_seconds, const std::string& offset) {
  return FormatDate(BusinessDate(epoch_seconds, Offset(offset)));
}

// ---- UtcOffset --------------------------------------------------------------------------------

TEST(UtcOffsetTest, ParsesSignedHoursAndMinutesAndZ) {
  EXPECT_EQ(Offset("+08:00").minutes(), 480);
  EXPECT_EQ(Offset("-05:30").minutes(), -330);
  EXPECT_EQ(Offset("+05:45").minutes(), 345);
  EXPECT_EQ(Offset("+00:00").minutes(), 0);
  EXPECT_EQ(Offset("-00:00").minutes(), 0);
  EXPECT_EQ(Offset("Z").minutes(), 0);
  EXPECT_EQ(Offset("+14:00").minutes(), 840);
  EXPECT_EQ(Offset("-12:00").minutes(), -720);
}

TEST(UtcOffsetTest, RejectsGarbage) {
  for (const char* text : {"",
                           "Z ",
                           "z",
                           "UTC",
                           "GMT+8",
                           "08:00",
                           "+8:00",
                           "+08",
                           "+0800",
                           "+08:0",
                           "+08:000",
                           "+08-00",
                           "++8:00",
                           "+ab:cd",
                           "+08:60",
                           "+15:00",
                           "+99:00",
                           " +08:00",
                           "+08:00 ",
                           "+08:00Z",
                           "\xef\xbc\x8b"
                           "08:00"}) {
    Result<UtcOffset> offset = UtcOffset::Parse(text);
    EXPECT_FALSE(offset.ok()) << "'" << text << "' parsed as " << offset->ToString();
    if (!offset.ok()) {
      EXPECT_EQ(offset.status().code(), Status::Code::kInvalidArgument);
    }
  }
  // A string_view that is not NUL-terminated where it ends.
  EXPECT_FALSE(UtcOffset::Parse(std::string_view("+08:00", 5)).ok());
}

TEST(UtcOffsetTest, ToStringRoundTrips) {
  EXPECT_EQ(UtcOffset().ToString(), "+00:00");
  EXPECT_EQ(Offset("Z").ToString(), "+00:00");
  EXPECT_EQ(UtcOffset::FromMinutes(480).ToString(), "+08:00");
  EXPECT_EQ(UtcOffset::FromMinutes(-330).ToString(), "-05:30");
  EXPECT_EQ(UtcOffset::FromMinutes(-30).ToString(), "-00:30");
  for (const char* text : {"+08:00", "-05:30", "+05:45", "-00:30", "+14:00", "-12:00"}) {
    EXPECT_EQ(Offset(text).ToString(), text);
  }
}

// ---- BusinessDate -----------------------------------------------------------------------------

TEST(BusinessDateTest, PinsTheEpochArithmetic) {
  EXPECT_EQ(Utc("2026-01-01", 15, 59, 59), 1767283199);
  EXPECT_EQ(BusinessDate(0, UtcOffset()), Date{});
  EXPECT_EQ(BusinessDay(0, "Z"), "1970-01-01");
}

TEST(BusinessDateTest, PlusEightMidnightBoundary) {
  // 15:59:59Z is 23:59:59 at +08:00, the same day; 16:00:00Z is midnight of the next.
  EXPECT_EQ(BusinessDay(Utc("2026-01-01", 15, 59, 59), "+08:00"), "2026-01-01");
  EXPECT_EQ(BusinessDay(Utc("2026-01-01", 16, 0, 0), "+08:00"), "2026-01-02");
  EXPECT_EQ(BusinessDay(Utc("2026-01-01", 0, 0, 0), "+08:00"), "2026-01-01");
  EXPECT_EQ(BusinessDay(Utc("2025-12-31", 15, 59, 59), "+08:00"), "2025-12-31");
  // The business year begins eight hours before the UTC one.
  EXPECT_EQ(BusinessDay(Utc("2025-12-31", 16, 0, 0), "+08:00"), "2026-01-01");
  // In UTC the same instants stay on their UTC date.
  EXPECT_EQ(BusinessDay(Utc("2026-01-01", 16, 0, 0), "Z"), "2026-01-01");
  EXPECT_EQ(BusinessDay(Utc("2025-12-31", 23, 59, 59), "+00:00"), "2025-12-31");
  EXPECT_EQ(BusinessDay(Utc("2026-01-01", 0, 0, 0), "+00:00"), "2026-01-01");
}

TEST(BusinessDateTest, NegativeOffsets) {
  EXPECT_EQ(BusinessDay(Utc("2026-01-01", 4, 59, 59), "-05:00"), "2025-12-31");
  EXPECT_EQ(BusinessDay(Utc("2026-01-01", 5, 0, 0), "-05:00"), "2026-01-01");
  EXPECT_EQ(BusinessDay(Utc("2026-03-01", 3, 29, 59), "-03:30"), "2026-02-28");
  EXPECT_EQ(BusinessDay(Utc("2026-03-01", 3, 30, 0), "-03:30"), "2026-03-01");
  EXPECT_EQ(BusinessDay(Utc("2024-03-01", 11, 59, 59), "-12:00"), "2024-02-29");
}

TEST(BusinessDateTest, InstantsBeforeTheEpoch) {
  EXPECT_EQ(BusinessDay(-1, "Z"), "1969-12-31");
  EXPECT_EQ(BusinessDay(-86400, "Z"), "1969-12-31");
  EXPECT_EQ(BusinessDay(-86401, "Z"), "1969-12-30");
  EXPECT_EQ(BusinessDay(-1, "+08:00"), "1970-01-01");
  EXPECT_EQ(BusinessDay(-8 * 3600, "+08:00"), "1970-01-01");
  EXPECT_EQ(BusinessDay(-8 * 3600 - 1, "+08:00"), "1969-12-31");
  EXPECT_EQ(BusinessDay(0, "-05:00"), "1969-12-31");
  EXPECT_EQ(BusinessDay(5 * 3600, "-05:00"), "1970-01-01");
  EXPECT_EQ(BusinessDay(Utc("1900-03-01", 0, 0, 0), "Z"), "1900-03-01");
  EXPECT_EQ(BusinessDay(Utc("1900-03-01", 0, 0, 0) - 1, "Z"), "1900-02-28");
}

// Every second of a day at every offset's midnight lands on the right side of it.
TEST(BusinessDateTest, DayChangesExactlyAtLocalMidnight) {
  for (int offset_minutes : {-720, -330, -60, 0, 345, 480, 840}) {
    const UtcOffset offset = UtcOffset::FromMinutes(offset_minutes);
    for (const char* date : {"1969-12-31", "1970-01-01", "2024-02-29", "2026-12-31"}) {
      const int64_t local_midnight = Utc(date, 0, 0, 0) - int64_t{offset_minutes} * 60;
      EXPECT_EQ(BusinessDate(local_midnight, offset), D(date)) << date << " " << offset.ToString();
      EXPECT_EQ(BusinessDate(local_midnight - 1, offset), D(date) - days(1))
          << date << " " << offset.ToString();
      EXPECT_EQ(BusinessDate(local_midnight + 86399, offset), D(date))
          << date << " " << offset.ToString();
    }
  }
}

// ---- ParseDate / FormatDate -------------------------------------------------------------------

TEST(ParseDateTest, AcceptsRealCalendarDates) {
  EXPECT_EQ(D("1970-01-01"), Date{});
  EXPECT_EQ(D("1970-01-02") - D("1970-01-01"), days(1));
  EXPECT_EQ(D("2027-01-01") - D("2026-12-31"), days(1));
  for (const char* text : {"2026-02-28", "2024-02-29", "2000-02-29", "2026-12-31", "2026-04-30",
                           "1969-12-31", "1900-01-01", "0001-01-01", "9999-12-31"}) {
    EXPECT_EQ(FormatDate(D(text)), text);
  }
}

TEST(ParseDateTest, RejectsImpossibleDates) {
  for (const char* text : {"2026-02-30", "2026-02-29", "1900-02-29", "2100-02-29", "2026-04-31",
                           "2026-06-31", "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32"}) {
    EXPECT_FALSE(ParseDate(text).has_value()) << text;
  }
}

TEST(ParseDateTest, RejectsBadFormats) {
  for (const char* text :
       {"", "2026", "2026-1-05", "2026-01-5", "26-01-05", "2026/01/05", "2026.01.05", "20260105",
        "2026-01-05T00:00:00Z", "2026-01-05 ", " 2026-01-05", "2026-O1-05", "+026-01-05",
        "-026-01-05", "2026--1-05", "2026-01-+5", "2026-01-0x", "05-01-2026", "2026-Jan-05"}) {
    EXPECT_FALSE(ParseDate(text).has_value()) << "'" << text << "'";
  }
  // Only the viewed characters count.
  EXPECT_FALSE(ParseDate(std::string_view("2026-01-05", 9)).has_value());
  EXPECT_TRUE(ParseDate(std::string_view("2026-01-05 trailing", 10)).has_value());
}

TEST(FormatDateTest, PadsFields) {
  EXPECT_EQ(FormatDate(Date{}), "1970-01-01");
  EXPECT_EQ(FormatDate(Date{} - days(1)), "1969-12-31");
  EXPECT_EQ(FormatDate(std::chrono::year(2026) / 3 / 5), "2026-03-05");
  EXPECT_EQ(FormatDate(std::chrono::year(999) / 1 / 1), "0999-01-01");
}

// ---- Buckets ----------------------------------------------------------------------------------

TEST(BucketTest, DayBucketIsTheDate) {
  EXPECT_EQ(BucketStart(D("2026-01-01"), Bucket::kDay), D("2026-01-01"));
  EXPECT_EQ(NextBucketStart(D("2026-12-31"), Bucket::kDay), D("2027-01-01"));
  EXPECT_EQ(NextBucketStart(D("2024-02-28"), Bucket::kDay), D("2024-02-29"));
  EXPECT_EQ(NextBucketStart(D("1969-12-31"), Bucket::kDay), D("1970-01-01"));
}

TEST(BucketTest, IsoWeeksStartOnMondayAcrossYearEnds) {
  // 2026-01-01 is a Thursday: its week (2026-W01) began Monday 2025-12-29.
  EXPECT_EQ(BucketStart(D("2026-01-01"), Bucket::kWeek), D("2025-12-29"));
  EXPECT_EQ(BucketStart(D("2025-12-29"), Bucket::kWeek), D("2025-12-29"));  // a Monday
  EXPECT_EQ(BucketStart(D("2026-01-04"), Bucket::kWeek), D("2025-12-29"));  // its Sunday
  EXPECT_EQ(BucketStart(D("2026-01-05"), Bucket::kWeek), D("2026-01-05"));
  // 2021-01-03 is a Sunday, the last day of 2020-W53, which began Monday 2020-12-28.
  EXPECT_EQ(BucketStart(D("2021-01-03"), Bucket::kWeek), D("2020-12-28"));
  EXPECT_EQ(BucketStart(D("2020-12-31"), Bucket::kWeek), D("2020-12-28"));
  EXPECT_EQ(BucketStart(D("2021-01-04"), Bucket::kWeek), D("2021-01-04"));
  // Sunday 2026-03-01 belongs to the week of Monday 2026-02-23, not of the 2nd.
  EXPECT_EQ(BucketStart(D("2026-03-01"), Bucket::kWeek), D("2026-02-23"));
  // Before the epoch (1970-01-01 was a Thursday).
  EXPECT_EQ(BucketStart(D("1969-12-31"), Bucket::kWeek), D("1969-12-29"));
  EXPECT_EQ(BucketStart(D("1970-01-01"), Bucket::kWeek), D("1969-12-29"));
  EXPECT_EQ(BucketStart(D("1900-01-01"), Bucket::kWeek), D("1900-01-01"));  // a Monday

  EXPECT_EQ(NextBucketStart(D("2025-12-29"), Bucket::kWeek), D("2026-01-05"));
  EXPECT_EQ(NextBucketStart(D("2020-12-28"), Bucket::kWeek), D("2021-01-04"));
  // A start clipped to a range mid-week still steps to the next Monday.
  EXPECT_EQ(NextBucketStart(D("2026-01-01"), Bucket::kWeek), D("2026-01-05"));
}

TEST(BucketTest, WeekStartIsAlwaysTheMondayAtOrBefore) {
  for (Date d = D("2019-12-20"); d <= D("2021-01-15"); d += days(1)) {
    const Date start = BucketStart(d, Bucket::kWeek);
    EXPECT_EQ(std::chrono::weekday(start), std::chrono::Monday) << FormatDate(d);
    EXPECT_LE(start, d);
    EXPECT_GT(start + days(7), d) << FormatDate(d);
  }
}

TEST(BucketTest, MonthsIncludingDecemberToJanuary) {
  EXPECT_EQ(BucketStart(D("2026-12-31"), Bucket::kMonth), D("2026-12-01"));
  EXPECT_EQ(BucketStart(D("2026-01-01"), Bucket::kMonth), D("2026-01-01"));
  EXPECT_EQ(BucketStart(D("2024-02-29"), Bucket::kMonth), D("2024-02-01"));
  EXPECT_EQ(BucketStart(D("1969-12-31"), Bucket::kMonth), D("1969-12-01"));
  EXPECT_EQ(NextBucketStart(D("2026-12-01"), Bucket::kMonth), D("2027-01-01"));
  EXPECT_EQ(NextBucketStart(D("2025-12-01"), Bucket::kMonth), D("2026-01-01"));
  EXPECT_EQ(NextBucketStart(D("1969-12-01"), Bucket::kMonth), D("1970-01-01"));
  EXPECT_EQ(NextBucketStart(D("2026-01-01"), Bucket::kMonth), D("2026-02-01"));
  EXPECT_EQ(NextBucketStart(D("2024-02-01"), Bucket::kMonth), D("2024-03-01"));
  // A start clipped mid-month (e.g. from=2026-12-15) steps to the 1st of the next month, even
  // from a day the next month does not have.
  EXPECT_EQ(NextBucketStart(D("2026-12-15"), Bucket::kMonth), D("2027-01-01"));
  EXPECT_EQ(NextBucketStart(D("2026-01-31"), Bucket::kMonth), D("2026-02-01"));
}

// Walking buckets across a range visits each month once, in order, across the year end.
TEST(BucketTest, WalkingMonthsAcrossAYearEnd) {
  std::vector<std::string> starts;
  const Date to = D("2026-02-10");
  for (Date b = BucketStart(D("2025-11-20"), Bucket::kMonth); b <= to;
       b = NextBucketStart(b, Bucket::kMonth)) {
    starts.push_back(FormatDate(b));
  }
  EXPECT_EQ(starts,
            (std::vector<std::string>{"2025-11-01", "2025-12-01", "2026-01-01", "2026-02-01"}));
}

TEST(BucketTest, NamesRoundTrip) {
  for (Bucket b : {Bucket::kDay, Bucket::kWeek, Bucket::kMonth}) {
    std::optional<Bucket> parsed = ParseBucket(BucketName(b));
    ASSERT_TRUE(parsed.has_value()) << BucketName(b);
    EXPECT_EQ(*parsed, b);
  }
  EXPECT_EQ(BucketName(Bucket::kWeek), "week");
  for (const char* text : {"", "Day", "WEEK", "months", "year", " day", "isoweek"}) {
    EXPECT_FALSE(ParseBucket(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace gendan
