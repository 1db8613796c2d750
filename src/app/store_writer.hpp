// The store's own thread: calls post their writes here and go on, so a slow disk or a busy
// database never blocks a call's thread. Writes run in order on one thread (SQLite wants
// one connection per thread). A failed write is logged with its call SID and retried once.
// post() is thread-safe.
#pragma once
#include <functional>
#include <future>
#include <memory>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

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

 private:
  std::unique_ptr<ports::store> store_;
  boost::asio::thread_pool pool_{1};
};

}  // namespace vg::app
