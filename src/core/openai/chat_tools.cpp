#include "core/openai/chat_tools.hpp"

#include <boost/json.hpp>

#include "core/json_fields.hpp"

namespace vg::openai {
namespace js = boost::json;
using json_fields::object_at;
using json_fields::string_at;

namespace {
js::object message(std::string_view role, std::string_view text) { return js::object{{"role", role}, {"content", text}}; }
}  // namespace

js::object system_message(std::string_view text) { return message("system", text); }
js::object user_message(std::string_view text) { return message("user", text); }
js::object assistant_message(std::string_view text) { return message("assistant", text); }
js::object tool_message(std::string_view tool_call_id, std::string_view output) {
  return js::object{{"role", "tool"}, {"tool_call_id", tool_call_id}, {"content", output}};
}

std::string conversation_request(std::string_view model, const js::array& messages, const js::array& tools,
                                 bool allow_tools) {
  js::object body{{"model", model}, {"messages", messages}};
  if (!tools.empty()) {
    body["tools"] = tools;
    if (!allow_tools) body["tool_choice"] = "none";
  }
  return js::serialize(body);
}

result<chat_answer> parse_chat_answer(std::string_view body) {
  js::error_code ec;
  const js::value v = js::parse(body, ec);
  if (ec || !v.is_object()) return make_error("the API answer is not a JSON object");
  const js::object& top = v.as_object();
  if (const js::object* err = object_at(top, "error"); err != nullptr) {
    const std::string text = string_at(*err, "message");
    return make_error("the API answered an error: " + (text.empty() ? std::string("(no message)") : text));
  }
  const js::value* choices = top.if_contains("choices");
  if (choices == nullptr || !choices->is_array() || choices->as_array().empty() || !choices->as_array()[0].is_object()) {
    return make_error("the API answer has no choices");
  }
  const js::object& choice = choices->as_array()[0].as_object();
  const js::object* m = object_at(choice, "message");
  if (m == nullptr) return make_error("the API answer has no message");
  chat_answer out;
  out.finish_reason = string_at(choice, "finish_reason");
  if (out.finish_reason == "content_filter") return make_error("the answer was blocked by the content filter");
  out.text = string_at(*m, "content");
  // A refusal is the assistant's own words: on a phone call it is said like any answer.
  if (out.text.empty()) out.text = string_at(*m, "refusal");
  js::array calls;
  if (const js::value* list = m->if_contains("tool_calls"); list != nullptr && list->is_array()) {
    for (const js::value& c : list->as_array()) {
      const js::object* call = c.if_object();
      const js::object* function = call == nullptr ? nullptr : object_at(*call, "function");
      tool_call t;
      if (call != nullptr) t.id = string_at(*call, "id");
      if (function != nullptr) {
        t.name = string_at(*function, "name");
        t.arguments = string_at(*function, "arguments");
      }
      if (t.id.empty() || t.name.empty()) return make_error("the answer has a tool call without an id or a name");
      calls.emplace_back(js::object{{"id", t.id},
                                    {"type", "function"},
                                    {"function", js::object{{"name", t.name}, {"arguments", t.arguments}}}});
      out.tool_calls.push_back(std::move(t));
    }
  }
  // No words and no calls is a valid answer (after pressing keys the model is told to say
  // nothing): the caller hears nothing and is listened to.
  const bool silent_call = out.text.empty() && !calls.empty();
  out.message = js::object{{"role", "assistant"}, {"content", silent_call ? js::value(nullptr) : js::value(out.text)}};
  if (!calls.empty()) out.message["tool_calls"] = std::move(calls);
  return out;
}

}  // namespace vg::openai
