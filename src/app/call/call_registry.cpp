#include "app/call/call_registry.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vg::app {

std::string_view name_of(const call_command& c) noexcept {
  struct namer {
    std::string_view operator()(const command::take_over&) const { return "take_over"; }
    std::string_view operator()(const command::hand_back&) const { return "hand_back"; }
    std::string_view operator()(const command::inject_message&) const { return "inject_message"; }
    std::string_view operator()(const command::attach_listener&) const { return "attach_listener"; }
    std::string_view operator()(const command::attach_stream&) const { return "attach_stream"; }
    // The follow-ups keep the names they have after a tool's reply.
    std::string_view operator()(const call::transfer_to& f) const { return call::name_of(f); }
    std::string_view operator()(const call::hang_up& f) const { return call::name_of(f); }
    std::string_view operator()(const call::send_digits& f) const { return call::name_of(f); }
    std::string_view operator()(const call::join_conference& f) const { return call::name_of(f); }
  };
  return std::visit(namer{}, c);
}

void call_inbox::post(call_command command, done_fn done) {
  asio::post(ex_, [self = shared_from_this(), this, command = std::move(command), done = std::move(done)]() mutable {
    if (!handler_) {
      if (done) done(command_result{"the call has ended", "not_found"});
      return;  // a stream's socket closes here with it
    }
    handler_(std::move(command), std::move(done));
  });
}

awaitable<command_result> send_command(std::shared_ptr<call_inbox> inbox, call_command command) {
  // Named, not a temporary in the co_await expression: GCC 12 destroys such temporaries twice,
  // and this one holds a reference to the inbox (docs/decisions/0002-gcc12-coroutine-rules.md).
  auto initiation = [inbox](auto handler, call_command cmd) {
    // std::function wants a copyable callable: the handler and its work guard are shared.
    struct waiting {
      decltype(handler) resume;
      std::optional<decltype(asio::make_work_guard(asio::get_associated_executor(handler)))> work;
    };
    auto w = std::make_shared<waiting>(waiting{std::move(handler), std::nullopt});
    w->work.emplace(asio::make_work_guard(asio::get_associated_executor(w->resume)));
    inbox->post(std::move(cmd), [w](command_result r) {
      auto ex = w->work->get_executor();
      asio::post(ex, [w, r = std::move(r)]() mutable { std::move(w->resume)(std::move(r)); });
    });
  };
  auto result = co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(command_result)>(
      std::move(initiation), asio::use_awaitable, std::move(command));
  co_return result;
}

void call_registry::add(const std::string& call_sid, std::shared_ptr<call_inbox> inbox) {
  std::lock_guard lock(mutex_);
  live_[call_sid] = std::move(inbox);
}

std::shared_ptr<call_inbox> call_registry::find(const std::string& call_sid) const {
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
