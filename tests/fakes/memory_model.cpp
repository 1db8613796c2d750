#include "tests/fakes/memory_model.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

namespace vg::fakes {

namespace asio = boost::asio;

struct memory_model::shared {
  explicit shared(asio::any_io_executor ex) : executor(ex), wake(ex, asio::steady_timer::time_point::max()) {}
  asio::any_io_executor executor;
  asio::steady_timer wake;  // cancelled when the session ends; touched on `executor` only
  std::function<void(std::string_view)> on_event;  // on `executor` only
  bool ended = false;                             // on `executor` only
  mutable std::mutex mutex;                       // guards `sent`
  std::vector<std::string> sent;
};

namespace {

class memory_session final : public ports::model_session {
 public:
  explicit memory_session(std::shared_ptr<memory_model::shared> s) : s_(std::move(s)) {}
  void send(std::string_view event) override {
    std::lock_guard lock(s_->mutex);
    s_->sent.emplace_back(event);
  }
  asio::awaitable<void> run(std::function<void(std::string_view)> on_event) override {
    s_->on_event = std::move(on_event);
    boost::system::error_code ec;  // cancelled: the session ended, or the call's loops did
    if (!s_->ended) co_await s_->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    s_->on_event = nullptr;
    s_->ended = true;
  }
  bool send_stalled(time_point, std::chrono::milliseconds) const override { return false; }
  bool overflowed() const override { return false; }
  void abort() override {
    s_->ended = true;
    s_->wake.cancel();
  }
  asio::awaitable<void> close(std::chrono::milliseconds) override {
    abort();
    co_return;
  }

 private:
  std::shared_ptr<memory_model::shared> s_;
};

}  // namespace

asio::awaitable<result<std::unique_ptr<ports::model_session>>> memory_model::open() {
  auto s = std::make_shared<shared>(co_await asio::this_coro::executor);
  {
    std::lock_guard lock(mutex_);
    sessions_.push_back(s);
  }
  co_return std::unique_ptr<ports::model_session>(std::make_unique<memory_session>(std::move(s)));
}

std::size_t memory_model::sessions() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::vector<std::string> memory_model::sent(std::size_t session) const {
  std::shared_ptr<shared> s;
  {
    std::lock_guard lock(mutex_);
    if (session >= sessions_.size()) return {};
    s = sessions_[session];
  }
  std::lock_guard lock(s->mutex);
  return s->sent;
}

std::vector<std::string> memory_model::sent_types(std::size_t session) const {
  std::vector<std::string> out;
  for (const auto& e : sent(session)) out.emplace_back(boost::json::parse(e).at("type").as_string());
  return out;
}

void memory_model::push(std::size_t session, std::string event) {
  std::lock_guard lock(mutex_);
  if (session >= sessions_.size()) return;
  auto s = sessions_[session];
  asio::post(s->executor, [s, event = std::move(event)] {
    if (s->on_event) s->on_event(event);
  });
}

void memory_model::drop(std::size_t session) {
  std::lock_guard lock(mutex_);
  if (session >= sessions_.size()) return;
  auto s = sessions_[session];
  asio::post(s->executor, [s] {
    s->ended = true;
    s->wake.cancel();
  });
}

}  // namespace vg::fakes
