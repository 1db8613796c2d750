#include "core/time/civil.hpp"

#include <algorithm>
#include <utility>

namespace vg::tz {
namespace {

constexpr std::int64_t instant_limit = std::int64_t{1} << 55;
constexpr std::int64_t days_limit = std::int64_t{1} << 39;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

local_time civil_time(std::int64_t utc_seconds, int utc_offset_s, bool dst, std::string abbreviation) {
  local_time lt;
  const std::int64_t s = std::clamp(utc_seconds, -instant_limit, instant_limit) + utc_offset_s;
  const std::int64_t days = floor_div(s, 86400);
  const auto sod = static_cast<int>(s - days * 86400);
  civil_from_days(days, lt.year, lt.month, lt.day);
  lt.hour = sod / 3600;
  lt.minute = sod / 60 % 60;
  lt.second = sod % 60;
  lt.weekday = weekday_from_days(days);
  lt.utc_offset_s = utc_offset_s;
  lt.abbreviation = std::move(abbreviation);
  lt.dst = dst;
  return lt;
}

bool is_leap_year(std::int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

std::int64_t days_from_civil(int y_in, int m_in, int d_in) {
  // All in 64 bits so that no int argument can overflow.
  std::int64_t y = y_in;
  const std::int64_t m = m_in, d = d_in;
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;                                 // [0, 399]
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          // [0, 146096]
  return era * 146097 + doe - 719468;
}

void civil_from_days(std::int64_t days, int& y, int& m, int& d) {
  const std::int64_t z = std::clamp(days, -days_limit, days_limit) + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;                                 // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);          // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                               // [0, 11]
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
}

int weekday_from_days(std::int64_t days) {
  return static_cast<int>((days % 7 + 11) % 7);  // 1970-01-01 (day 0) was a Thursday (4)
}

std::string format_offset(int utc_offset_s) {
  const std::int64_t v = utc_offset_s;
  const std::int64_t a = v < 0 ? -v : v;
  auto two = [](std::int64_t n) {
    return n >= 10 ? std::to_string(n) : "0" + std::to_string(n);
  };
  std::string out = (v < 0 ? "-" : "+") + two(a / 3600) + ":" + two(a / 60 % 60);
  if (a % 60 != 0) out += ":" + two(a % 60);
  return out;
}

}  // namespace vg::tz
