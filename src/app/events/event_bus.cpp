#include "app/events/event_bus.hpp"

#include <algorithm>

namespace vg::app {

void event_bus::subscribe(std::shared_ptr<event_subscriber> s) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<list>(*subscribers_);
  next->push_back(std::move(s));
  subscribers_ = std::move(next);
}

void event_bus::unsubscribe(const event_subscriber* s) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<list>(*subscribers_);
  std::erase_if(*next, [s](const auto& p) { return p.get() == s; });
  subscribers_ = std::move(next);
}

void event_bus::publish(const call_event& e) const {
  std::shared_ptr<const list> now;
  {
    std::lock_guard lock(mutex_);
    now = subscribers_;
  }
  for (const auto& s : *now) s->on_event(e);
}

}  // namespace vg::app
