// The real clock: steady_clock for time, system_clock for timestamps, Asio timers for waits.
#pragma once
#include "ports/clock.hpp"

namespace vg::adapters {

class system_clock final : public ports::clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
  std::int64_t unix_ms() const override;
  boost::asio::awaitable<void> sleep_until(time_point deadline) override;
};

}  // namespace vg::adapters
