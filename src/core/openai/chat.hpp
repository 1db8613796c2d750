// Chat Completions (docs/protocols/chat-completions.md) for post-call extraction: the request body asking for a
// JSON answer shaped by a schema (structured output), and the parse of the answer. Pure.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/result.hpp"

namespace vg::openai {

inline constexpr std::string_view default_extraction_model = "gpt-4o-mini";
// The system message when the assistant gives no instructions of its own.
extern const std::string_view default_extraction_instructions;

// Whether OpenAI's strict structured output accepts `schema`: every object schema lists all
// its properties in "required" and has "additionalProperties": false (checked through
// properties, items, anyOf/oneOf/allOf, $defs). Strict mode refuses any other schema with a 400.
bool strict_compatible(const boost::json::value& schema);

// {"model", "temperature": 0, "messages": [system: instructions, user: the transcript],
//  "response_format": {"type": "json_schema", "json_schema": {"name": "extraction",
//  "schema": schema, "strict": strict_compatible(schema)}}}. An empty model or instructions
// takes the default above.
std::string extraction_request(std::string_view model, std::string_view instructions, std::string_view transcript_text,
                               const boost::json::value& schema);

// The JSON that choices[0].message.content holds. Errors (plain English): a body that is not a
// completion, an API error object, a refusal (message.refusal), an answer cut off
// (finish_reason "length") or filtered, missing content, content that is not JSON.
result<boost::json::value> parse_extraction_response(std::string_view body);

// What a completion was billed for (its `usage`): prompt tokens, of which cached_tokens
// (usage.prompt_tokens_details.cached_tokens) at the cached rate, and completion tokens
// (reasoning tokens included). Counts are never negative.
struct chat_usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t cached_tokens = 0;  // part of prompt_tokens (never more)
  std::int64_t completion_tokens = 0;
  bool operator==(const chat_usage&) const = default;
};

// The `usage` of a completion body, whatever its answer (a refused or cut-off answer is billed
// too). A missing member counts 0; an error when the body is not a JSON object or has no
// `usage` object (an API error, or a compatible server that does not report it).
result<chat_usage> parse_chat_usage(std::string_view body);

// error.message of an OpenAI error body ({"error": {"message": ...}}), or "" when there is none.
std::string api_error_message(std::string_view body);

}  // namespace vg::openai
