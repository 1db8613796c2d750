// The node's event bus: everything calls produce goes out here, once, to every subscriber
// (the store writer, the log, the metrics; the dashboard's feeds later). Subscribers are called
// on the publishing call's thread and must not block it: one that does slow work hands the
// event to its own bounded queue (audio never goes through the bus: a listener has its own
// drop-oldest queue, app/call/audio_listener.hpp). The store subscriber posts to the store's
// thread, whose queue never drops. Thread-safe; subscribing is rare, publishing is cheap.
#pragma once
#include <memory>
#include <mutex>
#include <vector>

#include "app/events/call_event.hpp"

namespace vg::app {

class event_subscriber {
 public:
  virtual ~event_subscriber() = default;
  virtual void on_event(const call_event& e) = 0;
};

class event_bus {
 public:
  void subscribe(std::shared_ptr<event_subscriber> s);
  void unsubscribe(const event_subscriber* s);
  void publish(const call_event& e) const;

 private:
  using list = std::vector<std::shared_ptr<event_subscriber>>;
  mutable std::mutex mutex_;
  std::shared_ptr<const list> subscribers_ = std::make_shared<const list>();  // replaced, never changed
};

}  // namespace vg::app
