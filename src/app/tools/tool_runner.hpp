// Runs the functions the model calls: finds the assistant's tool, validates the arguments
// against its JSON schema (a bad or missing value goes back to the model as a correctable
// error, never invented), runs the bound action with a deadline, and records the call with its
// arguments, result, outcome and timing. Coroutines on the calling call's executor: I/O is
// asynchronous and store work goes to the store thread, so a call's thread never blocks.
#pragma once
#include <memory>
#include <string>

#include "app/config.hpp"
#include "app/orgs/directory.hpp"
#include "app/store_writer.hpp"
#include "core/call/call_bridge.hpp"
#include "net/asio.hpp"
#include "ports/telephony.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vg::app {

// Who is calling, for whom: what an action may use besides its arguments.
struct tool_context {
  std::string call_sid;
  std::string caller;       // the caller's number (E.164 when Twilio knows it)
  std::string line_number;  // the organisation's number the call came in on
  std::shared_ptr<const directory_snapshot> snap;  // keeps org and assistant alive
  const org_entry* org = nullptr;
  const agent::assistant* assistant = nullptr;
};

struct tool_outcome {
  std::string output;   // JSON text for the model
  std::string outcome;  // ok, invalid, error, timeout, unknown, repeated
  std::optional<call::follow_up> then;  // carried out once the spoken reply has played
};

class tool_runner {
 public:
  // Every argument must outlive the runner; telephony may be null (no Twilio credentials).
  tool_runner(const config& cfg, store_writer& store, directory& dir, ports::telephony* telephony, asio::ssl::context& tls);

  awaitable<tool_outcome> run(tool_context ctx, std::string call_id, std::string name, std::string arguments);

  // Sends an SMS and records it (also used by POST /api/v1/sms). Returns Twilio's answer (SID,
  // status) or the error to tell the model or the API client.
  awaitable<result<ports::sms_sent>> send_sms(std::string org_id, std::string call_sid, std::string to, std::string from,
                                          std::string body);

  const config& cfg() const { return cfg_; }
  store_writer& store() { return store_; }
  directory& dir() { return dir_; }
  ports::telephony* telephony() { return telephony_; }
  asio::ssl::context& tls() { return tls_; }

 private:
  const config& cfg_;
  store_writer& store_;
  directory& dir_;
  ports::telephony* telephony_;
  asio::ssl::context& tls_;
};

// The bound action of a tool, run after its arguments passed validation (tool_actions.cpp).
awaitable<tool_outcome> run_action(tool_runner& runner, tool_context ctx, agent::tool_def tool, boost::json::object args);

}  // namespace vg::app
