// Writes what calls produce to the log, one line per event, tagged with the call's SID.
#pragma once
#include "app/events/event_bus.hpp"

namespace vg::app {

class log_subscriber final : public event_subscriber {
 public:
  void on_event(const call_event& e) override;
};

}  // namespace vg::app
