// A clock that moves only when a test says so: time limits, waits and back-offs of a call run
// in an instant, and a test sees exactly what happens at each moment. Thread-safe: the server's
// threads wait on it while the test thread advances it.
#pragma once
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "ports/clock.hpp"

namespace vg::fakes {

class manual_clock final : public ports::clock {
 public:
  time_point now() const override;
  std::int64_t unix_ms() const override;
  boost::asio::awaitable<void> sleep_until(time_point deadline) override;

  // Moves time forward; every wait whose deadline has come resumes (on its own thread).
  void advance(duration d);
  // How many coroutines are waiting on this clock now (to know a loop has reached its wait).
  std::size_t waiting() const;

 private:
  // The timer belongs to the waiting coroutine: a server stopped while a call waits destroys it
  // with its io_context, so the clock must not keep it alive (it would outlive its service).
  struct waiter {
    time_point deadline;
    std::weak_ptr<boost::asio::steady_timer> timer;
    const boost::asio::steady_timer* id;
  };
  mutable std::mutex mutex_;
  time_point now_ = time_point{} + std::chrono::hours(24);  // far from zero, like a real uptime
  std::int64_t unix_base_ms_ = 1'780'000'000'000;              // 2026-05-28
  duration elapsed_{0};
  std::vector<waiter> waiters_;
};

}  // namespace vg::fakes
