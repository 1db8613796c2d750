// The time-zone port over the system tz database: a thin face on zone_cache
// (adapters/zoneinfo.hpp), which does the reading, checking and caching.
#pragma once
#include <string_view>

#include "adapters/zoneinfo.hpp"
#include "ports/zones.hpp"

namespace vg::adapters {

class zone_lookup final : public ports::zones {
 public:
  vg::result<tz::local_time> local_time(std::string_view name, std::int64_t utc_seconds) override {
    auto zone = cache_.get(name);
    if (!zone) return zone.failure();
    return (*zone)->to_local(utc_seconds);
  }

 private:
  zone_cache cache_;
};

}  // namespace vg::adapters
