// Counts what calls produce, for /metrics (Prometheus text format): calls started and ended
// (by reason), barge-ins, tool calls, model errors, refused messages, and call actions
// (transfers, takeovers...) by name. Counters only grow; lock-free on the call's thread for
// the fixed ones.
#pragma once
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "app/events/event_bus.hpp"

namespace vg::app {

class metrics_subscriber final : public event_subscriber {
 public:
  void on_event(const call_event& e) override;
  // The counters in Prometheus' text exposition format.
  std::string exposition() const;

 private:
  std::atomic<std::uint64_t> started_{0};
  std::array<std::atomic<std::uint64_t>, 5> ended_{};  // by call::end_reason
  std::array<std::atomic<std::uint64_t>, 13> notes_{};  // by call::note_kind
  mutable std::mutex actions_mutex_;  // actions are rare (a transfer, a takeover)
  std::map<std::string, std::uint64_t> actions_;
};

}  // namespace vg::app
