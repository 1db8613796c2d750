// A fake of OpenAI's Chat Completions endpoint (docs/protocols/chat-completions.md) over real
// HTTP on 127.0.0.1 from its own loop thread: structured-output extraction, and conversations
// with tools (the gather flow). Checks the bearer key and the request's shape as the API does
// (a tool message must answer a preceding assistant message's tool call, and every tool call
// must be answered), answers scripted replies (words or function calls, an error status, after
// a delay) or a default content (or refusal), can fail the next requests, and records
// everything. Every public method is thread-safe.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/headers.hpp"

namespace vg::fakes {

struct chat_request {  // one request as the fake received it
  std::string method;
  std::string path;
  net::header_list headers;  // names lower-cased
  std::string body;
  int status = 0;  // what the fake answered
};

struct scripted_call {  // one function call the fake's answer makes
  std::string id;         // tool_calls[i].id
  std::string name;
  std::string arguments;  // JSON text, as the model writes it
};

struct scripted_reply {  // the answer to one request
  std::string content;                    // the words (with calls: may be empty, sent as null)
  std::vector<scripted_call> tool_calls;  // when not empty: finish_reason "tool_calls"
  int status = 200;                       // another status: OpenAI's error JSON, `content` as its message
  std::chrono::milliseconds delay{0};     // answered only after this long
};

class fake_chat_server {
 public:
  static constexpr const char* default_api_key = "sk-fake-chat-0123456789abcdef";

  explicit fake_chat_server(std::string api_key = default_api_key);
  ~fake_chat_server();

  std::string url() const;  // http://127.0.0.1:PORT/v1 (the OPENAI_API_URL to use)
  std::uint16_t port() const;
  const std::string& api_key() const;

  // choices[0].message.content of every successful answer, sent as a string (any text; a
  // test may send one that is not JSON). Default: "{}".
  void set_content(std::string content);
  // Answer with message.refusal = `refusal` and content null instead (empty: back to content).
  void set_refusal(std::string refusal);
  void set_finish_reason(std::string finish_reason);  // default "stop"
  // The next `count` requests get `http_status` with OpenAI's error JSON, before any check.
  void fail_next(int count, int http_status, std::string message = "The server had an error while processing your request.");
  // The answers to the next well-formed requests, in order (after fail_next's failures); once
  // they are used up, set_content's.
  void push_reply(scripted_reply reply);
  void say(std::string words) { push_reply({std::move(words), {}, 200, {}}); }
  void call_tools(std::vector<scripted_call> calls) { push_reply({{}, std::move(calls), 200, {}}); }
  std::size_t replies_left() const;

  std::vector<chat_request> requests() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace vg::fakes
