// vg::adapters::load_zone and zone_cache (date/tz over the real /usr/share/zoneinfo, Debian's
// tzdata), cross-checked against the C library's own reading of the same files.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>

#include "adapters/zoneinfo.hpp"
#include "core/agent/business_hours.hpp"

namespace vg {
namespace {

std::int64_t utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return tz::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

adapters::zone load(const std::string& name) {
  auto z = adapters::load_zone(name);
  EXPECT_TRUE(z.ok()) << name << ": " << (z.ok() ? "" : z.error_message());
  return z.ok() ? *z : *adapters::load_zone("UTC");
}

// Offset, DST flag, abbreviation and local wall time "YYYY-MM-DD hh:mm:ss".
void expect_local(const adapters::zone& z, std::int64_t t, int offset, bool dst, const std::string& abbr,
                  const std::string& wall) {
  const auto lt = z.to_local(t);
  EXPECT_EQ(lt.utc_offset_s, offset) << z.name() << " at " << t;
  EXPECT_EQ(lt.dst, dst) << z.name() << " at " << t;
  EXPECT_EQ(lt.abbreviation, abbr) << z.name() << " at " << t;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", lt.year, lt.month, lt.day, lt.hour, lt.minute,
                lt.second);
  EXPECT_EQ(buf, wall) << z.name() << " at " << t;
}

TEST(zoneinfo, chicago_2026_dst_edges) {
  const auto z = load("America/Chicago");
  EXPECT_EQ(z.name(), "America/Chicago");
  expect_local(z, utc(2026, 3, 8, 7, 59, 59), -21600, false, "CST", "2026-03-08 01:59:59");
  expect_local(z, utc(2026, 3, 8, 8, 0, 0), -18000, true, "CDT", "2026-03-08 03:00:00");
  expect_local(z, utc(2026, 11, 1, 6, 59, 59), -18000, true, "CDT", "2026-11-01 01:59:59");
  expect_local(z, utc(2026, 11, 1, 7, 0, 0), -21600, false, "CST", "2026-11-01 01:00:00");
  EXPECT_EQ(z.to_local(utc(2026, 3, 8, 8)).weekday, 0);
  EXPECT_EQ(tz::format_offset(z.to_local(utc(2026, 1, 15)).utc_offset_s), "-06:00");
}

// The spring-forward of 2026 in Chicago, with every value worked out by hand: DST starts on the
// second Sunday of March (March 1 2026 is a Sunday, so March 8) at 02:00 CST = 08:00 UTC.
// 2026-03-08 is day 20520 since 1970 (56 years, 14 of them leap: 56*365+14 = 20454 days to
// 2026-01-01, plus 31+28+7 = 66), so 08:00 UTC is 20520*86400 + 8*3600 = 1772956800.
TEST(zoneinfo, chicago_spring_forward_2026_by_hand) {
  const auto z = load("America/Chicago");
  expect_local(z, 1772956799, -6 * 3600, false, "CST", "2026-03-08 01:59:59");  // 07:59:59 UTC
  expect_local(z, 1772956800, -5 * 3600, true, "CDT", "2026-03-08 03:00:00");   // 08:00:00 UTC: 02:xx never happens
  EXPECT_EQ(z.to_local(1772956799).weekday, 0);  // a Sunday on both sides
  EXPECT_EQ(z.to_local(1772956800).weekday, 0);
  EXPECT_EQ(tz::format_offset(z.to_local(1772956800).utc_offset_s), "-05:00");
  // Open Sundays 09:00-12:00: at 14:30 UTC it is 09:30 CDT, open; a fixed UTC-6 would say 08:30.
  auto hours = agent::parse_hours(boost::json::parse(R"({"sun": "09:00-12:00"})"));
  ASSERT_TRUE(hours.ok()) << hours.error_message();
  const auto morning = z.to_local(1772956800 + 6 * 3600 + 30 * 60);
  EXPECT_EQ(morning.hour * 60 + morning.minute, 9 * 60 + 30);
  EXPECT_TRUE(agent::status_at(*hours, morning.weekday, morning.hour * 60 + morning.minute).open);
}

TEST(zoneinfo, berlin_2026) {
  const auto z = load("Europe/Berlin");
  expect_local(z, utc(2026, 3, 29, 0, 59, 59), 3600, false, "CET", "2026-03-29 01:59:59");
  expect_local(z, utc(2026, 3, 29, 1, 0, 0), 7200, true, "CEST", "2026-03-29 03:00:00");
  expect_local(z, utc(2026, 10, 25, 0, 59, 59), 7200, true, "CEST", "2026-10-25 02:59:59");
  expect_local(z, utc(2026, 10, 25, 1, 0, 0), 3600, false, "CET", "2026-10-25 02:00:00");
}

TEST(zoneinfo, kolkata_half_hour_offset_without_dst) {
  const auto z = load("Asia/Kolkata");
  expect_local(z, utc(2026, 1, 15, 12), 19800, false, "IST", "2026-01-15 17:30:00");
  expect_local(z, utc(2026, 7, 15, 18, 30), 19800, false, "IST", "2026-07-16 00:00:00");
  EXPECT_EQ(tz::format_offset(z.to_local(utc(2026, 7, 15)).utc_offset_s), "+05:30");
}

TEST(zoneinfo, lord_howe_half_hour_dst) {
  const auto z = load("Australia/Lord_Howe");
  expect_local(z, utc(2026, 4, 4, 14, 59, 59), 39600, true, "+11", "2026-04-05 01:59:59");
  expect_local(z, utc(2026, 4, 4, 15, 0, 0), 37800, false, "+1030", "2026-04-05 01:30:00");
  expect_local(z, utc(2026, 10, 3, 15, 29, 59), 37800, false, "+1030", "2026-10-04 01:59:59");
  expect_local(z, utc(2026, 10, 3, 15, 30, 0), 39600, true, "+11", "2026-10-04 02:30:00");
}

TEST(zoneinfo, sao_paulo_has_no_dst_since_2019) {
  const auto z = load("America/Sao_Paulo");
  expect_local(z, utc(2018, 1, 15, 12), -7200, true, "-02", "2018-01-15 10:00:00");
  expect_local(z, utc(2026, 1, 15, 12), -10800, false, "-03", "2026-01-15 09:00:00");
  expect_local(z, utc(2030, 12, 15, 12), -10800, false, "-03", "2030-12-15 09:00:00");
}

// Debian's zone files list transitions up to 2037 ("fat" files), which date/tz reads; it does not
// use the files' POSIX footer rule, so instants after 2037 keep the last listed offset.
TEST(zoneinfo, listed_transitions_reach_2037) {
  expect_local(load("America/Chicago"), utc(2037, 7, 4, 17), -18000, true, "CDT", "2037-07-04 12:00:00");
  expect_local(load("America/Chicago"), utc(2037, 1, 4, 18), -21600, false, "CST", "2037-01-04 12:00:00");
  expect_local(load("Europe/Berlin"), utc(2037, 7, 4, 10), 7200, true, "CEST", "2037-07-04 12:00:00");
  expect_local(load("Australia/Lord_Howe"), utc(2037, 1, 4, 1), 39600, true, "+11", "2037-01-04 12:00:00");
}

TEST(zoneinfo, before_the_first_transition_is_local_mean_time) {
  // Sao Paulo kept LMT (-3:06:28) until 1914.
  expect_local(load("America/Sao_Paulo"), utc(1900, 6, 1, 12), -11188, false, "LMT", "1900-06-01 08:53:32");
  EXPECT_EQ(tz::format_offset(-11188), "-03:06:28");
}

TEST(zoneinfo, utc_names) {
  for (const char* name : {"UTC", "Etc/UTC"}) {
    const auto z = load(name);
    EXPECT_EQ(z.name(), name);
    expect_local(z, utc(2026, 3, 8, 8), 0, false, "UTC", "2026-03-08 08:00:00");
  }
}

TEST(zoneinfo, unknown_and_unsafe_names_refused) {
  auto unknown = adapters::load_zone("Mars/Olympus_Mons");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error_message(), "unknown time zone 'Mars/Olympus_Mons'");
  EXPECT_EQ(adapters::load_zone("America").error_message(), "unknown time zone 'America'");  // a directory
  EXPECT_EQ(adapters::load_zone("right/UTC").error_message(), "unknown time zone 'right/UTC'");  // leap seconds
  for (const char* bad : {"", "/etc/passwd", "../../etc/passwd", "America/../../../etc/passwd", "..", ".",
                          "zone.tab", "America/Chi cago", "America\\Chicago", "America/Chicago\n", "Am\xc3\xa9rique"}) {
    auto z = adapters::load_zone(bad);
    ASSERT_FALSE(z.ok()) << bad;
    EXPECT_EQ(z.error_message().rfind("invalid time zone name '", 0), 0u) << z.error_message();
  }
  EXPECT_EQ(adapters::load_zone(std::string(200, 'A') + "\x01").error_message(),
            "invalid time zone name '" + std::string(64, 'A') + "...'");
}

TEST(zoneinfo, cache_shares_zones_and_does_not_keep_failures) {
  adapters::zone_cache cache;
  auto missing = cache.get("Test/Chicago");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error_message(), "unknown time zone 'Test/Chicago'");
  auto first = cache.get("America/Chicago");
  ASSERT_TRUE(first.ok()) << first.error_message();
  auto again = cache.get("America/Chicago");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->get(), again->get());
  EXPECT_EQ((*first)->to_local(utc(2026, 7, 1)).abbreviation, "CDT");
  EXPECT_FALSE(cache.get("Test/Chicago").ok());
}

TEST(zoneinfo, cache_is_thread_safe) {
  adapters::zone_cache cache;
  const std::vector<std::string> names{"America/Chicago", "Europe/Berlin", "Asia/Kolkata", "UTC"};
  std::vector<std::vector<const adapters::zone*>> seen(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 50; ++round)
        for (const auto& n : names) {
          auto z = cache.get(n);
          seen[i].push_back(z.ok() ? z->get() : nullptr);
        }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : seen)
    for (std::size_t k = 0; k < s.size(); ++k) {
      ASSERT_NE(s[k], nullptr);
      EXPECT_EQ(s[k], seen[0][k % names.size()]);  // every thread got the same shared zone
    }
}

// The C library reads the same files; its answers must match ours. TZ is process-wide, so it is
// restored afterwards (the test binary runs tests one at a time).
TEST(zoneinfo, matches_the_c_library_1950_to_2037) {
  const char* old = std::getenv("TZ");
  const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  // Dublin and Casablanca have negative DST (winter is the "daylight" time), Chatham +12:45.
  const std::vector<std::string> zones{"America/Chicago",   "Europe/Berlin", "Asia/Kolkata",      "Australia/Lord_Howe",
                                       "America/Sao_Paulo", "Europe/Dublin", "Africa/Casablanca", "Pacific/Chatham"};
  std::mt19937_64 rng(1950);
  std::uniform_int_distribution<std::int64_t> when(utc(1950, 1, 1), utc(2037, 10, 31, 23, 59, 59));
  int compared = 0;
  for (const auto& name : zones) {
    const auto z = load(name);
    ASSERT_EQ(setenv("TZ", name.c_str(), 1), 0);
    tzset();
    for (int i = 0; i < 2000; ++i) {
      const std::int64_t t = when(rng);
      const auto time = static_cast<std::time_t>(t);
      std::tm tm{};
      ASSERT_NE(localtime_r(&time, &tm), nullptr);
      const auto lt = z.to_local(t);
      ASSERT_EQ(lt.utc_offset_s, tm.tm_gmtoff) << name << " at " << t;
      ASSERT_EQ(lt.dst, tm.tm_isdst > 0) << name << " at " << t;
      ASSERT_EQ(lt.abbreviation, tm.tm_zone) << name << " at " << t;
      ASSERT_EQ((std::vector<int>{lt.year, lt.month, lt.day, lt.hour, lt.minute, lt.second, lt.weekday}),
                (std::vector<int>{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                                  tm.tm_wday}))
          << name << " at " << t;
      ++compared;
    }
  }
  if (saved) setenv("TZ", saved->c_str(), 1);
  else unsetenv("TZ");
  tzset();
  EXPECT_EQ(compared, 16000);
}

}  // namespace
}  // namespace vg
