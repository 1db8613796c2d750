// Post-call extraction over Chat Completions: request, retries with backoff, answer checks.
#include "app/call/extraction.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "core/agent/json_schema.hpp"
#include "core/openai/chat.hpp"
#include "net/log.hpp"

namespace vg::app {
namespace js = boost::json;

namespace {

constexpr int max_attempts = 3;
constexpr std::size_t max_tool_text = 2000;                   // bytes of a tool's arguments or result

std::string one_line(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '\n', ' ');
  std::replace(out.begin(), out.end(), '\r', ' ');
  return out;
}

// At most max_tool_text bytes, cut on a UTF-8 character boundary.
std::string clipped(std::string_view text) {
  if (text.size() <= max_tool_text) return one_line(text);
  std::size_t end = max_tool_text;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return one_line(text.substr(0, end)) + "...";
}

std::string http_error(int status, const std::string& body) {
  const std::string message = openai::api_error_message(body);
  return "the OpenAI API answered HTTP " + std::to_string(status) + (message.empty() ? "" : ": " + message);
}

}  // namespace

billing::token_usage billed(const openai::chat_usage& u) {
  billing::token_usage out;
  out.input_text = u.prompt_tokens;
  out.cached_text = u.cached_tokens;
  out.output_text = u.completion_tokens;
  out.responses = 1;
  return out;
}

std::string transcript_text(const std::vector<ports::transcript_turn>& turns,
                            const std::vector<ports::tool_call_row>& tools) {
  struct line {
    std::int64_t at_ms;
    int kind;  // 0 turn, 1 tool: a turn first on a tie
    std::size_t index;
  };
  std::vector<line> lines;
  lines.reserve(turns.size() + tools.size());
  for (std::size_t i = 0; i < turns.size(); ++i) lines.push_back({turns[i].at_ms, 0, i});
  for (std::size_t i = 0; i < tools.size(); ++i) lines.push_back({tools[i].started_at_ms, 1, i});
  std::stable_sort(lines.begin(), lines.end(),
                   [](const line& a, const line& b) { return a.at_ms != b.at_ms ? a.at_ms < b.at_ms : a.kind < b.kind; });
  std::string out;
  for (const line& l : lines) {
    if (!out.empty()) out += '\n';
    if (l.kind == 0) {
      const ports::transcript_turn& t = turns[l.index];
      out += (t.speaker.empty() ? std::string("unknown") : t.speaker) + ": " + one_line(t.text);
      continue;
    }
    const ports::tool_call_row& t = tools[l.index];
    out += "[tool " + t.name;
    if (!t.arguments.empty()) out += " " + clipped(t.arguments);
    if (!t.result.empty()) {
      out += " -> " + clipped(t.result);
    } else if (!t.outcome.empty()) {
      out += " -> (" + t.outcome + ")";
    }
    out += "]";
  }
  return out;
}

awaitable<extraction_result> run_extraction(ports::chat_model& chat, std::string model, std::string transcript,
                                            js::value schema, std::chrono::milliseconds first_backoff,
                                            std::string instructions) {
  extraction_result out;
  if (!chat.configured()) {
    out.error = "no OpenAI API key is set (OPENAI_API_KEY)";
    co_return out;
  }
  if (!schema.is_object()) {
    out.error = "the extraction schema must be a JSON object";
    co_return out;
  }
  if (const auto problems = agent::check_schema(schema); !problems.empty()) {
    out.error = "the extraction schema is invalid: " + agent::describe(problems);
    co_return out;
  }
  if (model.empty()) model = std::string(openai::default_extraction_model);
  out.model = model;
  const std::string body = openai::extraction_request(model, instructions, transcript, schema);

  auto ex = co_await asio::this_coro::executor;
  std::string last_error;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    out.attempts = attempt;
    auto res = co_await chat.complete(body);
    bool retry = false;
    if (!res) {
      last_error = "the OpenAI API could not be reached: " + res.error_message();
      retry = true;
    } else if (res->status >= 200 && res->status < 300) {
      // Billed whatever the answer says, so counted before it is checked.
      if (const auto usage = openai::parse_chat_usage(res->body)) out.usage = billed(*usage);
      auto answer = openai::parse_extraction_response(res->body);
      if (!answer) {
        out.error = answer.error_message();
        co_return out;
      }
      const auto errors = agent::validate(schema, *answer);
      if (!errors.empty()) {
        out.error = "the answer did not match the schema: " + agent::describe(errors);
        co_return out;
      }
      out.ok = true;
      out.json = js::serialize(*answer);
      co_return out;
    } else {
      last_error = http_error(res->status, res->body);
      retry = res->status == 429 || res->status >= 500;
    }
    if (!retry || attempt == max_attempts) break;
    log::warn("extraction attempt " + std::to_string(attempt) + " failed, retrying: " + last_error);
    asio::steady_timer pause(ex);
    pause.expires_after(first_backoff * (1 << (attempt - 1)));
    co_await pause.async_wait(nothrow);
  }
  out.error = out.attempts > 1 ? last_error + " (after " + std::to_string(out.attempts) + " attempts)" : last_error;
  co_return out;
}

}  // namespace vg::app
