// vg::tz: the civil calendar helpers and the wall clock of an instant at a given offset. Which
// offset applies when comes from the tz database (tests/contract/zoneinfo_test.cpp).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/time/civil.hpp"

namespace vg {
namespace {

using tz::days_from_civil;

std::int64_t utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

// ---- civil calendar ---------------------------------------------------------------------------

std::vector<int> civil(std::int64_t days) {
  int y = 0, m = 0, d = 0;
  tz::civil_from_days(days, y, m, d);
  return {y, m, d};
}

// Wall clock fields of a local_time, for one-line comparisons.
std::vector<int> wall(const tz::local_time& lt) {
  return {lt.year, lt.month, lt.day, lt.hour, lt.minute, lt.second, lt.weekday};
}

TEST(civil, days_from_civil_known_dates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(2000, 2, 29), 11016);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(2026, 3, 8), 20520);
  EXPECT_EQ(days_from_civil(1900, 1, 1), -25567);
  EXPECT_EQ(days_from_civil(1600, 1, 1), -135140);
  EXPECT_EQ(days_from_civil(1, 1, 1), -719162);
}

TEST(civil, civil_from_days_round_trips_and_counts_every_day) {
  int py = 0, pm = 0, pd = 0;
  tz::civil_from_days(-800001, py, pm, pd);
  for (std::int64_t days = -800000; days <= 800000; ++days) {
    int y = 0, m = 0, d = 0;
    tz::civil_from_days(days, y, m, d);
    ASSERT_EQ(days_from_civil(y, m, d), days);
    // Consecutive days: either the next day of the month, or the 1st of the next month.
    const bool next_day = y == py && m == pm && d == pd + 1;
    const bool next_month = d == 1 && ((y == py && m == pm + 1) || (y == py + 1 && m == 1 && pm == 12));
    ASSERT_TRUE(next_day || next_month) << y << "-" << m << "-" << d;
    py = y, pm = m, pd = d;
  }
}

TEST(civil, civil_from_days_negative_days_and_leap_days) {
  EXPECT_EQ(civil(-1), (std::vector<int>{1969, 12, 31}));
  EXPECT_EQ(civil(11016), (std::vector<int>{2000, 2, 29}));
  EXPECT_EQ(civil(-719162), (std::vector<int>{1, 1, 1}));
  // Astronomical years: 0 (1 BC) and -4 (5 BC) are leap years, -1 and -100 are not.
  EXPECT_EQ(civil(days_from_civil(0, 3, 1) - 1), (std::vector<int>{0, 2, 29}));
  EXPECT_EQ(civil(days_from_civil(-4, 3, 1) - 1), (std::vector<int>{-4, 2, 29}));
  EXPECT_EQ(civil(days_from_civil(-1, 3, 1) - 1), (std::vector<int>{-1, 2, 28}));
  EXPECT_TRUE(tz::is_leap_year(2000) && tz::is_leap_year(2024) && tz::is_leap_year(0) && tz::is_leap_year(-4));
  EXPECT_FALSE(tz::is_leap_year(1900) || tz::is_leap_year(2100) || tz::is_leap_year(-1) || tz::is_leap_year(-100));
  EXPECT_EQ(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28), 1);
  EXPECT_EQ(days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28), 2);
  // Extreme arguments are clamped or computed in 64 bits rather than overflowing.
  EXPECT_GT(civil(std::numeric_limits<std::int64_t>::max())[0], 1'000'000'000);
  EXPECT_LT(civil(std::numeric_limits<std::int64_t>::min())[0], -1'000'000'000);
  EXPECT_LT(days_from_civil(std::numeric_limits<int>::min(), 1, 1), 0);
  EXPECT_GT(days_from_civil(std::numeric_limits<int>::max(), 12, 31), 0);
}

TEST(civil, weekday_from_days) {
  EXPECT_EQ(tz::weekday_from_days(0), 4);  // 1970-01-01, Thursday
  EXPECT_EQ(tz::weekday_from_days(-1), 3);
  EXPECT_EQ(tz::weekday_from_days(-4), 0);
  EXPECT_EQ(tz::weekday_from_days(11016), 2);  // 2000-02-29, Tuesday
  EXPECT_EQ(tz::weekday_from_days(20520), 0);  // 2026-03-08, Sunday
  EXPECT_EQ(tz::weekday_from_days(-719162), 1);  // 0001-01-01, Monday
  EXPECT_EQ(tz::weekday_from_days(std::numeric_limits<std::int64_t>::min()), 3);  // -2^63 = -1 (mod 7)
  for (std::int64_t d = -30; d < 30; ++d) EXPECT_EQ(tz::weekday_from_days(d + 7), tz::weekday_from_days(d));
}

TEST(civil, format_offset) {
  EXPECT_EQ(tz::format_offset(0), "+00:00");
  EXPECT_EQ(tz::format_offset(-21600), "-06:00");
  EXPECT_EQ(tz::format_offset(19800), "+05:30");
  EXPECT_EQ(tz::format_offset(-12600), "-03:30");
  EXPECT_EQ(tz::format_offset(-11188), "-03:06:28");  // Sao Paulo LMT
  EXPECT_EQ(tz::format_offset(50400), "+14:00");
}

TEST(civil, civil_time_applies_the_offset) {
  // 2026-03-08 07:59:59 UTC at -06:00 (CST): 01:59:59 the same Sunday.
  auto lt = tz::civil_time(utc(2026, 3, 8, 7, 59, 59), -21600, false, "CST");
  EXPECT_EQ(wall(lt), (std::vector<int>{2026, 3, 8, 1, 59, 59, 0}));
  EXPECT_EQ(lt.utc_offset_s, -21600);
  EXPECT_EQ(lt.abbreviation, "CST");
  EXPECT_FALSE(lt.dst);
  // 2026-01-01 02:00 UTC at -06:00 is still the previous year: 2025-12-31 20:00, a Wednesday.
  EXPECT_EQ(wall(tz::civil_time(utc(2026, 1, 1, 2), -21600, false, "CST")),
            (std::vector<int>{2025, 12, 31, 20, 0, 0, 3}));
  // +05:30 crosses midnight forwards: 2026-07-15 18:30 UTC is 2026-07-16 00:00, a Thursday.
  EXPECT_EQ(wall(tz::civil_time(utc(2026, 7, 15, 18, 30), 19800, false, "IST")),
            (std::vector<int>{2026, 7, 16, 0, 0, 0, 4}));
  // Before 1970: 1969-12-31 23:59:59 UTC.
  EXPECT_EQ(wall(tz::utc_time(-1)), (std::vector<int>{1969, 12, 31, 23, 59, 59, 3}));
  EXPECT_EQ(tz::utc_time(0).abbreviation, "UTC");
}

TEST(civil, extreme_instants_do_not_overflow) {
  for (auto t : {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
                 std::int64_t{1} << 60, -(std::int64_t{1} << 59)}) {
    for (int offset : {-93599, 0, 93599}) {
      const auto lt = tz::civil_time(t, offset, false, "X");
      EXPECT_TRUE(lt.month >= 1 && lt.month <= 12 && lt.day >= 1 && lt.day <= 31 && lt.weekday <= 6) << t;
    }
  }
}

}  // namespace
}  // namespace vg
