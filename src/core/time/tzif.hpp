// IANA time zones from TZif bytes (RFC 8536, versions 1 to 4), for the assistant's "local date and
// time, open now?" prompt and for booking rules. GCC 12's libstdc++ has no std::chrono::tzdb, so
// the zone files are parsed here. Pure: the caller reads the file (adapters/zoneinfo.hpp) and
// passes in the UTC instant; nothing here touches files, clocks or the TZ environment variable.
// A parsed zone is immutable, so one zone may be used from many threads at once.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace vg::tz {

// Wall-clock time in a zone at one UTC instant.
struct local_time {
  int year = 1970, month = 1 /*1-12*/, day = 1, hour = 0, minute = 0, second = 0;
  int weekday = 4;  // 0 = Sunday .. 6 = Saturday
  int utc_offset_s = 0;  // east of UTC is positive: America/Chicago in winter is -21600
  std::string abbreviation;  // "CST", "+0530", "LMT"
  bool dst = false;
};

namespace detail {

// When in a year a POSIX TZ rule switches: "Jn", "n" or "Mm.w.d", plus "/time".
struct posix_date {
  enum class form : std::uint8_t { julian_no_leap, zero_based, month_week_day };
  form kind = form::month_week_day;
  int day = 0;    // Jn: 1..365 (Feb 29 never counted); n: 0..365; Mm.w.d: weekday d, 0..6
  int month = 0;  // Mm.w.d only, 1..12
  int week = 0;   // Mm.w.d only, 1..5 (5 = last)
  int time_s = 7200;  // local wall time of the switch; v3 allows -167h..+167h
};

// The footer of a v2+ file ("CST6CDT,M3.2.0,M11.1.0"), with offsets already turned east-positive.
struct posix_tz {
  std::string std_abbr;
  int std_offset_s = 0;
  bool has_dst = false;
  std::string dst_abbr;
  int dst_offset_s = 0;
  posix_date start, end;  // start of DST (in standard time), end of DST (in DST)
};

// One local time type (RFC 8536 "ttinfo").
struct ttype {
  std::int32_t utc_offset_s = 0;
  bool dst = false;
  std::string abbreviation;
};

}  // namespace detail

class zone {
 public:
  const std::string& name() const { return name_; }
  // Instants further than 2^55 s (about a billion years) from 1970 are clamped to that range so
  // that no arithmetic can overflow.
  local_time to_local(std::int64_t utc_seconds) const;

 private:
  friend vg::result<zone> parse_tzif(std::string_view name, std::string_view bytes);
  friend vg::result<zone> fixed_zone(std::string_view name, int utc_offset_s);
  zone() = default;  // only the factories make zones, so types_ is never empty

  std::string name_;
  std::vector<std::int64_t> times_;      // transition instants, strictly ascending
  std::vector<std::uint8_t> type_of_;    // per transition: index into types_
  std::vector<detail::ttype> types_;     // at least one; types_[0] applies before times_[0]
  bool has_rule_ = false;                // footer present and non-empty
  detail::posix_tz rule_;                // applies from the last transition on
};

// Parses a whole TZif file. Uses the 64-bit block when version >= 2 and the footer TZ string for
// instants on or after the last transition (or all instants when there are none). Any malformed
// input gives an error, never an exception. Leap-second files ("right/...") are refused.
vg::result<zone> parse_tzif(std::string_view name, std::string_view bytes);

// A zone with one constant offset; the abbreviation is "UTC" for 0, else "+0530" / "-06".
vg::result<zone> fixed_zone(std::string_view name, int utc_offset_s);

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
