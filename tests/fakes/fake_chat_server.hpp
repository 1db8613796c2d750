// A fake of OpenAI's Chat Completions endpoint (docs/protocols/chat-completions.md) for structured-output
// extraction, over real HTTP on 127.0.0.1 from its own loop thread. Checks the bearer key and
// the request's shape, answers a scripted content (or refusal), can fail the next requests,
// and records everything. Every public method is thread-safe.
#pragma once
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

  std::vector<chat_request> requests() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace vg::fakes
