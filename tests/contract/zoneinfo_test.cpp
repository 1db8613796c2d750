// vg::adapters::load_zone and zone_cache against the real /usr/share/zoneinfo (Debian tzdata),
// cross-checked against the C library's own reading of the same files.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "adapters/zoneinfo.hpp"

namespace vg {
namespace {

std::int64_t utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return tz::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

tz::zone load(const std::string& name) {
  auto z = adapters::load_zone(name);
  EXPECT_TRUE(z.ok()) << name << ": " << (z.ok() ? "" : z.error_message());
  return z.ok() ? *z : *tz::fixed_zone("broken", 0);
}

// Offset, DST flag, abbreviation and local wall time "YYYY-MM-DD hh:mm:ss".
void expect_local(const tz::zone& z, std::int64_t t, int offset, bool dst, const std::string& abbr,
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

TEST(zoneinfo, far_future_uses_the_footer_rule) {
  expect_local(load("America/Chicago"), utc(2100, 7, 4, 17), -18000, true, "CDT", "2100-07-04 12:00:00");
  expect_local(load("America/Chicago"), utc(2100, 1, 4, 18), -21600, false, "CST", "2100-01-04 12:00:00");
  expect_local(load("Europe/Berlin"), utc(2100, 7, 4, 10), 7200, true, "CEST", "2100-07-04 12:00:00");
  expect_local(load("Australia/Lord_Howe"), utc(2100, 1, 4, 1), 39600, true, "+11", "2100-01-04 12:00:00");
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
    // Still available where no tzdata is installed.
    auto bare = adapters::load_zone(name, "/nonexistent/zoneinfo");
    ASSERT_TRUE(bare.ok()) << bare.error_message();
    EXPECT_EQ(bare->to_local(0).abbreviation, "UTC");
  }
}

TEST(zoneinfo, unknown_and_unsafe_names_refused) {
  auto unknown = adapters::load_zone("Mars/Olympus_Mons");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error_message(), "unknown time zone 'Mars/Olympus_Mons'");
  EXPECT_EQ(adapters::load_zone("America").error_message(), "unknown time zone 'America'");  // a directory
  EXPECT_FALSE(adapters::load_zone("America/Chicago", "/nonexistent/zoneinfo").ok());
  for (const char* bad : {"", "/etc/passwd", "../../etc/passwd", "America/../../../etc/passwd", "..", ".",
                          "zone.tab", "America/Chi cago", "America\\Chicago", "America/Chicago\n", "Am\xc3\xa9rique"}) {
    auto z = adapters::load_zone(bad);
    ASSERT_FALSE(z.ok()) << bad;
    EXPECT_EQ(z.error_message().rfind("invalid time zone name '", 0), 0u) << z.error_message();
  }
  EXPECT_EQ(adapters::load_zone(std::string(200, 'A') + "\x01").error_message(),
            "invalid time zone name '" + std::string(64, 'A') + "...'");
}

// A private zoneinfo root for the cache tests, removed afterwards.
struct temp_root {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("vg_zoneinfo_test_" + std::to_string(std::random_device{}()));
  temp_root() { std::filesystem::create_directories(dir / "Test"); }
  ~temp_root() { std::filesystem::remove_all(dir); }
};

TEST(zoneinfo, file_that_is_not_tzif_is_an_error) {
  temp_root root;
  std::ofstream(root.dir / "Test" / "Junk") << "not a zone file";
  auto z = adapters::load_zone("Test/Junk", root.dir.string());
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(z.error_message(), "time zone 'Test/Junk': not TZif data (bad magic)");
}

TEST(zoneinfo, cache_shares_zones_and_retries_failures) {
  temp_root root;
  adapters::zone_cache cache(root.dir.string());
  auto missing = cache.get("Test/Chicago");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error_message(), "unknown time zone 'Test/Chicago'");
  std::filesystem::copy_file("/usr/share/zoneinfo/America/Chicago", root.dir / "Test" / "Chicago");
  auto first = cache.get("Test/Chicago");  // the failure was not cached
  ASSERT_TRUE(first.ok()) << first.error_message();
  auto again = cache.get("Test/Chicago");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->get(), again->get());
  EXPECT_EQ((*first)->to_local(utc(2026, 7, 1)).abbreviation, "CDT");
}

TEST(zoneinfo, cache_is_thread_safe) {
  adapters::zone_cache cache;
  const std::vector<std::string> names{"America/Chicago", "Europe/Berlin", "Asia/Kolkata", "UTC"};
  std::vector<std::vector<const tz::zone*>> seen(8);
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
TEST(zoneinfo, matches_the_c_library_1950_to_2060) {
  const char* old = std::getenv("TZ");
  const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  // Dublin and Casablanca have negative DST (winter is the "daylight" time), Chatham +12:45.
  const std::vector<std::string> zones{"America/Chicago",   "Europe/Berlin", "Asia/Kolkata",      "Australia/Lord_Howe",
                                       "America/Sao_Paulo", "Europe/Dublin", "Africa/Casablanca", "Pacific/Chatham"};
  std::mt19937_64 rng(1950);
  std::uniform_int_distribution<std::int64_t> when(utc(1950, 1, 1), utc(2060, 12, 31, 23, 59, 59));
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
