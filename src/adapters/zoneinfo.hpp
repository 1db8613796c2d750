// Loads IANA time zones (e.g. "America/Chicago") from the system zoneinfo directory and parses
// them with the pure vg::tz code. The organisation's zone comes from configuration, so names are
// checked before they are turned into a path.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time/tzif.hpp"

namespace vg::adapters {

// Reads and parses root/name. Refuses names that are empty, absolute, contain "..", or have
// characters outside [A-Za-z0-9_+-/]; an unknown name gives "unknown time zone 'X'". "UTC" and
// "Etc/UTC" work even where the tzdata package is missing (minimal containers).
vg::result<vg::tz::zone> load_zone(std::string_view name, const std::string& root = "/usr/share/zoneinfo");

// Thread-safe cache of loaded zones. Failures are not cached, so a zone that appears later (a
// tzdata install, a fixed typo in the file system) is picked up on the next call.
class zone_cache {
 public:
  explicit zone_cache(std::string root = "/usr/share/zoneinfo");
  vg::result<std::shared_ptr<const vg::tz::zone>> get(std::string_view name);

 private:
  const std::string root_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const vg::tz::zone>, std::less<>> zones_;  // guarded by mu_
};

}  // namespace vg::adapters
