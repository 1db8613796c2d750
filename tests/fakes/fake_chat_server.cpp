// The fake Chat Completions endpoint: OpenAI-shaped validation, errors and completions.
// All state sits behind one mutex; request handling runs on the fake's own loop thread.
#include "tests/fakes/fake_chat_server.hpp"

#include <boost/json.hpp>

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

// What is wrong with a chat completion request asking for structured output, as {message,
// param}; an empty message when nothing is.
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
    const js::value* content = o == nullptr ? nullptr : o->if_contains("content");
    if (role == nullptr || !role->is_string() || roles.count(std::string(role->as_string())) == 0) {
      return {"each message needs a valid 'role'", "messages"};
    }
    if (content == nullptr || !content->is_string()) return {"each message needs a string 'content'", "messages"};
  }
  if (const js::value* t = body.if_contains("temperature"); t != nullptr) {
    if (!t->is_number() || t->to_number<double>() < 0 || t->to_number<double>() > 2) {
      return {"'temperature' must be a number from 0 to 2", "temperature"};
    }
  }
  const js::value* format = body.if_contains("response_format");
  if (format == nullptr || !format->is_object()) return {"a response_format is required by this fake", "response_format"};
  const js::value* type = format->as_object().if_contains("type");
  if (type == nullptr || !type->is_string() || type->as_string() != "json_schema") {
    return {"response_format.type must be json_schema", "response_format.type"};
  }
  const js::value* spec = format->as_object().if_contains("json_schema");
  if (spec == nullptr || !spec->is_object()) return {"response_format.json_schema is required", "response_format.json_schema"};
  const js::value* name = spec->as_object().if_contains("name");
  static const std::regex name_rule("^[a-zA-Z0-9_-]{1,64}$");
  if (name == nullptr || !name->is_string() || !std::regex_match(std::string(name->as_string()), name_rule)) {
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
  int completions = 0;
  std::unique_ptr<net::http_server> server;
  std::uint16_t port = 0;

  awaitable<net::http_response> handle(net::http_request req) {
    std::lock_guard lock(mutex);
    requests.push_back(chat_request{req.method, std::string(req.path()), req.headers, req.body, 0});
    net::http_response res = respond(req);
    requests.back().status = res.status;
    co_return res;
  }

  // Synchronous and under the mutex.
  net::http_response respond(const net::http_request& req) {
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
    js::object message{{"role", "assistant"},
                       {"content", refusal.empty() ? js::value(content) : js::value(nullptr)},
                       {"refusal", refusal.empty() ? js::value(nullptr) : js::value(refusal)}};
    js::object answer{{"id", "chatcmpl-fake" + std::to_string(completions)},
                      {"object", "chat.completion"},
                      {"created", 1710000000},
                      {"model", body.at("model")},
                      {"choices", js::array{js::object{{"index", 0}, {"finish_reason", finish_reason}, {"message", std::move(message)}}}},
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

std::vector<chat_request> fake_chat_server::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

}  // namespace vg::fakes
