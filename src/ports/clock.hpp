// The clock calls run on: what time it is and waiting for a moment. A port so that the
// session's time logic (duration limits, the wait for the media stream, reconnect back-off,
// the ticker) runs on a manual clock in tests, without sleeping. Socket health (a send stalled
// for SEND_TIMEOUT_MS, connect deadlines) stays on the real clock: it is about the network.
#pragma once
#include <chrono>
#include <cstdint>

#include <boost/asio/awaitable.hpp>

namespace vg::ports {

class clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;

  virtual ~clock() = default;
  virtual time_point now() const = 0;       // monotonic
  virtual std::int64_t unix_ms() const = 0;  // wall clock, for what is stored or sent
  // Resumes at `deadline`, or earlier when the waiting operation is cancelled (the `||` of a
  // call's loops). Runs on the awaiting coroutine's executor.
  virtual boost::asio::awaitable<void> sleep_until(time_point deadline) = 0;

  boost::asio::awaitable<void> sleep_for(duration d) { return sleep_until(now() + d); }
};

}  // namespace vg::ports
