#include "core/call/idle_watch.hpp"

namespace vg::call {

void idle_watch::start(micros now) noexcept {
  if (started_) return;
  started_ = true;
  since_ = now;
}

void idle_watch::caller_active(micros now) noexcept {
  since_ = now;
  nudged_ = false;
}

void idle_watch::assistant_active(micros now) noexcept { since_ = now; }

idle_watch::action idle_watch::on_tick(micros now) noexcept {
  if (!enabled() || !started_ || done_ || now - since_ < timeout_) return action::none;
  since_ = now;
  if (!nudged_) {
    nudged_ = true;
    return action::nudge;
  }
  done_ = true;
  return action::goodbye;
}

}  // namespace vg::call
