// The time-zone port: an organisation's IANA zone ("America/Chicago") by name, for its business
// hours and the wall clock its assistant is told. Implemented over the system zoneinfo files
// (adapters/zone_lookup.hpp); the app only ever sees this interface.
#pragma once
#include <memory>
#include <string_view>

#include "core/result.hpp"
#include "core/time/tzif.hpp"

namespace vg::ports {

class zones {
 public:
  virtual ~zones() = default;
  // The zone `name` names, or why there is none ("unknown time zone 'X'", a refused name).
  // Thread-safe; a zone once found is kept, a failure is not (a zone installed later is found).
  virtual vg::result<std::shared_ptr<const vg::tz::zone>> get(std::string_view name) = 0;
};

}  // namespace vg::ports
