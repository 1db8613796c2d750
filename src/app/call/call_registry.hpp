// Calls in progress on this node, by CallSid, so the media stream (which may arrive on
// another thread) finds the session the webhook started, and the <Connect action> request
// learns how the stream ended. Touched only at call set-up and tear-down, never per frame,
// so one mutex is enough. Thread-safe.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/call/call_bridge.hpp"
#include "net/asio.hpp"
#include "net/ws_connection.hpp"

namespace vg::app {

// The attached Twilio stream: its connection and the messages already read from it.
struct twilio_stream {
  std::unique_ptr<net::ws_connection> connection;
  std::vector<std::string> early_messages;  // `connected` and `start`, replayed into the bridge
};

// A live call's mailbox. `attach` runs on the call's executor only.
struct call_handle {
  asio::any_io_executor executor;
  std::function<void(twilio_stream)> attach;  // set by the session; empty once it ended
};

class call_registry {
 public:
  void add(const std::string& call_sid, std::shared_ptr<call_handle> handle);
  std::shared_ptr<call_handle> find(const std::string& call_sid) const;
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
  std::unordered_map<std::string, std::shared_ptr<call_handle>> live_;
  struct ended {
    call::end_reason why;
    clock::time_point at;
  };
  std::unordered_map<std::string, ended> recently_ended_;
};

}  // namespace vg::app
