// Civil (proleptic Gregorian) calendar arithmetic and the wall-clock time of one UTC instant, for
// the assistant's "local date and time, open now?" prompt and for booking rules. Pure: which
// offset applies when comes from the IANA time zone database, read by adapters/zoneinfo.hpp
// (Howard Hinnant's date/tz over the system zoneinfo); nothing here touches files, clocks or the
// TZ environment variable.
#pragma once
#include <cstdint>
#include <string>

namespace vg::tz {

// Wall-clock time in a zone at one UTC instant.
struct local_time {
  int year = 1970, month = 1 /*1-12*/, day = 1, hour = 0, minute = 0, second = 0;
  int weekday = 4;  // 0 = Sunday .. 6 = Saturday
  int utc_offset_s = 0;  // east of UTC is positive: America/Chicago in winter is -21600
  std::string abbreviation;  // "CST", "+0530", "LMT"
  bool dst = false;
};

// The wall clock at `utc_seconds` given the offset in force then. Instants further than 2^55 s
// (about a billion years) from 1970 are clamped to that range so that no arithmetic can overflow.
local_time civil_time(std::int64_t utc_seconds, int utc_offset_s, bool dst, std::string abbreviation);
inline local_time utc_time(std::int64_t utc_seconds) { return civil_time(utc_seconds, 0, false, "UTC"); }

// Proleptic Gregorian calendar <-> days since 1970-01-01 (Howard Hinnant's algorithms).
// days_from_civil is exact for any int arguments (month and day are not range-checked);
// civil_from_days clamps `days` to +-2^39 (about 1.5 billion years) so the year fits an int.
std::int64_t days_from_civil(int y, int m, int d);
void civil_from_days(std::int64_t days, int& y, int& m, int& d);
int weekday_from_days(std::int64_t days);  // 0 = Sunday
bool is_leap_year(std::int64_t y);

// "+00:00", "-06:00", "+05:30"; seconds are added only when non-zero ("-03:06:28").
std::string format_offset(int utc_offset_s);

}  // namespace vg::tz
