// IANA time zones (e.g. "America/Chicago") from the system tz database, through Howard Hinnant's
// date/tz (Debian's libhowardhinnant-date-dev, built with USE_OS_TZDB: it reads the TZif files
// under /usr/share/zoneinfo). The organisation's zone comes from configuration, so names are
// checked before they are looked up.
//
// date/tz lists the zone names once, on first use, and reads a zone's file the first time that
// zone is asked for; a tzdata installed later is seen after a restart. It reads only the files'
// transitions, not their POSIX footer rule: Debian's "fat" files list transitions up to 2037, so
// later instants keep the last listed offset.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time/civil.hpp"

namespace date {
class time_zone;
}

namespace vg::adapters {

// One zone of the database. Immutable, so one zone may be used from many threads at once.
class zone {
 public:
  const std::string& name() const { return name_; }
  tz::local_time to_local(std::int64_t utc_seconds) const;

 private:
  friend vg::result<zone> load_zone(std::string_view name);
  zone(std::string name, const date::time_zone* tz) : name_(std::move(name)), tz_(tz) {}

  std::string name_;
  const date::time_zone* tz_;  // owned by date/tz's database, which lives as long as the process; null: UTC
};

// Looks the zone up and reads it. Refuses names that are empty, absolute, contain "..", or have
// characters outside [A-Za-z0-9_+-/]; an unknown name gives "unknown time zone 'X'". "UTC" and
// "Etc/UTC" work even where the tzdata package is missing (minimal containers).
vg::result<zone> load_zone(std::string_view name);

// Thread-safe cache of loaded zones. Failures are not cached.
class zone_cache {
 public:
  // Has date/tz list the database's zones now, not on first use (about 0.1 s for Debian's tzdata),
  // so that the first call after a start does not wait for it.
  zone_cache();
  vg::result<std::shared_ptr<const zone>> get(std::string_view name);

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const zone>, std::less<>> zones_;  // guarded by mu_
};

}  // namespace vg::adapters
