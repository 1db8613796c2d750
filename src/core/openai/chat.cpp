// Chat Completions extraction request and answer (docs/protocols/chat-completions.md). Nothing here throws for
// any input: bodies are parsed with error codes.
#include "core/openai/chat.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>

#include "core/json_fields.hpp"

namespace vg::openai {
namespace js = boost::json;

const std::string_view default_extraction_instructions =
    "You extract structured data from the transcript of a phone call between a caller and an AI phone assistant. "
    "Fill the fields of the JSON schema from what was actually said or done in the call; never invent values. "
    "Leave out a field the call did not cover, or use null when the schema requires the field and allows null. "
    "Lines in square brackets are actions the assistant took with tools, with their results.";

namespace {

constexpr int max_schema_depth = 64;

bool strict_at(const js::value& schema, int depth) {
  if (depth > max_schema_depth) return false;
  if (!schema.is_object()) return schema.is_bool();
  const js::object& s = schema.as_object();
  const js::value* type = s.if_contains("type");
  bool is_object = type != nullptr && type->is_string() && type->as_string() == "object";
  if (type != nullptr && type->is_array()) {
    for (const js::value& t : type->as_array()) is_object = is_object || (t.is_string() && t.as_string() == "object");
  }
  const js::value* props = s.if_contains("properties");
  if (is_object || props != nullptr) {
    const js::value* extra = s.if_contains("additionalProperties");
    if (extra == nullptr || !extra->is_bool() || extra->as_bool()) return false;
    if (props != nullptr) {
      if (!props->is_object()) return false;
      const js::value* required = s.if_contains("required");
      if (!props->as_object().empty() && (required == nullptr || !required->is_array())) return false;
      for (const auto& [name, sub] : props->as_object()) {
        bool listed = false;
        for (const js::value& r : required->as_array()) listed = listed || (r.is_string() && r.as_string() == name);
        if (!listed || !strict_at(sub, depth + 1)) return false;
      }
    }
  }
  if (const js::value* items = s.if_contains("items"); items != nullptr && !strict_at(*items, depth + 1)) return false;
  for (const char* list : {"anyOf", "oneOf", "allOf"}) {
    const js::value* subs = s.if_contains(list);
    if (subs == nullptr) continue;
    if (!subs->is_array()) return false;
    for (const js::value& sub : subs->as_array()) {
      if (!strict_at(sub, depth + 1)) return false;
    }
  }
  if (const js::value* defs = s.if_contains("$defs"); defs != nullptr) {
    if (!defs->is_object()) return false;
    for (const auto& [name, sub] : defs->as_object()) {
      if (!strict_at(sub, depth + 1)) return false;
    }
  }
  return true;
}

using json_fields::count_at;
using json_fields::object_at;
using json_fields::string_at;

}  // namespace

bool strict_compatible(const js::value& schema) { return schema.is_object() && strict_at(schema, 0); }

std::string extraction_request(std::string_view model, std::string_view instructions, std::string_view transcript_text,
                               const js::value& schema) {
  if (model.empty()) model = default_extraction_model;
  if (instructions.empty()) instructions = default_extraction_instructions;
  std::string user = "Transcript of the call:\n\n";
  user += transcript_text;
  js::array messages;
  messages.push_back(js::object{{"role", "system"}, {"content", instructions}});
  messages.push_back(js::object{{"role", "user"}, {"content", user}});
  js::object json_schema{{"name", "extraction"}, {"schema", schema}, {"strict", strict_compatible(schema)}};
  js::object body{{"model", model},
                  {"temperature", 0},
                  {"messages", std::move(messages)},
                  {"response_format", js::object{{"type", "json_schema"}, {"json_schema", std::move(json_schema)}}}};
  return js::serialize(body);
}

std::string api_error_message(std::string_view body) {
  js::error_code ec;
  const js::value v = js::parse(body, ec);
  if (ec || !v.is_object()) return {};
  const js::object* err = object_at(v.as_object(), "error");
  return err == nullptr ? std::string() : string_at(*err, "message");
}

result<chat_usage> parse_chat_usage(std::string_view body) {
  js::error_code ec;
  const js::value v = js::parse(body, ec);
  if (ec || !v.is_object()) return make_error("the API answer is not a JSON object");
  const js::object* usage = object_at(v.as_object(), "usage");
  if (usage == nullptr) return make_error("the API answer has no usage");
  chat_usage u;
  u.prompt_tokens = count_at(*usage, "prompt_tokens");
  u.completion_tokens = count_at(*usage, "completion_tokens");
  if (const js::object* details = object_at(*usage, "prompt_tokens_details"); details != nullptr) {
    u.cached_tokens = std::min(count_at(*details, "cached_tokens"), u.prompt_tokens);
  }
  return u;
}

result<js::value> parse_extraction_response(std::string_view body) {
  js::error_code ec;
  const js::value v = js::parse(body, ec);
  if (ec || !v.is_object()) return make_error("the API answer is not a JSON object");
  const js::object& top = v.as_object();
  if (const js::object* err = object_at(top, "error"); err != nullptr) {
    const std::string message = string_at(*err, "message");
    return make_error("the API answered an error: " + (message.empty() ? std::string("(no message)") : message));
  }
  const js::value* choices = top.if_contains("choices");
  if (choices == nullptr || !choices->is_array() || choices->as_array().empty() || !choices->as_array()[0].is_object()) {
    return make_error("the API answer has no choices");
  }
  const js::object& choice = choices->as_array()[0].as_object();
  const js::object* message = object_at(choice, "message");
  if (message == nullptr) return make_error("the API answer has no message");
  if (const std::string refusal = string_at(*message, "refusal"); !refusal.empty()) {
    return make_error("the model refused: " + refusal);
  }
  const std::string finish = string_at(choice, "finish_reason");
  if (finish == "length") return make_error("the answer was cut off (finish_reason length)");
  if (finish == "content_filter") return make_error("the answer was blocked by the content filter");
  const js::value* content = message->if_contains("content");
  if (content == nullptr || !content->is_string() || content->as_string().empty()) {
    return make_error("the answer has no content");
  }
  js::value answer = js::parse(content->as_string(), ec);
  if (ec) return make_error("the answer is not JSON (" + ec.message() + ")");
  return answer;
}

}  // namespace vg::openai
