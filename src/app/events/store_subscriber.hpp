// Keeps what calls produce: the call row, its transcript, events, usage and end, written on
// the store's thread (store_writer), whose queue never drops a write.
#pragma once
#include "app/events/event_bus.hpp"
#include "app/store_writer.hpp"

namespace vg::app {

class store_subscriber final : public event_subscriber {
 public:
  explicit store_subscriber(store_writer& store) : store_(store) {}
  void on_event(const call_event& e) override;

 private:
  store_writer& store_;
};

}  // namespace vg::app
