// vg::tz: civil date helpers, the POSIX TZ footer rules and the TZif parser. No file reads: the
// TZif bytes are assembled here (the real /usr/share/zoneinfo is covered by the contract tests).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/time/tzif.hpp"

namespace vg {
namespace {

using tz::days_from_civil;

std::int64_t utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

// ---- a TZif writer ----------------------------------------------------------------------------

struct type_spec { std::int32_t offset; bool dst; std::string abbr; };  // one ttinfo

struct tzif_spec {
  char version = '2';
  std::vector<std::int64_t> times{};
  std::vector<std::uint8_t> idx{};
  std::vector<type_spec> types{{0, false, "UTC"}};
  std::string footer{};          // without the surrounding newlines
  bool decoy_v1 = true;          // v2+: a v1 block that says something else, to prove it is skipped
  std::uint32_t leap_count = 0;  // leap records are written as zeros
};

void put32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}
void put64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

// Header plus data block; abbreviations are stored back to back, each NUL-terminated.
std::string block(const tzif_spec& s, char version, int time_size) {
  std::string chars;
  std::vector<std::uint8_t> abbr_index;
  for (const auto& t : s.types) {
    abbr_index.push_back(static_cast<std::uint8_t>(chars.size()));
    chars += t.abbr + '\0';
  }
  std::string out = "TZif";
  out += version;
  out.append(15, '\0');
  for (std::uint32_t v : {0u, 0u, s.leap_count, static_cast<std::uint32_t>(s.times.size()),
                          static_cast<std::uint32_t>(s.types.size()), static_cast<std::uint32_t>(chars.size())})
    put32(out, v);
  for (auto t : s.times) {
    if (time_size == 8) put64(out, static_cast<std::uint64_t>(t));
    else put32(out, static_cast<std::uint32_t>(t));
  }
  for (auto i : s.idx) out += static_cast<char>(i);
  for (std::size_t i = 0; i < s.types.size(); ++i) {
    put32(out, static_cast<std::uint32_t>(s.types[i].offset));
    out += static_cast<char>(s.types[i].dst ? 1 : 0);
    out += static_cast<char>(abbr_index[i]);
  }
  out += chars;
  out.append(std::size_t{s.leap_count} * static_cast<std::size_t>(time_size + 4), '\0');
  return out;
}

std::string build(const tzif_spec& s) {
  if (s.version == '\0') return block(s, '\0', 4);
  tzif_spec v1 = s;
  if (s.decoy_v1) v1 = tzif_spec{.types = {{3600, true, "BAD"}}};
  return block(v1, s.version, 4) + block(s, s.version, 8) + "\n" + s.footer + "\n";
}

tz::zone footer_zone(const std::string& footer) {
  auto z = tz::parse_tzif("Test/Footer", build({.footer = footer}));
  EXPECT_TRUE(z.ok()) << footer << ": " << (z.ok() ? "" : z.error_message());
  return z.ok() ? *z : *tz::fixed_zone("broken", 0);
}

void expect_local(const tz::zone& z, std::int64_t t, int offset, bool dst, const std::string& abbr) {
  const auto lt = z.to_local(t);
  EXPECT_EQ(lt.utc_offset_s, offset) << z.name() << " at " << t;
  EXPECT_EQ(lt.dst, dst) << z.name() << " at " << t;
  EXPECT_EQ(lt.abbreviation, abbr) << z.name() << " at " << t;
}

// Chicago since 2007, as zic writes it: LMT, then CST with one CDT summer and the US rule after.
tzif_spec chicago_like() {
  tzif_spec s;
  s.types = {{-21036, false, "LMT"}, {-21600, false, "CST"}, {-18000, true, "CDT"}};
  s.times = {-2717647200, utc(2025, 3, 9, 8), utc(2025, 11, 2, 7)};
  s.idx = {1, 2, 1};
  s.footer = "CST6CDT,M3.2.0,M11.1.0";
  return s;
}

// Whether chicago_like() still parses after `edit`.
template <class F>
bool parses_after(F edit) {
  auto s = chicago_like();
  edit(s);
  return tz::parse_tzif("x", build(s)).ok();
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

TEST(tzif, days_from_civil_known_dates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(2000, 2, 29), 11016);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(2026, 3, 8), 20520);
  EXPECT_EQ(days_from_civil(1900, 1, 1), -25567);
  EXPECT_EQ(days_from_civil(1600, 1, 1), -135140);
  EXPECT_EQ(days_from_civil(1, 1, 1), -719162);
}

TEST(tzif, civil_from_days_round_trips_and_counts_every_day) {
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

TEST(tzif, civil_from_days_negative_days_and_leap_days) {
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

TEST(tzif, weekday_from_days) {
  EXPECT_EQ(tz::weekday_from_days(0), 4);  // 1970-01-01, Thursday
  EXPECT_EQ(tz::weekday_from_days(-1), 3);
  EXPECT_EQ(tz::weekday_from_days(-4), 0);
  EXPECT_EQ(tz::weekday_from_days(11016), 2);  // 2000-02-29, Tuesday
  EXPECT_EQ(tz::weekday_from_days(20520), 0);  // 2026-03-08, Sunday
  EXPECT_EQ(tz::weekday_from_days(-719162), 1);  // 0001-01-01, Monday
  EXPECT_EQ(tz::weekday_from_days(std::numeric_limits<std::int64_t>::min()), 3);  // -2^63 = -1 (mod 7)
  for (std::int64_t d = -30; d < 30; ++d) EXPECT_EQ(tz::weekday_from_days(d + 7), tz::weekday_from_days(d));
}

TEST(tzif, format_offset) {
  EXPECT_EQ(tz::format_offset(0), "+00:00");
  EXPECT_EQ(tz::format_offset(-21600), "-06:00");
  EXPECT_EQ(tz::format_offset(19800), "+05:30");
  EXPECT_EQ(tz::format_offset(-12600), "-03:30");
  EXPECT_EQ(tz::format_offset(-11188), "-03:06:28");  // Sao Paulo LMT
  EXPECT_EQ(tz::format_offset(50400), "+14:00");
}

// ---- fixed zones and POSIX footers --------------------------------------------------------------

TEST(tzif, fixed_zone_utc_and_offsets) {
  auto z = tz::fixed_zone("UTC", 0);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->name(), "UTC");
  const auto lt = z->to_local(utc(2000, 2, 29, 23, 59, 59));
  EXPECT_EQ(wall(lt), (std::vector<int>{2000, 2, 29, 23, 59, 59, 2}));
  EXPECT_EQ(lt.abbreviation, "UTC");
  EXPECT_FALSE(lt.dst);
  EXPECT_EQ(tz::fixed_zone("x", 19800)->to_local(0).abbreviation, "+0530");
  EXPECT_EQ(tz::fixed_zone("x", -21600)->to_local(0).abbreviation, "-06");
  EXPECT_EQ(tz::fixed_zone("x", -21600)->to_local(0).hour, 18);
  EXPECT_FALSE(tz::fixed_zone("x", 100000).ok());
  EXPECT_FALSE(tz::fixed_zone("x", -100000).ok());
}

TEST(tzif, footer_std_only) {
  const auto z = footer_zone("UTC0");
  expect_local(z, utc(2026, 7, 1), 0, false, "UTC");
  const auto india = footer_zone("<+0530>-5:30");
  expect_local(india, 0, 19800, false, "+0530");
  EXPECT_EQ(wall(india.to_local(utc(2026, 12, 31, 18, 30))), (std::vector<int>{2027, 1, 1, 0, 0, 0, 5}));
  expect_local(footer_zone("<-03>3"), 0, -10800, false, "-03");
}

TEST(tzif, footer_us_rule_dst_edges) {
  const auto z = footer_zone("CST6CDT,M3.2.0,M11.1.0");
  expect_local(z, utc(2026, 3, 8, 7, 59, 59), -21600, false, "CST");
  expect_local(z, utc(2026, 3, 8, 8, 0, 0), -18000, true, "CDT");
  expect_local(z, utc(2026, 11, 1, 6, 59, 59), -18000, true, "CDT");
  expect_local(z, utc(2026, 11, 1, 7, 0, 0), -21600, false, "CST");
  // 01:59:59 CST is followed by 03:00:00 CDT on Sunday.
  EXPECT_EQ(wall(z.to_local(utc(2026, 3, 8, 8, 0, 0))), (std::vector<int>{2026, 3, 8, 3, 0, 0, 0}));
  // The rule is computed for any year, not from a table.
  expect_local(z, utc(2100, 7, 4, 12), -18000, true, "CDT");
  expect_local(z, utc(2100, 1, 4, 12), -21600, false, "CST");
}

TEST(tzif, footer_rule_without_dates_defaults_to_us_rule) {
  const auto z = footer_zone("EST5EDT");
  expect_local(z, utc(2026, 3, 8, 6, 59, 59), -18000, false, "EST");
  expect_local(z, utc(2026, 3, 8, 7, 0, 0), -14400, true, "EDT");
}

TEST(tzif, footer_southern_rule_spans_new_year) {
  const auto z = footer_zone("AEST-10AEDT,M10.1.0,M4.1.0/3");
  expect_local(z, utc(2026, 1, 1, 0), 39600, true, "AEDT");
  expect_local(z, utc(2025, 12, 31, 13), 39600, true, "AEDT");
  expect_local(z, utc(2026, 7, 1), 36000, false, "AEST");
  // DST ends Sunday 2026-04-05 03:00 AEDT (04-04 16:00Z), starts 2026-10-04 02:00 AEST (10-03 16:00Z).
  expect_local(z, utc(2026, 4, 4, 15, 59, 59), 39600, true, "AEDT");
  expect_local(z, utc(2026, 4, 4, 16, 0, 0), 36000, false, "AEST");
  expect_local(z, utc(2026, 10, 3, 15, 59, 59), 36000, false, "AEST");
  expect_local(z, utc(2026, 10, 3, 16, 0, 0), 39600, true, "AEDT");
}

TEST(tzif, footer_half_hour_dst_offset_and_quoted_names) {
  const auto z = footer_zone("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");  // Lord Howe
  expect_local(z, utc(2026, 1, 15), 39600, true, "+11");
  expect_local(z, utc(2026, 6, 15), 37800, false, "+1030");
}

TEST(tzif, footer_negative_and_large_rule_times) {
  // America/Nuuk 2023-2024: switches at -2:00 and -1:00 local, i.e. 01:00 UTC like the EU.
  const auto z = footer_zone("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1");
  expect_local(z, utc(2026, 3, 29, 0, 59, 59), -10800, false, "-03");
  expect_local(z, utc(2026, 3, 29, 1, 0, 0), -7200, true, "-02");
  expect_local(z, utc(2026, 10, 25, 0, 59, 59), -7200, true, "-02");
  expect_local(z, utc(2026, 10, 25, 1, 0, 0), -10800, false, "-03");
  // Year-round DST is written as "starts Jan 1 00:00, ends Dec 31 25:00" (RFC 8536 3.3.1).
  const auto permanent = footer_zone("EST5EDT,0/0,J365/25");
  for (auto t : {utc(2026, 1, 1, 5, 0, 0), utc(2026, 1, 1, 4, 59, 59), utc(2026, 6, 1), utc(2024, 12, 31, 23)})
    expect_local(permanent, t, -14400, true, "EDT");
}

TEST(tzif, footer_julian_day_forms) {
  // Jn never counts Feb 29: J60 is March 1 in leap and common years alike.
  const auto j = footer_zone("AAA3BBB,J60,J300");
  for (int y : {2024, 2025}) {
    expect_local(j, utc(y, 3, 1, 4, 59, 59), -10800, false, "AAA");
    expect_local(j, utc(y, 3, 1, 5, 0, 0), -7200, true, "BBB");
  }
  // n counts from 0 and includes Feb 29: day 59 is Feb 29 in 2024 but March 1 in 2025.
  const auto n = footer_zone("AAA3BBB,59/0,299/0");
  expect_local(n, utc(2024, 2, 29, 3, 0, 0), -7200, true, "BBB");
  expect_local(n, utc(2024, 2, 29, 2, 59, 59), -10800, false, "AAA");
  expect_local(n, utc(2025, 2, 28, 12), -10800, false, "AAA");
  expect_local(n, utc(2025, 3, 1, 3, 0, 0), -7200, true, "BBB");
}

TEST(tzif, footer_malformed_strings_rejected) {
  for (const char* bad : {"CST", "CS6", "6", "<+05", "<>0", "<+0>0", "CST25", "CST6:60", "CST6:00:60",
                          "CST99999999999999999999", "CST6CDT,M3.2.0", "CST6CDT,", "CST6CDT,M13.1.0,M11.1.0",
                          "CST6CDT,M0.1.0,M11.1.0", "CST6CDT,M3.6.0,M11.1.0", "CST6CDT,M3.0.0,M11.1.0",
                          "CST6CDT,M3.2.7,M11.1.0", "CST6CDT,M3.2,M11.1.0", "CST6CDT,J0,J5", "CST6CDT,366,1",
                          "CST6CDT,M3.2.0/168,M11.1.0", "CST6CDT,M3.2.0,M11.1.0x", "CST6CDT,M3.2.0,M11.1.0,",
                          "CST6 CDT", "CST6CDT5:", "CST-", "CST6CDT,M3.2.0/,M11.1.0", "CST6\n"}) {
    EXPECT_FALSE(tz::parse_tzif("x", build({.footer = bad})).ok()) << bad;
  }
}

// ---- TZif data blocks ---------------------------------------------------------------------------

TEST(tzif, transitions_then_footer) {
  auto z = tz::parse_tzif("America/Chicago", build(chicago_like()));
  ASSERT_TRUE(z.ok()) << z.error_message();
  EXPECT_EQ(z->name(), "America/Chicago");
  expect_local(*z, utc(1850, 1, 1), -21036, false, "LMT");  // before the first transition: type 0
  expect_local(*z, -2717647200 - 1, -21036, false, "LMT");
  expect_local(*z, -2717647200, -21600, false, "CST");  // 1883, only representable in 64 bits
  expect_local(*z, utc(1900, 6, 1), -21600, false, "CST");
  expect_local(*z, utc(2025, 3, 9, 7, 59, 59), -21600, false, "CST");
  expect_local(*z, utc(2025, 3, 9, 8), -18000, true, "CDT");
  expect_local(*z, utc(2026, 3, 8, 7, 59, 59), -21600, false, "CST");  // footer from here on
  expect_local(*z, utc(2026, 3, 8, 8, 0, 0), -18000, true, "CDT");
  expect_local(*z, utc(2026, 11, 1, 6, 59, 59), -18000, true, "CDT");
  expect_local(*z, utc(2026, 11, 1, 7, 0, 0), -21600, false, "CST");
  EXPECT_EQ(wall(z->to_local(utc(1850, 1, 1))), (std::vector<int>{1849, 12, 31, 18, 9, 24, 1}));
}

TEST(tzif, versions_three_and_four_accepted_others_refused) {
  for (char v : {'2', '3', '4'}) EXPECT_TRUE(parses_after([v](tzif_spec& s) { s.version = v; })) << v;
  for (char v : {'1', '5', 'x'}) EXPECT_FALSE(parses_after([v](tzif_spec& s) { s.version = v; })) << v;
}

TEST(tzif, version_one_uses_last_type_after_last_transition) {
  auto s = chicago_like();
  s.version = '\0';
  s.times[0] = std::numeric_limits<std::int32_t>::min();  // v1 cannot express 1883
  auto z = tz::parse_tzif("v1", build(s));
  ASSERT_TRUE(z.ok()) << z.error_message();
  expect_local(*z, utc(2025, 3, 9, 8), -18000, true, "CDT");
  expect_local(*z, utc(2026, 7, 1), -21600, false, "CST");  // no footer: stays on the last type
  EXPECT_FALSE(tz::parse_tzif("v1", build(s) + "x").ok());
}

TEST(tzif, empty_footer_and_no_transitions) {
  auto s = chicago_like();
  s.footer = "";  // allowed: local time after the last transition then stays on the last type
  auto z = tz::parse_tzif("x", build(s));
  ASSERT_TRUE(z.ok()) << z.error_message();
  expect_local(*z, utc(2026, 7, 1), -21600, false, "CST");
  auto utc_zone = tz::parse_tzif("Etc/UTC", build({.footer = "UTC0"}));
  ASSERT_TRUE(utc_zone.ok());
  expect_local(*utc_zone, utc(1900, 1, 1), 0, false, "UTC");
}

TEST(tzif, extreme_instants_do_not_overflow) {
  auto z = tz::parse_tzif("x", build(chicago_like()));
  ASSERT_TRUE(z.ok());
  for (auto t : {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
                 std::int64_t{1} << 60, -(std::int64_t{1} << 59)}) {
    const auto lt = z->to_local(t);
    EXPECT_TRUE(lt.month >= 1 && lt.month <= 12 && lt.day >= 1 && lt.day <= 31 && lt.weekday <= 6) << t;
    (void)tz::fixed_zone("x", 3600)->to_local(t);
  }
}

// ---- malformed TZif -----------------------------------------------------------------------------

TEST(tzif, truncated_input_rejected_at_every_length) {
  const std::string good = build(chicago_like());
  ASSERT_TRUE(tz::parse_tzif("x", good).ok());
  for (std::size_t n = 0; n < good.size(); ++n)
    EXPECT_FALSE(tz::parse_tzif("x", good.substr(0, n)).ok()) << n;
  EXPECT_FALSE(tz::parse_tzif("x", good + "junk").ok());
}

TEST(tzif, bad_headers_and_tables_rejected) {
  EXPECT_FALSE(tz::parse_tzif("x", "").ok());
  EXPECT_FALSE(tz::parse_tzif("x", "TZif2").ok());
  std::string bad_magic = build(chicago_like());
  bad_magic[0] = 'X';
  EXPECT_EQ(tz::parse_tzif("x", bad_magic).error_message(), "not TZif data (bad magic)");

  // Counts far beyond the data (each count at 0xFFFFFFFF) must not be trusted.
  for (int field = 0; field < 6; ++field) {
    std::string huge = build(chicago_like());
    for (int i = 0; i < 4; ++i) huge[static_cast<std::size_t>(20 + field * 4 + i)] = '\xFF';
    EXPECT_FALSE(tz::parse_tzif("x", huge).ok()) << field;
  }
  EXPECT_FALSE(parses_after([](tzif_spec& s) { s.idx[1] = 3; }));              // no type 3
  EXPECT_FALSE(parses_after([](tzif_spec& s) { s.times = {10, 10, 20}; }));    // not strictly ascending
  EXPECT_FALSE(parses_after([](tzif_spec& s) { s.types[1].offset = 100000; }));  // beyond +-26h
  EXPECT_FALSE(parses_after([](tzif_spec& s) { s.leap_count = 1; }));
  EXPECT_FALSE(parses_after([](tzif_spec& s) { s.types.clear(), s.times.clear(), s.idx.clear(); }));  // zero types

  // Abbreviation index past the characters, and characters without a final NUL. The 64-bit
  // character table is "LMT\0CST\0CDT\0", right after the ttinfo of type 2 (CDT).
  const std::string text = build(chicago_like());
  const std::size_t table = text.rfind(std::string("LMT\0CST\0CDT\0", 12));
  ASSERT_NE(table, std::string::npos);
  std::string past_end = text;
  past_end[table - 1] = 12;  // desigidx of CDT = charcnt
  EXPECT_FALSE(tz::parse_tzif("x", past_end).ok());
  std::string unterminated = text;
  unterminated[table + 11] = 'X';
  EXPECT_FALSE(tz::parse_tzif("x", unterminated).ok());
  std::string bad_isdst = text;
  bad_isdst[table - 2] = 2;
  EXPECT_FALSE(tz::parse_tzif("x", bad_isdst).ok());
}

TEST(tzif, garbage_and_mutations_never_crash) {
  std::mt19937 rng(20260308);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(rng() % 200, '\0');
    for (auto& c : junk) c = static_cast<char>(rng() & 0xFF);
    if (i % 2 == 0 && junk.size() >= 5) junk.replace(0, 5, "TZif2");
    EXPECT_FALSE(tz::parse_tzif("x", junk).ok());
  }
  // Flipped bytes in a valid file may still parse; whatever parses must convert without trouble.
  const std::string good = build(chicago_like());
  for (int i = 0; i < 5000; ++i) {
    std::string m = good;
    for (int k = 0; k < 3; ++k) m[rng() % m.size()] = static_cast<char>(rng() & 0xFF);
    auto z = tz::parse_tzif("x", m);
    if (z.ok()) (void)z->to_local(static_cast<std::int64_t>(rng()) * 1000 - (std::int64_t{1} << 41));
  }
}

}  // namespace
}  // namespace vg
