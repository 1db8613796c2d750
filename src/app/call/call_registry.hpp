// Calls in progress on this node, by CallSid: each with the inbox through which the rest of
// voxgate talks to it (the media stream that arrives on another thread, the REST API, tools,
// the dashboard), and, for a while after its end, why it ended (for the <Connect action>
// request). Touched only at call set-up and tear-down and per command, never per frame, so
// one mutex is enough. Thread-safe.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "app/call/call_commands.hpp"
#include "core/call/call_bridge.hpp"
#include "net/asio.hpp"

namespace vg::app {

// A live call's inbox. Commands are posted from any thread and run on the call's own.
class call_inbox : public std::enable_shared_from_this<call_inbox> {
 public:
  using done_fn = std::function<void(command_result)>;
  using handler_fn = std::function<void(call_command, done_fn)>;

  explicit call_inbox(asio::any_io_executor ex) : ex_(std::move(ex)) {}
  const asio::any_io_executor& executor() const noexcept { return ex_; }

  // Thread-safe. Runs `command` on the call's thread; `done` (optional) is called there with
  // how it went, or with a not_found error when the call has ended by then.
  void post(call_command command, done_fn done = {});

  // The call's side, on its own thread: commands are taken from open() to close().
  void open(handler_fn handler) { handler_ = std::move(handler); }
  void close() { handler_ = nullptr; }

 private:
  asio::any_io_executor ex_;
  handler_fn handler_;  // only touched on ex_
};

// Sends a command and waits for its result; resumes on the caller's executor.
awaitable<command_result> send_command(std::shared_ptr<call_inbox> inbox, call_command command);

class call_registry {
 public:
  void add(const std::string& call_sid, std::shared_ptr<call_inbox> inbox);
  std::shared_ptr<call_inbox> find(const std::string& call_sid) const;
  // Removes the call and remembers why it ended (for the <Connect action> request).
  void remove(const std::string& call_sid, call::end_reason why);
  // Remembers why a call is ending before its stream is closed: Twilio's <Connect action>
  // request may arrive before the session has finished and called remove().
  void ending(const std::string& call_sid, call::end_reason why);
  std::optional<call::end_reason> ended_reason(const std::string& call_sid) const;
  std::size_t active() const;

 private:
  using clock = std::chrono::steady_clock;
  void prune_locked(clock::time_point now);
  void remember_locked(const std::string& call_sid, call::end_reason why);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<call_inbox>> live_;
  struct ended {
    call::end_reason why;
    clock::time_point at;
  };
  std::unordered_map<std::string, ended> recently_ended_;
};

}  // namespace vg::app
