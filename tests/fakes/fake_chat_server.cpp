// The fake Chat Completions endpoint: OpenAI-shaped validation, errors and completions.
// All state sits behind one mutex; request handling runs on the fake's own loop thread.
#include "tests/fakes/fake_chat_server.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <deque>
#include <mutex>
#include <regex>
#include <set>
#include <utility>

#include "net/http_server.hpp"
#include "tests/fakes/event_loop.hpp"

namespace vg::fakes {
namespace js = boost::json;

namespace {

net::http_response json_response(int status, const js::object& body) {
  return net::http_response{status, "application/json", js::serialize(body), {}};
}

// OpenAI's error body (docs/protocols/chat-completions.md#errors).
net::http_response openai_error(int status, const std::string& message, const std::string& type,
                                const std::string& code = {}, const std::string& param = {}) {
  return json_response(status, {{"error", js::object{{"message", message},
                                                     {"type", type},
                                                     {"param", param.empty() ? js::value(nullptr) : js::value(param)},
                                                     {"code", code.empty() ? js::value(nullptr) : js::value(code)}}}});
}

net::http_response invalid(const std::string& message, const std::string& param) {
  return openai_error(400, message, "invalid_request_error", {}, param);
}

const std::regex& function_name_rule() {
  static const std::regex rule("^[a-zA-Z0-9_-]{1,64}$");
  return rule;
}

// What is wrong with the messages of a conversation with tools, as the API words it; an empty
// message when nothing is. Content is a string, or null (or absent) for an assistant message
// with tool calls; every tool call is answered by the tool messages right after it, and a tool
// message answers one of them.
std::pair<std::string, std::string> conversation_problem(const js::array& messages) {
  std::vector<std::string> unanswered;  // tool call ids of the last assistant message
  for (const js::value& m : messages) {
    const js::object& o = m.as_object();
    const std::string role(o.at("role").as_string());
    const js::value* content = o.if_contains("content");
    const js::value* calls = o.if_contains("tool_calls");
    if (role == "tool") {
      const js::value* id = o.if_contains("tool_call_id");
      if (id == nullptr || !id->is_string()) return {"messages with role 'tool' need a 'tool_call_id'", "messages"};
      const auto it = std::find(unanswered.begin(), unanswered.end(), std::string(id->as_string()));
      if (it == unanswered.end()) {
        return {"Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
                "messages"};
      }
      unanswered.erase(it);
      if (content == nullptr || !content->is_string()) return {"each tool message needs a string 'content'", "messages"};
      continue;
    }
    if (!unanswered.empty()) {
      return {"An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. "
              "The following tool_call_ids did not have response messages: " + unanswered.front(),
              "messages"};
    }
    const bool may_be_null = role == "assistant" && calls != nullptr;
    if (!(content != nullptr && content->is_string()) && !(may_be_null && (content == nullptr || content->is_null()))) {
      return {"each message needs a string 'content'", "messages"};
    }
    if (calls == nullptr) continue;
    if (role != "assistant" || !calls->is_array() || calls->as_array().empty()) {
      return {"'tool_calls' must be a non-empty array on an assistant message", "messages"};
    }
    for (const js::value& c : calls->as_array()) {
      const js::object* call = c.if_object();
      const js::value* id = call == nullptr ? nullptr : call->if_contains("id");
      const js::value* type = call == nullptr ? nullptr : call->if_contains("type");
      const js::value* fn = call == nullptr ? nullptr : call->if_contains("function");
      if (id == nullptr || !id->is_string() || type == nullptr || *type != "function" || fn == nullptr || !fn->is_object() ||
          !fn->as_object().contains("name") || !fn->as_object().at("name").is_string() ||
          !fn->as_object().contains("arguments") || !fn->as_object().at("arguments").is_string()) {
        return {"each tool call needs an id, type 'function' and a function with a name and string arguments", "messages"};
      }
      unanswered.emplace_back(id->as_string());
    }
  }
  if (!unanswered.empty()) {
    return {"An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. "
            "The following tool_call_ids did not have response messages: " + unanswered.front(),
            "messages"};
  }
  return {};
}

std::pair<std::string, std::string> tools_problem(const js::object& body) {
  const js::value* tools = body.if_contains("tools");
  const js::value* choice = body.if_contains("tool_choice");
  if (tools == nullptr) {
    if (choice != nullptr) return {"Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", "tool_choice"};
    return {};
  }
  if (!tools->is_array()) return {"'tools' must be an array", "tools"};
  if (tools->as_array().empty()) return {"[] is too short - 'tools'", "tools"};
  for (const js::value& t : tools->as_array()) {
    const js::object* o = t.if_object();
    const js::value* type = o == nullptr ? nullptr : o->if_contains("type");
    const js::value* fn = o == nullptr ? nullptr : o->if_contains("function");
    if (type == nullptr || *type != "function" || fn == nullptr || !fn->is_object()) {
      return {"each tool needs type 'function' and a 'function' object", "tools"};
    }
    const js::value* name = fn->as_object().if_contains("name");
    if (name == nullptr || !name->is_string() || !std::regex_match(std::string(name->as_string()), function_name_rule())) {
      return {"tools[].function.name must match ^[a-zA-Z0-9_-]{1,64}$", "tools"};
    }
    if (const js::value* d = fn->as_object().if_contains("description"); d != nullptr && !d->is_string()) {
      return {"tools[].function.description must be a string", "tools"};
    }
    if (const js::value* p = fn->as_object().if_contains("parameters"); p != nullptr && !p->is_object()) {
      return {"tools[].function.parameters must be an object", "tools"};
    }
  }
  if (choice != nullptr && !(choice->is_string() && (*choice == "none" || *choice == "auto" || *choice == "required")) &&
      !choice->is_object()) {
    return {"'tool_choice' must be none, auto, required or a named function", "tool_choice"};
  }
  return {};
}

// What is wrong with a chat completion request, as {message, param}; an empty message when
// nothing is. With response_format: structured output (the extraction); without: a
// conversation, with or without tools (the gather flow).
std::pair<std::string, std::string> shape_problem(const js::object& body) {
  const js::value* model = body.if_contains("model");
  if (model == nullptr || !model->is_string() || model->as_string().empty()) return {"you must provide a model parameter", "model"};
  const js::value* messages = body.if_contains("messages");
  if (messages == nullptr || !messages->is_array() || messages->as_array().empty()) {
    return {"'messages' must be a non-empty array", "messages"};
  }
  static const std::set<std::string> roles = {"system", "developer", "user", "assistant", "tool"};
  for (const js::value& m : messages->as_array()) {
    const js::object* o = m.if_object();
    const js::value* role = o == nullptr ? nullptr : o->if_contains("role");
    if (role == nullptr || !role->is_string() || roles.count(std::string(role->as_string())) == 0) {
      return {"each message needs a valid 'role'", "messages"};
    }
  }
  if (const js::value* t = body.if_contains("temperature"); t != nullptr) {
    if (!t->is_number() || t->to_number<double>() < 0 || t->to_number<double>() > 2) {
      return {"'temperature' must be a number from 0 to 2", "temperature"};
    }
  }
  const js::value* format = body.if_contains("response_format");
  if (format == nullptr) {
    if (auto problem = conversation_problem(messages->as_array()); !problem.first.empty()) return problem;
    return tools_problem(body);
  }
  for (const js::value& m : messages->as_array()) {
    const js::value* content = m.as_object().if_contains("content");
    if (content == nullptr || !content->is_string()) return {"each message needs a string 'content'", "messages"};
  }
  if (!format->is_object()) return {"response_format must be an object", "response_format"};
  const js::value* type = format->as_object().if_contains("type");
  if (type == nullptr || !type->is_string() || type->as_string() != "json_schema") {
    return {"response_format.type must be json_schema", "response_format.type"};
  }
  const js::value* spec = format->as_object().if_contains("json_schema");
  if (spec == nullptr || !spec->is_object()) return {"response_format.json_schema is required", "response_format.json_schema"};
  const js::value* name = spec->as_object().if_contains("name");
  if (name == nullptr || !name->is_string() || !std::regex_match(std::string(name->as_string()), function_name_rule())) {
    return {"response_format.json_schema.name must match ^[a-zA-Z0-9_-]{1,64}$", "response_format.json_schema.name"};
  }
  const js::value* schema = spec->as_object().if_contains("schema");
  if (schema == nullptr || !schema->is_object()) {
    return {"response_format.json_schema.schema must be an object", "response_format.json_schema.schema"};
  }
  if (const js::value* strict = spec->as_object().if_contains("strict"); strict != nullptr && !strict->is_bool()) {
    return {"response_format.json_schema.strict must be a boolean", "response_format.json_schema.strict"};
  }
  return {};
}

}  // namespace

struct fake_chat_server::impl {
  std::string api_key;
  event_loop loop;
  mutable std::mutex mutex;
  std::vector<chat_request> requests;
  std::string content = "{}";
  std::string refusal;
  std::string finish_reason = "stop";
  int fail_count = 0, fail_status = 500;
  std::string fail_message;
  std::deque<scripted_reply> script;
  int completions = 0;
  std::unique_ptr<net::http_server> server;
  std::uint16_t port = 0;

  awaitable<net::http_response> handle(net::http_request req) {
    std::chrono::milliseconds delay{0};
    net::http_response res;
    {
      std::lock_guard lock(mutex);
      requests.push_back(chat_request{req.method, std::string(req.path()), req.headers, req.body, 0});
      res = respond(req, delay);
      requests.back().status = res.status;
    }
    if (delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(delay);
      co_await timer.async_wait(asio::use_awaitable);
    }
    co_return res;
  }

  // Synchronous and under the mutex; `delay`: how long to hold the answer back.
  net::http_response respond(const net::http_request& req, std::chrono::milliseconds& delay) {
    if (fail_count > 0) {
      --fail_count;
      if (fail_status == 429) return openai_error(429, fail_message, "requests", "rate_limit_exceeded");
      return openai_error(fail_status, fail_message, fail_status >= 500 ? "server_error" : "invalid_request_error");
    }
    if (req.header("authorization") != "Bearer " + api_key) {
      return openai_error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
    }
    if (req.path() != "/v1/chat/completions") {
      return openai_error(404, "Invalid URL (" + req.method + " " + std::string(req.path()) + ")", "invalid_request_error");
    }
    if (req.method != "POST") return openai_error(405, "Method not allowed", "invalid_request_error");
    js::error_code ec;
    const js::value body = js::parse(req.body, ec);
    if (ec || !body.is_object()) return invalid("We could not parse the JSON body of your request.", "");
    if (const auto [message, param] = shape_problem(body.as_object()); !message.empty()) return invalid(message, param);
    ++completions;
    js::object message;
    std::string finish = finish_reason;
    if (!script.empty()) {
      scripted_reply r = std::move(script.front());
      script.pop_front();
      delay = r.delay;
      if (r.status != 200) {
        return openai_error(r.status, r.content, r.status >= 500 ? "server_error" : "invalid_request_error");
      }
      // tool_choice "none": the model cannot call a function, whatever the script says.
      const js::value* choice = body.as_object().if_contains("tool_choice");
      if (choice != nullptr && *choice == "none") r.tool_calls.clear();
      js::array calls;
      for (const auto& c : r.tool_calls) {
        calls.emplace_back(js::object{{"id", c.id},
                                      {"type", "function"},
                                      {"function", js::object{{"name", c.name}, {"arguments", c.arguments}}}});
      }
      message = js::object{{"role", "assistant"},
                           {"content", calls.empty() || !r.content.empty() ? js::value(r.content) : js::value(nullptr)},
                           {"refusal", nullptr}};
      if (!calls.empty()) {
        message["tool_calls"] = std::move(calls);
        finish = "tool_calls";
      } else {
        finish = "stop";
      }
    } else {
      message = js::object{{"role", "assistant"},
                           {"content", refusal.empty() ? js::value(content) : js::value(nullptr)},
                           {"refusal", refusal.empty() ? js::value(nullptr) : js::value(refusal)}};
    }
    js::object answer{{"id", "chatcmpl-fake" + std::to_string(completions)},
                      {"object", "chat.completion"},
                      {"created", 1710000000},
                      {"model", body.at("model")},
                      {"choices", js::array{js::object{{"index", 0}, {"finish_reason", finish}, {"message", std::move(message)}}}},
                      {"usage", js::object{{"prompt_tokens", 82}, {"completion_tokens", 17}, {"total_tokens", 99}}}};
    return json_response(200, answer);
  }
};

fake_chat_server::fake_chat_server(std::string api_key) : impl_(std::make_unique<impl>()) {
  impl_->api_key = std::move(api_key);
  impl_->server = std::make_unique<net::http_server>(
      std::vector<asio::io_context*>{&impl_->loop.context()},
      net::http_handlers{[i = impl_.get()](net::http_request req) { return i->handle(std::move(req)); }, {}});
  impl_->port = impl_->server->listen("127.0.0.1", 0);
}

fake_chat_server::~fake_chat_server() {
  impl_->loop.run_sync([](impl* i) -> awaitable<void> {
    i->server->stop();
    co_return;
  }(impl_.get()));
  impl_->loop.stop();
  impl_->server.reset();
}

std::string fake_chat_server::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port) + "/v1"; }
std::uint16_t fake_chat_server::port() const { return impl_->port; }
const std::string& fake_chat_server::api_key() const { return impl_->api_key; }

void fake_chat_server::set_content(std::string content) {
  std::lock_guard lock(impl_->mutex);
  impl_->content = std::move(content);
}

void fake_chat_server::set_refusal(std::string refusal) {
  std::lock_guard lock(impl_->mutex);
  impl_->refusal = std::move(refusal);
}

void fake_chat_server::set_finish_reason(std::string finish_reason) {
  std::lock_guard lock(impl_->mutex);
  impl_->finish_reason = std::move(finish_reason);
}

void fake_chat_server::fail_next(int count, int http_status, std::string message) {
  std::lock_guard lock(impl_->mutex);
  impl_->fail_count = count;
  impl_->fail_status = http_status;
  impl_->fail_message = std::move(message);
}

void fake_chat_server::push_reply(scripted_reply reply) {
  std::lock_guard lock(impl_->mutex);
  impl_->script.push_back(std::move(reply));
}

std::size_t fake_chat_server::replies_left() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->script.size();
}

std::vector<chat_request> fake_chat_server::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

}  // namespace vg::fakes
