// The actions a tool can be bound to (docs/architecture.md#a-tool-action): save / update / cancel a record, look one
// up, send an SMS from a template, notify the owner, transfer, end the call, POST a signed
// webhook. Each returns what the model should hear: facts on success, the truth on failure.
#include <boost/json.hpp>
#include "app/wall_clock.hpp"

#include "app/tools/tool_runner.hpp"
#include "app/tools/webhook_sender.hpp"
#include "core/agent/tool_support.hpp"
#include "core/crypto.hpp"

namespace vg::app {
namespace json = boost::json;

namespace {

tool_outcome ok(json::object o) { return {json::serialize(o), "ok", std::nullopt}; }
tool_outcome failed(std::string message) {
  return {json::serialize(json::object{{"error", message}}), "error", std::nullopt};
}

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return (v != nullptr && v->is_string()) ? std::string(v->get_string()) : std::string();
}

std::string template_text(const agent::assistant& a, const std::string& name) {
  for (const auto& [n, text] : a.templates) {
    if (n == name) return text;
  }
  return {};
}

// The number an SMS to "the caller" goes to: the phone they gave, else the number they call from.
std::string caller_phone(const tool_context& ctx, const json::object& data) {
  for (const char* key : {"phone", "phone_number", "mobile"}) {
    if (auto p = text_of(data, key); agent::is_e164(p)) return p;
  }
  for (const auto& [key, value] : data) {  // contact_phone, callback_phone...
    if (key.find("phone") != std::string_view::npos && value.is_string() && agent::is_e164(value.get_string())) {
      return std::string(value.get_string());
    }
  }
  return ctx.caller;
}

std::string sms_from(const tool_runner& runner, const tool_context& ctx) {
  if (!ctx.line_number.empty() && ctx.org != nullptr &&
      std::find(ctx.org->org.numbers.begin(), ctx.org->org.numbers.end(), ctx.line_number) != ctx.org->org.numbers.end()) {
    return ctx.line_number;
  }
  return runner.cfg().twilio_phone_number;
}

// Fields a template may use: the record's data plus ref, org and the caller's number.
json::object template_fields(const tool_context& ctx, const json::object& data, const std::string& ref) {
  json::object f = data;
  if (!ref.empty()) f["ref"] = ref;
  if (ctx.org != nullptr) f["org"] = ctx.org->org.name;
  if (!f.contains("phone")) f["phone"] = ctx.caller;
  return f;
}

// Sends the template `name` (if any) and says how it went, for the model.
awaitable<std::string> maybe_sms(tool_runner& runner, tool_context ctx, std::string name, json::object fields,
                                 std::string to) {
  if (name.empty()) co_return std::string();
  const std::string text = template_text(*ctx.assistant, name);
  if (text.empty()) co_return "not sent: there is no message template '" + name + "'";
  auto sent = co_await runner.send_sms(ctx.org->org.id, ctx.call_sid, to, sms_from(runner, ctx), agent::fill_template(text, fields));
  co_return sent ? std::string("sent to " + to) : "not sent: " + sent.error_message();
}

// The caller's record in `collection`: by reference when given, else their latest active one.
awaitable<std::optional<ports::record_row>> find_callers_record(tool_runner& runner, tool_context ctx,
                                                                std::string collection, json::object args) {
  std::string ref = text_of(args, "reference");
  if (ref.empty()) ref = text_of(args, "ref");
  const std::string org = ctx.org->org.id;
  if (!ref.empty()) {
    auto by_ref = [org, collection, ref](ports::store& s) { return s.find_record(org, collection, ref); };
    auto r = co_await runner.store().run(std::move(by_ref));
    co_return r;
  }
  ports::record_filter f{org, collection, {}, {}, caller_phone(ctx, args), "active", 1, 0};
  auto latest = [f](ports::store& s) { return s.list_records(f); };
  auto rows = co_await runner.store().run(std::move(latest));
  if (rows.empty()) co_return std::nullopt;
  co_return rows.front();
}

std::string slot_problem(tool_runner& runner, const tool_context& ctx, const json::object& data, int lead_minutes) {
  const std::string date = text_of(data, "date"), time = text_of(data, "time");
  if (date.empty() || time.empty()) return {};
  const auto now = runner.dir().local_now(ctx.org->org, unix_ms() / 1000);  // zone already cached by the directory
  return agent::check_booking_slot(*ctx.assistant, date, time, now, lead_minutes);
}

int lead_minutes_of(const agent::assistant& a) {
  const auto* b = a.settings.if_contains("booking");
  if (b == nullptr || !b->is_object()) return 0;
  const auto* m = b->as_object().if_contains("min_lead_minutes");
  return (m != nullptr && m->is_int64()) ? static_cast<int>(m->get_int64()) : 0;
}

awaitable<tool_outcome> save(tool_runner& runner, tool_context ctx, json::object action, json::object args) {
  const std::string collection = text_of(action, "save");
  if (auto why = slot_problem(runner, ctx, args, lead_minutes_of(*ctx.assistant)); !why.empty()) {
    co_return failed("That time cannot be booked: " + why + ". Offer the caller another time.");
  }
  const std::int64_t now = unix_ms();
  ports::record_row row{ctx.org->org.id, collection, {}, json::serialize(args), "active", ctx.call_sid, ctx.caller, now, now};
  // A fresh reference; a collision (1 in 729 million per pair) just draws again.
  for (int attempt = 0;; ++attempt) {
    std::uint8_t random[6];
    crypto::random_bytes(random, sizeof random);
    row.ref = agent::make_reference(random);
    auto insert = [row](ports::store& s) {
      try {
        s.add_record(row);
        return true;
      } catch (const ports::store_conflict&) {
        return false;
      }
    };
    const bool saved = co_await runner.store().run(std::move(insert));
    if (saved) break;
    if (attempt == 3) co_return failed("The record could not be saved. Apologise and offer to take a message.");
  }
  json::object out{{"ok", true}, {"reference", row.ref}, {"collection", collection}};
  const std::string sms = co_await maybe_sms(runner, ctx, text_of(action, "then_sms"), template_fields(ctx, args, row.ref),
                                             caller_phone(ctx, args));
  if (!sms.empty()) out["sms"] = sms;
  out["instruction"] = "Read the reference to the caller slowly, character by character.";
  co_return ok(std::move(out));
}

awaitable<tool_outcome> change(tool_runner& runner, tool_context ctx, json::object action, json::object args, bool cancel) {
  const std::string collection = text_of(action, cancel ? "cancel" : "update");
  auto found = co_await find_callers_record(runner, ctx, collection, args);
  if (!found) {
    co_return failed("No matching record was found. Ask the caller for their reference and try again.");
  }
  boost::system::error_code ec;
  json::value data = json::parse(found->data, ec);
  if (ec || !data.is_object()) data = json::object{};
  for (const auto& [k, v] : args) {
    if (k != "reference" && k != "ref") data.as_object()[k] = v;
  }
  if (!cancel) {
    if (auto why = slot_problem(runner, ctx, data.as_object(), lead_minutes_of(*ctx.assistant)); !why.empty()) {
      co_return failed("That time cannot be booked: " + why + ". Offer the caller another time.");
    }
  }
  found->data = json::serialize(data);
  found->status = cancel ? "cancelled" : "active";
  found->updated_at_ms = unix_ms();
  auto write = [row = *found](ports::store& s) { return s.update_record(row); };
  co_await runner.store().run(std::move(write));
  json::object out{{"ok", true}, {"reference", found->ref}, {"status", found->status}};
  const std::string sms = co_await maybe_sms(runner, ctx, text_of(action, "then_sms"),
                                             template_fields(ctx, data.as_object(), found->ref), caller_phone(ctx, data.as_object()));
  if (!sms.empty()) out["sms"] = sms;
  co_return ok(std::move(out));
}

awaitable<tool_outcome> lookup(tool_runner& runner, tool_context ctx, json::object action, json::object args) {
  const std::string collection = text_of(action, "lookup");
  const std::string by = text_of(action, "by");
  ports::record_filter f{ctx.org->org.id, collection, {}, {}, {}, "active", 1, 0};
  if (by.empty() || by == "caller") {
    f.caller = caller_phone(ctx, args);
  } else {
    f.field = by;
    const auto* v = args.if_contains(by);
    f.value = v == nullptr ? std::string() : (v->is_string() ? std::string(v->get_string()) : json::serialize(*v));
    if (f.value.empty()) co_return failed("Ask the caller for their " + by + " first.");
  }
  auto read = [f](ports::store& s) { return s.list_records(f); };
  const auto rows = co_await runner.store().run(std::move(read));
  if (rows.empty()) co_return ok(json::object{{"found", false}});
  boost::system::error_code ec;
  json::value data = json::parse(rows.front().data, ec);
  json::object record;
  const auto* fields = action.if_contains("fields");  // only these may be told to the caller
  if (!ec && data.is_object()) {
    for (const auto& [k, v] : data.as_object()) {
      bool allowed = fields == nullptr || !fields->is_array();
      if (!allowed) {
        for (const auto& f2 : fields->as_array()) allowed = allowed || (f2.is_string() && f2.get_string() == k);
      }
      if (allowed) record[k] = v;
    }
  }
  record["reference"] = rows.front().ref;
  co_return ok(json::object{{"found", true}, {"record", std::move(record)}});
}

awaitable<tool_outcome> notify_owner(tool_runner& runner, tool_context ctx, json::object action, json::object args) {
  std::string summary = text_of(args, "summary");
  if (summary.empty()) summary = text_of(args, "message");
  if (summary.empty()) summary = json::serialize(args);
  const std::string text = "[" + ctx.org->org.name + "] Call from " + ctx.caller + ": " + summary;
  json::object out{{"ok", true}};
  const auto* how = action.if_contains("notify_owner");
  const bool by_sms = how == nullptr || !how->is_object() || how->as_object().if_contains("sms") == nullptr ||
                      how->as_object().at("sms") == true;
  const bool by_webhook = how != nullptr && how->is_object() && how->as_object().if_contains("webhook") != nullptr &&
                          how->as_object().at("webhook") == true;
  if (by_sms) {
    if (ctx.org->org.owner.phone.empty()) co_return failed("The owner has no phone number on file; take a message instead.");
    auto sent = co_await runner.send_sms(ctx.org->org.id, ctx.call_sid, ctx.org->org.owner.phone, sms_from(runner, ctx), text);
    if (!sent) co_return failed("The owner could not be notified: " + sent.error_message());
    out["sms"] = "sent to the owner";
  }
  if (by_webhook && !ctx.org->org.webhook_url.empty()) {
    json::object body{{"event", "owner_notification"}, {"org_id", ctx.org->org.id}, {"call_sid", ctx.call_sid},
                      {"caller", ctx.caller}, {"summary", summary}};
    auto reply = co_await post_signed_webhook(runner.tls(), runner.cfg(), ctx.org->org.webhook_url, json::serialize(body));
    out["webhook"] = reply ? "delivered" : "failed: " + reply.error_message();
    if (!reply) {  // on the call too, as for call.extracted (after_call.cpp)
      const ports::call_event event{ctx.call_sid, "webhook_failed", "owner_notification: " + reply.error_message(), 0, unix_ms()};
      runner.store().post(ctx.call_sid, [event](ports::store& s) { s.add_event(event); });
    }
  }
  co_return ok(std::move(out));
}

awaitable<tool_outcome> webhook(tool_runner& runner, tool_context ctx, json::object action, json::object args) {
  const std::string url = text_of(action, "webhook");
  json::object body{{"tool", text_of(action, "name")}, {"org_id", ctx.org->org.id}, {"call_sid", ctx.call_sid},
                    {"caller", ctx.caller}, {"arguments", args}};
  auto reply = co_await post_signed_webhook(runner.tls(), runner.cfg(), url, json::serialize(body));
  if (!reply) co_return failed("The action failed: " + reply.error_message());
  boost::system::error_code ec;
  json::value v = json::parse(*reply, ec);
  if (!ec && v.is_object()) co_return ok(v.as_object());
  co_return ok(json::object{{"ok", true}, {"reply", *reply}});
}

}  // namespace

awaitable<tool_outcome> run_action(tool_runner& runner, tool_context ctx, agent::tool_def tool, json::object args) {
  if (ctx.org == nullptr || ctx.assistant == nullptr) co_return failed("This line has no organisation set up.");
  json::object action = tool.action.is_object() ? tool.action.as_object() : json::object{};
  action["name"] = tool.name;
  if (action.contains("save")) {
    auto r = co_await save(runner, ctx, action, std::move(args));
    co_return r;
  }
  if (action.contains("update") || action.contains("cancel")) {
    const bool cancel = action.contains("cancel");
    auto r = co_await change(runner, ctx, action, std::move(args), cancel);
    co_return r;
  }
  if (action.contains("lookup")) {
    auto r = co_await lookup(runner, ctx, action, std::move(args));
    co_return r;
  }
  if (action.contains("sms")) {
    const std::string to = caller_phone(ctx, args);
    const std::string result = co_await maybe_sms(runner, ctx, text_of(action, "sms"), template_fields(ctx, args, {}), to);
    if (result.rfind("sent", 0) != 0) co_return failed("The message was " + result);
    co_return ok(json::object{{"ok", true}, {"sms", result}});
  }
  if (action.contains("notify_owner")) {
    auto r = co_await notify_owner(runner, ctx, action, std::move(args));
    co_return r;
  }
  if (action.contains("webhook")) {
    auto r = co_await webhook(runner, ctx, action, std::move(args));
    co_return r;
  }
  if (action.contains("transfer")) {
    std::string to = text_of(action, "transfer");
    if (to == "fallback" || to.empty()) to = ctx.org->org.fallback_number;
    if (!agent::is_e164(to)) co_return failed("No one is available to take the call; offer to take a message.");
    tool_outcome out{json::serialize(json::object{{"ok", true}, {"instruction", "Tell the caller in one short sentence that you are transferring them now."}}),
                     "ok", call::follow_up{call::transfer_to{to}}};
    co_return out;
  }
  if (action.contains("end_call")) {
    tool_outcome out{json::serialize(json::object{{"ok", true}, {"instruction", "Say a short, friendly goodbye."}}), "ok",
                     call::follow_up{call::hang_up{}}};
    co_return out;
  }
  co_return failed("The function '" + tool.name + "' is not connected to an action this server knows.");
}

}  // namespace vg::app
