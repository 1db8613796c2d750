#include "app/tools/webhook_sender.hpp"
#include "app/wall_clock.hpp"

#include "core/crypto.hpp"
#include "net/http_client.hpp"
#include "net/log.hpp"

namespace vg::app {

std::string webhook_signature(const std::string& secret, std::int64_t unix_seconds, std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  std::string signed_text = t + ".";
  signed_text += body;
  return "t=" + t + ",v1=" + crypto::hex(crypto::hmac_sha256(secret, signed_text));
}

std::string webhook_secret(const config& cfg) {
  if (!cfg.webhook_secret.empty()) return cfg.webhook_secret;
  return crypto::hex(crypto::hmac_sha256(cfg.twilio_auth_token, "voxgate webhook secret v1"));
}

awaitable<result<std::string>> post_signed_webhook(asio::ssl::context& tls, const config& cfg, std::string url,
                                                   std::string body) {
  const std::string secret = webhook_secret(cfg);
  std::string last_error;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const auto now = unix_now();
    net::client_request req;
    req.method = "POST";
    req.url = url;
    req.body = body;
    req.headers = {{"Content-Type", "application/json"},
                   {"User-Agent", "voxgate"},
                   {"X-Voxgate-Signature", webhook_signature(secret, now, body)}};
    net::client_options opts;
    opts.timeout = std::chrono::milliseconds(std::min<long>(5000, cfg.tool_timeout.count()));
    opts.tls = &tls;
    opts.max_body = 1024 * 1024;
    auto ex = co_await asio::this_coro::executor;
    auto res = co_await net::http_fetch(ex, std::move(req), opts);
    if (res && res->status >= 200 && res->status < 300) co_return std::move(res->body);
    if (res && res->status < 500) co_return make_error("the webhook answered HTTP " + std::to_string(res->status));
    last_error = res ? "HTTP " + std::to_string(res->status) : res.error_message();
    if (attempt == 3) break;
    asio::steady_timer pause(ex);
    pause.expires_after(std::chrono::milliseconds(500 * attempt));
    co_await pause.async_wait(asio::use_awaitable);
  }
  co_return make_error("the webhook failed 3 times (" + last_error + ")");
}

}  // namespace vg::app
