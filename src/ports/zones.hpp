// The time-zone port: an organisation's wall clock in its IANA zone ("America/Chicago"), for
// its business hours and the time its assistant is told. Implemented over the system tz
// database (adapters/zone_lookup.hpp); the app only ever sees this interface.
#pragma once
#include <cstdint>
#include <string_view>

#include "core/result.hpp"
#include "core/time/civil.hpp"

namespace vg::ports {

class zones {
 public:
  virtual ~zones() = default;
  // The wall clock at `utc_seconds` in the zone `name`, or why there is none ("unknown time
  // zone 'X'", a refused name). Thread-safe; a zone once found is kept, a failure is not.
  virtual vg::result<tz::local_time> local_time(std::string_view name, std::int64_t utc_seconds) = 0;
  // Whether `name` is a zone this server knows (checked when a document is imported).
  vg::result<tz::local_time> check(std::string_view name) { return local_time(name, 0); }
};

}  // namespace vg::ports
