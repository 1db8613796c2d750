#include "app/tools/action_support.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "core/agent/tool_support.hpp"

namespace vg::app::actions {
namespace json = boost::json;

tool_outcome ok(json::object o) { return {json::serialize(o), "ok", std::nullopt}; }

tool_outcome failed(std::string message) {
  return {json::serialize(json::object{{"error", message}}), "error", std::nullopt};
}

std::string caller_phone(const tool_context& ctx, const json::object& data) {
  for (const char* key : {"phone", "phone_number", "mobile"}) {
    if (auto p = string_at(data, key); agent::is_e164(p)) return p;
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

json::object template_fields(const tool_context& ctx, const json::object& data, const std::string& ref) {
  json::object f = data;
  if (!ref.empty()) f["ref"] = ref;
  if (ctx.org != nullptr) f["org"] = ctx.org->org.name;
  if (!f.contains("phone")) f["phone"] = ctx.caller;
  return f;
}

namespace {

std::string template_text(const agent::assistant& a, const std::string& name) {
  for (const auto& [n, text] : a.templates) {
    if (n == name) return text;
  }
  return {};
}

}  // namespace

awaitable<std::string> maybe_sms(tool_runner& runner, tool_context ctx, std::string name, json::object fields,
                                 std::string to) {
  if (name.empty()) co_return std::string();
  // The import checked the name; an empty template's text is still refused here.
  const std::string text = template_text(*ctx.assistant, name);
  if (text.empty()) co_return "not sent: there is no message template '" + name + "'";
  std::string from = sms_from(runner, ctx), body = agent::fill_template(text, fields);
  auto sent = co_await runner.send_sms(ctx.org->org.id, ctx.call_sid, to, std::move(from), std::move(body));
  co_return sent ? std::string("sent to " + to) : "not sent: " + sent.error_message();
}

}  // namespace vg::app::actions
