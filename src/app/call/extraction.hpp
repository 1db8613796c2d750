// Post-call extraction: an assistant's settings.extraction.schema filled from the call's
// transcript by the Chat Completions API (structured output), checked against the schema.
// Retries transport failures, 429 and 5xx. Coroutine on the caller's executor.
#pragma once
#include <chrono>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "app/config.hpp"
#include "core/billing/cost.hpp"
#include "core/openai/chat.hpp"
#include "net/asio.hpp"
#include "ports/chat_model.hpp"
#include "ports/store.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vg::app {

struct extraction_result {  // default-constructible, so it can cross a use_future boundary
  bool ok = false;
  std::string json;   // the validated answer (compact JSON) when ok
  std::string error;  // plain English when !ok
  int attempts = 0;   // HTTP requests made (0: refused before any request)
  // What the API billed: the model asked and the usage of the answer it gave (text tokens,
  // one response), also when that answer was refused or broke the schema. usage.responses is
  // 0 when no answer came, or it reported no usage.
  std::string model;
  billing::token_usage usage;
};

// Asks the chat model: up to 3 attempts, waiting first_backoff then twice that, on transport
// errors, 429 and 5xx; any other 4xx fails at once. An empty model means gpt-4o-mini, empty
// instructions the default ones (core/openai/chat.hpp). No key, or a schema that
// agent::check_schema refuses, fails without a request. An answer breaking the schema fails
// with "the answer did not match the schema: ...".
awaitable<extraction_result> run_extraction(ports::chat_model& chat, std::string model,
                                            std::string transcript_text, boost::json::value schema,
                                            std::chrono::milliseconds first_backoff = std::chrono::seconds(1),
                                            std::string instructions = {});

// A completion's usage as billing counts it: text in (its cached part) and text out, one
// response. Gather turns are billed the same way.
billing::token_usage billed(const openai::chat_usage& u);

// "caller: ...\nassistant: ...\n[tool book_service {args} -> {result}]", turns and tool calls
// merged in time order (a turn first on a tie); one line each, inner newlines as spaces.
std::string transcript_text(const std::vector<ports::transcript_turn>& turns,
                            const std::vector<ports::tool_call_row>& tools);

}  // namespace vg::app
