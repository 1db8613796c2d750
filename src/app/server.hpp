// The server: worker threads (one io_context each), the HTTP/WebSocket listener and the
// routes, wired together. The adapters are opened here, by the openers of app/compose.hpp.
#pragma once
#include <memory>

#include "app/config.hpp"
#include "ports/clock.hpp"
#include "ports/realtime_model.hpp"
#include "ports/store.hpp"

namespace vg::app {

class store_writer;
class call_registry;
class event_bus;

class server {
 public:
  // `clock`: the time calls run on; the system's when null (a manual one in tests). `model`:
  // what calls talk to; OpenAI's Realtime API (OPENAI_REALTIME_URL) when null.
  explicit server(config cfg, std::shared_ptr<ports::clock> clock = nullptr,
                  std::shared_ptr<ports::realtime_model> model = nullptr);
  ~server();
  // Binds and starts the worker threads; returns the bound port. Throws on a bind error.
  std::uint16_t start();
  // Stops accepting, lets the threads finish, joins them.
  void stop();
  // Blocks until SIGINT or SIGTERM, drains (see begin_drain) until idle() or for at most
  // SHUTDOWN_GRACE_MS (a second signal cuts it short), then stops.
  void run_until_signal();
  // From now on /readyz answers 503; calls and webhooks are still served.
  void begin_drain();
  // No call in progress and no background work (recording transfers, after-call work) running.
  bool idle() const;
  std::size_t active_calls() const;
  // The store's thread, for reading back what calls wrote (API and tests).
  class store_writer& store();
  // The live calls on this node, each with its inbox; the bus of what calls produce.
  class call_registry& calls();
  class event_bus& events();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace vg::app
