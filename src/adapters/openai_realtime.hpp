// The Realtime API over WebSocket (docs/protocols/openai-realtime.md): the URL with ?model=,
// the bearer key, the beta header when asked for, TLS with the system's CAs.
#pragma once
#include <chrono>
#include <string>

#include "net/asio.hpp"
#include "ports/realtime_model.hpp"

namespace boost::asio::ssl {
class context;
}

namespace vg::adapters {

struct openai_realtime_settings {
  std::string url;  // wss://api.openai.com/v1/realtime (?model= is added when missing)
  std::string api_key;
  std::string model;
  bool beta = false;  // OpenAI-Beta: realtime=v1
  std::chrono::milliseconds connect_timeout{10000};
  std::size_t max_queued = 4 * 1024 * 1024;  // unsent bytes beyond which the peer counts as dead
};

class openai_realtime final : public ports::realtime_model {
 public:
  // `tls` must outlive this object.
  openai_realtime(openai_realtime_settings settings, asio::ssl::context& tls);
  awaitable<result<std::unique_ptr<ports::model_session>>> open() override;

 private:
  openai_realtime_settings settings_;
  std::string url_;
  asio::ssl::context& tls_;
};

}  // namespace vg::adapters
