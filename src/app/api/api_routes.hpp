// The REST API under /api/v1 (organisations, assistants, numbers, prompts, calls, tokens),
// with bearer-token auth on everything. Handlers run on the connection's thread and wait for
// the store thread without blocking it (store_writer::run). docs/openapi.yaml describes it.
#pragma once
#include <optional>
#include <string_view>

#include "app/api/api_http.hpp"
#include "app/call/call_registry.hpp"
#include "app/config.hpp"
#include "app/orgs/directory.hpp"
#include "app/store_writer.hpp"
#include "app/recordings/recordings.hpp"
#include "app/tools/tool_runner.hpp"
#include "core/billing/cost.hpp"
#include "net/asio.hpp"

namespace vg::app {

class api_routes {
 public:
  // Every argument must outlive this object.
  api_routes(const config& cfg, store_writer& store, directory& dir, tool_runner& tools, recordings& recs,
             call_registry& calls);

  bool matches(std::string_view path) const;
  awaitable<net::http_response> handle(net::http_request req);

 private:
  using segments = std::vector<std::string>;
  awaitable<std::optional<api::principal>> authenticate(net::http_request req);
  awaitable<std::shared_ptr<const directory_snapshot>> fresh_snapshot();

  awaitable<net::http_response> orgs(net::http_request req, segments path, api::principal who);
  awaitable<net::http_response> one_org(net::http_request req, segments path, api::principal who);
  awaitable<net::http_response> assistants(net::http_request req, segments path, api::principal who);
  awaitable<net::http_response> numbers(net::http_request req, segments path, api::principal who);
  awaitable<net::http_response> document(net::http_request req, std::string org_id);
  awaitable<net::http_response> calls(net::http_request req, segments path, api::principal who);
  awaitable<net::http_response> tokens(net::http_request req, segments path, api::principal who);
  // api_actions.cpp: SMS, transfers, records.
  awaitable<net::http_response> send_sms(net::http_request req, api::principal who);
  awaitable<net::http_response> transfer(net::http_request req, std::string call_sid, api::principal who);
  awaitable<net::http_response> records(net::http_request req, segments path, api::principal who);
  // api_recordings.cpp: a call's recordings, streamed with HTTP range requests.
  awaitable<net::http_response> call_recording(net::http_request req, std::string call_sid, api::principal who);
  // api_usage.cpp: cost per organisation and day.
  awaitable<net::http_response> usage(net::http_request req, std::string org_id);

  // Saves an organisation (and optionally its whole assistant list) and reloads the directory.
  // Returns an error response, or nullopt on success.
  awaitable<std::optional<net::http_response>> save(agent::organization org,
                                                    std::optional<std::vector<agent::assistant>> assistants);
  std::optional<net::http_response> check_timezone(const agent::organization& org);
  // A write that changes part of an organisation is refused (400, with each path) for the
  // document problems it would add (core/agent/document_checks.hpp); those already stored are
  // not its fault. `written` is the index of the assistant in the body, whose problems are
  // named by their path in it ("tools[0].action.then_sms"); -1: the body is the organisation.
  static std::optional<net::http_response> refuse_added_problems(const agent::org_document& before,
                                                                 const agent::org_document& after, int written = -1);

  const config& cfg_;
  store_writer& store_;
  directory& dir_;
  tool_runner& tools_;
  recordings& recs_;
  call_registry& calls_;  // live calls on this node: commands go through their inboxes
  billing::price_table prices_;
};

// A call's token usage (the model's and the extraction's, read from its row) and its cost.
struct priced_call {
  billing::token_usage usage;
  billing::token_usage extraction;
  billing::call_cost cost;
};
priced_call price_call(const billing::price_table& prices, const ports::call_row& call, int sms_segments);
// {"model_usd", "extraction_usd", "twilio_voice_usd", "sms_usd", "total_usd"} (api_usage.cpp).
boost::json::object cost_json(const billing::call_cost& cost);

}  // namespace vg::app
