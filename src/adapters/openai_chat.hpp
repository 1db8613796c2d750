// Chat Completions over HTTPS (docs/protocols/chat-completions.md): POST {base}/chat/completions
// with the bearer key, one request per call of complete(), with a deadline.
#pragma once
#include <chrono>
#include <string>

#include "net/asio.hpp"
#include "ports/chat_model.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vg::adapters {

class openai_chat final : public ports::chat_model {
 public:
  // `base_url`: https://api.openai.com/v1. `tls` must outlive this object.
  openai_chat(std::string base_url, std::string api_key, asio::ssl::context& tls,
              std::chrono::milliseconds timeout = std::chrono::seconds(60));
  bool configured() const override { return !api_key_.empty(); }
  awaitable<result<ports::chat_reply>> complete(std::string request_json) override;

 private:
  std::string url_;
  std::string api_key_;
  asio::ssl::context& tls_;
  std::chrono::milliseconds timeout_;
};

}  // namespace vg::adapters
