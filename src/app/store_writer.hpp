// The store's own thread: calls post their writes here and go on, so a slow disk or a busy
// database never blocks a call's thread. Writes run in order on one thread (SQLite wants
// one connection per thread). A failed write is logged with its call SID and retried once.
// post() is thread-safe.
#pragma once
#include <functional>
#include <future>
#include <memory>
#include <optional>

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ports/store.hpp"

namespace vg::app {

class store_writer {
 public:
  // Takes ownership of the store; migrations must have been applied.
  explicit store_writer(std::unique_ptr<ports::store> store);
  ~store_writer();  // drains pending writes

  void post(std::string call_sid, std::function<void(ports::store&)> write);

  // Runs `read` on the store thread after every write posted before it; for the API and tests.
  template <class F>
  auto query(F read) -> std::future<decltype(read(std::declval<ports::store&>()))> {
    using T = decltype(read(std::declval<ports::store&>()));
    auto task = std::make_shared<std::packaged_task<T()>>([this, read = std::move(read)] { return read(*store_); });
    auto result = task->get_future();
    boost::asio::post(pool_, [task] { (*task)(); });
    return result;
  }

  // The same for a coroutine: the caller's thread is free while the store works, and it
  // resumes on its own executor. An exception from `read` is rethrown in the caller.
  template <class F>
  auto run(F read) -> boost::asio::awaitable<decltype(read(std::declval<ports::store&>()))> {
    using T = decltype(read(std::declval<ports::store&>()));
    auto value = co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                                      void(std::exception_ptr, std::optional<T>)>(
        [this](auto handler, F fn) {
          auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
          boost::asio::post(pool_, [this, fn = std::move(fn), handler = std::move(handler), work = std::move(work)]() mutable {
            std::exception_ptr error;
            std::optional<T> v;
            try {
              v.emplace(fn(*store_));
            } catch (...) {
              error = std::current_exception();
            }
            auto ex = work.get_executor();
            boost::asio::post(ex, [handler = std::move(handler), error, v = std::move(v)]() mutable {
              std::move(handler)(error, std::move(v));
            });
          });
        },
        boost::asio::use_awaitable, std::move(read));
    co_return std::move(*value);
  }

 private:
  std::unique_ptr<ports::store> store_;
  boost::asio::thread_pool pool_{1};
};

}  // namespace vg::app
