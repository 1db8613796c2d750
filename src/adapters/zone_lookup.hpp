// The time-zone port over the system zoneinfo directory: a thin face on zone_cache
// (adapters/zoneinfo.hpp), which does the reading, checking and caching.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "adapters/zoneinfo.hpp"
#include "ports/zones.hpp"

namespace vg::adapters {

class zone_lookup final : public ports::zones {
 public:
  explicit zone_lookup(std::string root = "/usr/share/zoneinfo") : cache_(std::move(root)) {}
  vg::result<std::shared_ptr<const vg::tz::zone>> get(std::string_view name) override { return cache_.get(name); }

 private:
  zone_cache cache_;
};

}  // namespace vg::adapters
