// A call session: the I/O shell around call_bridge. One per call, on one io_context thread
// joined with `||` so the first loop to end ends the call (docs/architecture.md#the-call-session):
// the model loop (connect, reconnect, read), the Twilio loop (wait for the stream, read,
// write) and a ticker (time limits, stalled sends). No locks on the media path. The rest of
// voxgate reaches a call only through its inbox (call_registry.hpp); what the call produces
// goes out on the event bus (app/events).
#pragma once
#include <optional>
#include <string>

#include "app/background_work.hpp"
#include "app/call/call_info.hpp"
#include "app/call/call_registry.hpp"
#include "app/config.hpp"
#include "app/events/event_bus.hpp"
#include "app/orgs/directory.hpp"
#include "app/recordings/recordings.hpp"
#include "app/store_writer.hpp"
#include "app/tools/tool_runner.hpp"
#include "ports/chat_model.hpp"
#include "ports/clock.hpp"
#include "ports/realtime_model.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vg::app {

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
  event_bus& events;
  ports::clock& clock;           // the call's time (a manual one in tests)
  ports::realtime_model& model;  // what the caller talks to
  ports::chat_model& chat;       // text answers: the after-call extraction
};

// Starts a call on `ex`. Without `stream` the session connects to the model at once and
// waits for Twilio's stream to come through its inbox (the webhook path); with it, the stream
// is already there (a stream whose webhook this node did not see).
void start_call(call_services& services, asio::any_io_executor ex, call_info info,
                std::optional<twilio_stream> stream);

}  // namespace vg::app
