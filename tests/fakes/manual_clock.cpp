#include "tests/fakes/manual_clock.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vg::fakes {

manual_clock::time_point manual_clock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

std::int64_t manual_clock::unix_ms() const {
  std::lock_guard lock(mutex_);
  return unix_base_ms_ + std::chrono::duration_cast<std::chrono::milliseconds>(elapsed_).count();
}

boost::asio::awaitable<void> manual_clock::sleep_until(time_point deadline) {
  auto timer = std::make_shared<boost::asio::steady_timer>(co_await boost::asio::this_coro::executor,
                                                           boost::asio::steady_timer::time_point::max());
  {
    std::lock_guard lock(mutex_);
    if (deadline <= now_) co_return;
    waiters_.push_back({deadline, timer, timer.get()});
  }
  boost::system::error_code ec;  // cancelled by advance() or by the caller: resume either way
  co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  std::lock_guard lock(mutex_);
  std::erase_if(waiters_, [&](const waiter& w) { return w.id == timer.get(); });
}

void manual_clock::advance(duration d) {
  std::vector<std::shared_ptr<boost::asio::steady_timer>> due;
  {
    std::lock_guard lock(mutex_);
    now_ += d;
    elapsed_ += d;
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->timer.expired()) {
        it = waiters_.erase(it);  // its coroutine is gone (its server stopped)
      } else if (it->deadline <= now_) {
        due.push_back(it->timer.lock());
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  // A timer is touched only on its own executor.
  for (auto& t : due) {
    if (t) boost::asio::post(t->get_executor(), [t] { t->cancel(); });
  }
}

std::size_t manual_clock::waiting() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(waiters_.begin(), waiters_.end(), [](const waiter& w) { return !w.timer.expired(); }));
}

}  // namespace vg::fakes
