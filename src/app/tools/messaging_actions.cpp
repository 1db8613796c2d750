// Messaging: an SMS to the caller from a template, a note to the owner (SMS and/or the
// organisation's webhook), and a signed webhook whose JSON reply is the result.
#include <boost/json.hpp>

#include "app/tools/action_families.hpp"
#include "app/tools/action_support.hpp"
#include "app/tools/webhook_sender.hpp"
#include "app/wall_clock.hpp"

namespace vg::app::actions {
namespace json = boost::json;

awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string, agent::send_sms a, args_t args) {
  std::string to = caller_phone(ctx, args);
  json::object fields = template_fields(ctx, args, {});
  const std::string result = co_await maybe_sms(runner, ctx, a.template_name, std::move(fields), to);
  if (result.rfind("sent", 0) != 0) co_return failed("The message was " + result);
  co_return ok(json::object{{"ok", true}, {"sms", result}});
}

awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string, agent::notify_owner a, args_t args) {
  std::string summary = string_at(args, "summary");
  if (summary.empty()) summary = string_at(args, "message");
  if (summary.empty()) summary = json::serialize(args);
  const std::string text = "[" + ctx.org->org.name + "] Call from " + ctx.caller + ": " + summary;
  json::object out{{"ok", true}};
  if (a.by_sms()) {
    if (ctx.org->org.owner.phone.empty()) co_return failed("The owner has no phone number on file; take a message instead.");
    std::string from = sms_from(runner, ctx);
    auto sent = co_await runner.send_sms(ctx.org->org.id, ctx.call_sid, ctx.org->org.owner.phone, std::move(from), text);
    if (!sent) co_return failed("The owner could not be notified: " + sent.error_message());
    out["sms"] = "sent to the owner";
  }
  // Refused on import (document_checks); an organisation stored before that rule still gets
  // the truth rather than an "ok" for a notification that went nowhere.
  if (a.by_webhook() && ctx.org->org.webhook_url.empty()) {
    if (!a.by_sms()) co_return failed("The owner could not be notified: no webhook is set up; take a message instead.");
    out["webhook"] = "not sent: no webhook is set up";
  }
  if (a.by_webhook() && !ctx.org->org.webhook_url.empty()) {
    json::object body{{"event", "owner_notification"}, {"org_id", ctx.org->org.id}, {"call_sid", ctx.call_sid},
                      {"caller", ctx.caller}, {"summary", summary}};
    std::string payload = json::serialize(body);
    auto reply = co_await post_signed_webhook(runner.tls(), runner.cfg(), ctx.org->org.webhook_url, std::move(payload));
    out["webhook"] = reply ? "delivered" : "failed: " + reply.error_message();
    if (!reply) {  // on the call too, as for call.extracted (after_call.cpp)
      const ports::call_event event{ctx.call_sid, "webhook_failed", "owner_notification: " + reply.error_message(), 0, unix_ms()};
      runner.store().post(ctx.call_sid, [event](ports::store& s) { s.add_event(event); });
    }
  }
  co_return ok(std::move(out));
}

awaitable<tool_outcome> perform(tool_runner& runner, tool_context ctx, std::string tool, agent::post_webhook a, args_t args) {
  json::object body{{"tool", tool}, {"org_id", ctx.org->org.id}, {"call_sid", ctx.call_sid}, {"caller", ctx.caller},
                    {"arguments", args}};
  std::string payload = json::serialize(body);
  auto reply = co_await post_signed_webhook(runner.tls(), runner.cfg(), a.url, std::move(payload));
  if (!reply) co_return failed("The action failed: " + reply.error_message());
  boost::system::error_code ec;
  json::value v = json::parse(*reply, ec);
  if (!ec && v.is_object()) co_return ok(v.as_object());
  co_return ok(json::object{{"ok", true}, {"reply", *reply}});
}

}  // namespace vg::app::actions
