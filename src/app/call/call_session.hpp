// A call session: the I/O shell around call_bridge. One per call, on one io_context thread
// (its strand), joined with `||` so the first loop to end ends the call (docs/architecture.md#the-call-session):
// the model loop (connect, reconnect, read), the Twilio loop (wait for the stream, read,
// write) and a ticker (time limits, stalled sends). No locks on the media path.
#pragma once
#include <optional>
#include <string>

#include "app/background_work.hpp"
#include "app/call/call_registry.hpp"
#include "app/config.hpp"
#include "app/orgs/directory.hpp"
#include "app/recordings/recordings.hpp"
#include "app/tools/tool_runner.hpp"
#include "app/store_writer.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vg::app {

struct call_info {
  std::string call_sid;
  std::string account_sid;
  std::string from;
  std::string to;
  std::string direction;
  call_setup setup;  // the organisation's assistant; empty fields fall back to the config
};

// Shared by all calls; every member must outlive every call.
struct call_services {
  const config& cfg;
  call_registry& registry;
  asio::ssl::context& tls;
  store_writer& store;
  directory& dir;
  tool_runner& tools;
  recordings& recs;
  background_work& background;  // after-call work is counted here (graceful stop)
};

// Starts a call on `ex`. Without `stream` the session connects to the model at once and
// waits for Twilio's stream to be attached through the registry (the webhook path); with it,
// the stream is already there (a stream whose webhook this node did not see).
void start_call(call_services& services, asio::any_io_executor ex, call_info info,
                std::optional<twilio_stream> stream);

}  // namespace vg::app
