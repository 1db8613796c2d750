// An io_context on its own thread, for fakes that must run beside the server under test.
// run_sync() runs a coroutine on the loop and blocks the test thread until it finishes.
#pragma once
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <functional>
#include <thread>

#include <optional>

#include "core/result.hpp"
#include "net/asio.hpp"

namespace vg::fakes {

class event_loop {
 public:
  event_loop() : guard_(asio::make_work_guard(ctx_)), thread_([this] { ctx_.run(); }) {}
  ~event_loop() { stop(); }
  // Stops and joins the thread; the context stays alive (not running) until destruction, so
  // objects bound to it can still be destroyed safely.
  void stop() {
    guard_.reset();
    ctx_.stop();
    if (thread_.joinable()) thread_.join();
  }
  asio::io_context& context() { return ctx_; }
  asio::any_io_executor executor() { return ctx_.get_executor(); }

  template <class T>
  T run_sync(awaitable<T> work) {
    return asio::co_spawn(ctx_, std::move(work), asio::use_future).get();
  }
  void run_sync(awaitable<void> work) { asio::co_spawn(ctx_, std::move(work), asio::use_future).get(); }

 private:
  asio::io_context ctx_{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// co_spawn's future needs a default-constructible value, and vg::result is not: run_sync(settle(x)).
template <class T>
awaitable<std::optional<result<T>>> settle(awaitable<result<T>> work) {
  auto r = co_await std::move(work);
  co_return std::optional<result<T>>(std::move(r));
}

// Polls `condition` until it holds or `limit` passes. Tests wait on observable effects.
inline bool wait_until(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return condition();
}

}  // namespace vg::fakes
