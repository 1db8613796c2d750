#include "core/time/tzif.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace vg::tz {
namespace {

using detail::posix_date;
using detail::posix_tz;
using detail::ttype;

constexpr std::int64_t instant_limit = std::int64_t{1} << 55;
constexpr std::int64_t days_limit = std::int64_t{1} << 39;
constexpr std::size_t header_size = 44;
// RFC 8536 section 3.2: UT offsets should lie in [-25:59:59, +25:59:59]; POSIX TZ offsets are
// at most 24 hours, rule times at most 167 hours (version 3).
constexpr bool offset_ok(std::int64_t s) { return s >= -89999 && s <= 93599; }

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int days_in_month(std::int64_t y, int m) {
  static constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : days[static_cast<std::size_t>(m - 1)];
}

// ---- POSIX TZ strings (the footer) -------------------------------------------------------------

// Recursive descent over "std offset [dst [offset] [,start[/time],end[/time]]]". Each step
// returns false on malformed input; the caller then discards the whole string.
class tz_parser {
 public:
  explicit tz_parser(std::string_view s) : s_(s) {}

  std::optional<posix_tz> parse() {
    posix_tz tz;
    if (!abbreviation(tz.std_abbr) || !offset(tz.std_offset_s)) return std::nullopt;
    if (done()) return tz;
    tz.has_dst = true;
    if (!abbreviation(tz.dst_abbr)) return std::nullopt;
    tz.dst_offset_s = tz.std_offset_s + 3600;  // POSIX default: one hour ahead of standard time
    if ((peek() == '+' || peek() == '-' || digit(peek())) && !offset(tz.dst_offset_s)) return std::nullopt;
    if (done()) {
      // POSIX leaves the rule implementation-defined when absent; glibc and tzcode use the US
      // rule, so do the same (zic itself always writes the rule).
      tz.start = {posix_date::form::month_week_day, 0, 3, 2, 7200};
      tz.end = {posix_date::form::month_week_day, 0, 11, 1, 7200};
      return tz;
    }
    if (!eat(',') || !date(tz.start) || !eat(',') || !date(tz.end) || !done()) return std::nullopt;
    return tz;
  }

 private:
  static bool digit(char c) { return c >= '0' && c <= '9'; }
  static bool alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool done() const { return i_ == s_.size(); }
  bool eat(char c) { return !done() && s_[i_] == c && (++i_, true); }

  // "CST" or "<+0530>"; POSIX requires at least three characters.
  bool abbreviation(std::string& out) {
    const bool quoted = eat('<');
    while (!done() && (alpha(peek()) || (quoted && (digit(peek()) || peek() == '+' || peek() == '-'))))
      out += s_[i_++];
    return (!quoted || eat('>')) && out.size() >= 3;
  }

  // Decimal digits in [min, max]; bounding each step keeps long digit runs from overflowing.
  bool number(int min, int max, int& out) {
    if (!digit(peek())) return false;
    out = 0;
    while (digit(peek()))
      if ((out = out * 10 + (s_[i_++] - '0')) > max) return false;
    return out >= min;
  }

  // [+-]hh[:mm[:ss]] as signed seconds.
  bool hms(int max_hours, int& out) {
    const int sign = eat('-') ? -1 : 1;
    if (sign == 1) eat('+');
    int h = 0, m = 0, s = 0;
    if (!number(0, max_hours, h)) return false;
    if (eat(':') && (!number(0, 59, m) || (eat(':') && !number(0, 59, s)))) return false;
    out = sign * (h * 3600 + m * 60 + s);
    return true;
  }

  // POSIX offsets count hours west of UTC; flip to the east-positive convention used elsewhere.
  bool offset(int& out) { return hms(24, out) && (out = -out, true); }

  bool date(posix_date& d) {
    bool ok = false;
    if (eat('J')) {
      d.kind = posix_date::form::julian_no_leap;
      ok = number(1, 365, d.day);
    } else if (eat('M')) {
      d.kind = posix_date::form::month_week_day;
      ok = number(1, 12, d.month) && eat('.') && number(1, 5, d.week) && eat('.') && number(0, 6, d.day);
    } else {
      d.kind = posix_date::form::zero_based;
      ok = number(0, 365, d.day);
    }
    return ok && (!eat('/') || hms(167, d.time_s));  // time_s keeps its 02:00 default otherwise
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// Days since 1970 of the local date `d` names in year `y`.
std::int64_t rule_day(const posix_date& d, std::int64_t y) {
  const int year = static_cast<int>(y);
  const std::int64_t jan1 = days_from_civil(year, 1, 1);
  switch (d.kind) {
    case posix_date::form::julian_no_leap:  // Feb 29 is skipped: J60 is always March 1
      return jan1 + d.day - 1 + (is_leap_year(y) && d.day >= 60 ? 1 : 0);
    case posix_date::form::zero_based:
      return jan1 + d.day;
    case posix_date::form::month_week_day:
      break;
  }
  const std::int64_t first = days_from_civil(year, d.month, 1);
  int mday = (d.day - weekday_from_days(first) + 7) % 7 + (d.week - 1) * 7;
  while (mday >= days_in_month(y, d.month)) mday -= 7;  // week 5 means "last"
  return first + mday;
}

struct rule_state {
  std::int64_t at;
  bool to_dst;
};

// Whether the footer rule has DST in force at `t`. The switches of years y-2..y+1 around t's
// year are sorted and the last one at or before t wins; this covers both hemispheres, rule times
// beyond 24h, and "all year DST" rules such as "EST5EDT,0/0,J365/25" (on a tie the end is applied
// first so the start wins).
bool rule_in_dst(const posix_tz& tz, std::int64_t t) {
  int y = 0, m = 0, d = 0;
  civil_from_days(floor_div(t + tz.std_offset_s, 86400), y, m, d);
  std::array<rule_state, 8> events{};
  std::size_t n = 0;
  for (std::int64_t year = std::int64_t{y} - 2; year <= std::int64_t{y} + 1; ++year) {
    events[n++] = {rule_day(tz.start, year) * 86400 + tz.start.time_s - tz.std_offset_s, true};
    events[n++] = {rule_day(tz.end, year) * 86400 + tz.end.time_s - tz.dst_offset_s, false};
  }
  std::sort(events.begin(), events.end(), [](const rule_state& a, const rule_state& b) {
    return a.at != b.at ? a.at < b.at : (!a.to_dst && b.to_dst);
  });
  bool dst = false;  // years y-2 always have a switch before t, so this is always overwritten
  for (const auto& e : events) {
    if (e.at > t) break;
    dst = e.to_dst;
  }
  return dst;
}

local_time make_local(std::int64_t t, int offset, bool dst, const std::string& abbreviation) {
  local_time lt;
  const std::int64_t s = t + offset;
  const std::int64_t days = floor_div(s, 86400);
  const auto sod = static_cast<int>(s - days * 86400);
  civil_from_days(days, lt.year, lt.month, lt.day);
  lt.hour = sod / 3600;
  lt.minute = sod / 60 % 60;
  lt.second = sod % 60;
  lt.weekday = weekday_from_days(days);
  lt.utc_offset_s = offset;
  lt.abbreviation = abbreviation;
  lt.dst = dst;
  return lt;
}

// ---- TZif binary ---------------------------------------------------------------------------------

struct counts {
  std::uint32_t isut, isstd, leap, time, type, chars;
};

// Big-endian reads over the whole file; every caller checks `fits` before reading.
class reader {
 public:
  explicit reader(std::string_view b) : b_(b) {}
  bool fits(std::uint64_t n) const { return n <= b_.size() - pos_; }
  std::string_view rest() const { return b_.substr(pos_); }
  void skip(std::size_t n) { pos_ += n; }
  std::uint8_t u8() { return static_cast<std::uint8_t>(b_[pos_++]); }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
    return v;
  }
  std::int64_t i64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | u8();
    return static_cast<std::int64_t>(v);  // two's complement, well-defined since C++20
  }
  std::string_view take(std::size_t n) {
    auto v = b_.substr(pos_, n);
    pos_ += n;
    return v;
  }

 private:
  std::string_view b_;
  std::size_t pos_ = 0;
};

std::uint64_t block_size(const counts& c, std::uint64_t time_size) {
  return std::uint64_t{c.time} * time_size + c.time + std::uint64_t{c.type} * 6 + c.chars +
         std::uint64_t{c.leap} * (time_size + 4) + c.isstd + c.isut;
}

vg::result<counts> read_header(reader& r, char& version) {
  if (r.rest().substr(0, 4) != "TZif") return make_error("not TZif data (bad magic)");
  if (!r.fits(header_size)) return make_error("TZif data truncated in the header");
  r.skip(4);
  version = static_cast<char>(r.u8());
  if (version != '\0' && version != '2' && version != '3' && version != '4')
    return make_error("unsupported TZif version");
  r.skip(15);
  counts c{};
  c.isut = r.u32();
  c.isstd = r.u32();
  c.leap = r.u32();
  c.time = r.u32();
  c.type = r.u32();
  c.chars = r.u32();
  // RFC 8536 section 3.1: one type at least (its indices are one byte), one abbreviation byte,
  // and the indicator arrays are either absent or one per type.
  if (c.type == 0 || c.type > 256 || c.chars == 0) return make_error("TZif header has bad counts");
  if ((c.isut != 0 && c.isut != c.type) || (c.isstd != 0 && c.isstd != c.type))
    return make_error("TZif header has bad indicator counts");
  return c;
}

}  // namespace

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

local_time zone::to_local(std::int64_t utc_seconds) const {
  const std::int64_t t = std::clamp(utc_seconds, -instant_limit, instant_limit);
  const ttype* type = &types_[0];  // RFC 8536: type 0 applies before the first transition
  if (times_.empty() || t >= times_.back()) {
    if (has_rule_) {
      const bool dst = rule_.has_dst && rule_in_dst(rule_, t);
      return make_local(t, dst ? rule_.dst_offset_s : rule_.std_offset_s, dst,
                        dst ? rule_.dst_abbr : rule_.std_abbr);
    }
    if (!times_.empty()) type = &types_[type_of_.back()];
  } else if (t >= times_.front()) {
    const auto i = static_cast<std::size_t>(std::upper_bound(times_.begin(), times_.end(), t) - times_.begin()) - 1;
    type = &types_[type_of_[i]];
  }
  return make_local(t, type->utc_offset_s, type->dst, type->abbreviation);
}

vg::result<zone> parse_tzif(std::string_view name, std::string_view bytes) {
  reader r(bytes);
  char version = 0;
  auto first = read_header(r, version);
  if (!first) return make_error(first.error_message());
  counts c = *first;
  std::uint64_t time_size = 4;
  if (version != '\0') {
    // Skip the 32-bit block; version 2+ repeats everything with 64-bit times after it.
    const std::uint64_t v1 = block_size(c, 4);
    if (!r.fits(v1)) return make_error("TZif data truncated in the version 1 block");
    r.skip(static_cast<std::size_t>(v1));
    char version2 = 0;
    auto second = read_header(r, version2);
    if (!second) return make_error(second.error_message());
    if (version2 != version) return make_error("TZif headers disagree on the version");
    c = *second;
    time_size = 8;
  }
  if (!r.fits(block_size(c, time_size))) return make_error("TZif data truncated in the data block");
  // Leap-second corrections shift every instant; the zones a business uses never carry them.
  if (c.leap != 0) return make_error("TZif files with leap seconds are not supported");

  zone z;
  z.name_ = std::string(name);
  z.times_.reserve(c.time);
  for (std::uint32_t i = 0; i < c.time; ++i) {
    const std::int64_t t = time_size == 8 ? r.i64() : static_cast<std::int32_t>(r.u32());
    if (!z.times_.empty() && t <= z.times_.back()) return make_error("TZif transitions are not ascending");
    z.times_.push_back(t);
  }
  z.type_of_.reserve(c.time);
  for (std::uint32_t i = 0; i < c.time; ++i) {
    const std::uint8_t idx = r.u8();
    if (idx >= c.type) return make_error("TZif transition names a missing type");
    z.type_of_.push_back(idx);
  }
  struct raw_type {
    std::int32_t off;
    std::uint8_t dst, abbr;
  };
  std::vector<raw_type> raw(c.type);
  for (auto& t : raw) {
    t.off = static_cast<std::int32_t>(r.u32());
    t.dst = r.u8();
    t.abbr = r.u8();
    if (!offset_ok(t.off)) return make_error("TZif type has an out-of-range offset");
    if (t.dst > 1) return make_error("TZif type has a bad isdst flag");
    if (t.abbr >= c.chars) return make_error("TZif type names a missing abbreviation");
  }
  const std::string_view chars = r.take(c.chars);
  for (const auto& t : raw) {
    const std::size_t nul = chars.find('\0', t.abbr);
    if (nul == std::string_view::npos) return make_error("TZif abbreviation is not terminated");
    z.types_.push_back({t.off, t.dst == 1, std::string(chars.substr(t.abbr, nul - t.abbr))});
  }
  r.skip(c.isstd + std::size_t{c.isut});  // only matter for POSIX-style rule defaults; unused

  if (version != '\0') {
    // Footer: "\n" TZ string "\n", and nothing after it.
    const std::string_view rest = r.rest();
    const std::size_t close = rest.size() >= 2 && rest.front() == '\n' ? rest.find('\n', 1) : rest.npos;
    if (close == rest.npos || close + 1 != rest.size()) return make_error("TZif footer is missing or malformed");
    const std::string_view footer = rest.substr(1, close - 1);
    if (!footer.empty()) {
      auto rule = tz_parser(footer).parse();
      if (!rule) return make_error("TZif footer has a malformed TZ string");
      if (!offset_ok(rule->std_offset_s) || !offset_ok(rule->dst_offset_s))
        return make_error("TZif footer has an out-of-range offset");
      z.rule_ = std::move(*rule);
      z.has_rule_ = true;
    }
  } else if (!r.rest().empty()) {
    return make_error("TZif data has trailing bytes");
  }
  return z;
}

vg::result<zone> fixed_zone(std::string_view name, int utc_offset_s) {
  if (!offset_ok(utc_offset_s)) return make_error("fixed offset out of range");
  std::string abbr = "UTC";
  if (utc_offset_s != 0) {
    // tzdb's style for zones without a customary abbreviation: "+05", "+0530", "-0930".
    const std::string full = format_offset(utc_offset_s);  // "+05:30" or "+05:30:15"
    abbr = full.substr(0, 3);
    if (full.compare(4, 2, "00") != 0 || full.size() > 6) abbr += full.substr(4, 2);
    if (full.size() > 6) abbr += full.substr(7, 2);
  }
  zone z;
  z.name_ = std::string(name);
  z.types_.push_back({utc_offset_s, false, std::move(abbr)});
  return z;
}

}  // namespace vg::tz
