// The speech-to-speech model a call talks to (OpenAI Realtime; docs/protocols/openai-realtime.md).
// A port so that the session never builds URLs, headers or TLS itself: the adapter
// (adapters/openai_realtime) does, and a test can put any model behind it.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/result.hpp"

namespace vg::ports {

// One open model session: JSON events both ways. Lives on the executor that opened it.
class model_session {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~model_session() = default;
  // Queues an event; never blocks (a peer that stops reading is caught by send_stalled).
  virtual void send(std::string_view event) = 0;
  // Delivers each server event to `on_event` (the view lives until it returns) until the
  // session closes, fails or is aborted.
  virtual boost::asio::awaitable<void> run(std::function<void(std::string_view)> on_event) = 0;
  // A send has waited longer than `limit` (a half-dead peer).
  virtual bool send_stalled(time_point now, std::chrono::milliseconds limit) const = 0;
  // The session ended because the peer let too much pile up unsent.
  virtual bool overflowed() const = 0;
  virtual void abort() = 0;
  virtual boost::asio::awaitable<void> close(std::chrono::milliseconds grace) = 0;
};

class realtime_model {
 public:
  virtual ~realtime_model() = default;
  // Opens a session on the calling coroutine's executor, or says why it could not.
  virtual boost::asio::awaitable<result<std::unique_ptr<model_session>>> open() = 0;
};

}  // namespace vg::ports
