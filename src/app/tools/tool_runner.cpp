#include "app/tools/tool_runner.hpp"
#include "app/wall_clock.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json.hpp>

#include "core/agent/json_schema.hpp"
#include "net/log.hpp"

namespace vg::app {
namespace json = boost::json;

namespace {

tool_outcome refused(std::string outcome, std::string message) {
  return {json::serialize(json::object{{"error", message}}), std::move(outcome), std::nullopt};
}

// The deadline side of the race with an action.
awaitable<tool_outcome> deadline(std::chrono::milliseconds limit, std::string name) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(limit);
  co_await timer.async_wait(asio::use_awaitable);
  co_return refused("timeout", "The action '" + name + "' did not answer in time and may not have happened. "
                               "Tell the caller, and offer to take a message instead.");
}

}  // namespace

tool_runner::tool_runner(const config& cfg, store_writer& store, directory& dir, ports::telephony* telephony,
                         asio::ssl::context& tls)
    : cfg_(cfg), store_(store), dir_(dir), telephony_(telephony), tls_(tls) {}

awaitable<tool_outcome> tool_runner::run(tool_context ctx, std::string call_id, std::string name, std::string arguments) {
  using namespace asio::experimental::awaitable_operators;
  const auto started = std::chrono::steady_clock::now();
  ports::tool_call_row row{call_id, ctx.call_sid, name, arguments, {}, {}, unix_ms(), 0};
  auto begin = [row](ports::store& s) { return s.begin_tool_call(row); };
  const bool first = co_await store_.run(std::move(begin));
  if (!first) co_return refused("repeated", "This function call was already handled.");

  tool_outcome result;
  const agent::tool_def* tool = nullptr;
  if (ctx.assistant != nullptr) {
    for (const auto& t : ctx.assistant->tools) {
      if (t.name == name) tool = &t;
    }
  }
  boost::system::error_code ec;
  json::value args = json::parse(arguments.empty() ? std::string("{}") : arguments, ec);
  if (tool == nullptr) {
    result = refused("unknown", "There is no function named '" + name + "' on this line.");
  } else if (ec || !args.is_object()) {
    result = refused("invalid", "The arguments were not a JSON object. Call the function again with valid arguments.");
  } else if (const auto problems = agent::validate(tool->parameters, args); !problems.empty()) {
    json::object o{{"error", "Some values are missing or not valid: " + agent::describe(problems)},
                   {"instruction", "Ask the caller for exactly these values, confirm them, then call the function again. "
                                   "Never guess or invent a value."}};
    result = {json::serialize(o), "invalid", std::nullopt};
  } else {
    auto action = run_action(*this, ctx, *tool, std::move(args.as_object()));
    auto timeout = deadline(cfg_.tool_timeout, name);
    auto raced = co_await (std::move(action) || std::move(timeout));
    result = raced.index() == 0 ? std::move(std::get<0>(raced)) : std::move(std::get<1>(raced));
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  log::info(ctx.call_sid, "tool " + name + " -> " + result.outcome + " in " + std::to_string(ms) + " ms");
  store_.post(ctx.call_sid, [call_id, out = result.output, outcome = result.outcome, ms](ports::store& s) {
    s.finish_tool_call(call_id, out, outcome, ms);
  });
  co_return result;
}

awaitable<result<ports::sms_sent>> tool_runner::send_sms(std::string org_id, std::string call_sid, std::string to,
                                                     std::string from, std::string body) {
  if (telephony_ == nullptr) co_return make_error("SMS is not set up on this server (no Twilio credentials)");
  if (from.empty()) co_return make_error("there is no number to send the SMS from (set TWILIO_PHONE_NUMBER)");
  ports::sms_request req{to, from, body, {}};
  if (!cfg_.public_url.empty()) req.status_callback = cfg_.public_url + "/twilio/sms-status";
  auto sent = co_await telephony_->send_sms(std::move(req));
  if (!sent) co_return make_error(sent.error_message());
  const std::int64_t now = unix_ms();
  ports::message_row row{sent->sid, org_id, call_sid, to, from, body, sent->status, {}, now, now};
  store_.post(call_sid, [row](ports::store& s) { s.add_message(row); });
  co_return std::move(*sent);
}

}  // namespace vg::app
