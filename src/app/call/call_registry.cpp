#include "app/call/call_registry.hpp"

namespace vg::app {

void call_registry::add(const std::string& call_sid, std::shared_ptr<call_handle> handle) {
  std::lock_guard lock(mutex_);
  live_[call_sid] = std::move(handle);
}

std::shared_ptr<call_handle> call_registry::find(const std::string& call_sid) const {
  std::lock_guard lock(mutex_);
  const auto it = live_.find(call_sid);
  return it == live_.end() ? nullptr : it->second;
}

void call_registry::remove(const std::string& call_sid, call::end_reason why) {
  std::lock_guard lock(mutex_);
  live_.erase(call_sid);
  remember_locked(call_sid, why);
}

void call_registry::ending(const std::string& call_sid, call::end_reason why) {
  std::lock_guard lock(mutex_);
  remember_locked(call_sid, why);
}

void call_registry::remember_locked(const std::string& call_sid, call::end_reason why) {
  const auto now = clock::now();
  recently_ended_[call_sid] = ended{why, now};
  if (recently_ended_.size() > 1024) prune_locked(now);
}

std::optional<call::end_reason> call_registry::ended_reason(const std::string& call_sid) const {
  std::lock_guard lock(mutex_);
  const auto it = recently_ended_.find(call_sid);
  if (it == recently_ended_.end()) return std::nullopt;
  return it->second.why;
}

std::size_t call_registry::active() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

void call_registry::prune_locked(clock::time_point now) {
  for (auto it = recently_ended_.begin(); it != recently_ended_.end();) {
    it = now - it->second.at > std::chrono::minutes(10) ? recently_ended_.erase(it) : std::next(it);
  }
}

}  // namespace vg::app
